//! The exact request each sink sends for one event tracked through a real `Client`: method,
//! path, headers, and the body byte for byte, with only the values that differ per run (ids
//! and the minute) put back as placeholders after they were checked. Each body is also exactly
//! what `candor-interop`'s encoder makes of the document the runtime handed the sink: the sink
//! has no encoding of its own.

use std::time::Duration;

use candor_interop::{Batch, Encoder, Mixpanel, Otlp, PostHog, Segment, Snowplow};
use candor_tests::wallet::{FeeLevel, Network, TransactionSigned};
use serde_json::Value;

use crate::support::*;

const V: &str = env!("CARGO_PKG_VERSION");
const OS: &str = std::env::consts::OS;

/// What one tracked event became: the vendor's one request, and the document the runtime
/// handed the sink.
struct Sent {
    request: Received,
    body: String,
    doc: Value,
    doc_bytes: Vec<u8>,
}

fn send_one(vendor: Vendor, install_id: bool) -> Sent {
    let fake = Fake::start(vendor);
    let (tee, docs) = Tee::new(fake.sink());
    let mut cfg = config();
    let state = temp_dir("exact");
    if install_id {
        cfg.install_id = true;
        cfg.state_dir = Some(state.clone());
    }
    let c = client(cfg, tee);
    c.track(&TransactionSigned {
        network: Network::Mainnet,
        confirm_ms: 3_420,
        hardware_wallet: Some(true),
        fee_level: FeeLevel::Medium,
    });
    assert!(c.flush(Duration::from_secs(10)).is_complete());
    let counters = c.counters();
    assert_eq!((counters.sent, counters.dropped.rejected), (1, 0));
    c.shutdown(Duration::from_secs(2));
    let reqs = fake.server.requests();
    assert_eq!(reqs.len(), 1, "{vendor}: one event, one request");
    let docs = docs.lock().unwrap().clone();
    assert_eq!(docs.len(), 1);
    let request = reqs.into_iter().next().unwrap();
    assert_eq!(fake.accepted_ids().len(), 1, "{vendor} kept the event");
    let _ = std::fs::remove_dir_all(&state);
    Sent {
        body: String::from_utf8(request.body.clone()).unwrap(),
        doc: serde_json::from_slice(&docs[0]).unwrap(),
        doc_bytes: docs[0].clone(),
        request,
    }
}

impl Sent {
    /// The candor event id (32 hex digits) and minute of the one event.
    fn event(&self) -> (String, String) {
        let e = &self.doc["events"][0];
        (
            e["id"].as_str().unwrap().to_owned(),
            e["time"].as_str().unwrap().to_owned(),
        )
    }

    /// The body with each `(value, placeholder)` put back; every value must occur.
    fn template(&self, subs: &[(&str, &str)]) -> String {
        let mut t = self.body.clone();
        for (value, placeholder) in subs {
            assert!(t.contains(value), "{value} not in {t}");
            t = t.replace(value, placeholder);
        }
        t
    }

    /// Every header but `Host`, `Content-Length` and `Accept`, lowercased and sorted (their
    /// order means nothing in HTTP).
    fn headers(&self) -> Vec<(String, String)> {
        let mut all: Vec<(String, String)> = self
            .request
            .headers
            .iter()
            .filter(|(k, _)| {
                !["host", "content-length", "accept"].contains(&k.to_ascii_lowercase().as_str())
            })
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        all.sort();
        all
    }

    /// The body equals the encoder's output for the document the runtime handed the sink.
    fn is_the_encoders(&self, enc: &dyn Encoder) {
        let batch = Batch::read(&self.doc_bytes).unwrap();
        let encoded = enc.encode(&batch);
        assert_eq!(encoded.requests.len(), 1);
        assert_eq!(
            self.request.body,
            encoded.requests[0].body,
            "{}: the sink sends the encoder's bytes",
            enc.vendor()
        );
        assert_eq!(self.request.path, encoded.requests[0].path);
    }
}

fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    all.sort();
    all
}

fn ua() -> String {
    format!("candor/{V}")
}

/// The minute as vendors write it: `…T12:33:00.000Z`.
fn rfc3339(minute: &str) -> String {
    format!("{}:00.000Z", &minute[..16])
}

#[test]
fn segment_request_is_exact() {
    let s = send_one(Vendor::Segment, false);
    let (id, minute) = s.event();
    assert_eq!(s.request.method, "POST");
    assert_eq!(s.request.path, "/v1/batch");
    assert_eq!(
        s.headers(),
        h(&[
            ("content-type", "application/json"),
            // `wk_TEST:` in base64: the write key as Basic user name.
            ("authorization", "Basic d2tfVEVTVDo="),
            ("content-encoding", "gzip"),
            ("user-agent", &ua()),
        ])
    );
    let body: Value = serde_json::from_str(&s.body).unwrap();
    let anon = body["batch"][0]["anonymousId"].as_str().unwrap().to_owned();
    assert_ne!(
        anon.replace('-', ""),
        id,
        "the anonymousId is not the event id"
    );
    assert_eq!(anon.len(), 36);
    let expected = format!(
        r#"{{"batch":[{{"type":"track","event":"wallet.transaction_signed","messageId":"{{ID}}","anonymousId":"{{ANON}}","timestamp":"{{TIME}}","properties":{{"network":"mainnet","confirm_ms":1000,"hardware_wallet":true,"fee_level":"medium"}},"context":{{"ip":"0.0.0.0","library":{{"name":"candor","version":"{V}"}},"app":{{"name":"candor-tests","version":"0.1.0"}},"os":{{"name":"{OS}"}},"protocols":{{"event_version":1}}}}}}]}}"#
    );
    assert_eq!(
        s.template(&[
            (&uuid(&id), "{ID}"),
            (&anon, "{ANON}"),
            (&rfc3339(&minute), "{TIME}")
        ]),
        expected
    );
    // No IP kept, no user: never `context.direct`, never `userId`, never `sentAt`.
    for absent in ["direct", "userId", "sentAt", "writeKey"] {
        assert!(!s.body.contains(absent), "{absent}");
    }
    s.is_the_encoders(&Segment::new(WRITE_KEY));
}

#[test]
fn mixpanel_request_is_exact() {
    let s = send_one(Vendor::Mixpanel, false);
    let (id, minute) = s.event();
    assert_eq!(s.request.method, "POST");
    // strict validation, and ip=0: no geolocation from the request's address.
    assert_eq!(s.request.path, "/import?strict=1&ip=0");
    assert_eq!(
        s.headers(),
        h(&[
            ("content-type", "application/json"),
            ("authorization", "Basic bXBfVEVTVDo="),
            ("content-encoding", "gzip"),
            ("user-agent", &ua()),
        ])
    );
    // `distinct_id` present and empty: no user, and no id Mixpanel would hash from the IP.
    let expected = format!(
        r#"[{{"event":"wallet.transaction_signed","properties":{{"time":{{MS}},"distinct_id":"","$insert_id":"{{ID}}","mp_lib":"candor","$lib_version":"{V}","$os":"{OS}","$app_version_string":"0.1.0","candor_app":"candor-tests","candor_event_version":1,"network":"mainnet","confirm_ms":1000,"hardware_wallet":true,"fee_level":"medium"}}}}]"#
    );
    assert_eq!(
        s.template(&[(&id, "{ID}"), (&minute_ms(&minute).to_string(), "{MS}")]),
        expected
    );
    assert!(!s.body.contains("\"ip\""), "no ip property");
    assert!(
        !s.body.contains("token"),
        "the token travels once, as Basic user"
    );
    s.is_the_encoders(&Mixpanel::new(PROJECT_TOKEN));
}

#[test]
fn snowplow_request_is_exact() {
    let s = send_one(Vendor::Snowplow, false);
    let (id, minute) = s.event();
    assert_eq!(s.request.method, "POST");
    assert_eq!(s.request.path, "/com.snowplowanalytics.snowplow/tp2");
    // No Content-Encoding: the collector does not decode gzip. SP-Anonymous: no IP, no cookie.
    assert_eq!(
        s.headers(),
        h(&[
            ("content-type", "application/json"),
            ("sp-anonymous", "*"),
            ("user-agent", &ua()),
        ])
    );
    let expected = format!(
        r#"{{"schema":"iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4","data":[{{"e":"ue","eid":"{{ID}}","tv":"candor-{V}","tna":"candor","p":"app","aid":"candor-tests","dtm":"{{MS}}","ue_pr":"{{\"schema\":\"iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0\",\"data\":{{\"schema\":\"iglu:com.example.wallet/transaction_signed/jsonschema/1-0-0\",\"data\":{{\"network\":\"mainnet\",\"confirm_ms\":1000,\"hardware_wallet\":true,\"fee_level\":\"medium\"}}}}}}","co":"{{\"schema\":\"iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1\",\"data\":[{{\"schema\":\"iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0\",\"data\":{{\"version\":\"0.1.0\",\"build\":\"\"}}}}]}}"}}]}}"#
    );
    assert_eq!(
        s.template(&[
            (&uuid(&id), "{ID}"),
            (&format!("\"{}\"", minute_ms(&minute)), "\"{MS}\"")
        ]),
        expected
    );
    for absent in [
        "\"uid\"", "\"duid\"", "\"nuid\"", "\"ip\"", "\"ua\"", "\"stm\"",
    ] {
        assert!(!s.body.contains(absent), "{absent}");
    }
    s.is_the_encoders(&Snowplow::new().with_iglu_vendor(IGLU_VENDOR).unwrap());
    // The event validates against the Iglu schema `candor schema --iglu com.example` emits
    // from the same YAML, as Snowplow's pipeline will check it.
    let compiled = candor_schema::compile_dir(
        &candor_tests::crate_path("../schemas"),
        &candor_schema::Options::default(),
    )
    .unwrap();
    let registry = compiled.registry.expect("schemas/ compiles");
    let files = candor_schema::emit::iglu::all(&registry, IGLU_VENDOR).unwrap();
    let body: Value = serde_json::from_str(&s.body).unwrap();
    let ue: Value = serde_json::from_str(body["data"][0]["ue_pr"].as_str().unwrap()).unwrap();
    let uri = ue["data"]["schema"].as_str().unwrap();
    let path = format!("iglu/schemas/{}", uri.strip_prefix("iglu:").unwrap());
    let file = files
        .iter()
        .find(|f| f.path == path)
        .expect("schema emitted");
    let schema: Value = serde_json::from_str(&file.contents).unwrap();
    assert!(jsonschema::draft4::new(&schema)
        .unwrap()
        .is_valid(&ue["data"]["data"]));
}

#[test]
fn posthog_request_is_exact() {
    let s = send_one(Vendor::PostHog, false);
    let (id, minute) = s.event();
    assert_eq!(s.request.method, "POST");
    assert_eq!(s.request.path, "/batch/");
    assert_eq!(
        s.headers(),
        h(&[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
            ("user-agent", &ua()),
        ])
    );
    let body: Value = serde_json::from_str(&s.body).unwrap();
    let distinct = body["batch"][0]["distinct_id"].as_str().unwrap().to_owned();
    assert_ne!(distinct.replace('-', ""), id);
    let expected = format!(
        r#"{{"api_key":"phc_TEST","batch":[{{"event":"wallet.transaction_signed","uuid":"{{ID}}","distinct_id":"{{DISTINCT}}","timestamp":"{{TIME}}","properties":{{"$process_person_profile":false,"$geoip_disable":true,"$ip":null,"$lib":"candor","$lib_version":"{V}","$os":"{OS}","$app_name":"candor-tests","$app_version":"0.1.0","candor_event_version":1,"network":"mainnet","confirm_ms":1000,"hardware_wallet":true,"fee_level":"medium"}}}}]}}"#
    );
    assert_eq!(
        s.template(&[
            (&uuid(&id), "{ID}"),
            (&distinct, "{DISTINCT}"),
            (&rfc3339(&minute), "{TIME}")
        ]),
        expected
    );
    for absent in ["sent_at", "$set", "$session_id", "$os_version"] {
        assert!(!s.body.contains(absent), "{absent}");
    }
    s.is_the_encoders(&PostHog::new(API_KEY));
}

#[test]
fn otlp_request_is_exact() {
    let s = send_one(Vendor::Otlp, false);
    let (id, minute) = s.event();
    assert_eq!(s.request.method, "POST");
    assert_eq!(s.request.path, "/v1/logs");
    assert_eq!(
        s.headers(),
        h(&[
            ("content-type", "application/json"),
            ("content-encoding", "gzip"),
            ("user-agent", &ua()),
        ])
    );
    let os_type = if OS == "macos" { "darwin" } else { OS };
    let expected = format!(
        r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"candor-tests"}}}},{{"key":"service.version","value":{{"stringValue":"0.1.0"}}}},{{"key":"os.type","value":{{"stringValue":"{os_type}"}}}}]}},"scopeLogs":[{{"scope":{{"name":"candor","version":"{V}"}},"logRecords":[{{"timeUnixNano":"{{NS}}","eventName":"wallet.transaction_signed","attributes":[{{"key":"log.record.uid","value":{{"stringValue":"{{ID}}"}}}},{{"key":"candor.event.version","value":{{"intValue":"1"}}}},{{"key":"network","value":{{"stringValue":"mainnet"}}}},{{"key":"confirm_ms","value":{{"intValue":"1000"}}}},{{"key":"hardware_wallet","value":{{"boolValue":true}}}},{{"key":"fee_level","value":{{"stringValue":"medium"}}}}]}}]}}]}}]}}"#
    );
    let ns = format!("{}000000", minute_ms(&minute));
    assert_eq!(s.template(&[(&uuid(&id), "{ID}"), (&ns, "{NS}")]), expected);
    assert!(!s.body.contains("service.instance.id"));
    s.is_the_encoders(&Otlp::new());
}

#[test]
fn without_an_installation_id_no_id_links_requests_and_with_one_each_vendor_gets_it() {
    // Without: two events in two separate batches share no id a vendor could link them by.
    for vendor in Vendor::ALL {
        let fake = Fake::start(vendor);
        let c = client(config(), fake.sink());
        for i in 0..2 {
            c.track(&event(i));
            assert!(c.flush(Duration::from_secs(10)).is_complete());
        }
        c.shutdown(Duration::from_secs(2));
        let reqs = fake.server.requests();
        assert_eq!(reqs.len(), 2);
        let people: Vec<Value> = reqs
            .iter()
            .map(|r| {
                let e = &events(vendor, &r.json)[0];
                match vendor {
                    Vendor::Segment => e["anonymousId"].clone(),
                    Vendor::Mixpanel => e["properties"]["distinct_id"].clone(),
                    Vendor::Snowplow => {
                        Value::from(e.get("duid").is_some() || e.get("uid").is_some())
                    }
                    Vendor::PostHog => e["distinct_id"].clone(),
                    Vendor::Otlp => {
                        Value::from(r.body.windows(19).any(|w| w == b"service.instance.id"))
                    }
                }
            })
            .collect();
        match vendor {
            Vendor::Mixpanel => assert_eq!(people, ["", ""], "distinct_id present and empty"),
            Vendor::Snowplow | Vendor::Otlp => assert_eq!(people, [false, false], "{vendor}"),
            _ => assert_ne!(people[0], people[1], "{vendor}: a fresh id per request"),
        }
    }
    // With: the installation id, in the form each vendor counts users by.
    for vendor in Vendor::ALL {
        let s = send_one(vendor, true);
        let install = s.doc["install_id"].as_str().expect("declared").to_owned();
        let body: Value = serde_json::from_str(&s.body).unwrap();
        let e = &events(vendor, &body)[0];
        let got = match vendor {
            Vendor::Segment => e["anonymousId"].clone(),
            Vendor::Mixpanel => e["properties"]["distinct_id"].clone(),
            Vendor::Snowplow => e["duid"].clone(),
            Vendor::PostHog => e["distinct_id"].clone(),
            Vendor::Otlp => {
                body["resourceLogs"][0]["resource"]["attributes"][3]["value"]["stringValue"].clone()
            }
        };
        let want = if vendor == Vendor::Mixpanel {
            install.clone()
        } else {
            uuid(&install)
        };
        assert_eq!(got, want, "{vendor}");
    }
}
