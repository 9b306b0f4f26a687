//! A full queue drops and counts without blocking.

use std::time::Duration;

use candor::{Client, Consent, Outcome};

use crate::support::{fast_config, http, Answer, Clicked, Delivered, Server};

#[test]
fn full_queue_drops_and_counts() {
    let server = Server::start();
    let mut cfg = fast_config();
    cfg.queue_max_events = 100;
    // Nothing wakes the sender before the queue is full: no count/byte
    // threshold is reachable and the interval is long.
    cfg.batch_max_events = 1_000_000;
    cfg.batch_interval = Duration::from_secs(3600);
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    let mut queued = 0;
    let mut full = 0;
    for i in 0..1_000 {
        match client.track(&Clicked {
            button: "b",
            count: 0,
            seq: i,
        }) {
            Outcome::Queued => queued += 1,
            Outcome::QueueFull => full += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // The sender may drain the queue a few times meanwhile (set_consent
    // wakes it, and it wakes at minute boundaries), so the exact split
    // varies; `track_never_waits_for_a_stalled_server` pins it exactly.
    assert!(full > 0 && queued >= 100, "queued {queued}, full {full}");
    assert_eq!(queued + full, 1_000);
    let c = client.counters();
    assert_eq!((c.tracked, c.dropped.queue_full), (queued, full));
    // The queued ones are still delivered.
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(server.delivered_events().len() as u64, queued);
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn oversized_events_are_refused() {
    let server = Server::start();
    let mut cfg = fast_config();
    cfg.max_event_bytes = 250;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Diagnostics, true);
    let small = crate::support::Failed {
        reason: "short".into(),
    };
    let big = crate::support::Failed {
        reason: "xyz ".repeat(60),
    };
    assert_eq!(client.track(&small), Outcome::Queued);
    assert_eq!(client.track(&big), Outcome::TooLarge);
    // Longer than the schema's max_len of 300 chars.
    assert_eq!(
        client.track(&crate::support::Failed {
            reason: "y".repeat(301)
        }),
        Outcome::Invalid
    );
    let c = client.counters();
    assert_eq!(
        (c.tracked, c.dropped.too_large, c.dropped.invalid),
        (1, 1, 1)
    );
    client.shutdown(Duration::from_secs(5));
}

#[test]
fn track_never_waits_for_a_stalled_server() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::{Arc, Mutex};
    let server = Server::start();
    // The first request hangs inside the server until the test releases it.
    let gate = Arc::new(Mutex::new(()));
    let held = gate.lock().unwrap();
    let entered = Arc::new(AtomicBool::new(false));
    let (g, e) = (Arc::clone(&gate), Arc::clone(&entered));
    server.respond_with(move |r| {
        if r.index == 0 {
            e.store(true, Ordering::SeqCst);
            drop(g.lock().unwrap());
        }
        Answer::ok()
    });
    let mut cfg = fast_config();
    cfg.queue_max_events = 500;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.track(&Clicked {
        button: "first",
        count: 1,
        seq: 0,
    });
    crate::support::wait_until(Duration::from_secs(10), || entered.load(Ordering::SeqCst));
    // The sender is now blocked inside the first request.
    let mut outcomes = (0u64, 0u64);
    for i in 1..=2_000 {
        match client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        }) {
            Outcome::Queued => outcomes.0 += 1,
            Outcome::QueueFull => outcomes.1 += 1,
            other => panic!("unexpected {other:?}"),
        }
    }
    // Every call returned while the sender was stuck; the queue bound held.
    assert_eq!(
        outcomes,
        (500, 1_500),
        "exactly the queue's capacity was accepted"
    );
    drop(held);
    assert!(client.flush(Duration::from_secs(20)).is_complete());
    assert_eq!(server.delivered_events().len() as u64, 1 + outcomes.0);
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn track_wakes_the_sender_once_per_batch_not_per_event() {
    let server = Server::start();
    let mut cfg = fast_config();
    cfg.batch_max_events = 500;
    cfg.batch_max_bytes = usize::MAX;
    // The timer stays out of the way: only track() and flush wake the sender here.
    cfg.batch_interval = Duration::from_secs(3600);
    cfg.queue_max_events = 100_000;
    cfg.queue_max_bytes = 64 << 20;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    const EVENTS: u64 = 10_000;
    for i in 0..EVENTS {
        let event = Clicked {
            button: "b",
            count: 0,
            seq: i,
        };
        assert_eq!(client.track(&event), Outcome::Queued);
    }
    // The queue reaches a batch's worth at most once per 500 events (less often when the
    // caller outruns the sender and the queue keeps growing past it); a wake per event
    // would be 10 000.
    let wakeups = client.counters().track_wakeups;
    assert!(
        (1..=EVENTS / 500).contains(&wakeups),
        "{wakeups} wake-ups for {EVENTS} events"
    );
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(server.delivered_events().len() as u64, EVENTS);
    client.shutdown(Duration::from_secs(1));
}
