//! Caller-thread cost of recording a metric, declared in the repository's
//! `schemas/sync/node.yaml` and derived with `#[derive(Metrics)]`: counter add with the
//! consent off (one relaxed load) and on (load + relaxed add), labeled counter add,
//! distribution record (load + bucket search + two relaxed adds), quantity set.
//! The client runs with a transport that discards; the sender takes snapshots only at the
//! end of its (hourly) interval, so only the recording itself is measured.

use std::hint::black_box;
use std::time::Duration;

use candor::transport::{Request, Response, Transport, TransportError};
use candor::{
    Client, Config, Consent, Counter, Distribution, EventEnum, LabeledCounter, Metrics, Quantity,
};
use criterion::{criterion_group, criterion_main, Criterion};

struct Discard;

impl Transport for Discard {
    fn send(&mut self, r: &Request<'_>) -> Result<Response, TransportError> {
        black_box(r.json.len());
        Ok(Response::new(200))
    }
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
struct Node {
    blocks_synced: Counter,
    sync_time: Distribution,
    peers: Quantity,
    sync_errors: LabeledCounter<SyncError>,
}

static ON: Node = Node::new();
static OFF: Node = Node::new();

fn benches(c: &mut Criterion) {
    let client = Client::start(Config::new("bench", "1.0.0"), Discard).expect("client starts");
    client.register_metrics(&ON);
    client.set_consent(Consent::Performance, true);
    client.set_consent(Consent::Diagnostics, true);
    // Bound to a client where the person granted nothing: the gate stays closed.
    let off_client = Client::start(Config::new("bench-off", "1.0.0"), Discard).expect("starts");
    off_client.register_metrics(&OFF);

    c.bench_function("metrics/counter_add/consent_off", |b| {
        b.iter(|| OFF.blocks_synced.add(black_box(1)))
    });
    c.bench_function("metrics/counter_add/consent_on", |b| {
        b.iter(|| ON.blocks_synced.add(black_box(1)))
    });
    c.bench_function("metrics/labeled_counter_add", |b| {
        b.iter(|| ON.sync_errors.add(black_box(SyncError::BadBlock), 1))
    });
    let mut v = 0u64;
    c.bench_function("metrics/distribution_record", |b| {
        b.iter(|| {
            // Values across every bucket, so the search is not one predicted branch.
            v = (v + 7_919) % 70_000;
            ON.sync_time.record(black_box(v))
        })
    });
    c.bench_function("metrics/distribution_record_duration", |b| {
        b.iter(|| {
            ON.sync_time
                .record_duration(black_box(Duration::from_micros(1_234_567)))
        })
    });
    c.bench_function("metrics/quantity_set", |b| {
        b.iter(|| ON.peers.set(black_box(12)))
    });
    assert!(ON.cells().len() == 4);
    client.shutdown(Duration::from_secs(1));
    off_client.shutdown(Duration::from_secs(1));
}

criterion_group! {
    name = metrics;
    config = Criterion::default();
    targets = benches
}
criterion_main!(metrics);
