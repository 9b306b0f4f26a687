//! A full queue drops and counts without blocking.

use std::time::Duration;

use candor::{Client, Consent, Outcome};

use crate::support::{fast_config, http, Clicked, Server};

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
    // set_consent wakes the sender once; it may drain the queue one time
    // while we track, so between 100 and 200 fit. Nothing else frees space.
    assert!((100..=200).contains(&queued), "queued {queued}");
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
