//! Reporting names that break the naming rule for namespaces, events, fields and enum values.
//! The rule itself — snake_case ASCII, starting with a letter, at most [`MAX_NAME_LEN`]
//! characters — is `candor_core::names`, which the wire's event-name pattern is built from.

use super::Ctxt;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

pub use candor_core::names::{problem, MAX_NAME_LEN};

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
    fn suggestions_follow_the_rule() {
        assert_eq!(to_snake("TransactionSigned"), "transaction_signed");
        assert_eq!(problem(&to_snake("TransactionSigned")), None);
        assert_eq!(to_snake("confirm-ms"), "confirm_ms");
    }
}
