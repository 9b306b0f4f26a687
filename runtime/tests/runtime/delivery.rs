//! Exactly-once delivery in the normal case, envelope shape, JSON Schema.

use std::collections::HashSet;
use std::time::Duration;

use candor::{Client, Consent, FileTransport};

use crate::support::{fast_config, http, Clicked, Delivered, Document, Failed, Server};

fn batch_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../wire/batch.schema.json")).expect("schema is JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

#[test]
fn delivers_n_events_exactly_once() {
    const N: u64 = 2_000;
    let server = Server::start();
    let mut cfg = fast_config();
    cfg.batch_max_events = 100;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    assert!(client.set_consent(Consent::Usage, true));
    for i in 0..N {
        assert_eq!(
            client.track(&Clicked {
                button: "save",
                count: i % 7,
                seq: i
            }),
            candor::Outcome::Queued
        );
    }
    let report = client.flush(Duration::from_secs(20));
    assert!(report.is_complete(), "{report:?}");

    let events = server.delivered_events();
    assert_eq!(events.len() as u64, N);
    let ids: HashSet<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len() as u64, N, "ids must be unique");
    let mut seqs: Vec<u64> = events
        .iter()
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (0..N).collect::<Vec<_>>(), "every event exactly once");

    let c = client.counters();
    assert_eq!((c.tracked, c.sent, c.dropped.total()), (N, N, 0));
    // Batches respect the count limit.
    assert!(server.requests().iter().all(|r| r.events().len() <= 100));
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn envelope_matches_schema_and_carries_nothing_else() {
    let server = Server::start();
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.set_consent(Consent::Diagnostics, true);
    client.track(&Clicked {
        button: "open",
        count: 1,
        seq: 0,
    });
    client.track(&Failed {
        reason: "disk \"full\"\n".into(),
    });
    assert!(client.flush(Duration::from_secs(10)).is_complete());

    let validator = batch_validator();
    let reqs = server.requests();
    assert!(!reqs.is_empty());
    for r in &reqs {
        assert!(validator.is_valid(&r.json), "invalid batch: {}", r.json);
        assert_eq!(r.header("content-encoding"), Some("gzip"));
        assert_eq!(r.header("content-type"), Some("application/json"));
        let keys: Vec<&String> = r.json.as_object().unwrap().keys().collect();
        // No install_id by default.
        assert_eq!(keys.len(), 4, "{keys:?}");
        assert_eq!(r.json["app"]["name"], "candor-test");
        assert_eq!(r.json["app"]["os"], std::env::consts::OS);
    }
    let events = server.delivered_events();
    let failed = events
        .iter()
        .find(|e| e["name"] == "app.operation_failed")
        .unwrap();
    assert_eq!(failed["fields"]["reason"], "disk \"full\"\n");
    assert_eq!(failed["version"], 2);
    for e in &events {
        assert_eq!(e.as_object().unwrap().len(), 5);
    }
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn schema_rejects_extra_keys_and_bad_times() {
    let v = batch_validator();
    let good = serde_json::json!({"format":"candor.batch/1","app":{"name":"a","version":"1","os":"linux"},
        "sent_at":"2026-11-22T12:34Z","events":[{"id":"0123456789abcdef0123456789abcdef","name":"wallet.transaction_signed","version":1,"time":"2026-11-22T12:34Z","fields":{}}]});
    assert!(v.is_valid(&good));
    let mut extra = good.clone();
    extra["events"][0]["ip"] = "1.2.3.4".into();
    assert!(!v.is_valid(&extra));
    let mut seconds = good.clone();
    seconds["events"][0]["time"] = "2026-11-22T12:34:56Z".into();
    assert!(!v.is_valid(&seconds));
    let mut machine = good;
    machine["hostname"] = "box".into();
    assert!(!v.is_valid(&machine));
}

#[test]
fn file_transport_writes_json_lines() {
    let dir = crate::support::temp_dir("file");
    let path = dir.join("out.jsonl");
    let client = Client::start(fast_config(), FileTransport::append(&path).unwrap()).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..3 {
        client.track(&Clicked {
            button: "x",
            count: 1,
            seq: i,
        });
    }
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let text = std::fs::read_to_string(&path).unwrap();
    let validator = batch_validator();
    let mut n = 0;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(validator.is_valid(&v));
        n += v["events"].as_array().unwrap().len();
    }
    assert_eq!(n, 3);
    client.shutdown(Duration::from_secs(1));
}

/// A library calls `Event::track()` without a client handle; the app
/// installed one globally. (The only test in this binary that installs the
/// process-wide client.)
#[test]
fn event_track_goes_through_the_installed_global_client() {
    use candor::Event as _;
    let server = Server::start();
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    assert!(client.install_global());
    assert!(
        !client.install_global(),
        "only one global client per process"
    );
    // Consent off: the global path drops without reaching the client.
    Clicked {
        button: "g",
        count: 1,
        seq: 0,
    }
    .track();
    assert_eq!(client.counters().tracked, 0);
    client.set_consent(Consent::Usage, true);
    Clicked {
        button: "g",
        count: 1,
        seq: 1,
    }
    .track();
    client.set_consent(Consent::Usage, false);
    Clicked {
        button: "g",
        count: 1,
        seq: 2,
    }
    .track();
    client.set_consent(Consent::Usage, true);
    Clicked {
        button: "g",
        count: 1,
        seq: 3,
    }
    .track();
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let seqs: Vec<u64> = server
        .delivered_events()
        .iter()
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect();
    // seq 1 was either purged by the opt-out or sent before it, depending on
    // timing; seq 0 and 2 were never accepted.
    assert!(seqs.contains(&3));
    assert!(!seqs.contains(&0) && !seqs.contains(&2));
    client.shutdown(Duration::from_secs(1));
    // After shutdown the global path is off again.
    Clicked {
        button: "g",
        count: 1,
        seq: 4,
    }
    .track();
    assert_eq!(
        client.counters().tracked,
        2,
        "only seq 1 and 3 were ever accepted"
    );
}
