//! Server down and back, 429 + Retry-After, 5xx backoff, 413 split, 4xx drop.

use std::collections::HashSet;
use std::time::Duration;

use candor::{Client, Consent};

use crate::support::{dead_port, fast_config, http, Answer, Clicked, Delivered, Document, Server};

fn seqs(events: &[serde_json::Value]) -> Vec<u64> {
    let mut s: Vec<u64> = events
        .iter()
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect();
    s.sort_unstable();
    s
}

#[test]
fn delivers_after_server_was_down() {
    let port = dead_port();
    let client = Client::start(
        fast_config(),
        http(&format!("http://127.0.0.1:{port}/v1/batch")),
    )
    .unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..50 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
    }
    let report = client.flush(Duration::from_millis(300));
    assert_eq!(report.pending, 50, "nothing can be delivered while down");
    assert!(client.counters().retried >= 1);

    let server = Server::start_on(port);
    let report = client.flush(Duration::from_secs(10));
    assert!(report.is_complete(), "{report:?}");
    assert_eq!(
        seqs(&server.delivered_events()),
        (0..50).collect::<Vec<_>>()
    );
    assert_eq!(client.counters().sent, 50);
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn honours_retry_after_on_429() {
    let server = Server::start();
    server.respond_with(|r| {
        if r.index == 0 {
            Answer::status(429).retry_after("1")
        } else {
            Answer::ok()
        }
    });
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.track(&Clicked {
        button: "b",
        count: 1,
        seq: 7,
    });
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2);
    // Backoff alone would retry within 100 ms; the server asked for 1 s.
    assert!(reqs[1].at.duration_since(reqs[0].at) >= Duration::from_secs(1));
    assert_eq!(
        reqs[0].event_ids(),
        reqs[1].event_ids(),
        "a retry resends the same ids"
    );
    assert_eq!(client.counters().retried, 1);
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn retries_5xx_with_backoff_then_delivers_once() {
    let server = Server::start();
    server.respond_with(|r| {
        Answer::status(if r.index < 3 {
            [500, 502, 503][r.index]
        } else {
            200
        })
    });
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..10 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
    }
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    assert!(reqs.iter().all(|r| r.event_ids() == reqs[0].event_ids()));
    assert_eq!(
        seqs(&server.delivered_events()),
        (0..10).collect::<Vec<_>>()
    );
    let c = client.counters();
    assert_eq!((c.retried, c.sent), (3, 10));
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn splits_batches_answered_413() {
    let server = Server::start();
    server.respond_with(|r| {
        let n = r.json["events"].as_array().map_or(0, Vec::len);
        Answer::status(if n > 4 { 413 } else { 200 })
    });
    let mut cfg = fast_config();
    cfg.batch_interval = Duration::from_secs(3600);
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..20 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
    }
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let delivered = server.delivered_events();
    assert_eq!(seqs(&delivered), (0..20).collect::<Vec<_>>());
    let ids: HashSet<&str> = delivered
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 20);
    assert!(server.requests().iter().any(|r| r.status == 413));
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn drops_and_counts_other_4xx() {
    let server = Server::start();
    server.respond_with(|_| Answer::status(400));
    let client = Client::start(fast_config(), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..5 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
    }
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(server.request_count(), 1, "no retry on 400");
    let c = client.counters();
    assert_eq!((c.sent, c.dropped.rejected), (0, 5));
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn offline_backpressure_fills_the_queue_instead_of_dropping_accepted_events() {
    let port = dead_port();
    let mut cfg = fast_config();
    cfg.batch_max_events = 10;
    cfg.queue_max_events = 50;
    cfg.max_pending_bytes = 8 * 1024;
    let client = Client::start(cfg, http(&format!("http://127.0.0.1:{port}/v1/batch"))).unwrap();
    client.set_consent(Consent::Usage, true);
    let mut full = 0u64;
    for i in 0..1_000 {
        if client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        }) == candor::Outcome::QueueFull
        {
            full += 1;
        }
    }
    // Let the sender drain what it may while the server is down.
    client.flush(Duration::from_millis(300));
    let c = client.counters();
    assert!(full > 0, "the pending bound must push back on the queue");
    assert_eq!(
        c.dropped.overflow, 0,
        "accepted events are never pushed out"
    );
    assert_eq!(c.tracked + c.dropped.queue_full, 1_000);

    // Everything accepted is delivered once the server is back.
    let server = Server::start_on(port);
    assert!(client.flush(Duration::from_secs(20)).is_complete());
    assert_eq!(server.delivered_events().len() as u64, c.tracked);
    client.shutdown(Duration::from_secs(1));
}
