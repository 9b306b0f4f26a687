//! Metrics end to end: recorded through statics, aggregated, and delivered as
//! `candor.metrics/1` documents to the loopback server; nothing with consent off; the opt-out
//! purge of pending aggregates and of held documents; documents valid against the wire schema.

use std::time::Duration;

use candor::metrics::{MetricCell, MetricMeta, MetricShape, MetricUnit};
use candor::{
    Client, Consent, Counter, Distribution, EventEnum, LabeledCounter, Metrics, Quantity,
};
use serde_json::Value;

use crate::support::{fast_config, http, temp_dir, Answer, Server};

/// Labels of `node.sync_errors`, as `#[derive(EventEnum)]` writes them.
#[derive(Clone, Copy, Debug)]
enum SyncError {
    Timeout,
    Refused,
    Other,
}

impl EventEnum for SyncError {
    const VALUES: &'static [&'static str] = &["timeout", "refused", "other"];
    const VALUES_FINGERPRINT: u64 = 0;
    fn value(&self) -> &'static str {
        Self::VALUES[self.index()]
    }
    fn index(&self) -> usize {
        *self as usize
    }
    fn from_value(v: &str) -> Option<Self> {
        [Self::Timeout, Self::Refused, Self::Other]
            .into_iter()
            .find(|x| x.value() == v)
    }
}

const fn meta(name: &'static str, consent: Consent, shape: MetricShape) -> MetricMeta {
    MetricMeta {
        name,
        version: 1,
        consent,
        retention_days: 30,
        expires_day: u32::MAX,
        fingerprint: "0000000000000000",
        shape,
    }
}

/// What `#[derive(Metrics)]` writes for a node's metrics, by hand.
struct Node {
    blocks: Counter,
    errors: LabeledCounter<SyncError>,
    sync_time: Distribution,
    peers: Quantity,
    /// In another category, to see documents per category.
    starts: Counter,
}

impl Node {
    const fn new() -> Node {
        Node {
            blocks: Counter::new(meta(
                "node.blocks_synced",
                Consent::Performance,
                MetricShape::Counter,
            )),
            errors: LabeledCounter::new(meta(
                "node.sync_errors",
                Consent::Performance,
                MetricShape::LabeledCounter,
            )),
            sync_time: Distribution::new(meta(
                "node.sync_time",
                Consent::Performance,
                MetricShape::Distribution {
                    unit: MetricUnit::Ms,
                    buckets: &[0, 100, 1000, 10_000],
                },
            )),
            peers: Quantity::new(meta(
                "node.peers",
                Consent::Performance,
                MetricShape::Quantity {
                    unit: MetricUnit::Count,
                    min: 0,
                    max: 100,
                },
            )),
            starts: Counter::new(meta("node.starts", Consent::Usage, MetricShape::Counter)),
        }
    }

    fn record_some(&self) {
        self.blocks.add(40);
        self.blocks.inc();
        self.errors.inc(SyncError::Timeout);
        self.errors.add(SyncError::Other, 2);
        self.sync_time.record_duration(Duration::from_millis(50));
        self.sync_time.record(150);
        self.sync_time.record(20_000);
        self.peers.set(7);
        self.peers.set(500); // clamped to max 100
        self.starts.inc();
    }
}

impl Metrics for Node {
    fn cells(&'static self) -> Vec<&'static dyn MetricCell> {
        vec![
            &self.blocks,
            &self.errors,
            &self.sync_time,
            &self.peers,
            &self.starts,
        ]
    }
}

fn validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("../../wire/metrics.schema.json")).expect("JSON");
    jsonschema::validator_for(&schema).expect("schema compiles")
}

fn metric_docs(server: &Server) -> Vec<Value> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.json["format"] == "candor.metrics/1")
        .map(|r| r.json)
        .collect()
}

fn find<'a>(doc: &'a Value, name: &str) -> Option<&'a Value> {
    doc["metrics"]
        .as_array()?
        .iter()
        .find(|m| m["name"] == name)
}

#[test]
fn metrics_are_delivered_per_category_and_match_the_wire_schema() {
    static NODE: Node = Node::new();
    let server = Server::start();
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.register_metrics(&NODE);
    client.set_consent(Consent::Performance, true);
    client.set_consent(Consent::Usage, true);
    NODE.record_some();
    assert!(client.flush(Duration::from_secs(10)).is_complete());

    let docs = metric_docs(&server);
    assert_eq!(docs.len(), 2, "one document per category: {docs:?}");
    let v = validator();
    for d in &docs {
        let errors: Vec<String> = v.iter_errors(d).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}\n{d}");
        assert!(d.get("install_id").is_none());
    }
    let perf = docs.iter().find(|d| d["consent"] == "performance").unwrap();
    assert_eq!(find(perf, "node.blocks_synced").unwrap()["value"], 41);
    assert_eq!(
        find(perf, "node.sync_errors").unwrap()["values"],
        serde_json::json!({"timeout": 1, "other": 2})
    );
    let dist = find(perf, "node.sync_time").unwrap();
    assert_eq!(dist["counts"], serde_json::json!([1, 1, 0, 1]));
    assert_eq!(dist["sum"], 50 + 150 + 20_000);
    assert_eq!(dist["unit"], "ms");
    assert_eq!(find(perf, "node.peers").unwrap()["value"], 100);
    assert!(
        find(perf, "node.starts").is_none(),
        "usage metrics go in the usage document"
    );
    let usage = docs.iter().find(|d| d["consent"] == "usage").unwrap();
    assert_eq!(find(usage, "node.starts").unwrap()["value"], 1);
    // The interval's start sits on the hour grid.
    assert!(perf["start"].as_str().unwrap().ends_with(":00Z"), "{perf}");

    // Swapped to zero: a second flush sends nothing new.
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(metric_docs(&server).len(), 2);
    let c = client.metric_documents();
    assert_eq!((c.sent, c.pending), (2, 0));
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn nothing_is_recorded_with_consent_off_or_before_registration() {
    static NODE: Node = Node::new();
    let server = Server::start();
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    // Not registered yet: recording is closed even with consent granted.
    client.set_consent(Consent::Performance, true);
    NODE.record_some();
    client.register_metrics(&NODE);
    client.set_consent(Consent::Performance, false);
    NODE.record_some();
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert!(metric_docs(&server).is_empty());
    // Nothing was held back either: granting later sends only what is recorded after.
    client.set_consent(Consent::Performance, true);
    NODE.blocks.inc();
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let docs = metric_docs(&server);
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0]["metrics"].as_array().unwrap().len(), 1);
    assert_eq!(find(&docs[0], "node.blocks_synced").unwrap()["value"], 1);
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn opt_out_clears_pending_aggregates_and_purges_held_documents() {
    static NODE: Node = Node::new();
    let dir = temp_dir("metrics-opt-out");
    let server = Server::start();
    // Every request fails: documents are held and spooled.
    server.respond_with(|_| Answer::status(503));
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.clone());
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.register_metrics(&NODE);
    client.set_consent(Consent::Performance, true);
    client.set_consent(Consent::Usage, true);
    NODE.record_some();
    client.flush(Duration::from_millis(300));
    let held = client.metric_documents();
    assert_eq!((held.pending, held.spooled), (2, 2), "{held:?}");
    let files = || std::fs::read_dir(dir.join("metrics")).unwrap().count();
    assert_eq!(files(), 2);

    // Aggregated but not yet snapshotted when the person opts out.
    NODE.blocks.add(1000);
    NODE.starts.add(1000);
    client.set_consent(Consent::Performance, false);
    let after = client.metric_documents();
    assert_eq!((after.pending, after.revoked), (1, 1), "{after:?}");
    assert_eq!(files(), 1, "the spooled performance document is deleted");

    server.respond_with(|_| Answer::status(200));
    client.set_consent(Consent::Performance, true);
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let sent: Vec<Value> = metric_docs(&server)
        .into_iter()
        .filter(|d| d["consent"] == "performance")
        .collect();
    // Failed attempts were recorded too; none after the opt-out carries performance data,
    // and the 1000 blocks aggregated before the opt-out never left.
    for d in &sent {
        assert_ne!(
            find(d, "node.blocks_synced").map(|m| m["value"].clone()),
            Some(1041.into())
        );
        assert_ne!(
            find(d, "node.blocks_synced").map(|m| m["value"].clone()),
            Some(1000.into())
        );
    }
    let usage: std::collections::BTreeSet<u64> = metric_docs(&server)
        .iter()
        .filter(|d| d["consent"] == "usage")
        .filter_map(|d| find(d, "node.starts").and_then(|m| m["value"].as_u64()))
        .collect();
    // The usage document held since before the opt-out (retried while the server failed),
    // then what usage aggregated since: the opt-out of another category leaves both alone.
    assert_eq!(usage, [1, 1000].into(), "{usage:?}");
    assert_eq!(client.metric_documents().pending, 0);
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn spooled_documents_are_sent_by_the_next_start() {
    static NODE: Node = Node::new();
    let dir = temp_dir("metrics-restart");
    let server = Server::start();
    server.respond_with(|_| Answer::status(503));
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.clone());
    cfg.state_dir = Some(dir.join("state"));
    let client = Client::start(cfg.clone(), http(&server.url())).unwrap();
    client.register_metrics(&NODE);
    client.set_consent(Consent::Performance, true);
    NODE.blocks.add(5);
    client.shutdown(Duration::from_millis(300));
    drop(client);

    server.respond_with(|_| Answer::status(200));
    let before = server.requests().len();
    let client = Client::start(cfg, http(&server.url())).unwrap();
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let fresh: Vec<Value> = server.requests()[before..]
        .iter()
        .filter(|r| r.json["format"] == "candor.metrics/1")
        .map(|r| r.json.clone())
        .collect();
    // The first run's sender may still deliver its retry while this one loads the spool:
    // both carry the document's id, which lets the server keep one.
    let ids: std::collections::BTreeSet<&str> =
        fresh.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 1, "{fresh:?}");
    assert_eq!(find(&fresh[0], "node.blocks_synced").unwrap()["value"], 5);
    client.shutdown(Duration::from_secs(5));
}
