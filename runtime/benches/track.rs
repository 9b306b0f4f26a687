//! Caller-thread cost of `track()`: consent off (the one-relaxed-load path)
//! and consent on for a 5-field event (encode + scan + enqueue). The sender
//! runs with a transport that discards, so only candor's own work is in the
//! numbers; the network path is measured by `examples/loopback_throughput.rs`.

use std::hint::black_box;
use std::time::{Duration, Instant};

use candor::__private::{bucket_u64, clamp_u64, EncodeError, FieldWriter, StrCheck};
use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, Event, Outcome};
use criterion::{criterion_group, criterion_main, Criterion};

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

/// A typical 5-field event, written the way `#[derive(Event)]` writes it.
#[derive(Clone, Copy)]
struct SwapCompleted {
    network: &'static str,
    asset: &'static str,
    amount_usd: u64,
    duration_ms: u64,
    error_code: &'static str,
}

impl Event for SwapCompleted {
    const NAME: &'static str = "wallet.swap_completed";
    const VERSION: u32 = 1;
    const CONSENT: Consent = Consent::Usage;
    const RETENTION_DAYS: u32 = 30;
    const FINGERPRINT: &'static str = "a1b2c3d4e5f60718";
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        const CODE: StrCheck = StrCheck::new(Some(32), None);
        w.begin();
        w.enum_value("network", self.network);
        w.enum_value("asset", self.asset);
        w.u64(
            "amount_usd",
            bucket_u64(self.amount_usd, &[0, 10, 100, 1_000, 10_000]),
        );
        w.u64(
            "duration_ms",
            clamp_u64(self.duration_ms, None, Some(60_000)),
        );
        w.str("error_code", self.error_code, &CODE)?;
        w.end();
        Ok(())
    }
}

const EVENT: SwapCompleted = SwapCompleted {
    network: "ethereum",
    asset: "usdc",
    amount_usd: 250,
    duration_ms: 1830,
    error_code: "E_TIMEOUT",
};

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

criterion_group! {
    name = track;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(4));
    targets = benches
}
criterion_main!(track);
