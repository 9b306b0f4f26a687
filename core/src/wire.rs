//! The wire format's names and shapes: the document formats and their versions, the form of
//! ids, and the patterns the wire's JSON Schemas use. The runtime writes documents with these,
//! the compiler's per-event JSON Schemas and the runtime's checked-in wire schemas
//! (`runtime/wire/*.schema.json`, compared with this module by a test) validate them, and a
//! collector reads them. `docs/wire-format.md` describes the whole format.
//!
//! Each pattern here is anchored JSON Schema (ECMA-262) text and has an exact Rust check
//! beside it; a test holds the two to the same answers.

use crate::date;

/// Format tag of a batch document.
pub const BATCH_FORMAT: &str = "candor.batch/1";

/// Format tag of a deletion-request document.
pub const DELETION_FORMAT: &str = "candor.deletion/1";

/// Format tag of a metrics document: one consent category's aggregates over one interval.
pub const METRICS_FORMAT: &str = "candor.metrics/1";

/// The length of an id (event id, installation id): 128 random bits as lowercase hex.
pub const ID_LEN: usize = 32;

/// An id in JSON Schema; [`is_id`] is the same check in Rust.
pub const ID_PATTERN: &str = "^[0-9a-f]{32}$";

/// Whether `s` is an id: exactly [`ID_LEN`] lowercase hex digits.
pub fn is_id(s: &str) -> bool {
    s.len() == ID_LEN && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// A UTC minute (`YYYY-MM-DDTHH:MMZ`: `time` of an event, `sent_at` of a document) in JSON
/// Schema. It checks every field's range; only [`date::parse_minute`] also knows the length of
/// each month (a regular expression would have to spell out the calendar).
pub const MINUTE_PATTERN: &str =
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T([01][0-9]|2[0-3]):[0-5][0-9]Z$";

/// An event's `name` on the wire, in JSON Schema: dot-separated segments of lowercase letters,
/// digits and `_`, each starting with a letter. The wire is deliberately looser than the schema
/// language: every full name the compiler accepts (`namespace.event`, [`crate::names`]) is one
/// (tested), and a reader need not know the naming rule's finer points to route an event.
/// [`is_event_name`] is the same check in Rust.
pub const EVENT_NAME_PATTERN: &str = "^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)*$";

/// Whether `name` is an event name on the wire ([`EVENT_NAME_PATTERN`]).
pub fn is_event_name(name: &str) -> bool {
    name.split('.').all(|seg| {
        let b = seg.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_lowercase()
            && b.iter()
                .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
    })
}

/// `app.os`: the OS family as Rust's `std::env::consts::OS` spells it (`linux`, `macos`, ...).
pub const OS_PATTERN: &str = "^[a-z0-9_]+$";

/// Whether `os` is an OS family name as the wire carries it ([`OS_PATTERN`]).
pub fn is_os(os: &str) -> bool {
    !os.is_empty()
        && os
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
}

/// The largest event version the wire carries (versions are `u32`).
pub const MAX_VERSION: u32 = u32::MAX;

/// Whether `s` is a wire minute ([`date::parse_minute`]).
pub fn is_minute(s: &str) -> bool {
    date::parse_minute(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::names;
    use proptest::prelude::*;

    fn re(pattern: &str) -> regex_lite::Regex {
        regex_lite::Regex::new(pattern).expect("wire patterns compile")
    }

    #[test]
    fn ids() {
        let id = "0123456789abcdef5a5a5a5a5a5a5a5a".to_string();
        assert!(is_id(&id) && re(ID_PATTERN).is_match(&id));
        for bad in [
            &id[..31],
            &id.to_uppercase(),
            &format!("{id}0"),
            "g".repeat(32).as_str(),
        ] {
            assert!(!is_id(bad) && !re(ID_PATTERN).is_match(bad), "{bad}");
        }
    }

    #[test]
    fn names_of_events() {
        let re = re(EVENT_NAME_PATTERN);
        for ok in [
            "wallet.transaction_signed",
            "a.b",
            "a",
            "a.b.c",
            "app2.x1_y2",
            "a__b.c_",
        ] {
            assert!(re.is_match(ok) && is_event_name(ok), "{ok}");
        }
        for bad in [
            "", ".b", "a.", "a..b", "A.b", "a.2b", "a-b", "a.b\n", "a.b ",
        ] {
            assert!(!re.is_match(bad) && !is_event_name(bad), "{bad:?}");
        }
    }

    proptest! {
        /// The minute pattern accepts whatever the parser accepts, and refuses only what the
        /// parser refuses: a value it accepts and the parser does not is a day that does not
        /// exist (the 30th of February) or lies before 1970.
        #[test]
        fn the_minute_pattern_is_the_parser_up_to_the_calendar(
            s in "[0-9]{4}-[0-3][0-9]-[0-3][0-9]T[0-2][0-9]:[0-6][0-9]Z|[0-9T:Z-]{15,18}"
        ) {
            let pattern = re(MINUTE_PATTERN).is_match(&s);
            match date::parse_minute(&s) {
                Some(_) => prop_assert!(pattern, "{:?}", s),
                None if pattern => {
                    let (y, m, d) = (&s[0..4], &s[5..7], &s[8..10]);
                    let y: i32 = y.parse().unwrap();
                    let exists = date::Date::new(y, m.parse().unwrap(), d.parse().unwrap()).is_some();
                    prop_assert!(!exists || y < 1970, "{:?}", s);
                }
                None => {}
            }
        }

        /// The pattern and the Rust check agree; every full name the schema language allows
        /// is an event name on the wire.
        #[test]
        fn the_os_pattern_is_the_check(s in "[a-z0-9_A.-]{0,6}") {
            prop_assert_eq!(re(OS_PATTERN).is_match(&s), is_os(&s), "{:?}", s);
        }

        #[test]
        fn the_id_pattern_is_the_check(s in "[0-9a-gA-F]{30,33}") {
            prop_assert_eq!(re(ID_PATTERN).is_match(&s), is_id(&s), "{:?}", s);
        }

        #[test]
        fn the_name_pattern_is_the_check(s in "[a-z0-9_.A]{0,10}") {
            prop_assert_eq!(re(EVENT_NAME_PATTERN).is_match(&s), is_event_name(&s), "{:?}", s);
            if names::split_full_name(&s).is_some() {
                prop_assert!(is_event_name(&s), "{:?}", s);
            }
        }
    }
}
