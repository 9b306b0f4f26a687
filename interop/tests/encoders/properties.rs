//! Properties over arbitrary batches: every vendor body parses, every event is carried exactly
//! once (or reported), limits hold, ids are the vendor forms of candor's, and every field comes
//! back with its value and JSON type. The reader never panics, whatever the bytes, and its
//! envelope form (the collector's) accepts what the strict form accepts, with the same events.

use candor_interop::{Batch, Limits, Vendor};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::all_vendors::encoders;
use crate::support::parse;

fn civil(minutes: i64) -> String {
    let days = minutes.div_euclid(1440);
    let rem = minutes.rem_euclid(1440);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}Z", rem / 60, rem % 60)
}

fn field_value() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<String>().prop_map(Value::from),
        "[ -~\"\\\\\n\t\u{1}é😀]{0,20}".prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| json!(f)),
        any::<bool>().prop_map(Value::from),
    ]
}

fn field_name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z][a-z0-9]{0,6}(_[a-z0-9]{1,4}){0,2}",
        prop::sample::select(vec![
            "time",
            "distinct_id",
            "token",
            "ip",
            "mp_lib",
            "mp_x",
            "api_key",
            "candor_app",
            "candor_event_version",
            "network",
        ])
        .prop_map(String::from),
    ]
}

#[derive(Debug, Clone)]
struct Gen {
    id: String,
    name: String,
    version: u32,
    minute: i64,
    fields: Map<String, Value>,
}

fn event() -> impl Strategy<Value = Gen> {
    (
        "[0-9a-f]{32}",
        "[a-z][a-z0-9_]{0,8}(\\.[a-z][a-z0-9_]{0,8}){0,2}",
        any::<u32>(),
        // 1971-01-01 .. 2500-01-01: a time every vendor accepts.
        525_600i64..278_127_360,
        prop::collection::btree_map(field_name(), field_value(), 0..8),
    )
        .prop_map(|(id, name, version, minute, fields)| Gen {
            id,
            name,
            version,
            minute,
            fields: fields.into_iter().collect(),
        })
}

fn document(install: &Option<String>, events: &[Gen]) -> Vec<u8> {
    let mut v = json!({
        "format": "candor.batch/1",
        "app": {"name": "app \"x\"", "version": "1.0\n", "os": "linux"},
        "sent_at": "2026-01-01T00:00Z",
    });
    if let Some(id) = install {
        v["install_id"] = json!(id);
    }
    v["events"] = events
        .iter()
        .map(|e| {
            json!({"id": e.id, "name": e.name, "version": e.version,
                        "time": civil(e.minute), "fields": e.fields})
        })
        .collect();
    serde_json::to_vec(&v).unwrap()
}

fn uuid(hex: &str) -> String {
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Field names as sent: reserved ones have a leading `_`; undo it to compare.
fn unrename(props: &Map<String, Value>, added: &[&str]) -> Map<String, Value> {
    props
        .iter()
        .filter(|(k, _)| !k.starts_with('$') && !added.contains(&k.as_str()))
        .map(|(k, v)| (k.strip_prefix('_').unwrap_or(k).to_string(), v.clone()))
        .collect()
}

fn otlp_value(v: &Value) -> Value {
    let (kind, x) = v.as_object().unwrap().iter().next().unwrap();
    match kind.as_str() {
        "stringValue" | "boolValue" => x.clone(),
        "intValue" => json!(x.as_str().unwrap().parse::<i64>().unwrap()),
        "doubleValue" => json!(x.as_f64().unwrap()),
        other => panic!("unexpected {other}"),
    }
}

/// (vendor id, event name or Iglu name, fields) of every event in a body.
fn recovered(vendor: Vendor, body: &Value) -> Vec<(String, String, Map<String, Value>)> {
    let obj = |v: &Value| v.as_object().unwrap().clone();
    let s = |v: &Value| v.as_str().unwrap().to_string();
    match vendor {
        Vendor::Segment => body["batch"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (s(&m["messageId"]), s(&m["event"]), obj(&m["properties"])))
            .collect(),
        Vendor::Mixpanel => body
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let p = obj(&e["properties"]);
                let added = [
                    "time",
                    "distinct_id",
                    "mp_lib",
                    "candor_app",
                    "candor_event_version",
                ];
                (s(&p["$insert_id"]), s(&e["event"]), unrename(&p, &added))
            })
            .collect(),
        Vendor::PostHog => body["batch"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    s(&e["uuid"]),
                    s(&e["event"]),
                    unrename(&obj(&e["properties"]), &["candor_event_version"]),
                )
            })
            .collect(),
        Vendor::Snowplow => body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                let ue: Value = serde_json::from_str(e["ue_pr"].as_str().unwrap()).unwrap();
                let name = s(&ue["data"]["schema"]);
                (s(&e["eid"]), name, obj(&ue["data"]["data"]))
            })
            .collect(),
        Vendor::Otlp => body["resourceLogs"][0]["scopeLogs"][0]["logRecords"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut fields = Map::new();
                let mut uid = String::new();
                for kv in r["attributes"].as_array().unwrap() {
                    let key = s(&kv["key"]);
                    match key.as_str() {
                        "log.record.uid" => uid = s(&kv["value"]["stringValue"]),
                        "candor.event.version" => {}
                        _ => {
                            fields.insert(key, otlp_value(&kv["value"]));
                        }
                    }
                }
                (uid, s(&r["eventName"]), fields)
            })
            .collect(),
    }
}

/// What a field value must come back as in `vendor`'s body.
fn expected(vendor: Vendor, v: &Value) -> Value {
    match (vendor, v) {
        // OTLP has no unsigned type: a u64 beyond i64 becomes a double.
        (Vendor::Otlp, Value::Number(n)) if n.is_u64() && n.as_i64().is_none() => {
            json!(n.as_f64().unwrap())
        }
        _ => v.clone(),
    }
}

fn check_limits(limits: &Limits, req: &candor_interop::VendorRequest) {
    if let Some(max) = limits.max_request_bytes {
        assert!(req.body.len() <= max);
    }
    if let Some(max) = limits.max_events {
        assert!(req.events.len() <= max);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_event_arrives_once_with_its_fields_and_types(
        install in prop::option::of("[0-9a-f]{32}"),
        events in prop::collection::vec(event(), 1..24),
    ) {
        let doc = document(&install, &events);
        let batch = Batch::read(&doc).expect("generated documents are valid");
        for enc in encoders() {
            let vendor = enc.vendor();
            let out = enc.encode(&batch);
            prop_assert!(out.rejected.is_empty(), "{vendor}: {:?}", out.rejected);
            let mut seen = Vec::new();
            for req in &out.requests {
                check_limits(enc.limits(), req);
                let body = parse(&req.body);
                let got = recovered(vendor, &body);
                prop_assert_eq!(got.len(), req.events.len());
                for ((id, name, fields), &index) in got.iter().zip(&req.events) {
                    let e = &events[index];
                    let want_id = if vendor == Vendor::Mixpanel { e.id.clone() } else { uuid(&e.id) };
                    prop_assert_eq!(id, &want_id);
                    if vendor == Vendor::Snowplow {
                        let tail = format!("/{}/jsonschema/{}-0-0", e.name.rsplit('.').next().unwrap(), e.version);
                        prop_assert!(name.ends_with(&tail), "{} {}", name, tail);
                    } else {
                        prop_assert_eq!(name, &e.name);
                    }
                    prop_assert_eq!(fields.len(), e.fields.len(), "{}", vendor);
                    for (k, v) in &e.fields {
                        prop_assert_eq!(fields.get(k), Some(&expected(vendor, v)), "{} {}", vendor, k);
                    }
                }
                seen.extend(req.events.iter().copied());
            }
            prop_assert_eq!(seen, (0..events.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn tight_limits_split_but_never_lose(
        events in prop::collection::vec(event(), 1..30),
        max_events in 1usize..5,
        max_bytes in 200usize..3000,
    ) {
        let doc = document(&None, &events);
        let batch = Batch::read(&doc).unwrap();
        let limits = Limits {
            max_events: Some(max_events),
            max_request_bytes: Some(max_bytes),
            ..Limits::NONE
        };
        let tight: Vec<Box<dyn candor_interop::Encoder>> = vec![
            Box::new(candor_interop::Segment::new("k").with_limits(limits)),
            Box::new(candor_interop::Mixpanel::new("k").with_limits(limits)),
            Box::new(candor_interop::Snowplow::new().with_limits(limits)),
            Box::new(candor_interop::PostHog::new("k").with_limits(limits)),
            Box::new(candor_interop::Otlp::new().with_limits(limits)),
        ];
        for enc in tight {
            let out = enc.encode(&batch);
            let mut all: Vec<usize> = out.requests.iter().flat_map(|r| {
                check_limits(&limits, r);
                parse(&r.body);
                r.events.clone()
            }).collect();
            for r in &out.rejected {
                prop_assert_eq!(r.reason, candor_interop::RejectReason::TooLarge);
                all.push(r.index);
            }
            all.sort_unstable();
            prop_assert_eq!(all, (0..events.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn the_reader_never_panics_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let _ = Batch::read(&bytes);
        if let Ok(b) = Batch::read_envelope(&bytes) {
            for e in &b.events {
                let _ = e.fields.members().count();
            }
        }
        let _ = std::str::from_utf8(&bytes).map(candor_interop::batch::format_of);
    }

    #[test]
    fn the_reader_never_panics_on_damaged_documents(
        events in prop::collection::vec(event(), 1..4),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
        truncate in any::<prop::sample::Index>(),
    ) {
        let mut doc = document(&None, &events);
        for (at, byte) in cuts {
            let i = at.index(doc.len());
            doc[i] = byte;
        }
        let keep = truncate.index(doc.len() + 1);
        for d in [&doc[..], &doc[..keep]] {
            // The envelope reader (the collector's) is the strict reader with fields left as
            // text: it accepts whatever the strict one does, with the same events.
            let envelope = Batch::read_envelope(d);
            match (&envelope, Batch::read(d)) {
                (Ok(env), Ok(strict)) => {
                    prop_assert_eq!(env.events.len(), strict.events.len());
                    for (e, s) in env.events.iter().zip(&strict.events) {
                        prop_assert_eq!(e.id, s.id);
                        prop_assert_eq!(e.fields.raw(), s.fields.raw);
                        prop_assert_eq!(e.fields.members().count(), s.fields.entries.len());
                    }
                }
                (Err(e), Ok(_)) => prop_assert!(false, "only the envelope reader refused: {e}"),
                _ => {}
            }
            if let Ok(batch) = Batch::read(d) {
                // Whatever is accepted must encode to parseable bodies.
                for enc in encoders() {
                    for req in enc.encode(&batch).requests {
                        parse(&req.body);
                    }
                }
            }
        }
    }
}
