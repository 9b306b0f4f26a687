//! Integer bounds reach the registry, the JSON Schema and every message exactly as written:
//! `min`, `max` and `buckets` of `integer`, `count` and `duration` fields are parsed as integers,
//! never through `f64` (which cannot tell 2^53 from 2^53 + 1), over the whole range of `i64`
//! and `u64`; a number outside its type's range is refused with the number the file spells. A
//! `float` field takes an integer only if it is exactly a floating-point number.

use candor_schema::emit::json_schema;
use candor_schema::ir::FieldType;
use candor_schema::{compile_str, Compilation, Date, Options};
use serde_json::{json, Value};

const P53: i64 = 1 << 53;

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    }
}

/// A schema with one field `f` of type `ty` and the given extra keys.
fn with_field(ty: &str, keys: &str) -> Compilation {
    let text = format!(
        "namespace: n\ndescription: d.\nowners: [o@example.org]\n\
         defaults: {{ consent: usage, retention_days: 30, expires: 2027-06-30 }}\nevents:\n  \
         e:\n    description: d.\n    purpose: p.\n    version: 1\n    fields:\n      f:\n        \
         type: {ty}\n{unit}        class: technical\n        description: d.\n{keys}",
        unit = if ty == "duration" {
            "        unit: ms\n"
        } else {
            ""
        },
        keys = keys
            .lines()
            .map(|l| format!("        {l}\n"))
            .collect::<String>()
    );
    compile_str("n.yaml", &text, &options())
}

fn field_type(c: &Compilation) -> FieldType {
    let report = c.render(candor_schema::diagnostic::Color::Never);
    let reg = c
        .registry
        .as_ref()
        .unwrap_or_else(|| panic!("should compile:\n{report}"));
    reg.events().next().unwrap().fields[0].ty.clone()
}

/// The single diagnostic's code and message.
fn only_problem(c: &Compilation) -> (&'static str, String) {
    assert_eq!(
        c.diagnostics.len(),
        1,
        "{}",
        c.render(candor_schema::diagnostic::Color::Never)
    );
    let d = &c.diagnostics[0];
    (d.code.as_str(), d.message.clone())
}

#[test]
fn integer_bounds_at_the_edges_of_i64_are_exact() {
    let cases: &[(&str, i64)] = &[
        ("-9223372036854775808", i64::MIN),
        ("9223372036854775807", i64::MAX),
        ("9007199254740991", P53 - 1),
        ("9007199254740992", P53),
        ("9007199254740993", P53 + 1),
        ("-9007199254740993", -P53 - 1),
        ("-9007199254740991", -P53 + 1),
        ("0x7fffffffffffffff", i64::MAX),
        ("+42", 42),
    ];
    for (written, value) in cases {
        let c = with_field("integer", &format!("max: {written}"));
        assert_eq!(
            field_type(&c),
            FieldType::Integer {
                min: None,
                max: Some(*value),
                buckets: None
            },
            "max: {written}"
        );
    }
}

#[test]
fn count_and_duration_bounds_reach_u64_max() {
    for ty in ["count", "duration"] {
        let c = with_field(
            ty,
            "max: 18446744073709551615\nbuckets: [0, 9007199254740993, 18446744073709551615]",
        );
        let (max, buckets) = match field_type(&c) {
            FieldType::Count { max, buckets } | FieldType::Duration { max, buckets, .. } => {
                (max, buckets)
            }
            other => panic!("{other:?}"),
        };
        assert_eq!(max, Some(u64::MAX), "{ty}");
        assert_eq!(buckets, Some(vec![0, (P53 + 1) as u64, u64::MAX]), "{ty}");
    }
}

#[test]
fn out_of_range_integers_are_refused_with_the_number_as_written() {
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "integer",
            "max: 9223372036854775808",
            "invalid-value",
            "9223372036854775808",
        ),
        (
            "integer",
            "min: -9223372036854775809",
            "invalid-value",
            "-9223372036854775809",
        ),
        (
            "count",
            "max: 18446744073709551616",
            "invalid-value",
            "18446744073709551616",
        ),
        ("count", "max: -1", "invalid-value", "-1"),
        (
            "duration",
            "max: 18446744073709551616",
            "invalid-value",
            "18446744073709551616",
        ),
        (
            "integer",
            "max: 123456789012345678901234567890123456789012345678901234567890",
            "invalid-value",
            "123456789012345678901234567890123456789012345678901234567890",
        ),
        (
            "integer",
            "buckets: [0, 9223372036854775808]",
            "bad-buckets",
            "9223372036854775808",
        ),
        (
            "count",
            "buckets: [0, 18446744073709551616]",
            "bad-buckets",
            "18446744073709551616",
        ),
        ("count", "buckets: [-1, 5]", "bad-buckets", "-1"),
    ];
    for (ty, keys, code, number) in cases {
        let c = with_field(ty, keys);
        let (got, message) = only_problem(&c);
        assert_eq!(got, *code, "{ty} {keys}: {message}");
        assert!(
            message.contains(number),
            "{ty} {keys}: the message must quote {number}: {message}"
        );
    }
}

#[test]
fn comparisons_beyond_2_pow_53_are_exact() {
    // As f64 both are 2^53: a min above max would pass and increasing buckets would not.
    let c = with_field("integer", "min: 9007199254740993\nmax: 9007199254740992");
    assert_eq!(only_problem(&c).0, "min-greater-than-max");
    let c = with_field("integer", "buckets: [9007199254740992, 9007199254740993]");
    assert_eq!(
        field_type(&c),
        FieldType::Integer {
            min: None,
            max: None,
            buckets: Some(vec![P53, P53 + 1])
        }
    );
    let c = with_field(
        "integer",
        "max: 9007199254740992\nbuckets: [0, 9007199254740993]",
    );
    assert_eq!(only_problem(&c).0, "bad-buckets", "a bound above max");
}

#[test]
fn a_float_takes_integers_only_where_they_are_exact() {
    let c = with_field("float", "min: -9007199254740992\nmax: 9007199254740992");
    assert_eq!(
        field_type(&c),
        FieldType::Float {
            min: Some(-(P53 as f64)),
            max: Some(P53 as f64),
            buckets: None
        }
    );
    for keys in [
        "max: 9007199254740993",
        "min: -9007199254740993",
        "buckets: [0, 9007199254740993]",
        "max: 18446744073709551615",
    ] {
        let c = with_field("float", keys);
        let (code, message) = only_problem(&c);
        assert!(
            matches!(code, "invalid-value" | "bad-buckets") && message.contains("not exactly"),
            "{keys}: {code} {message}"
        );
    }
}

#[test]
fn the_emitted_json_schema_holds_the_exact_bounds() {
    let c = with_field(
        "integer",
        "min: -9223372036854775808\nmax: 9223372036854775807\nbuckets: [-9223372036854775808, 9007199254740993, 9223372036854775807]",
    );
    let reg = c.registry.expect("compiles");
    let event = reg.events().next().unwrap();
    let schema = json_schema::event_schema(event);
    let text = serde_json::to_string(&schema).unwrap();
    for n in [
        "-9223372036854775808",
        "9007199254740993",
        "9223372036854775807",
    ] {
        assert!(text.contains(n), "{n} missing from {text}");
    }
    assert!(!text.contains("9007199254740992"), "{text}");
    let validator = jsonschema::draft202012::new(&schema).expect("valid schema");
    let payload = |v: Value| {
        json!({"id": "0123456789abcdef0123456789abcdef", "name": "n.e", "version": 1,
               "time": "2026-11-22T10:00Z", "fields": {"f": v}})
    };
    assert!(validator.is_valid(&payload(json!(P53 + 1))));
    assert!(validator.is_valid(&payload(json!(i64::MIN))));
    assert!(!validator.is_valid(&payload(json!(P53))));
    assert!(!validator.is_valid(&payload(json!(P53 + 3))));

    let c = with_field("count", "max: 18446744073709551615");
    let reg = c.registry.expect("compiles");
    let schema = json_schema::event_schema(reg.events().next().unwrap());
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("18446744073709551615"), "{text}");
}
