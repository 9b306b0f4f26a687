//! Caller-thread cost of `track()`: consent off (the one-relaxed-load path)
//! and consent on for a 5-field event (encode + scan + enqueue). The sender
//! runs with a transport that discards, so only candor's own work is in the
//! numbers; the network path is measured by `runtime/examples/loopback_throughput.rs`.
//!
//! In the same run, the secret scanner alone: what `track()` pays for a string
//! (`scanner/…`, the prescreen: summary and gates) and what the sender thread
//! pays for a string the prescreen could not clear (`scanner_full/…`, the full
//! scan), on the same cases: harmless strings up to the policy's 64 bytes, the
//! worst harmless string per detector (one that passes the detector's gate and
//! makes it work to the end), secrets of every kind, and long strings for the
//! cost per byte.

use std::hint::black_box;
use std::time::{Duration, Instant};

use candor::__private::randomize_index;
use candor::__private::scanner::{prescreen, scan, Prescreen};
use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, EncodeError, Event, EventMeta, FieldWriter, Outcome};
use candor_core::randomized_response::{DeviceRule, RandomizedResponse};
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

/// The same event with a real `expires` date, as most derived events have: `track()` then
/// checks the date against the coarse minute (for `expires: never` the check folds away).
#[derive(Clone, Copy)]
struct Dated(SwapCompleted);

impl Event for Dated {
    const META: EventMeta = EventMeta {
        // 2099-12-31: far enough that the bench never meets it.
        expires_day: 47_481,
        ..SwapCompleted::META
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        self.0.encode_fields(w)
    }
}

/// Past its expiry: `track()` refuses it after the gate, the minute load and the compare.
#[derive(Clone, Copy)]
struct Expired(SwapCompleted);

impl Event for Expired {
    const META: EventMeta = EventMeta {
        expires_day: 20_000, // 2024-10-04
        ..SwapCompleted::META
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        self.0.encode_fields(w)
    }
}

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

    assert_eq!(
        NETWORK,
        RandomizedResponse::new(1.0, 4).unwrap().device_rule()
    );
    assert_eq!(
        AMOUNT,
        RandomizedResponse::new(1.0, 5).unwrap().device_rule()
    );
    let on = client(true);
    c.bench_function("track/consent_on_5_fields", |b| {
        b.iter_custom(|iters| timed_tracks(&on, &EVENT, iters))
    });
    c.bench_function("track/consent_on_5_fields_dated", |b| {
        b.iter_custom(|iters| timed_tracks(&on, &Dated(EVENT), iters))
    });
    let expired = Expired(EVENT);
    c.bench_function("track/schema_expired", |b| {
        b.iter(|| on.track(black_box(&expired)))
    });
    // The same event with two of its fields randomised on the device (randomized response).
    c.bench_function("track/consent_on_5_fields_randomized", |b| {
        b.iter_custom(|iters| timed_tracks(&on, &RandomizedSwap(EVENT), iters))
    });
    on.shutdown(Duration::from_secs(5));

    // One randomised choice alone: two draws from the thread's ChaCha12 at most.
    let rule = RandomizedResponse::new(1.0, 4).unwrap().device_rule();
    c.bench_function("randomize/index_k4", |b| {
        b.iter(|| randomize_index("network", black_box(2), black_box(&rule)))
    });
}

/// Tracks `event` `iters` times and returns the time spent in `track()`. Tracks in chunks that
/// fit the queue, flushing (untimed) between chunks, so every timed call takes the real
/// enqueue path.
fn timed_tracks<E: Event>(on: &Client, event: &E, iters: u64) -> Duration {
    let mut timed = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(10_000);
        let start = Instant::now();
        let mut queued = 0u64;
        for _ in 0..n {
            queued += u64::from(on.track(black_box(event)) == Outcome::Queued);
        }
        timed += start.elapsed();
        assert_eq!(queued, n, "every timed call must be enqueued");
        on.flush(Duration::from_secs(30));
        left -= n;
    }
    timed
}

/// `RandomizedResponse::new(1.0, 4)` and `(1.0, 5)`, as literals the way the derive emits them
/// (checked against the shared computation before measuring).
const NETWORK: DeviceRule = DeviceRule {
    k: 4,
    keep_below: 8_768_971_294_881_393_664,
};
const AMOUNT: DeviceRule = DeviceRule {
    k: 5,
    keep_below: 7_463_731_128_007_847_936,
};

/// [`SwapCompleted`] with `network` (4 values, ε = 1) and the bucketed `amount_usd` (5 buckets,
/// ε = 1) randomised, written the way `#[derive(Event)]` writes such fields.
struct RandomizedSwap(SwapCompleted);

impl Event for RandomizedSwap {
    const META: EventMeta = SwapCompleted::META;
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        use candor::__private::{bucket_u64, clamp_u64, rr_bucket, rr_value, StrCheck};
        const CODE: StrCheck = StrCheck::new(Some(32), None);
        let e = &self.0;
        w.begin();
        w.enum_value(
            "network",
            rr_value(
                "network",
                e.network,
                &["ethereum", "bitcoin", "solana", "other"],
                &NETWORK,
            )?,
        );
        w.enum_value("asset", e.asset);
        w.u64(
            "amount_usd",
            rr_bucket(
                "amount_usd",
                bucket_u64(e.amount_usd, &[0, 10, 100, 1_000, 10_000]),
                &[0, 10, 100, 1_000, 10_000],
                &AMOUNT,
            )?,
        );
        w.u64("duration_ms", clamp_u64(e.duration_ms, None, Some(60_000)));
        w.str("error_code", e.error_code, &CODE)?;
        w.end();
        Ok(())
    }
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
    // The caller's cost: the prescreen `track()` runs on every string.
    let mut g = c.benchmark_group("scanner");
    for (name, s) in SCANNER_CASES {
        assert!(s.len() <= 64, "{name} is {} bytes", s.len());
        // A secret is never cleared by the prescreen.
        if name.starts_with("secret/") {
            assert_eq!(prescreen(s), Prescreen::Check, "{name}");
        }
        g.bench_function(*name, |b| b.iter(|| prescreen(black_box(s))));
    }
    for len in [1024usize, 32 * 1024] {
        g.throughput(Throughput::Bytes(len as u64));
        for (name, unit) in LONG_UNITS {
            let long = long_string(unit, len);
            g.bench_function(format!("long/{name}_{len}"), |b| {
                b.iter(|| prescreen(black_box(&long)))
            });
        }
    }
    g.finish();

    // The sender's cost for a string the prescreen could not clear.
    let mut g = c.benchmark_group("scanner_full");
    for (name, s) in SCANNER_CASES {
        // The cases must be what their names say.
        assert_eq!(scan(s).is_some(), name.starts_with("secret/"), "{name}");
        g.bench_function(*name, |b| b.iter(|| scan(black_box(s))));
    }
    // What the sender pays per flagged record on top of the scan: reading the `fields`
    // object back from the encoded event (the 5-field event, its string one the prescreen
    // cannot clear), then the full scan of its strings.
    let record = br#""name":"wallet.swap_completed","version":1,"time":"2026-11-30T04:00Z","fields":{"network":"ethereum","asset":"usdc","amount_usd":100,"duration_ms":1830,"error_code":"wallet.transaction_signed"}}"#;
    assert_eq!(
        candor::__private::scanner::encoded::scan_tail(record),
        candor::__private::scanner::encoded::Verdict::Clean
    );
    g.bench_function("record/swap_completed_flagged", |b| {
        b.iter(|| candor::__private::scanner::encoded::scan_tail(black_box(record)))
    });
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
