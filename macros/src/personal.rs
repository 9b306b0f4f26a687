//! `#[candor::personal]`: marks a type as personal data so that no event can carry it.

use proc_macro2::TokenStream;
use quote::quote;
use syn::DeriveInput;

pub fn expand(args: TokenStream, item: TokenStream, input: &DeriveInput) -> TokenStream {
    if !args.is_empty() {
        let err = syn::Error::new_spanned(args, "#[candor::personal] takes no arguments");
        let err = err.to_compile_error();
        return quote!(#err #item);
    }
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    quote! {
        #item
        impl #impl_generics ::candor::__private::personal::Personal for #ident #ty_generics #where_clause {}
    }
}
