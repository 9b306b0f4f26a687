//! The whole loop in one process: the real runtime (`candor::Client` with its
//! `HttpTransport`) sends to a real collector on 127.0.0.1, which stores in SQLite; events,
//! and metrics documents with their deletion request.
//!
//! These tests live with the collector (with `candor` as a dev-dependency) rather than in the
//! `candor-tests` crate because what they check is the collector's side of the runtime's
//! promises: exactly-once storage of at-least-once delivery, and deletion requests.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use candor::{
    Client, Config, Consent, Counter, Distribution, EventEnum, HttpTransport, LabeledCounter,
    Metrics, Quantity,
};
use support::*;

#[derive(EventEnum, Clone, Copy)]
enum Network {
    Mainnet,
    Testnet,
    Other,
}

#[derive(EventEnum, Clone, Copy)]
enum FeeLevel {
    Low,
    Medium,
    High,
    Custom,
}

#[derive(EventEnum, Clone, Copy)]
enum Component {
    Signing,
    Sync,
    Network,
    Storage,
    Ui,
}

#[derive(candor::Event)]
#[event(name = "wallet.transaction_signed", schemas = "../schemas")]
struct TransactionSigned {
    network: Network,
    confirm_ms: Duration,
    hardware_wallet: Option<bool>,
    fee_level: FeeLevel,
}

#[derive(candor::Event)]
#[event(name = "app.error_shown", schemas = "../schemas")]
struct ErrorShown {
    code: &'static str,
    component: Component,
    os_family: &'static str,
}

#[derive(candor::Event)]
#[event(name = "node.sync_finished", schemas = "../schemas")]
struct SyncFinished {
    duration_ms: Duration,
    blocks: u64,
    peers: u8,
    cpu_share: f64,
}

fn config() -> Config {
    let mut c = Config::new("e2e-wallet", "2.0.0");
    c.batch_interval = Duration::from_millis(50);
    c.retry.base = Duration::from_millis(10);
    c.retry.cap = Duration::from_millis(200);
    c
}

fn transport(c: &candor_collector::Collector) -> HttpTransport {
    HttpTransport::with_timeout(&c.batch_url(), Duration::from_secs(10)).unwrap()
}

#[test]
fn every_event_the_runtime_sends_is_stored_once_with_its_fields() {
    let b = Backend::sqlite();
    let c = b.collector(repo_schemas());
    let client = Client::start(config(), transport(&c)).unwrap();
    client.set_consent(Consent::Performance, true);
    client.set_consent(Consent::Usage, true);
    const N: u64 = 3_000;
    for i in 0..N {
        client.track(&SyncFinished {
            duration_ms: Duration::from_millis(1_000 + i),
            blocks: i,
            peers: (i % 200) as u8,
            cpu_share: 0.6,
        });
        if i % 1000 == 0 {
            client.track(&TransactionSigned {
                network: [Network::Mainnet, Network::Testnet, Network::Other][(i % 3) as usize],
                confirm_ms: Duration::from_millis(3_420),
                hardware_wallet: None,
                fee_level: [
                    FeeLevel::Low,
                    FeeLevel::Medium,
                    FeeLevel::High,
                    FeeLevel::Custom,
                ][(i % 4) as usize],
            });
        }
        if i % 500 == 499 {
            // Stay under the queue bound: this test is about delivery, not drops.
            client.flush(Duration::from_secs(30));
        }
    }
    let report = client.shutdown(Duration::from_secs(30));
    assert_eq!(report.pending, 0);
    let counters = client.counters();
    assert_eq!(counters.dropped.total(), 0, "{counters:?}");
    assert_eq!(counters.sent, N + 3);
    drop(c);
    let stored = b.open().events().unwrap();
    assert_eq!(stored.len() as u64, counters.sent);
    let mut blocks = BTreeSet::new();
    for e in &stored {
        assert_eq!(
            (e.app_name.as_str(), e.app_version.as_str()),
            ("e2e-wallet", "2.0.0")
        );
        assert_eq!(e.install_id, None, "no install id unless the app opts in");
        let f: serde_json::Value = serde_json::from_str(&e.fields).unwrap();
        if e.event == "node.sync_finished" {
            assert!(
                blocks.insert(f["blocks"].as_u64().unwrap()),
                "stored twice: {f}"
            );
            assert_eq!(
                f["cpu_share"], 0.5,
                "the runtime's bucket is stored as sent"
            );
            assert!(f.get("peer_ip").is_none());
        } else {
            assert_eq!(e.event, "wallet.transaction_signed");
            assert_eq!(f["confirm_ms"], 1000);
        }
    }
    assert_eq!(blocks.len() as u64, N);
    assert!(b.open().quarantine().unwrap().is_empty());
}

#[test]
fn a_deletion_request_from_the_runtime_erases_that_installs_rows() {
    let b = Backend::sqlite();
    let c = b.collector(repo_schemas());
    let dir = temp_dir("deletion-e2e");
    let mut cfg = config();
    cfg.install_id = true;
    cfg.deletion_request = true;
    cfg.state_dir = Some(dir.join("state"));
    let client = Client::start(cfg, transport(&c)).unwrap();
    client.set_consent(Consent::Usage, true);
    client.set_consent(Consent::Diagnostics, true);
    let first_id = client.install_id().expect("an id after the first opt-in");
    for i in 0..20u64 {
        client.track(&TransactionSigned {
            network: Network::Mainnet,
            confirm_ms: Duration::from_millis(i * 1000),
            hardware_wallet: Some(i % 2 == 0),
            fee_level: FeeLevel::High,
        });
    }
    client.track(&ErrorShown {
        code: "RPC_TIMEOUT",
        component: Component::Network,
        os_family: "linux",
    });
    assert_eq!(client.flush(Duration::from_secs(30)).pending, 0);
    let mut store = b.open();
    let rows = store.events().unwrap();
    assert_eq!(rows.len(), 21);
    assert!(rows
        .iter()
        .all(|r| r.install_id.as_deref() == Some(first_id.as_str())));

    // Opt out of usage: the runtime rotates its id and asks for the old one's usage rows.
    client.set_consent(Consent::Usage, false);
    let erased = wait_until(Duration::from_secs(30), || {
        store
            .deletion_requests()
            .unwrap()
            .iter()
            .map(|d| d.1)
            .sum::<u64>()
            == 1
    });
    assert!(erased, "no deletion request arrived");
    let rows = store.events().unwrap();
    assert_eq!(
        rows.len(),
        1,
        "only the diagnostics event is left: {rows:?}"
    );
    assert_eq!(rows[0].event, "app.error_shown");
    let second_id = client.install_id().expect("diagnostics still granted");
    assert_ne!(second_id, first_id);

    // What the app sends afterwards carries the new id and is kept.
    client.track(&ErrorShown {
        code: "DISK_FULL",
        component: Component::Storage,
        os_family: "linux",
    });
    client.shutdown(Duration::from_secs(30));
    let rows = store.events().unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows
        .iter()
        .any(|r| r.install_id.as_deref() == Some(second_id.as_str())));
    drop(c);
    drop(store);
    let raw: Vec<u8> = (0..16)
        .map(|i| u8::from_str_radix(&first_id[2 * i..2 * i + 2], 16).unwrap())
        .collect();
    let usage_rows_left = files_contain(&b.files(), b"transaction_signed");
    assert_eq!(
        usage_rows_left, None,
        "erased rows linger in the database files"
    );
    // The id itself survives only on the diagnostics row that was not asked for.
    assert!(files_contain(&b.files(), &raw).is_some());
}

#[derive(EventEnum, Clone, Copy)]
enum SyncError {
    Timeout,
    Refused,
    BadBlock,
    Other,
}

#[derive(Metrics)]
#[metrics(namespace = "node", schemas = "../schemas")]
struct NodeMetrics {
    blocks_synced: Counter,
    sync_time: Distribution,
    peers: Quantity,
    sync_errors: LabeledCounter<SyncError>,
}

/// Used by one test only: the metrics are one `static` per process.
static NODE: NodeMetrics = NodeMetrics::new();

#[test]
fn metrics_are_stored_once_and_a_deletion_request_erases_that_installs_metrics() {
    let b = Backend::sqlite();
    let c = b.collector(repo_schemas());
    let dir = temp_dir("metrics-deletion-e2e");
    let mut cfg = config();
    cfg.install_id = true;
    cfg.deletion_request = true;
    cfg.state_dir = Some(dir.join("state"));
    let client = Client::start(cfg, transport(&c)).unwrap();
    client.register_metrics(&NODE);
    client.set_consent(Consent::Performance, true);
    client.set_consent(Consent::Diagnostics, true);
    let first_id = client.install_id().expect("an id after the first opt-in");
    NODE.blocks_synced.add(7);
    NODE.sync_time.record(120);
    NODE.peers.set(9);
    NODE.sync_errors.inc(SyncError::Refused);
    assert_eq!(client.flush(Duration::from_secs(30)).pending, 0);
    let docs = client.metric_documents();
    assert_eq!((docs.sent, docs.rejected), (2, 0), "{docs:?}");
    let mut store = b.open();
    let rows = store.metrics().unwrap();
    let mut got: Vec<(&str, &str, &str)> = rows
        .iter()
        .map(|m| (m.metric.as_str(), m.category.as_str(), m.value.as_str()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("node.blocks_synced", "performance", r#"{"value":7}"#),
            ("node.peers", "performance", r#"{"value":9}"#),
            (
                "node.sync_errors",
                "diagnostics",
                r#"{"values":{"refused":1}}"#
            ),
            (
                "node.sync_time",
                "performance",
                r#"{"counts":[0,1,0,0,0,0,0],"sum":120}"#
            ),
        ]
    );
    assert!(rows
        .iter()
        .all(|m| m.install_id.as_deref() == Some(first_id.as_str())));

    // Opting out of performance asks for the old id's performance rows: metrics included.
    client.set_consent(Consent::Performance, false);
    let erased = wait_until(Duration::from_secs(30), || {
        store
            .deletion_requests()
            .unwrap()
            .iter()
            .map(|d| d.1)
            .sum::<u64>()
            == 1
    });
    assert!(erased, "no deletion request arrived");
    let left = store.metrics().unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0].metric, "node.sync_errors");
    client.shutdown(Duration::from_secs(30));
    drop(c);
    drop(store);
    assert_eq!(files_contain(&b.files(), b"node.blocks_synced"), None);
}
