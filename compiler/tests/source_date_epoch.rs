//! "Today" for expiry comes from `SOURCE_DATE_EPOCH` when no date is given, so builds are
//! reproducible; a malformed value is reported, never a panic. One test in its own binary,
//! because the environment is shared by every thread of a process.

use candor_schema::diagnostic::Color;
use candor_schema::{compile_sources, compile_str, Code, Date, Options, SourceMap};

const EVENT: &str = "\
namespace: app
description: Events of the app.
owners: [team@example.org]
events:
  opened:
    description: The app was opened.
    purpose: Count daily use.
    version: 1
    consent: usage
    retention_days: 30
    expires: 2027-01-01
    fields:
      cold:
        type: bool
        class: technical
        description: Whether the app started from scratch.
";

fn epoch_of(date: &str) -> String {
    (Date::parse(date).expect("a date").to_days() * 86_400 + 3_600).to_string()
}

fn codes(text: &str) -> Vec<Code> {
    compile_str("app.yaml", text, &Options::default())
        .diagnostics
        .iter()
        .map(|d| d.code)
        .collect()
}

#[test]
fn source_date_epoch_decides_today_and_a_bad_value_is_reported() {
    std::env::set_var("SOURCE_DATE_EPOCH", epoch_of("2026-06-01"));
    assert_eq!(codes(EVENT), vec![]);
    std::env::set_var("SOURCE_DATE_EPOCH", epoch_of("2026-12-15"));
    assert_eq!(codes(EVENT), vec![Code::ExpiresSoon]);
    std::env::set_var("SOURCE_DATE_EPOCH", epoch_of("2027-01-02"));
    assert_eq!(codes(EVENT), vec![Code::Expired]);

    // An explicit date (`candor check --today`) wins over the environment.
    let fixed = Options {
        today: Some(Date::parse("2026-06-01").expect("a date")),
        ..Default::default()
    };
    assert!(compile_str("app.yaml", EVENT, &fixed)
        .diagnostics
        .is_empty());

    std::env::set_var("SOURCE_DATE_EPOCH", "yesterday");
    for sources in [SourceMap::default(), {
        let mut one = SourceMap::default();
        // Never expiring, so what the clock says today cannot add a diagnostic.
        one.add_text(
            "app.yaml",
            &EVENT.replace(
                "expires: 2027-01-01",
                "expires: never\n    expiry_justification: Kept while the app exists.",
            ),
        );
        one
    }] {
        let c = compile_sources(sources, &Options::default());
        let d = c
            .diagnostics
            .iter()
            .find(|d| d.message.contains("SOURCE_DATE_EPOCH"))
            .expect("the bad value is reported");
        assert_eq!(d.code, Code::InvalidValue);
        assert_eq!(c.diagnostics.len(), 1, "no cascade: {:?}", c.diagnostics);
        assert!(c.registry.is_none());
        // Not about a place in a file: no made-up `file:0:0`, and no panic on an empty folder.
        assert_eq!(d.location(&c.sources), "-");
        let text = c.render(Color::Never);
        assert!(
            text.starts_with("error[invalid-value]: SOURCE_DATE_EPOCH must be"),
            "{text}"
        );
        assert!(!text.contains(":0:0"), "{text}");
        let json: serde_json::Value = serde_json::from_str(&c.render_json()).expect("JSON");
        let first = &json["diagnostics"][0];
        assert_eq!(first["code"], "invalid-value");
        assert_eq!(first["file"], serde_json::Value::Null);
        assert_eq!(first["line"], 0);
    }
    std::env::remove_var("SOURCE_DATE_EPOCH");
}
