//! iglu-central's published schemas (fixtures under tests/fixtures/iglu-central, with their
//! licence and source) and validation of whole Snowplow tp2 bodies against them.

use serde_json::Value;

pub fn iglu(path: &str) -> Value {
    let file = format!(
        "{}/tests/fixtures/iglu-central/schemas/{path}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

/// A draft-4 validator for one iglu-central schema (its `$schema` is Iglu's meta-schema, which
/// extends draft 4).
fn validator(path: &str) -> jsonschema::Validator {
    jsonschema::draft4::new(&iglu(path)).unwrap()
}

fn check(v: &jsonschema::Validator, instance: &Value, what: &str) {
    let errors: Vec<String> = v.iter_errors(instance).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{what}: {errors:?}\n{instance}");
}

/// Validates a whole tp2 body the way Snowplow's enrich does: the body, each event, each
/// `ue_pr` and `co`.
pub fn validate_body(body: &Value) {
    assert_eq!(
        body["schema"],
        "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"
    );
    check(
        &validator("com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4"),
        &body["data"],
        "payload_data",
    );
    let ue = validator("com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0");
    let contexts = validator("com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1");
    let application = validator("com.snowplowanalytics.mobile/application/jsonschema/1-0-0");
    for event in body["data"].as_array().unwrap() {
        let ue_pr: Value = serde_json::from_str(event["ue_pr"].as_str().unwrap()).unwrap();
        assert_eq!(
            ue_pr["schema"],
            "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0"
        );
        check(&ue, &ue_pr, "unstruct_event");
        if let Some(co) = event.get("co") {
            let co: Value = serde_json::from_str(co.as_str().unwrap()).unwrap();
            assert_eq!(
                co["schema"],
                "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1"
            );
            check(&contexts, &co["data"], "contexts");
            for entity in co["data"].as_array().unwrap() {
                assert_eq!(
                    entity["schema"],
                    "iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0"
                );
                check(&application, &entity["data"], "application");
            }
        }
    }
}
