//! The wire's JSON Schemas against `candor_core::wire`.

use crate::read;
use candor_core::wire::{
    BATCH_FORMAT, DELETION_FORMAT, EVENT_NAME_PATTERN, ID_PATTERN, MAX_VERSION, METRICS_FORMAT,
    MINUTE_PATTERN, OS_PATTERN,
};
use candor_core::Consent;
use serde_json::{json, Value};

fn schema(file: &str) -> Value {
    serde_json::from_str(&read(&format!("runtime/wire/{file}"))).expect("wire schemas are JSON")
}

#[test]
fn the_batch_schema_uses_cores_names_and_patterns() {
    let s = schema("batch.schema.json");
    let p = &s["properties"];
    assert_eq!(p["format"], json!({ "const": BATCH_FORMAT }));
    assert!(s["title"].as_str().unwrap().contains(BATCH_FORMAT));
    assert_eq!(p["install_id"]["pattern"], ID_PATTERN);
    assert_eq!(p["app"]["properties"]["os"]["pattern"], OS_PATTERN);
    assert_eq!(s["$defs"]["minute"]["pattern"], MINUTE_PATTERN);
    assert_eq!(p["sent_at"], json!({ "$ref": "#/$defs/minute" }));
    let event = &s["$defs"]["event"]["properties"];
    assert_eq!(event["id"]["pattern"], ID_PATTERN);
    assert_eq!(event["name"]["pattern"], EVENT_NAME_PATTERN);
    assert_eq!(event["time"], json!({ "$ref": "#/$defs/minute" }));
    assert_eq!(event["version"]["maximum"], json!(MAX_VERSION));
}

#[test]
fn the_deletion_schema_uses_cores_names_and_patterns() {
    let s = schema("deletion.schema.json");
    let p = &s["properties"];
    assert_eq!(p["format"], json!({ "const": DELETION_FORMAT }));
    assert!(s["title"].as_str().unwrap().contains(DELETION_FORMAT));
    assert_eq!(p["install_id"]["pattern"], ID_PATTERN);
    assert_eq!(p["app"]["properties"]["os"]["pattern"], OS_PATTERN);
    assert_eq!(p["sent_at"]["pattern"], MINUTE_PATTERN);
    let names: Vec<&str> = Consent::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(p["categories"]["items"]["enum"], json!(names));
}

#[test]
fn the_metrics_schema_uses_cores_names_and_patterns() {
    use candor_core::metric::{MetricType, MetricUnit, MAX_BUCKETS};
    let s = schema("metrics.schema.json");
    let p = &s["properties"];
    let d = &s["$defs"];
    assert_eq!(p["format"], json!({ "const": METRICS_FORMAT }));
    assert!(s["title"].as_str().unwrap().contains(METRICS_FORMAT));
    assert_eq!(p["id"]["pattern"], ID_PATTERN);
    assert_eq!(p["install_id"]["pattern"], ID_PATTERN);
    assert_eq!(p["app"]["properties"]["os"]["pattern"], OS_PATTERN);
    assert_eq!(d["minute"]["pattern"], MINUTE_PATTERN);
    assert_eq!(d["name"]["pattern"], EVENT_NAME_PATTERN);
    assert_eq!(d["version"]["maximum"], json!(MAX_VERSION));
    let names: Vec<&str> = Consent::ALL.iter().map(|c| c.as_str()).collect();
    assert_eq!(p["consent"]["enum"], json!(names));
    let units: Vec<&str> = MetricUnit::ALL.iter().map(|u| u.as_str()).collect();
    assert_eq!(d["unit"]["enum"], json!(units));
    for t in MetricType::ALL {
        assert_eq!(
            d[t.as_str()]["properties"]["type"],
            json!({ "const": t.as_str() })
        );
    }
    assert_eq!(
        d["distribution"]["properties"]["buckets"]["maxItems"],
        json!(MAX_BUCKETS)
    );
}

/// `docs/wire-format.md` prints both schemas; the printed copies are the files.
#[test]
fn the_documented_schemas_are_the_checked_in_ones() {
    let doc = read("docs/wire-format.md");
    let printed: Vec<Value> = doc
        .split("```json\n")
        .skip(1)
        .filter_map(|block| serde_json::from_str(block.split("```").next()?).ok())
        .filter(|v: &Value| v.get("$schema").is_some())
        .collect();
    for file in [
        "batch.schema.json",
        "deletion.schema.json",
        "metrics.schema.json",
    ] {
        let s = schema(file);
        assert!(
            printed.contains(&s),
            "docs/wire-format.md does not print runtime/wire/{file} as it is"
        );
    }
}

/// The compiler's per-event schemas describe the same `id` and `time` as the wire schema, and
/// anchor field patterns by core's rule.
#[test]
fn per_event_schemas_use_the_same_wire_patterns() {
    let dir = candor_tests::crate_path("fixtures/ui");
    let compilation = candor_schema::compile_dir(&dir, &Default::default()).expect("readable");
    let registry = compilation.registry.expect("the fixtures compile");
    let mut patterns = 0;
    for event in registry.events() {
        let s = candor_schema::emit::json_schema::event_schema(event);
        let p = &s["properties"];
        assert_eq!(p["id"]["pattern"], ID_PATTERN);
        assert_eq!(p["time"]["pattern"], MINUTE_PATTERN);
        assert!(
            regex_lite_full(EVENT_NAME_PATTERN, &event.full_name),
            "{} breaks the wire's name pattern",
            event.full_name
        );
        for field in event.collected_fields() {
            if let candor_schema::ir::FieldType::String {
                pattern: Some(src), ..
            } = &field.ty
            {
                patterns += 1;
                assert_eq!(
                    p["fields"]["properties"][&field.name]["pattern"],
                    candor_core::pattern::anchored(src, candor_core::pattern::Spelling::JsonSchema)
                );
            }
        }
    }
    assert!(patterns >= 3, "the fixtures have patterned fields");
}

fn regex_lite_full(pattern: &str, value: &str) -> bool {
    candor_core::pattern::Regex::new(pattern)
        .expect("compiles")
        .is_match(value)
}
