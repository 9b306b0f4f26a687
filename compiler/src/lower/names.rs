//! The naming rule for namespaces, events, fields and enum values: snake_case ASCII, starting
//! with a letter, at most [`MAX_NAME_LEN`] characters. One rule for all, because every name ends
//! up as a Rust identifier, a JSON key and a docs anchor.

use super::Ctxt;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

pub const MAX_NAME_LEN: usize = 40;

/// Why `name` is not a valid name, or `None` if it is.
pub fn problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("is empty");
    }
    if name.len() > MAX_NAME_LEN {
        return Some("is longer than 40 characters");
    }
    if !name.as_bytes()[0].is_ascii_lowercase() {
        return Some("must start with a lowercase letter");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Some("may contain only lowercase letters, digits and `_`");
    }
    if name.contains("__") || name.ends_with('_') {
        return Some("may not contain `__` or end with `_`");
    }
    None
}

/// The snake_case spelling of an arbitrary name, to suggest as a fix.
pub fn to_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_uppercase() {
            if prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            out.push(c);
            prev_lower = true;
        } else if !out.ends_with('_') && !out.is_empty() {
            out.push('_');
            prev_lower = false;
        }
    }
    let trimmed = out.trim_matches('_');
    trimmed.chars().take(MAX_NAME_LEN).collect()
}

/// Reports `name` if it breaks the rule; returns whether it is valid.
pub fn check(cx: &mut Ctxt, name: &str, span: Span, kind: &str) -> bool {
    let Some(why) = problem(name) else {
        return true;
    };
    let fixed = to_snake(name);
    let help = if problem(&fixed).is_none() {
        format!("names are snake_case, e.g. `{fixed}`")
    } else {
        "names are snake_case: lowercase letters, digits and `_`, starting with a letter"
            .to_string()
    };
    cx.push(
        Diagnostic::error(Code::BadName, span, format!("{kind} name `{name}` {why}"))
            .with_help(help),
    );
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snake_case_rule() {
        assert_eq!(problem("transaction_signed"), None);
        assert_eq!(problem("tx2_ok"), None);
        assert!(problem("TransactionSigned").is_some());
        assert!(problem("2fa").is_some());
        assert!(problem("a__b").is_some());
        assert!(problem("a_").is_some());
        assert!(problem(&"a".repeat(41)).is_some());
        assert_eq!(to_snake("TransactionSigned"), "transaction_signed");
        assert_eq!(to_snake("confirm-ms"), "confirm_ms");
    }
}
