//! Proof of the emitted JSON Schemas, with an independent validator (the `jsonschema` crate).
//!
//! The example app's schemas (`schemas/` at the repository root) are compiled and emitted. For
//! every event version, a good payload must validate, and each kind of bad payload must fail:
//! a missing required field, a wrong type, a value outside the enum, an extra field, a `pii`
//! field present, a value between buckets, a string that does not match its pattern or is too
//! long, a number outside `min`/`max`, and a broken envelope. Payloads are built from the field
//! definitions by rules written here (what each type means on the wire), not by the emitter.
//!
//! Also: every emitted schema is itself valid draft 2020-12, `registry.json` validates against
//! `registry.schema.json`, and emitting twice gives byte-identical files.

use candor_schema::emit::{json_schema, registry, OutputFile};
use candor_schema::ir::{Event, Field, FieldType, PrivacyClass, Registry};
use candor_schema::{compile_dir, Date, Options};
use serde_json::{json, Map, Value};
use std::path::Path;

fn compile_example() -> Registry {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas");
    let options = Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    };
    let c = compile_dir(&dir, &options).expect("schemas/ loads");
    let report = c.render(candor_schema::diagnostic::Color::Never);
    c.registry
        .unwrap_or_else(|| panic!("schemas/ must compile:\n{report}"))
}

/// The emitted schema of `event`, parsed from the emitted file (what a server would load).
fn emitted_schema(files: &[OutputFile], event: &Event) -> Value {
    let path = json_schema::file_name(event);
    let file = files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path} emitted"));
    serde_json::from_str(&file.contents).expect("emitted schema is JSON")
}

fn validator(schema: &Value) -> jsonschema::Validator {
    jsonschema::draft202012::new(schema).expect("schema compiles in the validator")
}

/// Example values for string fields with a `pattern`: (pattern, matching value, a value that
/// matches the pattern but is longer than any `max_len` used with it).
const PATTERN_EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "[a-z][a-z0-9_]*",
        "choose_backup",
        "choose_backup_choose_backup_choose_backup_choose_backup_choose_backup",
    ),
    (
        "[A-Z][A-Z0-9_]*",
        "RPC_TIMEOUT",
        "RPC_TIMEOUT_RPC_TIMEOUT_RPC_TIMEOUT_RPC_TIMEOUT_RPC_TIMEOUT_RPC_TIMEOUT",
    ),
    (
        "[0-9]+\\.[0-9]+\\.[0-9]+",
        "2.14.1",
        "2.14.1000000000000000000000000000000000000000000000000000000000000000000",
    ),
    (
        "[a-z_/]+\\.rs:[0-9]+",
        "src/wallet/sign.rs:42",
        "src/wallet/sign/with/a/very/long/path/that/goes/on/and/on/and/on/x.rs:42",
    ),
];

fn pattern_example(pattern: &str) -> (&'static str, &'static str) {
    PATTERN_EXAMPLES
        .iter()
        .find(|(p, _, _)| *p == pattern)
        .map(|(_, good, long)| (*good, *long))
        .unwrap_or_else(|| panic!("add an example for pattern `{pattern}` to PATTERN_EXAMPLES"))
}

/// A value the field accepts: the first bucket, enum value or example, else a bound or zero.
fn good_value(field: &Field) -> Value {
    match &field.ty {
        FieldType::Bool => json!(true),
        FieldType::Integer { min, max, buckets } => match buckets {
            Some(b) => json!(b[0]),
            None => json!(min.or(*max).unwrap_or(0)),
        },
        FieldType::Float { min, max, buckets } => match buckets {
            Some(b) => json!(b[0]),
            None => json!(min.or(*max).unwrap_or(0.5)),
        },
        FieldType::Enum { values } => json!(values[0]),
        FieldType::String {
            values, pattern, ..
        } => match (values, pattern) {
            (Some(v), _) => json!(v[0]),
            (None, Some(p)) => json!(pattern_example(p).0),
            (None, None) => unreachable!("collected strings are bounded"),
        },
        FieldType::Duration { max, buckets, .. } | FieldType::Count { max, buckets } => {
            match buckets {
                Some(b) => json!(b[0]),
                None => json!(max.unwrap_or(7)),
            }
        }
    }
}

/// A value of the wrong JSON type for the field.
fn wrong_type(field: &Field) -> Value {
    match &field.ty {
        FieldType::Bool => json!("true"),
        FieldType::Enum { .. } | FieldType::String { .. } => json!(1),
        FieldType::Float { .. } => json!("0.5"),
        // Integers must also refuse fractions.
        FieldType::Integer { .. } | FieldType::Duration { .. } | FieldType::Count { .. } => {
            json!(0.5)
        }
    }
}

fn good_payload(event: &Event) -> Value {
    let mut fields = Map::new();
    for f in event.collected_fields() {
        fields.insert(f.name.clone(), good_value(f));
    }
    json!({
        "id": "0123456789abcdef0123456789abcdef",
        "name": event.full_name,
        "version": event.version,
        "time": "2026-11-22T10:15Z",
        "fields": fields,
    })
}

/// Every bad payload for `event`: (what is wrong, payload).
fn bad_payloads(event: &Event) -> Vec<(String, Value)> {
    let good = good_payload(event);
    let mut out = Vec::new();
    let with_field = |name: &str, value: Value| {
        let mut p = good.clone();
        p["fields"][name] = value;
        p
    };
    for f in &event.fields {
        let name = f.name.as_str();
        if f.class == PrivacyClass::Pii {
            out.push((
                format!("pii field `{name}` present"),
                with_field(name, json!("x")),
            ));
            continue;
        }
        if !f.optional {
            let mut p = good.clone();
            p["fields"].as_object_mut().unwrap().remove(name);
            out.push((format!("required field `{name}` missing"), p));
        }
        out.push((
            format!("`{name}` of the wrong type"),
            with_field(name, wrong_type(f)),
        ));
        out.push((format!("`{name}` is null"), with_field(name, Value::Null)));
        match &f.ty {
            FieldType::Enum { .. }
            | FieldType::String {
                values: Some(_), ..
            } => {
                out.push((
                    format!("`{name}` outside its values"),
                    with_field(name, json!("not_a_listed_value")),
                ));
            }
            FieldType::String {
                values: None,
                max_len,
                pattern: Some(p),
            } => {
                out.push((
                    format!("`{name}` does not match its pattern"),
                    with_field(name, json!("does not match!")),
                ));
                out.push((
                    format!("`{name}` matches only a part of its pattern"),
                    with_field(name, json!(format!("{} ", pattern_example(p).0))),
                ));
                let long = pattern_example(p).1;
                let max = max_len.expect("bounded string") as usize;
                assert!(long.chars().count() > max, "example for `{p}` too short");
                out.push((
                    format!("`{name}` longer than max_len {max}"),
                    with_field(name, json!(long)),
                ));
            }
            _ => {}
        }
        let between = |b: &[f64]| (b[0] + b[1]) / 2.0;
        // A whole number that is not a bound: inside the first gap wider than one, else above
        // the last bound (such values are sent as the last bound, never as themselves).
        let off_bucket = |b: &[u64]| {
            b.windows(2)
                .find(|w| w[1] - w[0] > 1)
                .map_or(b[b.len() - 1] + 1, |w| w[0] + 1)
        };
        match &f.ty {
            FieldType::Integer {
                buckets: Some(b), ..
            } => {
                let shifted: Vec<u64> = b.iter().map(|v| v.abs_diff(b[0])).collect();
                out.push((
                    format!("`{name}` between buckets"),
                    with_field(name, json!(b[0] + off_bucket(&shifted) as i64)),
                ))
            }
            FieldType::Duration {
                buckets: Some(b), ..
            }
            | FieldType::Count {
                buckets: Some(b), ..
            } => out.push((
                format!("`{name}` between buckets"),
                with_field(name, json!(off_bucket(b))),
            )),
            FieldType::Float {
                buckets: Some(b), ..
            } => out.push((
                format!("`{name}` between buckets"),
                with_field(name, json!(between(b))),
            )),
            FieldType::Integer { min, max, .. } => {
                if let Some(m) = max {
                    out.push((
                        format!("`{name}` above max"),
                        with_field(name, json!(m + 1)),
                    ));
                }
                if let Some(m) = min {
                    out.push((
                        format!("`{name}` below min"),
                        with_field(name, json!(m - 1)),
                    ));
                }
            }
            FieldType::Float { min, max, .. } => {
                if let Some(m) = max {
                    out.push((
                        format!("`{name}` above max"),
                        with_field(name, json!(m + 0.5)),
                    ));
                }
                if let Some(m) = min {
                    out.push((
                        format!("`{name}` below min"),
                        with_field(name, json!(m - 0.5)),
                    ));
                }
            }
            FieldType::Duration { max, .. } | FieldType::Count { max, .. } => {
                out.push((format!("`{name}` negative"), with_field(name, json!(-1))));
                if let Some(m) = max {
                    out.push((
                        format!("`{name}` above max"),
                        with_field(name, json!(m + 1)),
                    ));
                }
            }
            _ => {}
        }
    }
    out.push((
        "an extra field".into(),
        with_field("not_declared", json!(1)),
    ));
    let envelope = |key: &str, value: Value| {
        let mut p = good.clone();
        p[key] = value;
        (format!("envelope `{key}` = {}", p[key]), p)
    };
    out.push(envelope("name", json!("other.event")));
    out.push(envelope("version", json!(event.version + 1)));
    out.push(envelope("id", json!("not-hex")));
    out.push(envelope("time", json!("2026-11-22T10:15:42Z")));
    out.push(envelope("extra", json!(true)));
    let mut no_fields = good.clone();
    no_fields.as_object_mut().unwrap().remove("fields");
    out.push(("no `fields` object".into(), no_fields));
    out
}

#[test]
fn good_payloads_validate_and_every_kind_of_bad_payload_fails() {
    let registry = compile_example();
    let files = json_schema::all(&registry);
    assert_eq!(
        files.len(),
        registry.events().count(),
        "one schema per event"
    );
    let mut rejected: Vec<String> = Vec::new();
    for event in registry.events() {
        let schema = emitted_schema(&files, event);
        let v = validator(&schema);
        let good = good_payload(event);
        let errors: Vec<String> = v.iter_errors(&good).map(|e| e.to_string()).collect();
        assert!(
            errors.is_empty(),
            "{}: good payload rejected: {errors:?}\n{good:#}",
            event.full_name
        );
        for (what, payload) in bad_payloads(event) {
            assert!(
                !v.is_valid(&payload),
                "{}: accepted a payload with {what}:\n{payload:#}",
                event.full_name
            );
            rejected.push(what);
        }
    }
    // The example schemas must exercise every kind of bad payload at least once.
    for kind in [
        "pii field",
        "missing",
        "of the wrong type",
        "outside its values",
        "does not match its pattern",
        "longer than max_len",
        "between buckets",
        "above max",
        "below min",
        "an extra field",
    ] {
        assert!(
            rejected.iter().any(|w| w.contains(kind)),
            "no event exercised `{kind}`"
        );
    }
}

#[test]
fn optional_fields_may_be_left_out() {
    let registry = compile_example();
    let files = json_schema::all(&registry);
    let event = registry
        .event("wallet.transaction_signed")
        .expect("example event");
    let v = validator(&emitted_schema(&files, event));
    let mut payload = good_payload(event);
    payload["fields"]
        .as_object_mut()
        .unwrap()
        .remove("hardware_wallet");
    assert!(v.is_valid(&payload), "{payload:#}");
}

/// Literal payloads for one event, written by hand rather than built from the IR.
#[test]
fn hand_written_payloads_for_transaction_signed() {
    let registry = compile_example();
    let files = json_schema::all(&registry);
    let event = registry
        .event("wallet.transaction_signed")
        .expect("example event");
    let v = validator(&emitted_schema(&files, event));
    let good = json!({
        "id": "fedcba9876543210fedcba9876543210",
        "name": "wallet.transaction_signed",
        "version": 1,
        "time": "2027-01-05T08:30Z",
        "fields": { "network": "testnet", "confirm_ms": 5000, "fee_level": "custom" }
    });
    assert!(v.is_valid(&good));
    let bad = [
        json!({ "network": "testnet", "confirm_ms": 4999, "fee_level": "custom" }),
        json!({ "network": "ropsten", "confirm_ms": 5000, "fee_level": "custom" }),
        json!({ "network": "testnet", "confirm_ms": 5000 }),
        json!({ "network": "testnet", "confirm_ms": 5000, "fee_level": "custom", "amount": 1.5 }),
        json!({ "network": "testnet", "confirm_ms": 5000, "fee_level": "custom",
                "recipient": "0xabc" }),
        json!({ "network": "testnet", "confirm_ms": "5000", "fee_level": "custom" }),
        json!({ "network": "testnet", "confirm_ms": 5000, "fee_level": "custom",
                "hardware_wallet": "yes" }),
    ];
    for fields in bad {
        let mut p = good.clone();
        p["fields"] = fields;
        assert!(!v.is_valid(&p), "accepted {p:#}");
    }
}

#[test]
fn every_emitted_schema_is_valid_draft_2020_12() {
    let registry = compile_example();
    for file in json_schema::all(&registry) {
        let schema: Value = serde_json::from_str(&file.contents).expect("JSON");
        assert_eq!(schema["$schema"], json_schema::DRAFT);
        if let Err(e) = jsonschema::meta::validate(&schema) {
            panic!("{} is not a valid schema: {e}", file.path);
        }
    }
}

#[test]
fn registry_json_validates_against_its_own_schema() {
    let registry = compile_example();
    let doc: Value =
        serde_json::from_str(&registry::registry_json(&registry).contents).expect("JSON");
    let schema: Value = serde_json::from_str(&registry::registry_schema().contents).expect("JSON");
    jsonschema::meta::validate(&schema).expect("registry.schema.json is a valid schema");
    let v = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("registry schema compiles");
    let errors: Vec<String> = v.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The schema has teeth: a registry with a wrong type or an unknown class fails it.
    let mut broken = doc.clone();
    broken["namespaces"][0]["events"][0]["version"] = json!("one");
    assert!(!v.is_valid(&broken));
    let mut broken = doc.clone();
    broken["namespaces"][0]["events"][0]["fields"][0]["class"] = json!("secret");
    assert!(!v.is_valid(&broken));
    let mut broken = doc;
    broken["namespaces"][0]["events"][0]["expires"] = json!({ "kind": "on", "date": "soon" });
    assert!(!v.is_valid(&broken), "dates are checked as `format: date`");
}

#[test]
fn emitting_twice_gives_byte_identical_files() {
    let emit = || {
        let registry = compile_example();
        let mut files = json_schema::all(&registry);
        files.push(registry::registry_json(&registry));
        files.push(registry::registry_schema());
        files
    };
    let (first, second) = (emit(), emit());
    assert_eq!(first.len(), second.len());
    for (a, b) in first.iter().zip(&second) {
        assert_eq!(a.path, b.path);
        assert!(a.contents == b.contents, "{} differs between runs", a.path);
    }
}

/// An IR built by hand can carry a pattern the compiler would refuse. The emitter must not
/// anchor around it (`^(?:E[0-9]{3})|(?:E)$` would accept `E042 alice@example.com`): the field
/// accepts nothing instead, and the rest of the schema is unaffected.
#[test]
fn a_pattern_that_is_not_one_expression_is_never_anchored_around() {
    let mut registry = compile_example();
    let (event, field) = registry
        .namespaces
        .iter_mut()
        .flat_map(|n| n.events.iter_mut())
        .find_map(|e| {
            let i = e.fields.iter().position(|f| {
                matches!(
                    f.ty,
                    FieldType::String {
                        pattern: Some(_),
                        ..
                    }
                )
            })?;
            Some((e, i))
        })
        .expect("the example schemas have a patterned string field");
    let FieldType::String { pattern, .. } = &mut event.fields[field].ty else {
        unreachable!()
    };
    *pattern = Some("E[0-9]{3})|(?:E".to_string());
    let name = event.fields[field].name.clone();
    let schema = json_schema::event_schema(event);
    assert_eq!(
        schema["properties"]["fields"]["properties"][&name],
        json!(false)
    );
    let v = validator(&schema);
    let mut fields = Map::new();
    fields.insert(name, json!("E042 alice@example.com"));
    let payload = json!({
        "id": "0123456789abcdef0123456789abcdef", "name": event.full_name,
        "version": event.version, "time": "2026-11-22T12:34Z", "fields": fields,
    });
    assert!(!v.is_valid(&payload));
}

/// `registry.schema.json` is checked in (so that nothing but this test compiles schemars); it
/// must be exactly what the IR types generate. After a deliberate change to the IR, run
/// `UPDATE_GOLDEN=1 cargo test -p candor-schema --test json_schema` and review the diff.
#[test]
fn the_checked_in_registry_schema_is_what_the_ir_types_generate() {
    let generated = registry::generate_registry_schema();
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/emit/registry.schema.json");
        std::fs::write(path, &generated).expect("writable");
        return;
    }
    assert!(
        registry::registry_schema().contents == generated,
        "src/emit/registry.schema.json is stale: run `UPDATE_GOLDEN=1 cargo test -p \
         candor-schema --test json_schema`"
    );
}

#[test]
fn randomized_response_is_carried_by_the_registry_and_annotated_in_the_json_schema() {
    let registry = compile_example();
    let event = registry
        .event("wallet.send_feedback_given")
        .expect("declared");
    let schema = json_schema::event_schema(event);
    let easy = &schema["properties"]["fields"]["properties"]["easy"];
    assert_eq!(easy["x-candor-randomized-response"]["epsilon"], json!(1.0));
    let p = easy["x-candor-randomized-response"]["keep_probability"]
        .as_f64()
        .unwrap();
    assert!((p - 1f64.exp() / (1f64.exp() + 1.0)).abs() < 1e-12);
    // Validation is unchanged: a randomised value is one of the field's values.
    let steps = &schema["properties"]["fields"]["properties"]["hardest_step"];
    assert_eq!(
        steps["enum"],
        json!(["recipient", "amount", "fee", "confirm", "none"])
    );
    assert!(steps["x-candor-randomized-response"].is_object());

    let doc: Value =
        serde_json::from_str(&registry::registry_json(&registry).contents).expect("JSON");
    let wallet = doc["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["name"] == "wallet")
        .unwrap();
    let feedback = wallet["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["name"] == "send_feedback_given")
        .unwrap();
    assert_eq!(
        feedback["fields"][0]["privacy"],
        json!({ "randomized_response": { "epsilon": 1.0 } })
    );
    // And the registry schema refuses a declaration without ε.
    let schema: Value = serde_json::from_str(&registry::registry_schema().contents).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    let mut broken = doc.clone();
    let ns = broken["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .position(|n| n["name"] == "wallet")
        .unwrap();
    let ev = broken["namespaces"][ns]["events"]
        .as_array()
        .unwrap()
        .iter()
        .position(|e| e["name"] == "send_feedback_given")
        .unwrap();
    broken["namespaces"][ns]["events"][ev]["fields"][0]["privacy"] =
        json!({ "randomized_response": {} });
    assert!(!v.is_valid(&broken));
}
