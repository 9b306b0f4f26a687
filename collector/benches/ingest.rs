//! Ingest throughput: gzip'd 500-event batches POSTed to a real collector on 127.0.0.1 by 32
//! keep-alive connections, stored in SQLite and in ClickHouse; and, in the same run, the same
//! rows inserted straight into SQLite by a minimal prepared-statement loop (the floor: what
//! SQLite itself can take with this table); and SQLite with the relay's forwarding queue on
//! (an entry per stored event, in the same transaction) while the vendor is down, which is
//! the relay's cost on the insert path alone.
//!
//! Every batch carries fresh ids (a resent id would be skipped, not stored), built and gzip'd
//! before the clock starts. Stores grow during the run, as a real one does.
//!
//! `ingest_metrics/sqlite_through_collector`: `candor.metrics/1` documents as the runtime sends
//! them for the example `node` metrics (a counter, a 7-bucket distribution and a quantity, one
//! document per request, each with a fresh id), through the same collector into SQLite;
//! throughput in documents.
//!
//! `ingest_stages/*`: the request path's stages on one 500-event batch, one thread, no
//! network and no store: `gunzip` (capped inflate), `read` (the batch reader,
//! `candor_interop::batch`), `validate` (every event against the registry, fields
//! re-spelled), and `insert_only` (the store's write of the validated batch, one
//! transaction each). Where a batch's time goes, to pick what to make cheaper.
//!
//! `cargo bench -p candor-collector --bench ingest`; ClickHouse is measured when
//! `CANDOR_TEST_CLICKHOUSE` is set or `clickhouse-server` is installed (see tests/support).

#[path = "../tests/support/mod.rs"]
mod support;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use candor_collector::forward::Vendor;
use candor_collector::{
    minute, Collector, ForwardOptions, ForwardSpec, Forwarding, Limits, SweepSchedule,
};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use support::{new_id, Backend};

const EVENTS: usize = 500;
const CONNECTIONS: usize = 32;

/// Fields as the runtime encodes them for three of the example schemas' events.
const SAMPLES: [(&str, &str); 3] = [
    (
        "node.sync_finished",
        r#"{"duration_ms":48250,"blocks":1742,"peers":9,"cpu_share":0.5}"#,
    ),
    (
        "wallet.transaction_signed",
        r#"{"network":"mainnet","confirm_ms":1000,"hardware_wallet":true,"fee_level":"medium"}"#,
    ),
    (
        "app.error_shown",
        r#"{"code":"RPC_TIMEOUT","component":"network","os_family":"linux"}"#,
    ),
];

/// One batch's events: (id, name, fields).
fn rows(time: &str) -> Vec<(String, &'static str, &'static str)> {
    (0..EVENTS)
        .map(|i| {
            let (name, fields) = SAMPLES[i % SAMPLES.len()];
            let _ = time;
            (new_id(), name, fields)
        })
        .collect()
}

fn gzip_batch(time: &str) -> Vec<u8> {
    let events: Vec<String> = rows(time)
        .iter()
        .map(|(id, name, fields)| support::event(id, name, 1, time, fields))
        .collect();
    support::gzip(support::batch(&events, None).as_bytes())
}

/// Sends every body over `CONNECTIONS` keep-alive connections; each must be answered 200.
fn send_all(addr: SocketAddr, bodies: &[Vec<u8>]) -> Duration {
    let next = AtomicUsize::new(0);
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..CONNECTIONS {
            s.spawn(|| {
                let mut conn = TcpStream::connect(addr).unwrap();
                conn.set_nodelay(true).unwrap();
                let mut buf = vec![0u8; 4096];
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(body) = bodies.get(i) else { break };
                    let head = format!(
                        "POST /v1/batch HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: {}\r\n\r\n",
                        body.len()
                    );
                    conn.write_all(head.as_bytes()).unwrap();
                    conn.write_all(body).unwrap();
                    // Read one answer: headers, then Content-Length bytes.
                    let mut got = Vec::new();
                    let (head_end, len) = loop {
                        let n = conn.read(&mut buf).unwrap();
                        assert!(n > 0, "connection closed");
                        got.extend_from_slice(&buf[..n]);
                        if let Some(p) = got.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&got[..p]).to_ascii_lowercase();
                            assert!(head.starts_with("http/1.1 200"), "{head}");
                            let len: usize = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .map_or(0, |v| v.trim().parse().unwrap());
                            break (p + 4, len);
                        }
                    };
                    while got.len() < head_end + len {
                        let n = conn.read(&mut buf).unwrap();
                        assert!(n > 0);
                        got.extend_from_slice(&buf[..n]);
                    }
                }
            });
        }
    });
    start.elapsed()
}

/// A collector on `backend` that queues every stored event for a vendor that is down: its
/// forwarder only waits (backoff), so the writer's side of the relay is what differs.
fn queueing_collector(backend: &Backend) -> Collector {
    let mut store = backend.open();
    let sink = ForwardSpec {
        vendor: Vendor::Otlp,
        url: format!("http://127.0.0.1:{}", candor_testkit::dead_port()),
        key: None,
        iglu_vendor: None,
        headers: Vec::new(),
        timeout: Duration::from_secs(1),
    }
    .sink()
    .unwrap()
    .0;
    let forward = Forwarding {
        queue: store.forwarding().unwrap(),
        sink,
        options: ForwardOptions::default(),
    };
    Collector::start_forwarding(
        "127.0.0.1:0".parse().unwrap(),
        support::repo_schemas(),
        store,
        Limits::default(),
        SweepSchedule::Every(Duration::from_secs(3600)),
        Some(forward),
    )
    .unwrap()
}

fn through_collector(c: &mut Criterion, name: &str, collector: Collector) {
    let addr = collector.addr();
    let time = minute::format(minute::now());
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let bodies: Vec<Vec<u8>> = (0..iters).map(|_| gzip_batch(&time)).collect();
            send_all(addr, &bodies)
        })
    });
    g.finish();
}

fn sqlite_floor(c: &mut Criterion, backend: &Backend) {
    // The collector's own table, created by its migrations; then a plain prepared statement
    // with the values the collector would bind: the row's key (its delete_on day × 2^40 plus
    // an arrival number), id, kind and app numbers, minute, no installation id, the fields.
    drop(backend.open());
    let Backend::Sqlite { dir } = backend else {
        unreachable!()
    };
    let conn = rusqlite::Connection::open(dir.join("telemetry.sqlite")).unwrap();
    conn.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -65536;",
    )
    .unwrap();
    let schemas = support::repo_schemas();
    let now = minute::now();
    let time = minute::format(now);
    // (kind number, delete_on day) of each sample event.
    let kinds: Vec<(i64, i64)> = SAMPLES
        .iter()
        .enumerate()
        .map(|(k, (name, _))| {
            let spec = schemas.event(schemas.find(name).unwrap());
            (
                k as i64 + 1,
                minute::day_of(now) + i64::from(spec.retention_days),
            )
        })
        .collect();
    let mut next: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    let mut g = c.benchmark_group("ingest");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("sqlite_floor_prepared_insert", |b| {
        b.iter_custom(|iters| {
            let batches: Vec<Vec<([u8; 16], usize, &str)>> = (0..iters)
                .map(|_| {
                    rows(&time)
                        .into_iter()
                        .enumerate()
                        .map(|(i, (id, _, fields))| {
                            let id = candor_collector::wire::parse_hex16(&id).unwrap();
                            (id, i % SAMPLES.len(), fields)
                        })
                        .collect()
                })
                .collect();
            let start = Instant::now();
            // One transaction per 64 batches: as large as the collector's group commits get;
            // rows in key order, as the collector writes them.
            for chunk in batches.chunks(64) {
                let mut group: Vec<(i64, &[u8; 16], i64, &str)> = chunk
                    .iter()
                    .flatten()
                    .map(|(id, k, fields)| {
                        let (kind, day) = kinds[*k];
                        let n = next.entry(day).or_insert(day << 40);
                        *n += 1;
                        (*n - 1, id, kind, *fields)
                    })
                    .collect();
                group.sort_unstable_by_key(|r| r.0);
                conn.execute_batch("BEGIN").unwrap();
                {
                    let mut stmt = conn
                        .prepare_cached(
                            "INSERT INTO event_rows (seq, id, kind, app, minute, install_id, fields) \
                             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                        )
                        .unwrap();
                    for (seq, id, kind, fields) in group {
                        stmt.execute(rusqlite::params![
                            seq, &id[..], kind, 1, now, None::<&[u8]>, fields
                        ])
                        .unwrap();
                    }
                }
                conn.execute_batch("COMMIT").unwrap();
            }
            start.elapsed()
        })
    });
    g.finish();
}

/// One gzip'd performance metrics document of the `node` namespace, with a fresh id.
fn gzip_metrics_doc() -> Vec<u8> {
    let now = minute::now();
    let (start, end) = (minute::format(now - now % 60), minute::format(now));
    let doc = format!(
        r#"{{"format":"candor.metrics/1","id":"{}","app":{{"name":"bench-node","version":"1.0.0","os":"linux"}},"consent":"performance","start":"{start}","end":"{end}","sent_at":"{end}","metrics":[{{"name":"node.blocks_synced","version":1,"type":"counter","value":4213}},{{"name":"node.sync_time","version":1,"type":"distribution","unit":"ms","buckets":[0,100,500,1000,5000,15000,60000],"counts":[0,12,40,31,9,2,0],"sum":132884}},{{"name":"node.peers","version":1,"type":"quantity","unit":"count","value":11}}]}}"#,
        new_id()
    );
    support::gzip(doc.as_bytes())
}

fn metrics_through_collector(c: &mut Criterion, collector: Collector) {
    let addr = collector.addr();
    let mut g = c.benchmark_group("ingest_metrics");
    g.throughput(Throughput::Elements(1));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(10));
    g.bench_function("sqlite_through_collector", |b| {
        b.iter_custom(|iters| {
            let bodies: Vec<Vec<u8>> = (0..iters).map(|_| gzip_metrics_doc()).collect();
            send_all(addr, &bodies)
        })
    });
    g.finish();
}

fn stages(c: &mut Criterion) {
    let schemas = support::repo_schemas();
    let now = minute::now();
    let time = minute::format(now);
    let gz = gzip_batch(&time);
    let limit = Limits::default().max_decompressed_bytes;
    let json = candor_collector::body::gunzip_capped(&gz, limit).unwrap();
    let checked_now = candor_collector::validate::Now {
        minute: now,
        skew_minutes: 5,
    };
    let read = || match candor_collector::wire::parse(&json).unwrap() {
        candor_collector::wire::Document::Batch(b) => b,
        _ => unreachable!("a batch"),
    };
    let mut g = c.benchmark_group("ingest_stages");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.bench_function("gunzip", |b| {
        b.iter(|| candor_collector::body::gunzip_capped(&gz, limit).unwrap())
    });
    g.bench_function("read", |b| b.iter(read));
    let batch = read();
    g.bench_function("validate", |b| {
        b.iter(|| candor_collector::validate::check(&schemas, &batch, checked_now))
    });
    let backend = Backend::sqlite();
    let mut store = backend.open();
    g.bench_function("insert_only", |b| {
        b.iter_batched(
            || {
                // Fresh ids each time: a stored id would be skipped, not written.
                let body = support::batch(
                    &rows(&time)
                        .iter()
                        .map(|(id, name, fields)| support::event(id, name, 1, &time, fields))
                        .collect::<Vec<_>>(),
                    None,
                );
                let candor_collector::wire::Document::Batch(b) =
                    candor_collector::wire::parse(body.as_bytes()).unwrap()
                else {
                    unreachable!("a batch")
                };
                candor_collector::validate::check(&schemas, &b, checked_now)
            },
            |checked| store.write(&schemas, &[&checked]).unwrap(),
            criterion::BatchSize::SmallInput,
        )
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    stages(c);
    let metrics = Backend::sqlite();
    metrics_through_collector(c, metrics.collector(support::repo_schemas()));
    let sqlite = Backend::sqlite();
    through_collector(
        c,
        "sqlite_through_collector",
        sqlite.collector(support::repo_schemas()),
    );
    let queueing = Backend::sqlite();
    through_collector(
        c,
        "sqlite_through_collector_forward_queue",
        queueing_collector(&queueing),
    );
    sqlite_floor(c, &Backend::sqlite());
    match Backend::clickhouse() {
        Some(b) => through_collector(
            c,
            "clickhouse_through_collector",
            b.collector(support::repo_schemas()),
        ),
        None => eprintln!("ingest/clickhouse_through_collector: no ClickHouse, not measured"),
    }
}

criterion_group!(ingest, benches);
criterion_main!(ingest);
