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
        Ok(Response::new(200))
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

/// The SHA-256 written from FIPS 180-4 that the scanner used before it
/// moved to `sha2` (now the corpus generator's), for the comparison below.
#[path = "../tests/runtime/scanner_corpus/sha256.rs"]
#[allow(dead_code)]
mod own_sha256;

#[path = "support/scanner_cases.rs"]
mod scanner_cases;
use scanner_cases::{long_string, LONG_UNITS, SCANNER_CASES};

const SHA256_H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

fn scanner_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("scanner");
    for (name, s) in SCANNER_CASES {
        assert!(s.len() <= 64, "{name} is {} bytes", s.len());
        // The cases must be what their names say.
        assert_eq!(scan(s).is_some(), name.starts_with("secret/"), "{name}");
        g.bench_function(*name, |b| b.iter(|| scan(black_box(s))));
    }
    // A base58check checksum (SHA-256 twice) of an address payload (21
    // bytes): the portable implementation written from the standard against
    // `sha2`'s compression function (SHA-NI detected at run time).
    let payload = [0x6fu8; 21];
    g.bench_function("sha256d/own_portable", |b| {
        b.iter(|| own_sha256::checksum(black_box(&payload)))
    });
    let sha2_checksum = |payload: &[u8; 21]| {
        let mut block = [0u8; 64];
        block[..21].copy_from_slice(payload);
        block[21] = 0x80;
        block[63] = 21 * 8;
        let mut h = SHA256_H0;
        sha2::block_api::compress256(&mut h, &[block]);
        let mut second = [0u8; 64];
        for (o, w) in second.chunks_exact_mut(4).zip(h) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        second[32] = 0x80;
        second[62] = 1; // 256 bits
        let mut h2 = SHA256_H0;
        sha2::block_api::compress256(&mut h2, &[second]);
        h2[0].to_be_bytes()
    };
    assert_eq!(sha2_checksum(&payload), own_sha256::checksum(&payload));
    g.bench_function("sha256d/sha2", |b| {
        b.iter(|| sha2_checksum(black_box(&payload)))
    });
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
