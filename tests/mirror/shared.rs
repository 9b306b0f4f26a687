//! Types the compiler, the runtime and core share are one type each, not look-alikes; and the
//! runtime's own JSON string escaping (it writes JSON without serde) reads back exactly.

use candor::{__private::StrCheck, FieldWriter};
use proptest::prelude::*;

#[test]
fn consent_and_units_are_cores_on_every_side() {
    // These bindings compile only while each side names core's type itself.
    let runtime: candor_core::Consent = candor::Consent::Diagnostics;
    let compiler: candor_core::Consent = candor_schema::ir::Consent::Diagnostics;
    assert_eq!(runtime, compiler);
    let runtime: candor_core::DurationUnit = candor::__private::field_value::DurationUnit::Ms;
    let compiler: candor_core::DurationUnit = candor_schema::ir::DurationUnit::Ms;
    assert_eq!(runtime, compiler);
    let date: candor_core::Date = candor_schema::Date::parse("2027-06-30").unwrap();
    assert_eq!(date.to_string(), "2027-06-30");
}

proptest! {
    /// Any string the runtime writes as a field value is read back by serde_json as the same
    /// string: the escaping of control characters, quotes, backslashes and non-ASCII text
    /// agrees with JSON as serde implements it.
    #[test]
    fn runtime_escaping_reads_back_as_written(s in "(?s).{0,40}") {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        // The secret scanner may refuse a value; escaping is only asked of what it lets through.
        prop_assume!(w.str("s", &s, &StrCheck::NONE).is_ok());
        w.end();
        let back: serde_json::Value = serde_json::from_slice(&buf).expect("valid JSON");
        prop_assert_eq!(back["s"].as_str(), Some(s.as_str()));
        prop_assert!(!buf.iter().any(|&b| b < 0x20), "control bytes are escaped");
    }
}
