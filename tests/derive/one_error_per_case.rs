//! Every compile-fail case reports exactly as many errors as it has problems.
//!
//! trybuild checks each `.stderr` byte for byte, but a re-blessed file that gained a second,
//! follow-up error would pass it. This test reads the checked-in expectations and counts their
//! top-level errors: one per case, except the cases written with several independent problems,
//! which list how many they have.

use std::fs;
use std::path::Path;

/// Cases with more than one problem in their source, and how many.
const SEVERAL: &[(&str, usize)] = &[
    ("all_problems_at_once", 5),
    ("event_enum_same_value_twice", 2),
    ("event_enum_with_data", 2),
    ("unknown_attribute_key", 2),
];

fn top_level_errors(stderr: &str) -> usize {
    stderr
        .lines()
        .filter(|l| l.starts_with("error:") || l.starts_with("error["))
        .count()
}

#[test]
fn each_case_reports_one_error_per_problem() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("ui/fail");
    let mut checked = 0;
    let mut wrong = Vec::new();
    for entry in fs::read_dir(&dir).expect("tests/ui/fail exists") {
        let path = entry.expect("readable directory entry").path();
        if path.extension().is_none_or(|e| e != "stderr") {
            continue;
        }
        let case = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = fs::read_to_string(&path).expect("readable .stderr");
        let expected = SEVERAL
            .iter()
            .find(|(name, _)| *name == case)
            .map_or(1, |&(_, n)| n);
        let found = top_level_errors(&text);
        if found != expected {
            wrong.push(format!("{case}: {found} errors, expected {expected}"));
        }
        checked += 1;
    }
    assert!(
        checked >= 25,
        "only {checked} compile-fail cases found in {dir:?}"
    );
    assert!(
        wrong.is_empty(),
        "cases with follow-up errors:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn counting_sees_both_forms_of_error_header() {
    let text =
        "error[E0277]: a\n  --> x.rs:1:1\nerror: b\nnote: c\n   = note: error: not a header\n";
    assert_eq!(top_level_errors(text), 2);
}
