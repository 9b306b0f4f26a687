//! Direct-to-bytes JSON encoding of event fields, plus the value-coarsening
//! helpers that generated code calls before writing.
//!
//! [`FieldWriter`] appends to a caller-owned `Vec<u8>` without building any
//! intermediate value tree, so encoding an event costs only the bytes it
//! produces. String values are checked (length, schema pattern, secret
//! scanner, or in `track()` its prescreen) before they are written; on any error the event is dropped, so the
//! buffer's content after an `Err` is unspecified.

use std::fmt;
use std::sync::OnceLock;

/// Why an event could not be encoded. Never carries the offending value,
/// which may be personal; only the field name and the kind of problem.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// A float field was NaN or infinite (JSON cannot carry it).
    NonFinite {
        /// Field name.
        field: String,
    },
    /// A string field was longer than its schema's `max_len` (in chars).
    TooLong {
        /// Field name.
        field: String,
    },
    /// A string field did not match its schema's pattern as a whole, or is not one of its
    /// schema's `values`.
    PatternMismatch {
        /// Field name.
        field: String,
    },
    /// The schema pattern itself failed to compile.
    InvalidPattern {
        /// Field name.
        field: String,
    },
    /// A field randomised on the device (randomized response) could not draw randomness from
    /// the operating system; the event is refused rather than sent with its true value.
    NoRandomness {
        /// Field name.
        field: String,
    },
    /// The secret scanner found something personal or secret in a string field.
    SecretDetected {
        /// Field name.
        field: String,
        /// What kind of secret was recognised.
        kind: crate::scanner::SecretKind,
    },
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NonFinite { field } => write!(f, "field `{field}`: non-finite float"),
            EncodeError::TooLong { field } => {
                write!(f, "field `{field}`: string longer than max_len")
            }
            EncodeError::PatternMismatch { field } => {
                write!(f, "field `{field}`: string does not match its pattern")
            }
            EncodeError::InvalidPattern { field } => {
                write!(f, "field `{field}`: schema pattern does not compile")
            }
            EncodeError::NoRandomness { field } => {
                write!(f, "field `{field}`: no randomness to randomise it with")
            }
            EncodeError::SecretDetected { field, kind } => {
                write!(f, "field `{field}`: looks like {}", kind.as_str())
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// One step of a [`SimplePattern`]: a byte in one of `ranges`, repeated `min..=max` times
/// (`max` is `u32::MAX` when unbounded).
pub type PatternStep = candor_core::pattern::StaticStep;

/// The common shape of schema patterns (`[a-z][a-z0-9_]*`, `[A-Z0-9]+`), as steps the derive
/// reads off the pattern at compile time (`candor_core::pattern::SimplePattern::parse`). A
/// greedy byte walk that consumes the whole value ([`SimplePattern::proves`]) proves the
/// pattern matches, so the regular expression can be skipped. When the walk fails, the regular
/// expression decides, so this can only save time, never let a value through; unless the
/// derive has shown the walk `exact` for this pattern (no step with a choice of length
/// overlaps what may follow it, see `candor_core::pattern::simple::is_exact`), in which case
/// the walk's verdict is final and no regular expression is kept at all.
///
/// Generated code passes the steps as a constant table rather than an unrolled loop per field:
/// a loop per string field of every event made crates with hundreds of events measurably slower
/// to type-check and borrow-check. The walk is `candor_core`'s, the same one the compiler
/// proptests against the regex engine.
pub type SimplePattern = candor_core::pattern::StaticPattern;

/// A regular expression compiled on first use, so generated code can keep it
/// in a `static` without any start-up cost. Compiled by the whole-value rule of
/// `candor_core::pattern`, the one the schema compiler validates patterns with,
/// so both agree on what a pattern means and on which patterns are refused.
pub struct LazyPattern {
    source: &'static str,
    compiled: OnceLock<Option<candor_core::pattern::Regex>>,
}

impl LazyPattern {
    /// Wraps a pattern source; nothing is compiled until the first match.
    pub const fn new(source: &'static str) -> Self {
        LazyPattern {
            source,
            compiled: OnceLock::new(),
        }
    }

    /// The pattern as written in the schema.
    pub fn as_str(&self) -> &'static str {
        self.source
    }

    /// Whether `value` matches the pattern as a whole; `None` if the pattern
    /// is refused: it does not compile, or is not one expression on its own
    /// (`E[0-9]{3})|(?:E` would, once anchored, accept any value starting
    /// with `E042`).
    pub fn full_match(&self, value: &str) -> Option<bool> {
        self.compiled
            .get_or_init(|| candor_core::pattern::compile(self.source).ok())
            .as_ref()
            .map(|re| re.is_match(value))
    }
}

impl fmt::Debug for LazyPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyPattern").field(&self.source).finish()
    }
}

/// Schema constraints on a string field.
#[derive(Clone, Copy, Debug, Default)]
pub struct StrCheck {
    /// Maximum length in Unicode scalar values (as JSON Schema `maxLength`).
    pub max_len: Option<usize>,
    /// Pattern the whole value must match.
    pub pattern: Option<&'static LazyPattern>,
    /// The pattern's simple form, when it has one: a walk that proves a match spares the
    /// regular expression.
    pub simple: Option<&'static SimplePattern>,
    /// The only values allowed (a schema `string` with `values`); checked exactly, so no
    /// pattern is needed.
    pub values: Option<&'static [&'static str]>,
}

impl StrCheck {
    /// No schema constraint (the secret scanner still runs).
    pub const NONE: StrCheck = StrCheck {
        max_len: None,
        pattern: None,
        simple: None,
        values: None,
    };

    /// Builds a check; `const` so generated code can keep it in a `static`.
    pub const fn new(max_len: Option<usize>, pattern: Option<&'static LazyPattern>) -> Self {
        StrCheck {
            max_len,
            pattern,
            simple: None,
            values: None,
        }
    }
}

/// Writes one JSON object of `"name":value` pairs straight into a byte buffer.
///
/// Field names must be plain identifiers (`[A-Za-z0-9_]`), as generated code
/// guarantees; they are written as given. Values are always escaped.
#[derive(Debug)]
pub struct FieldWriter<'a> {
    buf: &'a mut Vec<u8>,
    first: bool,
    /// Strings get only the scanner's prescreen here; the full scan is left
    /// to the sender thread (`track()`'s writer).
    defer: bool,
    /// A string's prescreen asked for the full scan.
    needs_scan: bool,
}

impl<'a> FieldWriter<'a> {
    /// Appends to `buf` (existing content is kept).
    /// Every string gets the full secret scan before it is written.
    pub fn new(buf: &'a mut Vec<u8>) -> Self {
        FieldWriter {
            buf,
            first: true,
            defer: false,
            needs_scan: false,
        }
    }

    /// Appends to `buf`, running only the scanner's bounded prescreen on each
    /// string; [`FieldWriter::needs_scan`] then says whether the record must
    /// get the full scan before it may leave memory.
    pub(crate) fn deferring(buf: &'a mut Vec<u8>) -> Self {
        FieldWriter {
            buf,
            first: true,
            defer: true,
            needs_scan: false,
        }
    }

    /// Whether a string written by a [`FieldWriter::deferring`] writer still
    /// needs the full scan.
    pub(crate) fn needs_scan(&self) -> bool {
        self.needs_scan
    }

    /// Opens the object.
    pub fn begin(&mut self) {
        self.buf.push(b'{');
        self.first = true;
    }

    /// Closes the object.
    pub fn end(&mut self) {
        self.buf.push(b'}');
    }

    #[inline]
    fn key(&mut self, name: &str) {
        // Field names are snake_case identifiers by contract (the schema
        // compiler validates them and the derive passes them as literals),
        // so they are written without escaping: this is the hottest loop of
        // `track()`.
        debug_assert!(
            name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "field names must be identifiers"
        );
        self.buf.reserve(name.len() + 4);
        if !self.first {
            self.buf.push(b',');
        }
        self.first = false;
        self.buf.push(b'"');
        self.buf.extend_from_slice(name.as_bytes());
        self.buf.extend_from_slice(b"\":");
    }

    /// Writes a boolean field.
    pub fn bool(&mut self, name: &str, v: bool) {
        self.key(name);
        self.buf
            .extend_from_slice(if v { b"true" } else { b"false" });
    }

    /// Writes an unsigned integer field.
    pub fn u64(&mut self, name: &str, v: u64) {
        self.key(name);
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// Writes a signed integer field.
    pub fn i64(&mut self, name: &str, v: i64) {
        self.key(name);
        self.buf
            .extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
    }

    /// Writes a float field; NaN and infinities are refused.
    pub fn f64(&mut self, name: &str, v: f64) -> Result<(), EncodeError> {
        if !v.is_finite() {
            return Err(EncodeError::NonFinite {
                field: name.to_owned(),
            });
        }
        self.key(name);
        self.buf
            .extend_from_slice(ryu::Buffer::new().format_finite(v).as_bytes());
        Ok(())
    }

    /// Writes a string field after checking its schema constraints and
    /// running the secret scanner over it (only its prescreen in `track()`,
    /// which leaves the full scan to the sender thread).
    pub fn str(&mut self, name: &str, v: &str, check: &StrCheck) -> Result<(), EncodeError> {
        if let Some(max) = check.max_len {
            // Byte length bounds char count from above, so most values skip counting.
            if v.len() > max && v.chars().count() > max {
                return Err(EncodeError::TooLong {
                    field: name.to_owned(),
                });
            }
        }
        if let Some(values) = check.values {
            if !values.contains(&v) {
                return Err(EncodeError::PatternMismatch {
                    field: name.to_owned(),
                });
            }
        } else if let Some(simple) = check.simple.filter(|s| s.exact) {
            if !simple.proves(v) {
                return Err(EncodeError::PatternMismatch {
                    field: name.to_owned(),
                });
            }
        } else if let Some(p) = check
            .pattern
            .filter(|_| !check.simple.is_some_and(|s| s.proves(v)))
        {
            match p.full_match(v) {
                Some(true) => {}
                Some(false) => {
                    return Err(EncodeError::PatternMismatch {
                        field: name.to_owned(),
                    })
                }
                None => {
                    return Err(EncodeError::InvalidPattern {
                        field: name.to_owned(),
                    })
                }
            }
        }
        if self.defer {
            self.needs_scan |= crate::scanner::prescreen(v) == crate::scanner::Prescreen::Check;
        } else if let Some(kind) = crate::scanner::scan(v) {
            return Err(EncodeError::SecretDetected {
                field: name.to_owned(),
                kind,
            });
        }
        self.key(name);
        self.buf.push(b'"');
        write_escaped(self.buf, v);
        self.buf.push(b'"');
        Ok(())
    }

    /// Writes an enum variant name (already snake_case, chosen by the schema,
    /// so it is not scanned).
    pub fn enum_value(&mut self, name: &str, v: &'static str) {
        self.key(name);
        self.buf.push(b'"');
        write_escaped(self.buf, v);
        self.buf.push(b'"');
    }
}

/// Whether `s` contains a byte JSON requires escaping; `const` so callers
/// with a constant string (event names) decide at compile time.
pub(crate) const fn needs_escape(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] < 0x20 || b[i] == b'"' || b[i] == b'\\' {
            return true;
        }
        i += 1;
    }
    false
}

/// Appends `s` JSON-escaped (without quotes).
#[inline]
pub(crate) fn write_escaped(buf: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    // Almost every value (names, enum variants, codes) needs no escaping; a
    // branch-free scan of the whole string vectorises, unlike the per-byte
    // loop below.
    let needs = bytes.iter().fold(false, |acc, &b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    });
    if needs {
        write_escaped_slow(buf, bytes);
    } else {
        buf.extend_from_slice(bytes);
    }
}

#[cold]
fn write_escaped_slow(buf: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            buf.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            buf.extend_from_slice(esc);
        }
        start = i + 1;
    }
    buf.extend_from_slice(&bytes[start..]);
}

// Clamping and bucketing are the rule of `candor_core::coarsen`, which the schema language
// documents and the compiler's JSON Schemas encode; generated code reaches them through here.
pub use candor_core::coarsen::{
    bucket_f64, bucket_i64, bucket_u64, clamp_f64, clamp_i64, clamp_u64,
};

#[cfg(test)]
mod tests {
    #[test]
    fn values_are_checked_exactly_and_a_proven_simple_pattern_skips_the_regex() {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        let os = StrCheck {
            values: Some(&["linux", "macos"]),
            ..StrCheck::NONE
        };
        assert!(w.str("os", "linux", &os).is_ok());
        assert!(matches!(
            w.str("os", "plan9", &os),
            Err(EncodeError::PatternMismatch { .. })
        ));
        // A broken regex would refuse every value it is asked about; a proven simple match
        // never asks it, an unproven one does.
        static BROKEN: LazyPattern = LazyPattern::new("(");
        const DIGITS: SimplePattern = SimplePattern {
            steps: &[PatternStep {
                ranges: &[(b'0', b'9')],
                min: 1,
                max: u32::MAX,
            }],
            exact: false,
        };
        let check = StrCheck {
            pattern: Some(&BROKEN),
            simple: Some(&DIGITS),
            ..StrCheck::NONE
        };
        assert!(w.str("n", "123", &check).is_ok());
        assert!(matches!(
            w.str("n", "12a", &check),
            Err(EncodeError::InvalidPattern { .. })
        ));
        // An exact walk needs no regular expression: its verdict is final either way.
        const EXACT_DIGITS: SimplePattern = SimplePattern {
            exact: true,
            ..DIGITS
        };
        let check = StrCheck {
            simple: Some(&EXACT_DIGITS),
            ..StrCheck::NONE
        };
        assert!(w.str("n", "123", &check).is_ok());
        for refused in ["12a", "", "-1"] {
            assert!(
                matches!(
                    w.str("n", refused, &check),
                    Err(EncodeError::PatternMismatch { .. })
                ),
                "{refused:?}"
            );
        }
    }

    #[test]
    fn simple_pattern_walk_proves_only_real_matches() {
        // `[A-Z][A-Z0-9_]*` and `v[0-9]{1,3}`, as the derive emits them.
        const CODE: SimplePattern = SimplePattern {
            steps: &[
                PatternStep {
                    ranges: &[(b'A', b'Z')],
                    min: 1,
                    max: 1,
                },
                PatternStep {
                    ranges: &[(b'A', b'Z'), (b'0', b'9'), (b'_', b'_')],
                    min: 0,
                    max: u32::MAX,
                },
            ],
            exact: true,
        };
        const VERSION: SimplePattern = SimplePattern {
            steps: &[
                PatternStep {
                    ranges: &[(b'v', b'v')],
                    min: 1,
                    max: 1,
                },
                PatternStep {
                    ranges: &[(b'0', b'9')],
                    min: 1,
                    max: 3,
                },
            ],
            exact: true,
        };
        let code = LazyPattern::new("[A-Z][A-Z0-9_]*");
        let version = LazyPattern::new("v[0-9]{1,3}");
        for v in [
            "RPC_TIMEOUT",
            "A",
            "A1_",
            "",
            "a",
            "RPC-TIMEOUT",
            "1A",
            "ÄB",
        ] {
            assert!(!CODE.proves(v) || code.full_match(v) == Some(true), "{v}");
            assert_eq!(CODE.proves(v), code.full_match(v) == Some(true), "{v}");
        }
        for v in ["v1", "v123", "v1234", "v", "x1", "v12a"] {
            assert_eq!(
                VERSION.proves(v),
                version.full_match(v) == Some(true),
                "{v}"
            );
        }
    }

    use super::*;
    use serde_json::{json, Value};

    fn parse(buf: &[u8]) -> Value {
        serde_json::from_slice(buf).expect("FieldWriter output must be valid JSON")
    }

    #[test]
    fn writes_all_kinds_with_commas() {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        w.bool("ok", true);
        w.u64("count", u64::MAX);
        w.i64("delta", i64::MIN);
        w.f64("ratio", 0.25).unwrap();
        w.str("label", "plain", &StrCheck::NONE).unwrap();
        w.enum_value("kind", "swap_tokens");
        w.end();
        assert_eq!(
            parse(&buf),
            json!({"ok":true,"count":u64::MAX,"delta":i64::MIN,"ratio":0.25,"label":"plain","kind":"swap_tokens"})
        );
    }

    #[test]
    fn empty_object_and_omitted_optionals() {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        w.end();
        assert_eq!(buf, b"{}");

        // An optional field that is None is simply not written; commas must
        // stay right whichever fields are present.
        let a: Option<u64> = None;
        let b: Option<u64> = Some(2);
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        if let Some(a) = a {
            w.u64("a", a);
        }
        if let Some(b) = b {
            w.u64("b", b);
        }
        w.bool("c", false);
        w.end();
        assert_eq!(std::str::from_utf8(&buf).unwrap(), r#"{"b":2,"c":false}"#);
    }

    #[test]
    fn escapes_strings() {
        let tricky = "quote\" back\\ nl\n cr\r tab\t nul\u{0} bell\u{7} unicode é 😀 \u{2028}";
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        w.str("s", tricky, &StrCheck::NONE).unwrap();
        w.end();
        assert_eq!(parse(&buf)["s"], Value::String(tricky.to_owned()));
        assert!(
            !buf.iter().any(|&b| b < 0x20),
            "control bytes must be escaped"
        );
    }

    #[test]
    fn floats() {
        for v in [0.0, -0.0, 1.5e-300, 1e300, 123456.789, -3.0] {
            let mut buf = Vec::new();
            let mut w = FieldWriter::new(&mut buf);
            w.begin();
            w.f64("v", v).unwrap();
            w.end();
            assert_eq!(parse(&buf)["v"].as_f64().unwrap(), v);
        }
        for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
            let mut buf = Vec::new();
            let mut w = FieldWriter::new(&mut buf);
            w.begin();
            assert_eq!(
                w.f64("v", v),
                Err(EncodeError::NonFinite { field: "v".into() })
            );
        }
    }

    #[test]
    fn string_checks() {
        static HEXISH: LazyPattern = LazyPattern::new("[a-f]+");
        let check = StrCheck::new(Some(4), Some(&HEXISH));
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        assert!(w.str("s", "abcd", &check).is_ok());
        assert_eq!(
            w.str("s", "abcde", &check),
            Err(EncodeError::TooLong { field: "s".into() })
        );
        // Partial matches do not count: the pattern must cover the whole value.
        assert_eq!(
            w.str("s", "abz", &check),
            Err(EncodeError::PatternMismatch { field: "s".into() })
        );
        assert_eq!(
            w.str("s", "zab", &check),
            Err(EncodeError::PatternMismatch { field: "s".into() })
        );
        // max_len counts chars, not bytes.
        assert!(w.str("t", "éééé", &StrCheck::new(Some(4), None)).is_ok());

        static BROKEN: LazyPattern = LazyPattern::new("(");
        assert_eq!(
            w.str("s", "x", &StrCheck::new(None, Some(&BROKEN))),
            Err(EncodeError::InvalidPattern { field: "s".into() })
        );
    }

    #[test]
    fn a_pattern_that_is_not_one_expression_is_refused_rather_than_anchored_around() {
        // Wrapped blindly as `\A(?:p)\z` this is an alternation whose first branch matches
        // any value starting with `E` and three digits.
        static BYPASS: LazyPattern = LazyPattern::new("E[0-9]{3})|(?:E");
        static COMMENT: LazyPattern = LazyPattern::new("(?x)[A-Z]+ # swallows the anchor");
        for p in [&BYPASS, &COMMENT] {
            for v in ["E042 alice@example.com", "E042 and more", "E042", "ABC"] {
                assert_eq!(p.full_match(v), None, "{p:?} on {v:?}");
            }
        }
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        let check = StrCheck::new(Some(64), Some(&BYPASS));
        for v in ["E042 and more", "E042"] {
            assert_eq!(
                w.str("code", v, &check),
                Err(EncodeError::InvalidPattern {
                    field: "code".into()
                })
            );
        }
        w.end();
        assert_eq!(buf, b"{}", "nothing was written");
    }

    #[test]
    fn errors_never_show_the_value() {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        let secret = "alice@example.com";
        let err = w.str("contact", secret, &StrCheck::NONE).unwrap_err();
        assert!(matches!(err, EncodeError::SecretDetected { .. }));
        let shown = format!("{err} {err:?}");
        assert!(!shown.contains("alice"), "{shown}");
        let err = w
            .str(
                "c",
                "aaaaaaaaaaaaaaaaaaaaaaaa",
                &StrCheck::new(Some(3), None),
            )
            .unwrap_err();
        assert!(!format!("{err} {err:?}").contains("aaaa"));
    }
}
