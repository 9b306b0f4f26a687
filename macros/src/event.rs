//! `#[derive(Event)]`: parse ([`internals::ast`]), check against the schema
//! ([`internals::check`]), then generate ([`gen`]) — each pass on its own, the way
//! serde_derive is built.
//!
//! All problems of one struct are collected first. If there is any, the output is the errors
//! plus a stub impl, so the user sees those errors and not a cascade of "trait not
//! implemented" ones wherever the event is used.

use crate::gen;
use crate::internals::ast::Container;
use crate::internals::check;
use crate::internals::ctxt::Ctxt;
use proc_macro2::TokenStream;
use syn::DeriveInput;

pub fn expand(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let cont = Container::from_ast(&cx, input);
    let checked = check::event(&cx, &cont);
    let includes = gen::includes(check::includes(checked.loaded.as_deref()).as_deref());
    match (cx.check(), checked.plan) {
        (Ok(()), Some(plan)) => {
            let imp = gen::event_impl(&plan);
            quote::quote!(#includes #imp)
        }
        // Every path that leaves no plan reports why, so this is a bug of the derive; it must
        // not pass silently as an event that sends nothing.
        (Ok(()), None) => {
            let stub = gen::stub(cont.ident, cont.generics);
            let bug = syn::Error::new_spanned(
                cont.ident,
                "candor-macros refused this struct without saying why; this is a bug, please \
                 report it",
            )
            .to_compile_error();
            quote::quote!(#bug #includes #stub)
        }
        (Err(errors), _) => {
            let stub = gen::stub(cont.ident, cont.generics);
            quote::quote!(#errors #includes #stub)
        }
    }
}
