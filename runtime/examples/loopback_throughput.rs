//! End-to-end throughput and peak memory: producer threads track events
//! that a real HTTP server on 127.0.0.1 (started here, std only) receives,
//! gunzips and counts. The criterion version of the sustained measurement is
//! `cargo bench -p candor --bench e2e`; this binary adds event counts and
//! batch sizes from the command line, and the burst/peak-memory mode.
//!
//! ```text
//! cargo run --release -p candor --example loopback_throughput -- [--events N] [--producers P] [--batch B] [--burst]
//! ```
//!
//! Default mode is sustained throughput: a producer whose event is refused
//! because the queue is full sleeps 100 µs and tries again, so every event is
//! delivered and events/s is what the whole pipeline sustains. `--burst`
//! is the "10 million events at once" case: producers never wait, a full
//! queue drops (and counts), and the point is the bounded peak memory
//! (VmHWM, read from /proc/self/status on Linux).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use candor::{Client, Config, Consent, HttpTransport, Outcome};

// The same collector the criterion bench `runtime/benches/e2e.rs` uses.
#[path = "../benches/support/collector.rs"]
mod collector;

#[path = "../benches/support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

fn vm_hwm_kib() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut events: u64 = 2_000_000;
    let mut producers: u64 = 4;
    let mut batch = 500usize;
    let mut burst = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut num = || {
            args.next()
                .and_then(|v| v.replace('_', "").parse::<u64>().ok())
                .ok_or("missing number")
        };
        match a.as_str() {
            "--events" => events = num()?,
            "--producers" => producers = num()?,
            "--batch" => batch = num()? as usize,
            "--burst" => burst = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }

    let server = collector::start()?;

    let mut cfg = Config::new("throughput", "1.0.0");
    cfg.batch_max_events = batch;
    let client = Client::start(cfg, HttpTransport::new(&server.url())?)?;
    client.set_consent(Consent::Usage, true);
    let hwm_before = vm_hwm_kib();

    let per = events / producers;
    let retries = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let handles: Vec<_> = (0..producers)
        .map(|p| {
            let client = client.clone();
            let retries = Arc::clone(&retries);
            thread::spawn(move || {
                let mut ev = SwapCompleted {
                    duration_ms: 0,
                    ..SwapCompleted::SAMPLE
                };
                let mut spins = 0u64;
                for i in 0..per {
                    ev.duration_ms = (i + p) % 5000;
                    loop {
                        match client.track(&ev) {
                            Outcome::QueueFull if !burst => {
                                // Back off rather than spin: on a small machine a
                                // spinning producer steals the sender's core.
                                spins += 1;
                                thread::sleep(Duration::from_micros(100));
                            }
                            _ => break,
                        }
                    }
                }
                retries.fetch_add(spins, Ordering::Relaxed);
            })
        })
        .collect();
    for h in handles {
        h.join().expect("producer");
    }
    let produced_in = start.elapsed();
    let report = client.flush(Duration::from_secs(120));
    let total = start.elapsed();
    let c = client.counters();
    client.shutdown(Duration::from_secs(5));
    let got = server.counted();

    println!(
        "mode: {}",
        if burst {
            "burst (drop when full)"
        } else {
            "sustained (retry when full)"
        }
    );
    println!(
        "producers: {producers}, events offered: {}, batch: {batch}",
        per * producers
    );
    println!(
        "tracked: {}, sent: {}, pending after flush: {}",
        c.tracked, c.sent, report.pending
    );
    println!("dropped: {:?}", c.dropped);
    println!("retried: {}, spooled: {}", c.retried, c.spooled);
    println!("server received: {got}");
    println!(
        "producers finished in {:.3} s; delivered in {:.3} s",
        produced_in.as_secs_f64(),
        total.as_secs_f64()
    );
    println!(
        "end-to-end delivered events/s: {:.0}",
        got as f64 / total.as_secs_f64()
    );
    println!(
        "producer retries on full queue: {}",
        retries.load(Ordering::Relaxed)
    );
    if let (Some(b), Some(a)) = (hwm_before, vm_hwm_kib()) {
        println!(
            "VmHWM: {:.1} MiB before producers, {:.1} MiB peak",
            b as f64 / 1024.0,
            a as f64 / 1024.0
        );
    }
    Ok(())
}
