//! `#[derive(EventEnum)]`: a fieldless enum sent as the snake_case name of its variant.

use crate::ctxt::Ctxt;
use candor_schema::derive_support::{values_fingerprint, variant_value};
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;
use syn::{Data, DeriveInput, Fields};

pub fn expand(input: DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let ident = &input.ident;
    let mut arms = Vec::new();
    let mut values = Vec::new();
    let mut back = Vec::new();
    match &input.data {
        Data::Enum(data) => {
            let mut seen: HashMap<String, &syn::Ident> = HashMap::new();
            for v in &data.variants {
                if !matches!(v.fields, Fields::Unit) {
                    cx.error_spanned_by(
                        v,
                        format!(
                            "variant `{}` carries data; an EventEnum sends only which variant it \
                             is, so every variant must be a plain name like `{}`",
                            v.ident, v.ident
                        ),
                    );
                    continue;
                }
                let value = variant_value(&v.ident.to_string());
                if let Some(other) = seen.insert(value.clone(), &v.ident) {
                    cx.error_spanned_by(
                        &v.ident,
                        format!(
                            "variants `{other}` and `{}` are both sent as `{value}`; rename one",
                            v.ident
                        ),
                    );
                }
                let vid = &v.ident;
                arms.push(quote!(Self::#vid => #value));
                back.push(quote!(#value => ::core::option::Option::Some(Self::#vid)));
                values.push(value);
            }
        }
        _ => cx.error_spanned_by(
            ident,
            "#[derive(EventEnum)] is for enums whose variants are the YAML `values` of an \
             `enum` field",
        ),
    }
    let fingerprint = values_fingerprint(values.iter().map(String::as_str));
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    if let Some(errors) = cx.into_compile_errors() {
        return quote! {
            #errors
            impl #impl_generics ::candor::EventEnum for #ident #ty_generics #where_clause {
                const VALUES: &'static [&'static str] = &[];
                const VALUES_FINGERPRINT: u64 = 0;
                fn value(&self) -> &'static str { "" }
                fn from_value(_: &str) -> ::core::option::Option<Self> { ::core::option::Option::None }
            }
        };
    }
    quote! {
        impl #impl_generics ::candor::EventEnum for #ident #ty_generics #where_clause {
            const VALUES: &'static [&'static str] = &[#(#values),*];
            const VALUES_FINGERPRINT: u64 = #fingerprint;
            fn value(&self) -> &'static str {
                match *self { #(#arms,)* }
            }
            fn from_value(value: &str) -> ::core::option::Option<Self> {
                match value {
                    #(#back,)*
                    _ => ::core::option::Option::None,
                }
            }
        }
    }
}
