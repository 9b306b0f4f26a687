//! `track()` does not allocate per event (docs/runtime.md: the caller encodes into a reused
//! thread-local buffer and appends to a queue buffer whose capacity is recycled).
//!
//! dhat's counting allocator sees every thread of the process, so this binary holds this one
//! test. The sender is kept asleep (a batch's worth is out of reach, its timer is an hour, and
//! the window avoids a minute boundary) so that what is counted is the caller's work.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use candor::{Client, Config, Consent, FileTransport, Outcome};

#[global_allocator]
static ALLOC: dhat::Alloc = dhat::Alloc;

#[path = "runtime/support/events.rs"]
mod events;
use events::Clicked;

const EVENTS: u64 = 10_000;

fn track_all(client: &Client, offset: u64) {
    for seq in offset..offset + EVENTS {
        let event = Clicked {
            button: "save",
            count: 1,
            seq,
        };
        assert_eq!(client.track(&event), Outcome::Queued);
    }
}

#[test]
fn track_does_not_allocate_per_event() {
    let mut cfg = Config::new("candor-alloc-test", "0.1.0");
    cfg.batch_max_events = 1_000_000;
    cfg.batch_max_bytes = usize::MAX;
    cfg.batch_interval = Duration::from_secs(3600);
    cfg.queue_max_events = 4 * EVENTS as usize;
    cfg.queue_max_bytes = 64 << 20;
    let client = Client::start(cfg, FileTransport::new(std::io::sink())).unwrap();
    client.set_consent(Consent::Usage, true);
    // Warm-up: the thread-local buffer and the queue's buffer grow to their working size. The
    // sender takes the queue's buffer and hands its own spare one back at its next take, so
    // after two rounds both buffers have the capacity of a round.
    for round in 0..2 {
        track_all(&client, round * EVENTS);
        assert!(client.flush(Duration::from_secs(10)).is_complete());
        // While a flush waits the sender polls every 5 ms; let it go back to its long sleep.
        std::thread::sleep(Duration::from_millis(100));
    }
    // The sender also wakes at each minute boundary (to update the clock events carry) and
    // would then drain the queue: keep the measured windows clear of one.
    let into_minute = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs()
        % 60;
    if into_minute >= 55 {
        std::thread::sleep(Duration::from_secs(61 - into_minute));
    }

    // Up to three windows of 10 000 events; the fewest allocations count. The sender's work
    // can only add to a window (on a loaded machine it may still be winding down from the
    // flush), while an allocation per event would put 10 000 blocks in every one of them.
    let mut fewest = u64::MAX;
    let mut windows = 0;
    while windows < 3 && fewest > 8 {
        let profiler = dhat::Profiler::builder().testing().build();
        track_all(&client, (2 + windows) * EVENTS);
        let stats = dhat::HeapStats::get();
        drop(profiler);
        fewest = fewest.min(stats.total_blocks);
        windows += 1;
    }
    // The caller's steady state is no allocation at all; a little slack keeps the test about
    // per-event cost rather than this exact count.
    assert!(
        fewest <= 8,
        "at least {fewest} allocations per {EVENTS} tracked events in each of {windows} windows"
    );
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(client.counters().tracked, (2 + windows) * EVENTS);
    client.shutdown(Duration::from_secs(1));
}
