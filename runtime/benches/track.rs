//! Caller-thread cost of `track()`: consent off (the one-relaxed-load path)
//! and consent on for a 5-field event (encode + scan + enqueue). The sender
//! runs with a transport that discards, so only candor's own work is in the
//! numbers; the network path is measured by `runtime/examples/loopback_throughput.rs`.
//!
//! In the same run, the secret scanner alone (`scanner/…`): harmless strings
//! up to the policy's 64 bytes, the worst harmless string per detector (one
//! that passes the detector's gate and makes it work to the end), secrets of
//! every kind, and long strings for the cost per byte.

use std::hint::black_box;
use std::time::{Duration, Instant};

use candor::__private::scanner::scan;
use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, Event, Outcome};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// Discards every document (answers 200).
struct Discard;

impl Transport for Discard {
    fn send(&mut self, r: &Request<'_>) -> Result<Response, TransportError> {
        black_box(r.json.len());
        Ok(Response {
            status: 200,
            retry_after: None,
        })
    }
}

#[path = "support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

const EVENT: SwapCompleted = SwapCompleted::SAMPLE;

fn client(consent: bool) -> Client {
    let mut cfg = Config::new("bench", "1.0.0");
    cfg.queue_max_events = 20_000;
    cfg.queue_max_bytes = 16 << 20;
    let c = Client::start(cfg, Discard).expect("client starts");
    c.set_consent(Consent::Usage, consent);
    c
}

fn benches(c: &mut Criterion) {
    let off = client(false);
    c.bench_function("track/consent_off/client", |b| {
        b.iter(|| off.track(black_box(&EVENT)))
    });
    // No global client installed: `Event::track` is the static-mask check.
    c.bench_function("track/consent_off/global", |b| {
        b.iter(|| black_box(EVENT).track())
    });

    let on = client(true);
    c.bench_function("track/consent_on_5_fields", |b| {
        b.iter_custom(|iters| {
            // Track in chunks that fit the queue, flushing (untimed) between
            // chunks, so every timed call takes the real enqueue path.
            let mut timed = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(10_000);
                let start = Instant::now();
                let mut queued = 0u64;
                for _ in 0..n {
                    queued += u64::from(on.track(black_box(&EVENT)) == Outcome::Queued);
                }
                timed += start.elapsed();
                assert_eq!(queued, n, "every timed call must be enqueued");
                on.flush(Duration::from_secs(30));
                left -= n;
            }
            timed
        })
    });
    on.shutdown(Duration::from_secs(5));
}

#[path = "support/scanner_cases.rs"]
mod scanner_cases;
use scanner_cases::{long_string, LONG_UNITS, SCANNER_CASES};

fn scanner_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("scanner");
    for (name, s) in SCANNER_CASES {
        assert!(s.len() <= 64, "{name} is {} bytes", s.len());
        // The cases must be what their names say.
        assert_eq!(scan(s).is_some(), name.starts_with("secret/"), "{name}");
        g.bench_function(*name, |b| b.iter(|| scan(black_box(s))));
    }
    // Cost per byte on long strings (events may be 32 KiB).
    for len in [1024usize, 32 * 1024] {
        g.throughput(Throughput::Bytes(len as u64));
        for (name, unit) in LONG_UNITS {
            let long = long_string(unit, len);
            assert_eq!(scan(&long), None, "long/{name}_{len}");
            g.bench_function(format!("long/{name}_{len}"), |b| {
                b.iter(|| scan(black_box(&long)))
            });
        }
    }
    g.finish();
}

criterion_group! {
    name = track;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(4));
    targets = benches, scanner_benches
}
criterion_main!(track);
