//! Delivery of every sink through faults, driving a real `Client`: connection resets, 503,
//! 429 with `Retry-After`, 502, hitting requests in the middle of batches that each became
//! several vendor requests. Nothing is lost, nothing is kept twice, no id ever changes, a
//! failed request is resent byte for byte, and what a batch already finished is not resent.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::*;

const EVENTS: u64 = 24;

fn delivers_through_faults(vendor: Vendor) {
    let fake = Fake::start(vendor);
    // Vendor requests 1, 3, 5 and 7 fail: the 2nd to 5th of the batch's six requests, each
    // once, so every fault falls in the middle of the batch.
    fake.faults(|i| match i {
        1 => Some(Answer::reset()),
        3 => Some(Answer::status(503)),
        5 => Some(Answer::status(429).retry_after("1")),
        7 => Some(Answer::status(502)),
        _ => None,
    });
    // One batch of all the events (closed by the flush), six vendor requests.
    let mut cfg = config();
    cfg.batch_interval = Duration::from_secs(60);
    let c = client(cfg, sink_with(vendor, &fake.base(), per_request(4)));
    track(&c, EVENTS);
    assert!(
        c.flush(Duration::from_secs(30)).is_complete(),
        "{vendor}: {:?}",
        c.counters()
    );
    let counters = c.counters();
    c.shutdown(Duration::from_secs(2));

    let kept = fake.assert_each_once(EVENTS as usize);
    let attempted: BTreeSet<String> = fake.attempted_ids().into_iter().collect();
    assert_eq!(
        attempted, kept,
        "{vendor}: no attempt ever carried another id"
    );
    assert_eq!((counters.sent, counters.dropped.rejected), (EVENTS, 0));
    assert_eq!(counters.retried, 4, "{vendor}: {counters:?}");

    let reqs = fake.server.requests();
    assert_eq!(reqs.len(), 10, "{vendor}: six requests and four resends");
    for f in [1, 3, 5, 7] {
        let failed = &reqs[f];
        assert!(
            reqs[f + 1..]
                .iter()
                .any(|r| r.body == failed.body && (200..300).contains(&r.status)),
            "{vendor}: request {f} was resent byte for byte and accepted"
        );
    }
    // Retry-After: the request after the 429 waited the second the vendor asked for.
    assert!(
        reqs[6].at.duration_since(reqs[5].at) >= Duration::from_secs(1),
        "{vendor}: Retry-After not honoured"
    );
    // What the vendor acknowledged was never sent again, not even inside a later attempt at
    // the same batch: the sink skips what the batch already finished.
    for (i, r) in reqs.iter().enumerate().filter(|(_, r)| r.status == 200) {
        let done: BTreeSet<String> = ids(vendor, &r.json).into_iter().collect();
        for later in &reqs[i + 1..] {
            assert!(
                ids(vendor, &later.json).iter().all(|id| !done.contains(id)),
                "{vendor}: request {} resent what request {i} delivered",
                later.index
            );
        }
    }
    let acknowledged = reqs.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        acknowledged,
        EVENTS as usize / 4,
        "{vendor}: six requests of four"
    );
}

#[test]
fn segment_delivers_through_faults() {
    delivers_through_faults(Vendor::Segment);
}

#[test]
fn mixpanel_delivers_through_faults() {
    delivers_through_faults(Vendor::Mixpanel);
}

#[test]
fn snowplow_delivers_through_faults() {
    delivers_through_faults(Vendor::Snowplow);
}

#[test]
fn posthog_delivers_through_faults() {
    delivers_through_faults(Vendor::PostHog);
}

#[test]
fn otlp_delivers_through_faults() {
    delivers_through_faults(Vendor::Otlp);
}

#[test]
fn every_sink_delivers_after_the_vendor_was_down() {
    for vendor in Vendor::ALL {
        let port = dead_port();
        let base = format!("http://127.0.0.1:{port}");
        let c = client(config(), sink_with(vendor, &base, per_request(3)));
        track(&c, 10);
        let report = c.flush(Duration::from_millis(300));
        assert_eq!(report.pending, 10, "{vendor}: nothing delivered while down");
        assert!(c.counters().retried >= 1);
        let fake = Fake::on(vendor, Server::start_on(port));
        assert!(c.flush(Duration::from_secs(20)).is_complete(), "{vendor}");
        fake.assert_each_once(10);
        assert_eq!(c.counters().sent, 10);
        c.shutdown(Duration::from_secs(2));
    }
}
