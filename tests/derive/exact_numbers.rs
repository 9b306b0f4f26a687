//! The derive's clamp and bucket tables hold the schema's integer bounds exactly: above 2^53,
//! where `f64` cannot tell neighbouring integers apart, a value is rounded down to the bound
//! the YAML wrote and clamped to the `max` it wrote, and the payload validates against the
//! JSON Schema the compiler emits from the same folder.

use candor_tests::{crate_path, event_schema, wire_event};
use serde_json::json;

const P53: i64 = 1 << 53;

#[derive(candor::Event)]
#[event(name = "numbers.extremes", schemas = "fixtures/exact_numbers")]
struct Extremes {
    delta: i64,
    capped: i64,
    items: u64,
    wait_us: u64,
}

fn fields(e: &Extremes) -> serde_json::Value {
    let wire = wire_event(e).expect("encodes");
    let schema = event_schema(&crate_path("fixtures/exact_numbers"), "numbers.extremes");
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    assert!(validator.is_valid(&wire), "{wire} rejected by {schema}");
    wire["fields"].clone()
}

#[test]
fn bounds_beyond_2_pow_53_are_applied_exactly() {
    let got = fields(&Extremes {
        delta: P53 + 2,
        capped: P53 + 7,
        items: u64::MAX,
        wait_us: u64::MAX,
    });
    assert_eq!(
        got,
        json!({
            "delta": P53 + 1,       // rounded down to the bucket 2^53 + 1, not to 2^53
            "capped": P53 + 1,      // clamped to max 2^53 + 1
            "items": u64::MAX,      // the last bucket, u64::MAX itself
            "wait_us": P53 + 1      // clamped to max 2^53 + 1
        })
    );
    let got = fields(&Extremes {
        delta: i64::MIN,
        capped: i64::MIN,
        items: u64::MAX - 1,
        wait_us: P53 as u64,
    });
    assert_eq!(
        got,
        json!({
            "delta": i64::MIN,
            "capped": i64::MIN,
            "items": P53 + 1,
            "wait_us": P53
        })
    );
}
