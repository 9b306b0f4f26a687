//! A node-style app instrumented with metrics from the repository's
//! `schemas/sync/node.yaml`: a blocks counter, a sync-time distribution, a peer-count
//! quantity and a labeled counter of sync errors, all aggregated on the device. Several
//! threads "sync" concurrently; at the end the app flushes, which sends what the current
//! interval holds as one `candor.metrics/1` document per consent category granted.
//!
//! By default the "collector" is stdout (`FileTransport`), so stdout shows exactly the
//! documents that would be POSTed; `--endpoint` sends them to an HTTP(S) collector instead
//! (for instance the loopback one of `candor collect`).
//!
//! ```text
//! cargo run -p candor --example node                                    # no consent: sends nothing
//! cargo run -p candor --example node -- --consent performance           # counters, distribution, quantity
//! cargo run -p candor --example node -- --consent performance,diagnostics
//! cargo run -p candor --example node -- --consent performance --endpoint http://127.0.0.1:8080/v1/batch
//! ```

use std::thread;
use std::time::Duration;

use candor::{
    Client, Config, Consent, Counter, Distribution, EventEnum, FileTransport, HttpTransport,
    LabeledCounter, Metrics, Quantity,
};

/// The reasons of `node.sync_errors`: the variants must be exactly the schema's `labels`.
#[derive(EventEnum, Clone, Copy)]
enum SyncError {
    Timeout,
    Refused,
    BadBlock,
    Other,
}

/// Each field is a metric of the `node` namespace, checked against the YAML at build time.
#[derive(Metrics)]
#[metrics(namespace = "node", schemas = "../schemas")]
struct NodeMetrics {
    blocks_synced: Counter,
    sync_time: Distribution,
    peers: Quantity,
    sync_errors: LabeledCounter<SyncError>,
}

/// Recording from any thread: no client handle needed, nothing recorded until the person
/// opts in.
static NODE: NodeMetrics = NodeMetrics::new();

fn sync_worker(id: u64) {
    for round in 0..50u64 {
        let blocks = 10 + (id * 7 + round * 13) % 40;
        NODE.blocks_synced.add(blocks);
        NODE.sync_time
            .record_duration(Duration::from_millis(80 + (id * 311 + round * 97) % 9_000));
        if round % 17 == 3 {
            NODE.sync_errors.inc(match (id + round) % 3 {
                0 => SyncError::Timeout,
                1 => SyncError::BadBlock,
                _ => SyncError::Refused,
            });
        }
    }
    NODE.peers.set(8 + id);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut consent = Vec::new();
    let mut endpoint = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--consent" => {
                for c in args.next().unwrap_or_default().split(',') {
                    consent.push(
                        Consent::from_name(c)
                            .ok_or_else(|| format!("unknown consent category `{c}`"))?,
                    );
                }
            }
            "--endpoint" => endpoint = args.next(),
            other => return Err(format!("unknown argument `{other}`").into()),
        }
    }

    let cfg = Config::new("example-node", "0.1.0");
    let client = match endpoint {
        Some(url) => Client::start(cfg, HttpTransport::new(&url)?)?,
        None => Client::start(cfg, FileTransport::stdout())?,
    };
    client.register_metrics(&NODE);
    for c in consent {
        client.set_consent(c, true);
    }

    let workers: Vec<_> = (0..4)
        .map(|id| thread::spawn(move || sync_worker(id)))
        .collect();
    for w in workers {
        let _ = w.join();
    }

    let report = client.flush(Duration::from_secs(5));
    let docs = client.metric_documents();
    eprintln!(
        "metrics documents sent: {}, pending: {} ({report:?})",
        docs.sent, docs.pending
    );
    client.shutdown(Duration::from_secs(2));
    Ok(())
}
