//! Whole-value patterns: what a string field's `pattern` means, for the compiler that accepts
//! it, the JSON Schema that publishes it, the derive that reads its common shape and the
//! runtime that matches values against it.
//!
//! The rule: a pattern is one complete `regex-lite` expression, and a value matches when the
//! expression matches the **whole** value. It is written in two spellings, both made by
//! [`anchored`] from that one rule: `^(?:p)$` in JSON Schema (ECMA-262 has no `\A`/`\z`; without
//! the multi-line flag `^`/`$` mean the same there) and `\A(?:p)\z` for `regex-lite`.
//!
//! Wrapping is only sound when `p` is an expression on its own. `E[0-9]{3})|(?:E` is not, yet
//! wrapped it compiles, as `\A(?:E[0-9]{3})|(?:E)\z`, an alternation whose first branch
//! matches any value that merely *starts* with `E042`. So [`check`] compiles the pattern alone
//! first and refuses it if that fails, then compiles the wrapped form and refuses it if the
//! wrapper did not stay a wrapper (a `(?x)` comment at the end swallows the closing `)`).
//! [`compile`] does the same before it hands out a matcher, so no side can match with a
//! pattern the other side would refuse.
//!
//! [`simple`] reads the common shape of patterns (`[a-z][a-z0-9_]*`) into steps a byte walk
//! can follow without a regular expression.

pub mod simple;

pub use simple::{SimplePattern, StaticPattern, StaticStep, Step, UNBOUNDED};

/// The engine whole-value patterns run on, re-exported so that its users name the same one.
pub use regex_lite::Regex;

use std::fmt;

/// Where an anchored pattern is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Spelling {
    /// JSON Schema's `pattern` keyword (ECMA-262): `^(?:p)$`.
    JsonSchema,
    /// `regex-lite`, which the compiler validates with and the runtime matches with:
    /// `\A(?:p)\z`.
    RegexLite,
}

impl Spelling {
    /// The tokens that anchor an expression at the start and the end of the value.
    const fn anchors(self) -> (&'static str, &'static str) {
        match self {
            Spelling::JsonSchema => ("^", "$"),
            Spelling::RegexLite => ("\\A", "\\z"),
        }
    }
}

/// `pattern` wrapped to match whole values only, in `spelling`. Only meaningful for a pattern
/// that [`check`] accepts.
pub fn anchored(pattern: &str, spelling: Spelling) -> String {
    let (start, end) = spelling.anchors();
    format!("{start}(?:{pattern}){end}")
}

/// `pattern` anchored in `spelling` after [`check`]ing it: what an emitter writes. A pattern
/// that is refused must not be anchored around (it would accept more than whole values).
pub fn anchored_checked(pattern: &str, spelling: Spelling) -> Result<String, PatternError> {
    check(pattern)?;
    Ok(anchored(pattern, spelling))
}

/// Why a pattern is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PatternError {
    /// The pattern is not a valid expression on its own (`regex-lite`'s message).
    Invalid(String),
    /// The pattern is valid alone but does not stay one expression when anchored: its end
    /// reaches into the anchoring (a `(?x)` comment running to the end of the pattern).
    NotSelfContained(String),
}

impl fmt::Display for PatternError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatternError::Invalid(msg) => f.write_str(msg.trim_end()),
            PatternError::NotSelfContained(msg) => write!(
                f,
                "it is valid alone but not once anchored to the whole value, as `\\A(?:pattern)\\z` \
                 ({}); end a `(?x)` comment with a line break",
                msg.trim_end()
            ),
        }
    }
}

impl std::error::Error for PatternError {}

/// Checks that `pattern` can be a whole-value pattern (see the module documentation).
pub fn check(pattern: &str) -> Result<(), PatternError> {
    compile(pattern).map(|_| ())
}

/// The whole-value matcher for `pattern`, after [`check`]ing it.
pub fn compile(pattern: &str) -> Result<Regex, PatternError> {
    let alone = Regex::new(pattern).map_err(|e| PatternError::Invalid(e.to_string()))?;
    let whole = Regex::new(&anchored(pattern, Spelling::RegexLite))
        .map_err(|e| PatternError::NotSelfContained(e.to_string()))?;
    // The wrapper adds no capture group: a different count means the pattern's own groups
    // were cut differently, i.e. the wrapper did not simply enclose the expression.
    if whole.captures_len() != alone.captures_len() {
        return Err(PatternError::NotSelfContained(
            "the anchoring changed the pattern's groups".to_string(),
        ));
    }
    Ok(whole)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Patterns that are not one expression on their own, each of which, wrapped, would
    /// compile into something that matches more than whole values.
    const NOT_ALONE: &[&str] = &[
        "E[0-9]{3})|(?:E",
        "a)|(b",
        ")|(",
        "[a-z]+)|(?:.*",
        "x)|.*|(?:y",
        "a)(b",
        "a\\",
        "[a-z",
        "(a",
        "a)",
        "a{2",
    ];

    #[test]
    fn a_pattern_must_be_an_expression_on_its_own() {
        for p in NOT_ALONE {
            assert!(
                matches!(check(p), Err(PatternError::Invalid(_))),
                "{p:?} was accepted"
            );
        }
        // The issue's own example: wrapped, it would have matched a value with an e-mail in it.
        let bypass = "E[0-9]{3})|(?:E";
        let naive = Regex::new(&anchored(bypass, Spelling::RegexLite)).unwrap();
        assert!(naive.is_match("E042 alice@example.com"));
        assert!(compile(bypass).is_err());
    }

    #[test]
    fn a_comment_that_swallows_the_anchoring_is_refused() {
        for p in ["(?x)[a-z]+ # letters", "(?x)a#", "(?x:a)(?x)b #)"] {
            assert!(Regex::new(p).is_ok(), "{p:?} is valid alone");
            assert!(
                matches!(check(p), Err(PatternError::NotSelfContained(_))),
                "{p:?}: {:?}",
                check(p)
            );
        }
        // Ended by a line break, the comment leaves the anchoring alone.
        let re = compile("(?x)[a-z]+ # letters\n").unwrap();
        assert!(re.is_match("abc") && !re.is_match("abc1"));
    }

    #[test]
    fn whole_values_only() {
        let re = compile("[a-f]+|[0-9]+").unwrap();
        for (v, ok) in [
            ("abc", true),
            ("123", true),
            ("abc123", false),
            ("", false),
            ("abz", false),
        ] {
            assert_eq!(re.is_match(v), ok, "{v}");
        }
        // Flags stay inside the wrapper; `^`/`$` inside the pattern keep their meaning.
        let re = compile("(?m)^a$").unwrap();
        assert!(re.is_match("a") && !re.is_match("a\na"));
        assert_eq!(anchored("a|b", Spelling::JsonSchema), "^(?:a|b)$");
        assert_eq!(anchored("a|b", Spelling::RegexLite), "\\A(?:a|b)\\z");
        assert_eq!(
            anchored_checked("a|b", Spelling::JsonSchema).as_deref(),
            Ok("^(?:a|b)$")
        );
        assert!(anchored_checked("a)|(b", Spelling::JsonSchema).is_err());
    }

    /// Pieces of patterns an attacker would combine: groups opened or closed on their own,
    /// alternation, comments and flags, escapes at the end.
    fn token() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "a", "b", "[ab]", "|", "(", ")", "(?:", "(?x)", "(?i)", "(?m)", "*", "+", "?", "#",
            "\n", " ", "\\", "^", "$", "{2}", "\\z", "\\A", "[", "]",
        ])
    }

    proptest! {
        /// For every pattern [`check`] accepts, the wrapped matcher's verdict is the
        /// pattern's own verdict on the whole value: placed in a capture group instead of the
        /// wrapper, the pattern spans exactly the value whenever the wrapped matcher accepts,
        /// and both spellings agree.
        #[test]
        fn an_accepted_pattern_means_the_same_wrapped(
            tokens in prop::collection::vec(token(), 0..8),
            values in prop::collection::vec("[ab\n ]{0,5}", 1..12),
        ) {
            let p: String = tokens.concat();
            if let Ok(whole) = compile(&p) {
                let grouped = Regex::new(&format!("\\A({p})\\z")).unwrap();
                let json = Regex::new(&anchored(&p, Spelling::JsonSchema)).unwrap();
                for v in &values {
                    let m = whole.is_match(v);
                    prop_assert_eq!(m, json.is_match(v), "{:?} on {:?}", p, v);
                    let span = grouped.captures(v).and_then(|c| c.get(1)).map(|g| g.range());
                    prop_assert_eq!(m, span == Some(0..v.len()), "{:?} on {:?}", p, v);
                }
            }
        }
    }
}
