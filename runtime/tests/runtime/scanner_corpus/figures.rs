//! Recall and false-positive figures of the scanner on the generated corpus
//! (fixed seeds), printed per kind, per form and per category, and held to
//! the goals: recall ≥ 99.5 % overall, false positives ≤ 0.5 % overall.
//! `cargo test -p candor --test runtime scanner_corpus::figures -- --nocapture`
//! prints the tables recorded in `docs/benchmarks.md`.
//!
//! What is measured is what may leave the device: `track()`'s prescreen, and
//! for a string it cannot clear the sender's full scan of the string read
//! back from the encoded event (`two_stage`).

use std::collections::BTreeMap;

use candor::__private::scanner::encoded::two_stage as scan;

use super::{harmless, positives};

const SEED: u64 = 0x00c4_4d02_5ca1_2026;

fn pct(n: usize, d: usize) -> f64 {
    100.0 * n as f64 / d.max(1) as f64
}

#[test]
fn recall_and_false_positives_meet_the_goals() {
    let cases = positives::all(SEED);
    let mut by_kind: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut by_form: BTreeMap<(&str, &str), (usize, usize)> = BTreeMap::new();
    let mut misses = Vec::new();
    for c in &cases {
        let got = scan(&c.text);
        let ok = got == Some(c.kind);
        for slot in [
            by_kind.entry(c.kind.as_str()).or_default(),
            by_form.entry((c.kind.as_str(), c.form)).or_default(),
        ] {
            slot.0 += 1;
            slot.1 += usize::from(ok);
        }
        if !ok {
            misses.push(format!(
                "{:?} [{}] got {:?}: {:?}",
                c.kind, c.form, got, c.text
            ));
        }
    }
    let samples = harmless::all(SEED ^ 0xffff);
    let mut by_cat: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut alarms = Vec::new();
    for s in &samples {
        let got = scan(&s.text);
        let slot = by_cat.entry(s.category).or_default();
        slot.0 += 1;
        if let Some(kind) = got {
            slot.1 += 1;
            alarms.push(format!("[{}] {:?}: {:?}", s.category, kind, s.text));
        }
    }

    println!("| kind | cases | caught | recall |\n|---|---|---|---|");
    for (k, (n, ok)) in &by_kind {
        println!("| {k} | {n} | {ok} | {:.2} % |", pct(*ok, *n));
    }
    println!("\n| kind | form | cases | recall |\n|---|---|---|---|");
    for ((k, f), (n, ok)) in &by_form {
        println!("| {k} | {f} | {n} | {:.1} % |", pct(*ok, *n));
    }
    println!("\n| harmless category | strings | flagged | rate |\n|---|---|---|---|");
    for (c, (n, bad)) in &by_cat {
        println!("| {c} | {n} | {bad} | {:.2} % |", pct(*bad, *n));
    }
    let caught = cases.len() - misses.len();
    let recall = pct(caught, cases.len());
    let fp = pct(alarms.len(), samples.len());
    println!(
        "\noverall: recall {recall:.2} % ({caught}/{}), false positives {fp:.2} % ({}/{})",
        cases.len(),
        alarms.len(),
        samples.len()
    );
    for m in misses.iter().take(40) {
        println!("miss: {m}");
    }
    for a in alarms.iter().take(40) {
        println!("false alarm: {a}");
    }

    assert!(by_kind.len() >= 16, "every kind is in the corpus");
    assert!(
        by_kind.values().all(|(n, _)| *n >= 120),
        "hundreds of cases per kind"
    );
    assert!(samples.len() >= 1000, "at least 1,000 harmless strings");
    assert!(recall >= 99.5, "recall {recall:.2} % < 99.5 %");
    assert!(fp <= 0.5, "false positives {fp:.2} % > 0.5 %");
    // No kind may hide behind the average.
    for (k, (n, ok)) in &by_kind {
        assert!(pct(*ok, *n) >= 98.0, "{k}: recall {:.2} %", pct(*ok, *n));
    }
}
