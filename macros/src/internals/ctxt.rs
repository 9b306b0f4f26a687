//! Error collection: every problem of one item is gathered, then reported together as one
//! `compile_error!` per problem, each spanned on the user's own tokens.
//!
//! A `Ctxt` must be asked for its verdict ([`Ctxt::check`]) before it goes away, and panics in
//! `Drop` otherwise: an expansion that forgot to check would drop every error it collected and
//! generate code for an item it had refused.

use proc_macro2::TokenStream;
use quote::ToTokens;
use std::cell::RefCell;
use std::fmt::Display;
use std::thread;

/// Errors found while expanding one item.
pub struct Ctxt {
    /// `None` once checked.
    errors: RefCell<Option<Vec<syn::Error>>>,
}

impl Ctxt {
    /// A context with no errors yet.
    pub fn new() -> Self {
        Ctxt {
            errors: RefCell::new(Some(Vec::new())),
        }
    }

    fn push(&self, error: syn::Error) {
        self.errors
            .borrow_mut()
            .as_mut()
            .expect("no error is recorded after the context was checked")
            .push(error);
    }

    /// Records an error pointing at `tokens`.
    pub fn error_spanned_by(&self, tokens: impl ToTokens, message: impl Display) {
        self.push(syn::Error::new_spanned(tokens.into_token_stream(), message));
    }

    /// Records an error built elsewhere (e.g. by `syn`'s parser).
    pub fn syn_error(&self, error: syn::Error) {
        self.push(error);
    }

    /// The verdict: `Ok` if nothing was recorded, else every error as `compile_error!`
    /// invocations, in the order they were found.
    pub fn check(self) -> Result<(), TokenStream> {
        let errors = self
            .errors
            .borrow_mut()
            .take()
            .expect("a context is checked once");
        let mut errors = errors.into_iter();
        let Some(mut first) = errors.next() else {
            return Ok(());
        };
        for e in errors {
            first.combine(e);
        }
        Err(first.to_compile_error())
    }
}

impl Drop for Ctxt {
    fn drop(&mut self) {
        // While unwinding from another panic, a second one would abort and hide the first.
        if !thread::panicking() && self.errors.borrow().is_some() {
            panic!("candor-macros: an error context was dropped without being checked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_contexts_report_in_order() {
        let cx = Ctxt::new();
        assert!(cx.check().is_ok());
        let cx = Ctxt::new();
        cx.error_spanned_by(quote::quote!(a), "first");
        cx.error_spanned_by(quote::quote!(b), "second");
        let out = cx.check().unwrap_err().to_string();
        let (first, second) = (out.find("first").unwrap(), out.find("second").unwrap());
        assert!(first < second, "{out}");
    }

    #[test]
    #[should_panic(expected = "dropped without being checked")]
    fn an_unchecked_context_refuses_to_be_dropped() {
        let cx = Ctxt::new();
        cx.error_spanned_by(quote::quote!(a), "lost");
    }

    #[test]
    #[should_panic(expected = "dropped without being checked")]
    fn even_an_empty_one() {
        let _cx = Ctxt::new();
    }
}
