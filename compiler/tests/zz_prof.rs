use candor_schema::*;
fn opts() -> Options { Options { today: Some(Date::parse("2026-11-22").unwrap()) } }
#[test]
fn prof() {
    let which = std::env::var("SHAPE").unwrap();
    let mut text = String::new();
    let mut sources = SourceMap::default();
    match which.as_str() {
        "wide" => {
            text.push_str("namespace: wide\ndescription: One very wide event.\nowners: [team@example.org]\nevents:\n  wide:\n    description: Wide.\n    purpose: Measure wide mappings.\n    version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-06-30\n    fields:\n");
            for i in 0..40_000 { text.push_str(&format!("      field_{i:05}: {{ type: count, buckets: [0, 1, 5], class: technical, description: Field {i}. }}\n")); }
            sources.add_text("wide.yaml", &text);
        }
        _ => {
            for i in 0..100_000 {
                sources.add_text(&format!("d{:03}/f{i:06}.yaml", i % 1000), &format!("namespace: ns_{i:06}\ndescription: File {i}.\nowners: [team@example.org]\nevents:\n  opened:\n    description: Opened.\n    purpose: Count.\n    version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-06-30\n    fields:\n      kind: {{ type: enum, values: [a, b], class: technical, description: Kind. }}\n"));
            }
        }
    }
    for _ in 0..10 {
        let t = std::time::Instant::now();
        let c = compile_sources(sources.clone(), &opts());
        assert!(c.diagnostics.is_empty());
        eprintln!("{:?}", t.elapsed());
    }
}
