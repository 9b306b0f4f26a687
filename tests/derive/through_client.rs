//! Derived events sent through a real `candor::Client`: what reaches the transport validates,
//! event by event, against the JSON Schema the compiler emits, and consent still gates them.

use candor::{Client, Config, Consent, FileTransport, Outcome};
use candor_tests::wallet::{FeeLevel, Network, TransactionSigned};
use candor_tests::{crate_path, event_schema};
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(candor::EventEnum)]
enum Step {
    Review,
    Fee,
    Confirm,
}

#[derive(candor::Event)]
#[event(
    name = "wallet.transaction_rejected",
    version = 2,
    schemas = "../schemas"
)]
struct TransactionRejected {
    step: Step,
    retries: u8,
}

/// A transport sink the test can read back.
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

#[test]
fn tracked_events_reach_the_transport_schema_valid() {
    let sink = Sink::default();
    let client = Client::start(
        Config::new("candor-tests", "0.1.0"),
        FileTransport::new(sink.clone()),
    )
    .expect("client starts");
    if client.disabled_by_environment() {
        // DO_NOT_TRACK or CANDOR_TELEMETRY=off on this machine: nothing may be sent at all.
        assert_eq!(
            client.track(&TransactionRejected {
                step: Step::Fee,
                retries: 1
            }),
            Outcome::ConsentOff
        );
        return;
    }

    // Opt-in only: before consent, nothing is queued.
    let rejected = TransactionRejected {
        step: Step::Confirm,
        retries: 30, // clamped to `max: 20`
    };
    assert_eq!(client.track(&rejected), Outcome::ConsentOff);
    client.set_consent(Consent::Usage, true);

    let signed = TransactionSigned {
        network: Network::Testnet,
        confirm_ms: 7_000,
        hardware_wallet: Some(true),
        fee_level: FeeLevel::High,
    };
    assert_eq!(client.track(&signed), Outcome::Queued);
    assert_eq!(client.track(&rejected), Outcome::Queued);
    assert!(client.flush(Duration::from_secs(10)).is_complete());

    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let mut seen = Vec::new();
    for line in text.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).expect("documents are JSON");
        for event in doc["events"].as_array().expect("a batch has events") {
            let name = event["name"].as_str().unwrap();
            let schema = event_schema(&crate_path("../schemas"), name);
            let validator = jsonschema::validator_for(&schema).unwrap();
            let errors: Vec<String> = validator
                .iter_errors(event)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{event} rejected: {errors:?}");
            seen.push(event["fields"].clone());
        }
    }
    assert_eq!(
        seen,
        [
            serde_json::json!({"network": "testnet", "confirm_ms": 5000, "hardware_wallet": true, "fee_level": "high"}),
            serde_json::json!({"step": "confirm", "retries": 20}),
        ]
    );
    let _ = (
        Network::Mainnet,
        Network::Other,
        FeeLevel::Low,
        FeeLevel::Medium,
        FeeLevel::Custom,
        Step::Review,
    );
}
