//! End-to-end throughput: 4 producer threads track a 5-field event through a
//! real `candor::Client` and its real `HttpTransport` (gzip, HTTP/1.1) to a
//! collector on 127.0.0.1 started here (`candor-testkit`), which gunzips and counts.
//!
//! ```text
//! cargo bench -p candor --bench e2e
//! ```
//!
//! One iteration delivers `EVENTS` events: the clock runs from the moment the
//! producers are released until `flush()` reports nothing pending and the
//! server has counted every event sent, so criterion's events/s is delivered
//! events, not accepted ones. A producer whose event meets a full queue
//! sleeps 100 µs and retries (the example `loopback_throughput`'s sustained
//! mode), so every event is delivered. Nothing is sent to any address but
//! 127.0.0.1.

use std::hint::black_box;
use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use candor::{Client, Config, Consent, HttpTransport, Outcome};
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

#[path = "support/collector.rs"]
mod collector;
use candor_testkit::Server;

#[path = "support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

const PRODUCERS: u64 = 4;
/// Events delivered per iteration: large enough that thread start-up and the
/// last partly filled batch are noise (about 0.3–0.6 s on the 2-core VM),
/// small enough that a full `cargo bench -p candor` stays within minutes.
const EVENTS: u64 = 400_000;

/// Tracks `EVENTS` events from `PRODUCERS` threads and waits until all of
/// them reached the server; returns the time from release to delivery.
fn deliver(client: &Client, server: &Server) -> Duration {
    let per = EVENTS / PRODUCERS;
    let sent_before = client.counters().sent;
    let received_before = server.counted();
    let go = Barrier::new(PRODUCERS as usize + 1);
    let start = thread::scope(|s| {
        for p in 0..PRODUCERS {
            let go = &go;
            s.spawn(move || {
                let mut ev = SwapCompleted {
                    duration_ms: 0,
                    ..SwapCompleted::SAMPLE
                };
                go.wait();
                for i in 0..per {
                    ev.duration_ms = (i + p) % 5000;
                    loop {
                        match client.track(black_box(&ev)) {
                            Outcome::Queued => break,
                            // Sleep rather than spin: on 2 cores a spinning
                            // producer steals the sender's time.
                            Outcome::QueueFull => thread::sleep(Duration::from_micros(100)),
                            other => panic!("event not queued: {other:?}"),
                        }
                    }
                }
            });
        }
        go.wait();
        Instant::now()
    });
    let report = client.flush(Duration::from_secs(120));
    assert!(report.is_complete(), "undelivered after flush: {report:?}");
    let deadline = Instant::now() + Duration::from_secs(10);
    while server.counted() - received_before < EVENTS {
        assert!(
            Instant::now() < deadline,
            "server counted {} of {EVENTS}",
            server.counted() - received_before
        );
        thread::yield_now();
    }
    let elapsed = start.elapsed();
    assert_eq!(client.counters().sent - sent_before, EVENTS);
    assert_eq!(server.counted() - received_before, EVENTS);
    elapsed
}

fn benches(c: &mut Criterion) {
    let server = collector::start().expect("loopback server starts");
    let mut group = c.benchmark_group("e2e_loopback_4_producers");
    group.throughput(Throughput::Elements(EVENTS));
    // Each iteration takes a fraction of a second: flat sampling gives every
    // sample the same few iterations instead of criterion's linear ramp.
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(10));
    // The default batch (500 events) and the larger one docs/benchmarks.md
    // also reports; everything else is `Config`'s defaults.
    for batch in [500usize, 5_000] {
        let mut cfg = Config::new("bench-e2e", "1.0.0");
        cfg.batch_max_events = batch;
        let transport = HttpTransport::new(&server.url()).expect("loopback endpoint");
        let client = Client::start(cfg, transport).expect("client starts");
        client.set_consent(Consent::Usage, true);
        group.bench_function(format!("batch_{batch}"), |b| {
            b.iter_custom(|iters| (0..iters).map(|_| deliver(&client, &server)).sum())
        });
        // `queue_full` counts refused attempts that the producers retried
        // (every event was delivered, asserted per iteration); any other
        // drop would mean events were lost.
        let c = client.counters();
        let lost = c.dropped.total() - c.dropped.queue_full;
        assert_eq!(lost, 0, "dropped: {:?}", c.dropped);
        eprintln!(
            "batch_{batch}: {} attempts met a full queue and were retried",
            c.dropped.queue_full
        );
        client.shutdown(Duration::from_secs(10));
    }
    group.finish();
}

criterion_group!(e2e, benches);
criterion_main!(e2e);
