//! Schemas for other backends: `candor schema --iglu VENDOR` and `--tracking-plan`.
//!
//! Iglu schemas are checked the way `igluctl lint` checks them: against iglu-central's
//! self-describing meta-schema (fixture in `interop/tests/fixtures/iglu-central`, Apache-2.0,
//! source noted there), `self` against the file's path, and every lint rule of igluctl's
//! linter (schema-ddl `Linter`: rootObject, numericMinimumMaximum, stringMinMaxLength,
//! stringMaxLengthRange, arrayMinMaxItems, numericProperties, stringProperties,
//! arrayProperties, objectProperties, requiredPropertiesExist, unknownFormats, numericMinMax,
//! stringLength, optionalNull, description), re-implemented here from their definitions.
//!
//! Then the encoders and the emitters must agree: what candor's Snowplow encoder sends for an
//! event names the emitted Iglu schema and validates against it; the Mixpanel encoder's
//! property names are the Lexicon's; the Segment encoder's event and version are a rule's key
//! and version.

#[path = "golden/support.rs"]
mod support;

use candor_interop::{Batch, Encoder, Mixpanel, Segment, Snowplow};
use candor_schema::emit::{iglu, tracking_plan, OutputFile};
use candor_schema::ir::{Event, FieldType, Registry};
use serde_json::{json, Map, Value};
use std::path::Path;

fn fixture(path: &str) -> Value {
    let file = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../interop/tests/fixtures/iglu-central/schemas")
        .join(path);
    serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap()
}

/// Every registry the tests emit from: the example app, and every valid corpus case.
fn registries() -> Vec<(String, Registry)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut out = vec![(
        "schemas/".to_string(),
        support::compile_folder(&root.join("../schemas")),
    )];
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/corpus/valid"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    cases.sort();
    for case in cases {
        let c = if case.is_dir() {
            candor_schema::compile_dir(&case, &support::options()).unwrap()
        } else {
            let text = std::fs::read_to_string(&case).unwrap();
            candor_schema::compile_str("case.yaml", &text, &support::options())
        };
        if let Some(reg) = c.registry {
            out.push((case.display().to_string(), reg));
        }
    }
    out
}

const KNOWN_FORMATS: &[&str] = &[
    "date-time",
    "date",
    "email",
    "hostname",
    "ipv4",
    "ipv6",
    "uri",
];

fn types(s: &Value) -> Vec<&str> {
    match &s["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    }
}

/// igluctl's lint rules, applied to one (sub)schema; `required` is the parent's list when the
/// schema is a property, `None` at the root.
fn lint(path: &str, s: &Value, is_root: bool, optional: bool, problems: &mut Vec<String>) {
    let t = types(s);
    let has = |k: &str| s.get(k).is_some();
    let num = |k: &str| s.get(k).and_then(Value::as_f64);
    let mut fail = |rule: &str| problems.push(format!("{path}: {rule}"));
    if t.is_empty() {
        fail("every property has a type");
    }
    if is_root && (!t.contains(&"object") || !has("properties")) {
        fail("rootObject");
    }
    if let (Some(a), Some(b)) = (num("minimum"), num("maximum")) {
        if a > b {
            fail("numericMinimumMaximum");
        }
    }
    if let (Some(a), Some(b)) = (num("minLength"), num("maxLength")) {
        if a > b {
            fail("stringMinMaxLength");
        }
    }
    if t.contains(&"string") && num("maxLength").is_some_and(|m| m > 65535.0) {
        fail("stringMaxLengthRange");
    }
    if let (Some(a), Some(b)) = (num("minItems"), num("maxItems")) {
        if a > b {
            fail("arrayMinMaxItems");
        }
    }
    let numeric = t.contains(&"number") || t.contains(&"integer");
    if [
        "minimum",
        "maximum",
        "multipleOf",
        "exclusiveMinimum",
        "exclusiveMaximum",
    ]
    .iter()
    .any(|k| has(k))
        && !numeric
    {
        fail("numericProperties");
    }
    if ["minLength", "maxLength", "pattern", "format"]
        .iter()
        .any(|k| has(k))
        && !t.contains(&"string")
    {
        fail("stringProperties");
    }
    if ["items", "minItems", "maxItems", "additionalItems"]
        .iter()
        .any(|k| has(k))
        && !t.contains(&"array")
    {
        fail("arrayProperties");
    }
    if [
        "properties",
        "required",
        "additionalProperties",
        "patternProperties",
    ]
    .iter()
    .any(|k| has(k))
        && !t.contains(&"object")
    {
        fail("objectProperties");
    }
    if s["additionalProperties"] == json!(false) && !has("patternProperties") {
        if let (Some(req), Some(props)) = (s["required"].as_array(), s["properties"].as_object()) {
            if req
                .iter()
                .any(|r| !props.contains_key(r.as_str().unwrap_or("")))
            {
                fail("requiredPropertiesExist");
            }
        }
    }
    if let Some(f) = s["format"].as_str() {
        if !KNOWN_FORMATS.contains(&f) {
            fail("unknownFormats");
        }
    }
    if numeric && (!has("minimum") || !has("maximum")) {
        fail("numericMinMax");
    }
    if t.contains(&"string")
        && !has("enum")
        && !has("maxLength")
        && !s["format"]
            .as_str()
            .is_some_and(|f| KNOWN_FORMATS.contains(&f))
    {
        fail("stringLength");
    }
    if optional && !t.contains(&"null") {
        fail("optionalNull");
    }
    if !s["description"].is_string() {
        fail("description");
    }
    if let Some(props) = s["properties"].as_object() {
        let required: Vec<&str> = s["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for (k, sub) in props {
            lint(
                &format!("{path}.{k}"),
                sub,
                false,
                !required.contains(&k.as_str()),
                problems,
            );
        }
    }
}

/// `igluctl lint`: meta-schema, path agreement, lint rules.
fn igluctl_lint(file: &OutputFile, meta: &jsonschema::Validator) -> Vec<String> {
    let mut problems = Vec::new();
    let schema: Value = serde_json::from_str(&file.contents).unwrap();
    for e in meta.iter_errors(&schema) {
        problems.push(format!("meta-schema: {e}"));
    }
    if schema["$schema"] != iglu::META_SCHEMA {
        problems.push("$schema is not Iglu's meta-schema".into());
    }
    let segments: Vec<&str> = file.path.split('/').collect();
    let n = segments.len();
    let expected = json!({"vendor": segments[n - 4], "name": segments[n - 3],
                          "format": segments[n - 2], "version": segments[n - 1]});
    if schema["self"] != expected || segments[..n - 4] != ["iglu", "schemas"] {
        problems.push(format!(
            "self {} does not match the path {}",
            schema["self"], file.path
        ));
    }
    lint("$", &schema, true, false, &mut problems);
    problems
}

fn meta_validator() -> jsonschema::Validator {
    jsonschema::draft4::new(&fixture(
        "com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0",
    ))
    .expect("Iglu's meta-schema compiles (its $ref to draft 4 resolves without network)")
}

#[test]
fn every_iglu_schema_passes_igluctl_lint() {
    let meta = meta_validator();
    let mut checked = 0;
    for (name, reg) in registries() {
        let files = iglu::all(&reg, "com.example").unwrap();
        assert_eq!(files.len(), reg.events().count(), "{name}");
        for f in &files {
            let problems = igluctl_lint(f, &meta);
            assert!(
                problems.is_empty(),
                "{name} {}:\n  {}\n{}",
                f.path,
                problems.join("\n  "),
                f.contents
            );
            checked += 1;
        }
    }
    assert!(checked >= 10, "only {checked} schemas checked");
}

#[test]
fn the_linter_is_not_vacuous() {
    let meta = meta_validator();
    let reg = support::compile_folder(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas"));
    let good = iglu::all(&reg, "com.example").unwrap().remove(0);
    let mut v: Value = serde_json::from_str(&good.contents).unwrap();
    let first = v["properties"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    v["properties"][&first]
        .as_object_mut()
        .unwrap()
        .remove("description");
    v["self"]["version"] = json!("9-0-0");
    v["required"].as_array_mut().unwrap().push(json!("missing"));
    let bad = OutputFile {
        path: good.path.clone(),
        contents: v.to_string(),
    };
    let problems = igluctl_lint(&bad, &meta).join("\n");
    for rule in [
        "description",
        "does not match the path",
        "requiredPropertiesExist",
    ] {
        assert!(problems.contains(rule), "{rule} not caught:\n{problems}");
    }
    let mut v: Value = serde_json::from_str(&good.contents).unwrap();
    v["self"] = json!({"vendor": "a/b", "name": "x", "format": "jsonschema", "version": "1"});
    let bad = OutputFile {
        path: good.path,
        contents: v.to_string(),
    };
    assert!(igluctl_lint(&bad, &meta)
        .iter()
        .any(|p| p.starts_with("meta-schema")));
}

#[test]
fn iglu_paths_and_versions() {
    let reg = support::compile_one(
        "t.yaml",
        "namespace: shop\ndescription: d\nowners: [o@example.org]\n\
         defaults: { consent: usage, retention_days: 30, expires: 2027-06-01 }\nevents:\n  \
         paid:\n    description: d\n    purpose: p\n    version: 7\n    fields: {}\n",
    );
    let files = iglu::all(&reg, "io.acme").unwrap();
    assert_eq!(
        files[0].path,
        "iglu/schemas/io.acme.shop/paid/jsonschema/7-0-0"
    );
    assert!(iglu::all(&reg, "io/acme").is_err());
    assert!(iglu::all(&reg, "").is_err());
    assert!(iglu::check_vendor("io.acme-1_x").is_ok());
}

/// A payload every field of `event` accepts: first enum value or bucket, lowest bound, a
/// string matching the example pattern. Optional fields alternate between present and absent.
fn payload(event: &Event, with_optional: bool) -> Map<String, Value> {
    let mut m = Map::new();
    for f in event.collected_fields() {
        if f.optional && !with_optional {
            continue;
        }
        let v = match &f.ty {
            FieldType::Bool => json!(true),
            FieldType::Integer { min, buckets, .. } => buckets
                .as_ref()
                .map_or(json!(min.unwrap_or(0)), |b| json!(b[0])),
            FieldType::Float { min, buckets, .. } => buckets
                .as_ref()
                .map_or(json!(min.unwrap_or(0.0)), |b| json!(b[0])),
            FieldType::Duration { buckets, .. } | FieldType::Count { buckets, .. } => {
                buckets.as_ref().map_or(json!(0), |b| json!(b[0]))
            }
            FieldType::Enum { values } => json!(values[0]),
            FieldType::String {
                values: Some(v), ..
            } => json!(v[0]),
            FieldType::String { pattern, .. } => json!(match pattern.as_deref() {
                Some("[a-z][a-z0-9_]*") => "choose_backup",
                Some("[A-Z][A-Z0-9_]*") => "RPC_TIMEOUT",
                Some("[0-9]+\\.[0-9]+\\.[0-9]+") => "2.14.1",
                Some("[a-z_/]+\\.rs:[0-9]+") => "src/main.rs:12",
                Some("[A-Za-z0-9._+/-]*:[0-9]+") => "app/src/main.rs:12",
                Some("[0-9a-f]{7,40}") => "abcdef1",
                _ => "a",
            }),
        };
        m.insert(f.name.clone(), v);
    }
    m
}

fn batch_for(event: &Event, fields: &Map<String, Value>) -> Vec<u8> {
    serde_json::to_vec(&json!({
        "format": "candor.batch/1",
        "app": {"name": "wordstat", "version": "0.1.0", "os": "linux"},
        "sent_at": "2026-11-22T12:34Z",
        "events": [{"id": "9f1c0a6b2d4e48f1a3b5c7d9e0f21436", "name": event.full_name,
                    "version": event.version, "time": "2026-11-22T12:33Z", "fields": fields}],
    }))
    .unwrap()
}

#[test]
fn snowplow_events_name_and_satisfy_their_emitted_iglu_schema() {
    for (name, reg) in registries() {
        let files = iglu::all(&reg, "com.example").unwrap();
        let snowplow = Snowplow::new().with_iglu_vendor("com.example").unwrap();
        for event in reg.events() {
            for with_optional in [true, false] {
                let fields = payload(event, with_optional);
                let doc = batch_for(event, &fields);
                let out = snowplow.encode(&Batch::read(&doc).unwrap());
                let body: Value = serde_json::from_slice(&out.requests[0].body).unwrap();
                let ue: Value =
                    serde_json::from_str(body["data"][0]["ue_pr"].as_str().unwrap()).unwrap();
                let uri = ue["data"]["schema"].as_str().unwrap();
                let path = uri.strip_prefix("iglu:").unwrap();
                let file = files
                    .iter()
                    .find(|f| f.path == format!("iglu/schemas/{path}"))
                    .unwrap_or_else(|| panic!("{name}: {uri} was not emitted"));
                let schema: Value = serde_json::from_str(&file.contents).unwrap();
                let v = jsonschema::draft4::new(&schema).unwrap();
                let errors: Vec<String> = v
                    .iter_errors(&ue["data"]["data"])
                    .map(|e| e.to_string())
                    .collect();
                assert!(errors.is_empty(), "{name} {uri}: {errors:?}");
                // And what no candor client may send is refused.
                let mut extra = ue["data"]["data"].clone();
                extra["not_declared"] = json!(1);
                assert!(!v.is_valid(&extra), "{uri} accepts an undeclared field");
                for pii in event.fields.iter().filter(|f| !f.class.is_collectable()) {
                    let mut with_pii = ue["data"]["data"].clone();
                    with_pii[&pii.name] = json!("someone@example.org");
                    assert!(
                        !v.is_valid(&with_pii),
                        "{uri} accepts pii field {}",
                        pii.name
                    );
                }
            }
        }
    }
}

#[test]
fn tracking_plans_name_what_the_encoders_send() {
    for (name, reg) in registries() {
        let segment = tracking_plan::segment(&reg);
        let lexicon = tracking_plan::mixpanel(&reg);
        for event in reg.events() {
            let fields = payload(event, true);
            let doc = batch_for(event, &fields);
            let batch = Batch::read(&doc).unwrap();

            let sent: Value =
                serde_json::from_slice(&Segment::new("k").encode(&batch).requests[0].body).unwrap();
            let call = &sent["batch"][0];
            let rule = segment["rules"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| {
                    r["key"] == call["event"]
                        && r["version"] == call["context"]["protocols"]["event_version"]
                })
                .unwrap_or_else(|| {
                    panic!(
                        "{name}: no Segment rule for {} v{}",
                        event.full_name, event.version
                    )
                });
            let v = jsonschema::draft7::new(&rule["jsonSchema"]).unwrap();
            let errors: Vec<String> = v.iter_errors(call).map(|e| e.to_string()).collect();
            assert!(errors.is_empty(), "{name} {}: {errors:?}", event.full_name);

            let sent: Value =
                serde_json::from_slice(&Mixpanel::new("k").encode(&batch).requests[0].body)
                    .unwrap();
            let props = &sent[0]["properties"];
            let entry = lexicon["entries"]
                .as_array()
                .unwrap()
                .iter()
                .find(|e| e["name"] == sent[0]["event"])
                .unwrap_or_else(|| panic!("{name}: no Lexicon entry for {}", event.full_name));
            let latest = reg
                .events()
                .filter(|e| e.full_name == event.full_name)
                .map(|e| e.version)
                .max();
            if latest == Some(event.version) {
                let v = jsonschema::draft7::new(&entry["schemaJson"]).unwrap();
                let errors: Vec<String> = v.iter_errors(props).map(|e| e.to_string()).collect();
                assert!(errors.is_empty(), "{name} {}: {errors:?}", event.full_name);
                for key in entry["schemaJson"]["properties"]
                    .as_object()
                    .unwrap()
                    .keys()
                {
                    assert!(
                        props.get(key).is_some()
                            || !entry["schemaJson"]["required"]
                                .as_array()
                                .unwrap()
                                .contains(&json!(key)),
                        "{name}: Lexicon requires {key}, the encoder does not send it"
                    );
                }
            }
        }
    }
}

#[test]
fn golden_vendor_schemas_of_the_wallet_fixture() {
    let reg = support::compile_folder(&support::wallet_fixture());
    for f in iglu::all(&reg, "com.example").unwrap() {
        support::check(&format!("interop/{}", f.path), &f.contents);
    }
    for plan in [tracking_plan::Plan::Segment, tracking_plan::Plan::Mixpanel] {
        let f = tracking_plan::emit(&reg, plan);
        support::check(&format!("interop/{}", f.path), &f.contents);
    }
}

#[test]
fn emitting_twice_is_byte_identical() {
    let reg = support::compile_folder(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas"));
    assert_eq!(iglu::all(&reg, "v").unwrap(), iglu::all(&reg, "v").unwrap());
    for plan in [tracking_plan::Plan::Segment, tracking_plan::Plan::Mixpanel] {
        assert_eq!(
            tracking_plan::emit(&reg, plan),
            tracking_plan::emit(&reg, plan)
        );
    }
}
