//! Metrics through the whole loop as a user runs it: apps with the real runtime
//! (`#[derive(Metrics)]`, `HttpTransport`) send `candor.metrics/1` documents to the real
//! `candor collect` binary on 127.0.0.1, which stores them in SQLite; `candor report` shows
//! them under the floor; `candor sweep --now` removes them at their retention.
mod child;
#[path = "../../collector/tests/support/mod.rs"]
mod support;

use std::path::Path;
use std::time::Duration;

use candor::{
    Client, Config, Consent, Counter, Distribution, EventEnum, HttpTransport, LabeledCounter,
    Metrics, Quantity,
};
use child::{candor, schemas_dir, Collect};
use serde_json::Value;
use support::temp_dir;

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

static NODE: NodeMetrics = NodeMetrics::new();

fn find<'a>(list: &'a Value, key: &str, name: &str) -> &'a Value {
    list.as_array()
        .unwrap()
        .iter()
        .find(|m| m[key] == name)
        .unwrap_or_else(|| panic!("no {name} in {list}"))
}

#[test]
fn runtime_metrics_to_collector_to_report_and_sweep() {
    let dir = temp_dir("metrics-e2e");
    let db = dir.join("telemetry.sqlite");
    let collect = Collect::start(&db, &dir.join("collect.log"));
    let url = format!("http://{}/v1/batch", collect.addr);

    // Six installations, one after the other (the metrics are one `static` per process), each
    // with its own state folder and installation id. Installation 0 alone sees `bad_block`.
    let (mut blocks, mut syncs) = (0u64, 0u64);
    for i in 0..6u64 {
        let mut cfg = Config::new("metrics-e2e", "1.0.0");
        cfg.batch_interval = Duration::from_millis(50);
        cfg.install_id = true;
        cfg.state_dir = Some(dir.join(format!("state-{i}")));
        let t = HttpTransport::with_timeout(&url, Duration::from_secs(10)).unwrap();
        let c = Client::start(cfg, t).unwrap();
        c.register_metrics(&NODE);
        c.set_consent(Consent::Performance, true);
        c.set_consent(Consent::Diagnostics, true);
        for j in 0..10 + i {
            NODE.blocks_synced.add(100 + j);
            blocks += 100 + j;
            NODE.sync_time
                .record_duration(Duration::from_millis(90 + 700 * j));
            syncs += 1;
        }
        NODE.peers.set(8 + i);
        NODE.sync_errors.inc(SyncError::Timeout);
        if i == 0 {
            for _ in 0..40 {
                NODE.sync_errors.inc(SyncError::BadBlock);
            }
        }
        let r = c.shutdown(Duration::from_secs(30));
        assert_eq!(r.pending, 0);
        let docs = c.metric_documents();
        assert_eq!((docs.sent, docs.rejected), (2, 0), "{docs:?}");
    }
    collect.stop();

    let out = dir.join("site");
    let store = format!("sqlite:{}", db.display());
    let schemas = schemas_dir().display().to_string();
    let report = |to: &Path| {
        let o = candor(&[
            "report",
            "--store",
            &store,
            "--out",
            to.to_str().unwrap(),
            "--schemas",
            &schemas,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let json: Value =
            serde_json::from_str(&std::fs::read_to_string(to.join("report.json")).unwrap())
                .unwrap();
        json
    };
    let json = report(&out);
    assert_eq!(json["contributor"], "install");
    let metrics = &json["metrics"];
    let blocks_m = find(metrics, "metric", "node.blocks_synced");
    assert_eq!(
        blocks_m["count"], blocks,
        "every count the runtime sent, once"
    );
    let sync = find(metrics, "metric", "node.sync_time");
    assert_eq!(sync["count"], syncs);
    assert_eq!(sync["unit"], "ms");
    let peers = find(metrics, "metric", "node.peers");
    assert_eq!(peers["count"], 6, "one report per installation");
    // One installation's 40 `bad_block`s are one contributor: withheld; and since the total
    // is shown, the only other non-zero label is hidden with it (otherwise total − timeout
    // would give bad_block away).
    let errors = find(metrics, "metric", "node.sync_errors");
    assert_eq!(errors["count"], 46);
    let rows = &errors["rows"];
    assert_eq!(find(rows, "value", "timeout")["withheld"], "complementary");
    assert_eq!(find(rows, "value", "refused")["count"], 0);
    assert_eq!(find(rows, "value", "bad_block")["withheld"], "fewer_than_k");
    assert!(find(rows, "value", "bad_block")["count"].is_null());
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("id=\"metric-node-sync_time\""));
    assert!(html.contains("href=\"index.html#node.peers\""));
    // No single device's quantity is on the page: peers are ranges of reports.
    for row in peers["rows"].as_array().unwrap() {
        assert!(row["value"].as_str().unwrap().contains(" to "), "{row}");
    }

    // Retention (14 days in node.yaml), with a fixed clock.
    let today = candor_schema::Date::from_clock().to_days();
    let day = |d: i64| candor_schema::Date::from_days(d).to_string();
    let o = candor(&["sweep", "--store", &store, "--now", &day(today + 13)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(report(&dir.join("kept"))["metrics"], json["metrics"]);
    let o = candor(&["sweep", "--store", &store, "--now", &day(today + 14)]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let conn = rusqlite::Connection::open(&db).unwrap();
    let left: i64 = conn
        .query_row("SELECT count(*) FROM metric_rows", [], |r| r.get(0))
        .unwrap();
    assert_eq!(left, 0);
    let _ = std::fs::remove_dir_all(&dir);
}
