//! The whole chain for teams on another backend: derived events, a real `candor::Client`, the
//! exact documents it hands its transport, then every vendor encoder of `candor-interop`. The
//! reader takes the runtime's bodies as they are, every tracked event reaches every vendor once
//! under its vendor id, and what the Snowplow encoder sends validates against the Iglu schema
//! `candor schema --iglu` emits from the same YAML.

use candor::{Client, Config, Consent, FileTransport};
use candor_interop::{Batch, Encoder, Mixpanel, Otlp, PostHog, Segment, Snowplow, Vendor};
use candor_schema::emit::iglu;
use candor_tests::wallet::{FeeLevel, Network, TransactionSigned};
use serde_json::Value;
use std::collections::BTreeSet;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn encoders() -> Vec<Box<dyn Encoder>> {
    vec![
        Box::new(Segment::new("wk")),
        Box::new(Mixpanel::new("tok")),
        Box::new(Snowplow::new().with_iglu_vendor("com.example").unwrap()),
        Box::new(PostHog::new("phc")),
        Box::new(Otlp::new()),
    ]
}

/// The vendor-form ids of every event in `body`.
fn ids(vendor: Vendor, body: &Value) -> Vec<String> {
    let list = match vendor {
        Vendor::Segment | Vendor::PostHog => body["batch"].as_array(),
        Vendor::Mixpanel => body.as_array(),
        Vendor::Snowplow => body["data"].as_array(),
        Vendor::Otlp => body["resourceLogs"][0]["scopeLogs"][0]["logRecords"].as_array(),
    };
    list.unwrap()
        .iter()
        .map(|e| {
            let id = match vendor {
                Vendor::Segment => &e["messageId"],
                Vendor::Mixpanel => &e["properties"]["$insert_id"],
                Vendor::Snowplow => &e["eid"],
                Vendor::PostHog => &e["uuid"],
                Vendor::Otlp => &e["attributes"][0]["value"]["stringValue"],
            };
            id.as_str().unwrap().replace('-', "")
        })
        .collect()
}

#[test]
fn runtime_bodies_reach_every_vendor_once() {
    let state = std::env::temp_dir().join(format!("candor-through-vendors-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&state);
    let sink = Sink::default();
    let mut cfg = Config::new("candor-tests", "0.1.0");
    cfg.install_id = true;
    cfg.state_dir = Some(state.clone());
    cfg.batch_max_events = 40; // several documents
    let client = Client::start(cfg, FileTransport::new(sink.clone())).expect("client starts");
    if client.disabled_by_environment() {
        return; // DO_NOT_TRACK on this machine: nothing is sent, nothing to encode.
    }
    client.set_consent(Consent::Usage, true);
    let networks = [Network::Mainnet, Network::Testnet, Network::Other];
    let fees = [
        FeeLevel::Low,
        FeeLevel::Medium,
        FeeLevel::High,
        FeeLevel::Custom,
    ];
    for i in 0..150u64 {
        client.track(&TransactionSigned {
            network: networks[i as usize % 3],
            confirm_ms: i * 997,
            hardware_wallet: (i % 4 != 0).then_some(i % 2 == 0),
            fee_level: fees[i as usize % 4],
        });
    }
    assert!(client.flush(Duration::from_secs(20)).is_complete());
    client.shutdown(Duration::from_secs(5));
    let _ = std::fs::remove_dir_all(&state);

    let compiled = candor_schema::compile_dir(
        &candor_tests::crate_path("../schemas"),
        &candor_schema::Options::default(),
    )
    .unwrap();
    let registry = compiled.registry.expect("schemas/ compiles");
    let iglu_files = iglu::all(&registry, "com.example").unwrap();
    let out = sink.0.lock().unwrap().clone();
    let docs: Vec<&[u8]> = out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    assert!(docs.len() >= 2, "expected several batches");
    let mut wire_ids = BTreeSet::new();
    let mut per_vendor: Vec<BTreeSet<String>> = vec![BTreeSet::new(); 5];
    for doc in docs {
        let batch =
            Batch::read(doc).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(doc)));
        assert!(batch.install_id.is_some(), "the app enabled install_id");
        for e in &batch.events {
            assert!(wire_ids.insert(e.id.hex()), "event ids are unique");
        }
        for (n, enc) in encoders().iter().enumerate() {
            let encoded = enc.encode(&batch);
            assert!(encoded.rejected.is_empty(), "{}", enc.vendor());
            for req in &encoded.requests {
                let body: Value = serde_json::from_slice(&req.body).unwrap();
                for id in ids(enc.vendor(), &body) {
                    assert!(
                        per_vendor[n].insert(id),
                        "{} got an event twice",
                        enc.vendor()
                    );
                }
                if enc.vendor() == Vendor::Snowplow {
                    for e in body["data"].as_array().unwrap() {
                        let ue: Value = serde_json::from_str(e["ue_pr"].as_str().unwrap()).unwrap();
                        let uri = ue["data"]["schema"].as_str().unwrap();
                        let path = format!("iglu/schemas/{}", uri.strip_prefix("iglu:").unwrap());
                        let file = iglu_files
                            .iter()
                            .find(|f| f.path == path)
                            .expect("schema emitted");
                        let schema: Value = serde_json::from_str(&file.contents).unwrap();
                        let v = jsonschema::draft4::new(&schema).unwrap();
                        assert!(
                            v.is_valid(&ue["data"]["data"]),
                            "{uri}: {}",
                            ue["data"]["data"]
                        );
                    }
                }
            }
        }
    }
    assert_eq!(wire_ids.len(), 150);
    for (n, got) in per_vendor.iter().enumerate() {
        assert_eq!(got, &wire_ids, "{}", encoders()[n].vendor());
    }
}
