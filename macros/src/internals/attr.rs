//! `#[event(name = "ns.event", version = 1, schemas = "path")]`.

use super::ctxt::Ctxt;
use syn::{Attribute, LitInt, LitStr};

/// The keys `#[event(...)]` accepts, for "did you mean" hints.
const KEYS: [&str; 3] = ["name", "version", "schemas"];

/// What `#[event(...)]` said; each value keeps its literal so errors can point at it.
#[derive(Default)]
pub struct EventAttr {
    pub name: Option<LitStr>,
    pub version: Option<LitInt>,
    pub schemas: Option<LitStr>,
}

pub fn parse(cx: &Ctxt, attrs: &[Attribute]) -> EventAttr {
    let mut out = EventAttr::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("event")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match key.as_str() {
                "name" => set(cx, &mut out.name, meta.value()?.parse()?, "name"),
                "version" => set(cx, &mut out.version, meta.value()?.parse()?, "version"),
                "schemas" => set(cx, &mut out.schemas, meta.value()?.parse()?, "schemas"),
                _ => {
                    let hint = candor_schema::suggest::did_you_mean(&key, KEYS)
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    cx.error_spanned_by(
                        &meta.path,
                        format!(
                            "unknown `#[event]` key `{key}`{hint} (accepted: {})",
                            candor_schema::suggest::one_of(KEYS)
                        ),
                    );
                    // Skip the value so one unknown key does not hide the others.
                    if meta.input.peek(syn::Token![=]) {
                        meta.value()?.parse::<syn::Expr>()?;
                    }
                }
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    out
}

fn set<T: quote::ToTokens>(cx: &Ctxt, slot: &mut Option<T>, value: T, key: &str) {
    if slot.is_some() {
        cx.error_spanned_by(&value, format!("`{key}` is given twice in `#[event]`"));
    } else {
        *slot = Some(value);
    }
}
