//! Vendor limits hold before anything is sent, against fakes that enforce them the way the
//! vendors do (Segment answers 400 past 500 KB and silently drops events past 2500 per
//! request; Mixpanel refuses more than 2000); the runtime's 413 split is the fallback when a
//! receiver takes less than the sink was told; OTLP's non-retryable statuses drop the batch
//! and count it; a Mixpanel partial refusal and an OTLP partial success count exactly the
//! refused events.

use std::time::Duration;

use candor::transport::vendor::Limits;
use serde_json::json;

use crate::support::*;

/// One runtime batch of `n` events (closed by the flush).
fn one_big_batch() -> candor::Config {
    let mut cfg = config();
    cfg.batch_interval = Duration::from_secs(60);
    cfg.batch_max_events = 100_000;
    cfg.batch_max_bytes = 64 << 20;
    cfg.max_pending_bytes = 64 << 20;
    cfg.queue_max_events = 100_000;
    cfg.queue_max_bytes = 64 << 20;
    cfg
}

#[test]
fn requests_are_cut_to_the_vendors_limits_before_they_are_sent() {
    for (vendor, n) in [(Vendor::Segment, 3000), (Vendor::Mixpanel, 4500)] {
        let fake = Fake::start(vendor);
        let c = client(one_big_batch(), fake.sink());
        track(&c, n);
        assert!(
            c.flush(Duration::from_secs(60)).is_complete(),
            "{vendor}: {:?}",
            c.counters()
        );
        c.shutdown(Duration::from_secs(2));
        fake.assert_each_once(n as usize);
        let reqs = fake.server.requests();
        assert!(reqs.len() >= 3, "{vendor}: one batch, several requests");
        for r in &reqs {
            let count = events(vendor, &r.json).len();
            match vendor {
                Vendor::Segment => assert!(r.body.len() <= 500_000 && count <= 2500),
                _ => assert!(r.body.len() <= 2_000_000 && count <= 2000),
            }
            assert_eq!(r.status, 200);
        }
    }
}

#[test]
fn a_receiver_that_takes_less_than_the_sink_expects_gets_the_batch_split() {
    let fake = Fake::start(Vendor::Otlp);
    // A collector configured for 16 KB bodies answers 413 to anything larger.
    fake.server.respond_with(|r| {
        if r.body.len() > 16_000 {
            Answer::status(413)
        } else {
            judge(Vendor::Otlp, r).0
        }
    });
    let c = client(one_big_batch(), fake.sink());
    track(&c, 200);
    assert!(c.flush(Duration::from_secs(30)).is_complete());
    c.shutdown(Duration::from_secs(2));
    fake.assert_each_once(200);
    let reqs = fake.server.requests();
    assert!(reqs.iter().any(|r| r.status == 413));
    assert!(reqs
        .iter()
        .filter(|r| r.status == 200)
        .all(|r| r.body.len() <= 16_000));
    // The same split when the sink is told the collector's limit: nothing is refused.
    let told = Fake::start(Vendor::Otlp);
    told.server
        .respond_with(|r| Answer::status(if r.body.len() > 16_000 { 413 } else { 200 }));
    let c = client(
        one_big_batch(),
        sink_with(Vendor::Otlp, &told.base(), |l| Limits {
            max_request_bytes: Some(16_000),
            ..l
        }),
    );
    track(&c, 200);
    assert!(c.flush(Duration::from_secs(30)).is_complete());
    c.shutdown(Duration::from_secs(2));
    assert!(told.server.requests().iter().all(|r| r.status == 200));
    told.assert_each_once(200);
}

#[test]
fn otlp_drops_and_counts_what_it_must_not_retry_and_retries_only_four_statuses() {
    let fake = Fake::start(Vendor::Otlp);
    let c = client(config(), fake.sink());
    let mut rejected = 0;
    for status in [400, 401, 403, 404, 405, 415, 500, 501, 505, 507] {
        fake.server.script([Answer::status(status)]);
        let before = fake.server.arrivals();
        c.track(&event(status as u64));
        assert!(c.flush(Duration::from_secs(10)).is_complete(), "{status}");
        rejected += 1;
        assert_eq!(c.counters().dropped.rejected, rejected, "{status}: counted");
        assert_eq!(
            fake.server.arrivals(),
            before + 1,
            "{status}: never retried"
        );
    }
    for status in [429, 502, 503, 504] {
        fake.server.script([Answer::status(status)]);
        let before = fake.server.arrivals();
        c.track(&event(status as u64));
        assert!(c.flush(Duration::from_secs(10)).is_complete(), "{status}");
        assert_eq!(fake.server.arrivals(), before + 2, "{status}: retried once");
    }
    let counters = c.counters();
    c.shutdown(Duration::from_secs(1));
    assert_eq!((counters.sent, counters.dropped.rejected), (4, 10));
    fake.assert_each_once(4);
}

#[test]
fn a_mixpanel_partial_refusal_counts_the_refused_events_and_resends_nothing() {
    let fake = Fake::start(Vendor::Mixpanel);
    // The vendor refuses the second event of the first request and imports the others.
    fake.server.respond_with(|r| {
        if r.index > 0 {
            return judge(Vendor::Mixpanel, r).0;
        }
        let list = r.json.as_array().unwrap();
        let failed = &list[1]["properties"]["$insert_id"];
        Answer::status(400).body(
            json!({"code": 400, "error": "some data points in the request failed validation",
                   "failed_records": [{"index": 1, "$insert_id": failed,
                                       "field": "properties.time", "message": "invalid"}],
                   "num_records_imported": list.len() - 1, "status": "Bad Request"})
            .to_string(),
        )
    });
    let mut cfg = config();
    cfg.batch_interval = Duration::from_secs(60);
    let c = client(cfg, fake.sink());
    track(&c, 5);
    assert!(c.flush(Duration::from_secs(10)).is_complete());
    let counters = c.counters();
    c.shutdown(Duration::from_secs(1));
    assert_eq!((counters.sent, counters.dropped.rejected), (4, 1));
    assert_eq!(counters.retried, 0);
    assert_eq!(fake.server.arrivals(), 1, "a 400 is never resent");
}

#[test]
fn an_otlp_partial_success_counts_the_rejected_records_and_resends_nothing() {
    let fake = Fake::start(Vendor::Otlp);
    fake.server.script([Answer::ok()
        .header("Content-Type", "application/json")
        .body(r#"{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"timestamps out of range"}}"#)]);
    let mut cfg = config();
    cfg.batch_interval = Duration::from_secs(60);
    let c = client(cfg, fake.sink());
    track(&c, 5);
    assert!(c.flush(Duration::from_secs(10)).is_complete());
    let counters = c.counters();
    c.shutdown(Duration::from_secs(1));
    assert_eq!((counters.sent, counters.dropped.rejected), (3, 2));
    assert_eq!(counters.retried, 0);
    assert_eq!(
        fake.server.arrivals(),
        1,
        "a partial success is never retried"
    );
}
