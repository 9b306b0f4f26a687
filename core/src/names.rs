//! The naming rule for namespaces, events, fields and enum values: snake_case ASCII, starting
//! with a lowercase letter, no `__`, no trailing `_`, at most [`MAX_NAME_LEN`] characters. One
//! rule for all, because every name ends up as a Rust identifier, a JSON key and a docs anchor,
//! and an event is named on the wire `namespace.event`.

/// The longest name, in characters (all ASCII, so also bytes).
pub const MAX_NAME_LEN: usize = 40;

/// A name as a regular expression, without anchors or length. It accepts exactly the names
/// [`problem`] accepts, up to the length limit (tested).
pub const NAME_REGEX: &str = "[a-z][a-z0-9]*(_[a-z0-9]+)*";

/// Why `name` is not a valid name, in words that follow it ("`Foo` must start with ..."), or
/// `None` if it is valid.
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

/// Whether `name` follows the rule.
pub fn is_name(name: &str) -> bool {
    problem(name).is_none()
}

/// An event's full name, `namespace.event`, split into its two names if both are valid.
pub fn split_full_name(full: &str) -> Option<(&str, &str)> {
    let (ns, event) = full.split_once('.')?;
    (is_name(ns) && is_name(event)).then_some((ns, event))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn snake_case_rule() {
        assert_eq!(problem("transaction_signed"), None);
        assert_eq!(problem("tx2_ok"), None);
        assert!(problem("TransactionSigned").is_some());
        assert!(problem("2fa").is_some());
        assert!(problem("a__b").is_some());
        assert!(problem("a_").is_some());
        assert!(problem("").is_some());
        assert!(problem("é").is_some());
        assert!(problem(&"a".repeat(41)).is_some());
        assert!(problem(&"a".repeat(40)).is_none());
        assert_eq!(split_full_name("wallet.opened"), Some(("wallet", "opened")));
        assert_eq!(split_full_name("wallet.opened.twice"), None);
        assert_eq!(split_full_name("wallet"), None);
        assert_eq!(split_full_name(".opened"), None);
    }

    proptest! {
        /// The regular expression and the rule agree on every string up to the length limit.
        #[test]
        fn the_regex_is_the_rule(name in "[a-z0-9_A-Z.-]{0,12}") {
            let re = regex_lite::Regex::new(&format!("^(?:{NAME_REGEX})$")).unwrap();
            prop_assert_eq!(re.is_match(&name), is_name(&name), "{:?}", name);
        }
    }
}
