//! Invariants of the scanner over generated inputs: it is total (any
//! string, any bytes of UTF-8, no panic), a secret is still found whatever
//! harmless words surround it, and the verdict on a string does not depend
//! on text far away from the secret.

use candor::__private::scanner::scan;
use proptest::prelude::*;

use super::positives;

/// Characters that open many detectors' gates at once.
const GATE_CHARS: &str = "@.:%-_/ 0123456789abcdefxABCDEFX1lIO\n,;[]()=+";

fn gate_heavy() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(GATE_CHARS.chars().collect::<Vec<_>>()),
        0..300,
    )
    .prop_map(|v| v.into_iter().collect())
}

/// Words that carry no meaning for any detector (no version words, no
/// digits, nothing that joins a neighbouring word).
const NEUTRAL: &[&str] = &[
    "error", "while", "sending", "got", "field", "note", "because", "über", "—",
];

fn surroundings() -> impl Strategy<Value = (String, String)> {
    let side = prop::collection::vec(prop::sample::select(NEUTRAL), 0..4).prop_map(|w| w.join(" "));
    (side.clone(), side)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn total_on_any_string(s in any::<String>()) {
        let _ = scan(&s);
    }

    #[test]
    fn total_on_gate_heavy_strings(s in gate_heavy()) {
        let _ = scan(&s);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn a_secret_is_found_whatever_surrounds_it(
        pick in any::<prop::sample::Index>(),
        (before, after) in surroundings(),
    ) {
        let cases = cases();
        let case = &cases[pick.index(cases.len())];
        // The few documented misses of the corpus stay misses; the
        // property is that surroundings do not change the verdict.
        prop_assume!(scan(&case.text) == Some(case.kind));
        let text = format!("{before} {} {after}", case.text);
        prop_assert_eq!(scan(&text), Some(case.kind), "{:?}", text);
    }
}

fn cases() -> &'static [positives::Case] {
    static CASES: std::sync::OnceLock<Vec<positives::Case>> = std::sync::OnceLock::new();
    CASES.get_or_init(|| positives::all(0x5eed))
}
