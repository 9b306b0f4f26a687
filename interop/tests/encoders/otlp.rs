//! OTLP/HTTP JSON logs: the body parses with the official generated types into a valid
//! `ExportLogsServiceRequest` (and re-serialises to the same JSON, so no key was ignored), one
//! record per event with `eventName`, typed attributes and `log.record.uid`.

use candor_interop::{Batch, Encoder, Otlp, RejectReason, Verdict};
use opentelemetry_proto::tonic::collector::logs::v1::ExportLogsServiceRequest;
use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use opentelemetry_proto::tonic::common::v1::KeyValue;
use serde_json::{json, Value};

use crate::support::*;

/// Parses with `opentelemetry-proto`, and checks nothing was dropped on the way: the
/// generated types ignore unknown keys (as OTLP/JSON receivers must), so a misspelt key would
/// otherwise pass unnoticed.
pub fn parse_otlp(body: &[u8]) -> ExportLogsServiceRequest {
    let req: ExportLogsServiceRequest =
        serde_json::from_slice(body).expect("ExportLogsServiceRequest");
    let ours = parse(body);
    let theirs = serde_json::to_value(&req).unwrap();
    assert_eq!(
        normalise(ours),
        normalise(theirs),
        "a key was not understood"
    );
    req
}

/// Removes what the generated serialiser adds by default (empty strings, zero numbers, empty
/// lists, absent options) so only meaning is compared; numbers compared as decimal text.
fn normalise(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(k, v)| {
                    !matches!(v, Value::Null)
                        && *v != json!("")
                        && *v != json!(0)
                        && *v != json!([])
                        && *v != json!({})
                        && !(k.ends_with("UnixNano") && *v == json!("0"))
                })
                .map(|(k, v)| (k, normalise(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(normalise).collect()),
        Value::Number(n) => {
            Value::String(n.as_f64().map_or_else(|| n.to_string(), |f| f.to_string()))
        }
        other => other,
    }
}

fn attr<'a>(attrs: &'a [KeyValue], key: &str) -> Option<&'a Any> {
    attrs
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| kv.value.as_ref()?.value.as_ref())
}

#[test]
fn the_request_is_a_valid_export_logs_service_request() {
    let doc = sample(None);
    let enc = Otlp::new().encode(&Batch::read(&doc).unwrap());
    assert!(enc.rejected.is_empty());
    let req = &enc.requests[0];
    assert_eq!(req.path, "/v1/logs");
    assert_eq!(
        req.url("http://127.0.0.1:4318"),
        "http://127.0.0.1:4318/v1/logs"
    );
    assert_eq!(
        req.headers,
        vec![("Content-Type", "application/json".to_string())]
    );
    let export = parse_otlp(&req.body);

    assert_eq!(export.resource_logs.len(), 1);
    let rl = &export.resource_logs[0];
    let res = &rl.resource.as_ref().unwrap().attributes;
    assert_eq!(
        attr(res, "service.name"),
        Some(&Any::StringValue("wordstat".into()))
    );
    assert_eq!(
        attr(res, "service.version"),
        Some(&Any::StringValue("0.1.0".into()))
    );
    assert_eq!(
        attr(res, "os.type"),
        Some(&Any::StringValue("linux".into()))
    );
    assert!(attr(res, "service.instance.id").is_none());
    let scope = &rl.scope_logs[0];
    assert_eq!(scope.scope.as_ref().unwrap().name, "candor");
    let records = &scope.log_records;
    assert_eq!(records.len(), 2);
    let r = &records[0];
    assert_eq!(r.event_name, "wallet.transaction_signed");
    assert_eq!(r.time_unix_nano, 1_795_350_780_000_000_000);
    let a = &r.attributes;
    assert_eq!(
        attr(a, "log.record.uid"),
        Some(&Any::StringValue(
            "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436".into()
        ))
    );
    assert_eq!(attr(a, "candor.event.version"), Some(&Any::IntValue(2)));
    assert_eq!(
        attr(a, "network"),
        Some(&Any::StringValue("mainnet".into()))
    );
    assert_eq!(attr(a, "confirm_ms"), Some(&Any::IntValue(1000)));
    assert_eq!(attr(a, "ratio"), Some(&Any::DoubleValue(0.25)));
    assert_eq!(attr(a, "hardware_wallet"), Some(&Any::BoolValue(true)));
    assert_eq!(
        attr(a, "note"),
        Some(&Any::StringValue("say \"hi\"\n".into()))
    );
    assert_eq!(a.len(), 7);
    assert_eq!(records[1].event_name, "app.started");
    assert_eq!(records[1].attributes.len(), 2);

    // intValue is a decimal string on the wire (proto3 JSON mapping of int64).
    let raw = parse(&req.body);
    let conf = &raw["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["attributes"];
    let conf = conf
        .as_array()
        .unwrap()
        .iter()
        .find(|kv| kv["key"] == "confirm_ms")
        .unwrap();
    assert_eq!(conf["value"], json!({"intValue": "1000"}));
    golden("otlp.txt", &render(req));
}

#[test]
fn installation_id_is_the_service_instance_and_macos_is_darwin() {
    let doc = String::from_utf8(sample(Some(INSTALL)))
        .unwrap()
        .replace("\"linux\"", "\"macos\"");
    let enc = Otlp::new().encode(&Batch::read(doc.as_bytes()).unwrap());
    let export = parse_otlp(&enc.requests[0].body);
    let res = &export.resource_logs[0]
        .resource
        .as_ref()
        .unwrap()
        .attributes;
    assert_eq!(
        attr(res, "service.instance.id"),
        Some(&Any::StringValue(
            "5a0e1f2d-3c4b-5a69-7887-96a5b4c3d2e1".into()
        ))
    );
    assert_eq!(
        attr(res, "os.type"),
        Some(&Any::StringValue("darwin".into()))
    );
}

#[test]
fn numbers_at_the_edges_of_their_types() {
    let d = doc(
        None,
        &[Ev {
            id: ID_A,
            name: "a.b",
            version: 4294967295,
            time: "2026-01-01T00:00Z",
            fields: json!({"min": i64::MIN, "max": i64::MAX, "big": u64::MAX, "neg": -0.5, "exp": 1e300, "zero": 0}),
        }],
    );
    let enc = Otlp::new().encode(&Batch::read(&d).unwrap());
    let export = parse_otlp(&enc.requests[0].body);
    let a = &export.resource_logs[0].scope_logs[0].log_records[0].attributes;
    assert_eq!(attr(a, "min"), Some(&Any::IntValue(i64::MIN)));
    assert_eq!(attr(a, "max"), Some(&Any::IntValue(i64::MAX)));
    assert_eq!(attr(a, "big"), Some(&Any::DoubleValue(u64::MAX as f64)));
    assert_eq!(attr(a, "neg"), Some(&Any::DoubleValue(-0.5)));
    assert_eq!(attr(a, "exp"), Some(&Any::DoubleValue(1e300)));
    assert_eq!(attr(a, "zero"), Some(&Any::IntValue(0)));
    assert_eq!(
        attr(a, "candor.event.version"),
        Some(&Any::IntValue(4294967295))
    );
}

#[test]
fn times_outside_unsigned_nanoseconds_are_refused() {
    let d = doc(
        None,
        &[
            Ev {
                id: ID_A,
                name: "a.b",
                version: 1,
                time: "1969-12-31T23:59Z",
                fields: json!({}),
            },
            Ev {
                id: ID_B,
                name: "a.b",
                version: 1,
                time: "2555-01-01T00:00Z",
                fields: json!({}),
            },
            Ev {
                id: INSTALL,
                name: "a.b",
                version: 1,
                time: "2554-01-01T00:00Z",
                fields: json!({}),
            },
        ],
    );
    let enc = Otlp::new().encode(&Batch::read(&d).unwrap());
    let reasons: Vec<_> = enc.rejected.iter().map(|r| (r.index, r.reason)).collect();
    assert_eq!(
        reasons,
        [
            (0, RejectReason::TimeOutOfRange),
            (1, RejectReason::TimeOutOfRange)
        ]
    );
    assert_eq!(enc.requests[0].events, vec![2]);
    parse_otlp(&enc.requests[0].body);
}

#[test]
fn only_429_502_503_504_are_retried() {
    let o = Otlp::new();
    for status in 100..600u16 {
        let expected = match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            429 | 502 | 503 | 504 => Verdict::Retry,
            _ => Verdict::Reject,
        };
        assert_eq!(o.verdict(status), expected, "{status}");
    }
    assert_eq!(o.verdict(500), Verdict::Reject);
    assert_eq!(o.verdict(408), Verdict::Reject);
}
