//! Invariants of the scanner over generated inputs: it is total (any
//! string, any bytes of UTF-8, no panic), a secret is still found whatever
//! harmless words surround it, and the verdict on a string does not depend
//! on text far away from the secret; and `track()`'s prescreen never clears
//! a string the full scan would flag.

use candor::__private::scanner::{prescreen, scan, Prescreen};
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

    #[test]
    fn a_clean_prescreen_means_no_secret_on_any_string(s in any::<String>()) {
        if prescreen(&s) == Prescreen::Clean {
            prop_assert_eq!(scan(&s), None, "{:?}", s);
        }
    }

    #[test]
    fn a_clean_prescreen_means_no_secret_on_gate_heavy_strings(s in gate_heavy()) {
        if prescreen(&s) == Prescreen::Clean {
            prop_assert_eq!(scan(&s), None, "{:?}", s);
        }
    }

    /// Secrets cut down, one byte at a time from either end: the shapes closest to the
    /// gates' edges.
    #[test]
    fn a_clean_prescreen_means_no_secret_on_cut_secrets(
        pick in any::<prop::sample::Index>(),
        from in 0usize..40,
        to in 0usize..40,
    ) {
        let cases = cases();
        let text = &cases[pick.index(cases.len())].text;
        let chars: Vec<char> = text.chars().collect();
        let end = chars.len().saturating_sub(to);
        let cut: String = chars[from.min(end)..end].iter().collect();
        if prescreen(&cut) == Prescreen::Clean {
            prop_assert_eq!(scan(&cut), None, "{:?}", cut);
        }
    }
}

/// Over the whole corpus, secrets and harmless strings: a string the prescreen clears is one
/// the full scan finds nothing in, and every secret the full scan finds needs it.
#[test]
fn a_clean_prescreen_means_no_secret_on_the_corpus() {
    let secrets = positives::all(0x00c4_4d02_5ca1_2026);
    let harmless = super::harmless::all(0x00c4_4d02_5ca1_2026 ^ 0xffff);
    let texts = secrets
        .iter()
        .map(|c| &c.text)
        .chain(harmless.iter().map(|h| &h.text));
    let (mut clean, mut total) = (0, 0);
    for t in texts {
        total += 1;
        if prescreen(t) == Prescreen::Clean {
            clean += 1;
            assert_eq!(scan(t), None, "{t:?}");
        }
    }
    // The property is not vacuous: the corpus has strings of both verdicts.
    assert!(clean > 0 && clean < total, "{clean} of {total}");
    for c in &secrets {
        if scan(&c.text).is_some() {
            assert_eq!(prescreen(&c.text), Prescreen::Check, "{:?}", c.text);
        }
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
