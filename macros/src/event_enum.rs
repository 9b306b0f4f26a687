//! `#[derive(EventEnum)]`: a fieldless enum sent as the snake_case name of its variant.
//! Checked first (an enum, unit variants, no two variants with the same value), then
//! generated from the variants that passed.

use crate::internals::ctxt::Ctxt;
use candor_core::fingerprint::values_fingerprint;
use candor_schema::derive_support::variant_value;
use proc_macro2::TokenStream;
use quote::quote;
use std::collections::HashMap;
use syn::{Data, DeriveInput, Fields, Ident};

/// A variant and the value it is sent as.
struct Variant<'a> {
    ident: &'a Ident,
    value: String,
}

pub fn expand(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let variants = check(&cx, input);
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    if let Err(errors) = cx.check() {
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
    let values: Vec<&str> = variants.iter().map(|v| v.value.as_str()).collect();
    let fingerprint = values_fingerprint(values.iter().copied());
    let arms = variants
        .iter()
        .map(|Variant { ident, value }| quote!(Self::#ident => #value));
    let index = variants
        .iter()
        .enumerate()
        .map(|(i, Variant { ident, .. })| quote!(Self::#ident => #i));
    let back = variants.iter().map(
        |Variant { ident, value }| quote!(#value => ::core::option::Option::Some(Self::#ident)),
    );
    quote! {
        impl #impl_generics ::candor::EventEnum for #ident #ty_generics #where_clause {
            const VALUES: &'static [&'static str] = &[#(#values),*];
            const VALUES_FINGERPRINT: u64 = #fingerprint;
            fn value(&self) -> &'static str {
                match *self { #(#arms,)* }
            }
            #[inline]
            fn index(&self) -> usize {
                match *self { #(#index,)* }
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

/// The variants and their values, recording in `cx` what makes the enum unusable.
fn check<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Vec<Variant<'a>> {
    let Data::Enum(data) = &input.data else {
        cx.error_spanned_by(
            &input.ident,
            "#[derive(EventEnum)] is for enums whose variants are the YAML `values` of an \
             `enum` field",
        );
        return Vec::new();
    };
    let mut seen: HashMap<String, &Ident> = HashMap::new();
    let mut out = Vec::new();
    for v in &data.variants {
        if !matches!(v.fields, Fields::Unit) {
            cx.error_spanned_by(
                v,
                format!(
                    "variant `{}` carries data; an EventEnum sends only which variant it is, \
                     so every variant must be a plain name like `{}`",
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
        out.push(Variant {
            ident: &v.ident,
            value,
        });
    }
    out
}
