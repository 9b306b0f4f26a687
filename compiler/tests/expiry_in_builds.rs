//! A passed `expires` date: an error for `candor check` (the default), a warning that keeps the
//! event for the derive (`Options::expired_is_warning`), so that rebuilding an old release does
//! not fail because the calendar moved.

use candor_schema::ir::Expiry;
use candor_schema::{compile_str, Code, Date, Options, Severity};

const OLD: &str = "namespace: old\ndescription: Old events.\nowners: [team@example.org]\nevents:\n  used:\n    description: A retired feature was used.\n    purpose: Know whether it can go.\n    version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2020-06-30\n";

fn today() -> Option<Date> {
    Date::parse("2026-11-22")
}

#[test]
fn check_fails_on_an_expired_event() {
    let c = compile_str(
        "old.yaml",
        OLD,
        &Options {
            today: today(),
            ..Options::default()
        },
    );
    assert!(c.registry.is_none());
    assert_eq!(c.error_count(), 1);
    assert_eq!(c.diagnostics[0].code, Code::Expired);
}

#[test]
fn a_build_keeps_the_event_with_a_warning_and_its_date() {
    let options = Options {
        today: today(),
        expired_is_warning: true,
    };
    let c = compile_str("old.yaml", OLD, &options);
    assert_eq!((c.error_count(), c.warning_count()), (0, 1));
    assert_eq!(c.diagnostics[0].code, Code::Expired);
    assert_eq!(c.diagnostics[0].severity, Severity::Warning);
    let registry = c.registry.expect("the event is kept");
    let event = registry.event("old.used").expect("declared");
    assert_eq!(
        event.expires,
        Expiry::On {
            date: Date::parse("2020-06-30").unwrap()
        }
    );
}
