//! Folders with many files are lowered on several threads; the result must not depend on that:
//! every file's problems are reported, in file and position order, and cross-file checks see
//! files from different threads.

use candor_schema::{compile_sources, Date, Options, SourceMap};

fn file(ns: &str, event: &str, consent: &str) -> String {
    format!(
        "namespace: {ns}\ndescription: Generated.\nowners: [team@example.org]\nevents:\n  {event}:\n    description: Something happened.\n    purpose: Test many files.\n    version: 1\n    consent: {consent}\n    retention_days: 30\n    expires: 2027-06-30\n"
    )
}

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").unwrap()),
        ..Default::default()
    }
}

#[test]
fn problems_in_many_files_are_all_reported_in_order() {
    let mut sources = SourceMap::default();
    for i in 0..40 {
        // Every fifth file misspells its consent; file 39 repeats file 1's namespace and event
        // (both files clean, lowered on different threads).
        let consent = if i % 5 == 0 { "usag" } else { "usage" };
        let ns = if i == 39 {
            "ns_01".to_string()
        } else {
            format!("ns_{i:02}")
        };
        sources.add_text(&format!("f{i:02}.yaml"), &file(&ns, "opened", consent));
    }
    let c = compile_sources(sources, &options());
    let codes: Vec<(String, &str, u32)> = c
        .diagnostics
        .iter()
        .map(|d| {
            (
                c.sources.get(d.span.file).relative.clone(),
                d.code.as_str(),
                d.span.start.line,
            )
        })
        .collect();
    let mut expected: Vec<(String, &str, u32)> = (0..40)
        .step_by(5)
        .map(|i| (format!("f{i:02}.yaml"), "unknown-consent", 9))
        .collect();
    expected.push(("f39.yaml".to_string(), "duplicate-namespace", 1));
    expected.push(("f39.yaml".to_string(), "duplicate-event", 5));
    assert_eq!(codes, expected);
    assert!(c.registry.is_none());
}

#[test]
fn a_clean_folder_keeps_file_order() {
    let mut sources = SourceMap::default();
    for i in 0..40 {
        sources.add_text(
            &format!("f{i:02}.yaml"),
            &file(&format!("ns_{i:02}"), "opened", "usage"),
        );
    }
    let c = compile_sources(sources, &options());
    assert!(c.diagnostics.is_empty());
    let names: Vec<String> = c
        .registry
        .unwrap()
        .namespaces
        .into_iter()
        .map(|n| n.name)
        .collect();
    let expected: Vec<String> = (0..40).map(|i| format!("ns_{i:02}")).collect();
    assert_eq!(names, expected);
}
