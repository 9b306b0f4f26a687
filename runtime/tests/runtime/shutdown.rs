//! Stopping is not revoking: what `shutdown` reports as spooled is delivered by the next start,
//! whatever the app does with the client afterwards (keeps tracking, changes other consent,
//! flushes, drops it) and whatever the request that was on the wire turns out to be. Only an
//! opt-out of the category deletes it, as an opt-out always does.

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use candor::{Client, Consent, Outcome};

use crate::support::{
    fast_config, http, temp_dir, wait_until, Answer, Clicked, Document, Failed, Server,
};

const N: u64 = 3_000;

fn config(dir: &Path) -> candor::Config {
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    cfg.state_dir = Some(dir.join("state"));
    cfg.batch_max_events = 100;
    cfg
}

fn click(seq: u64) -> Clicked {
    Clicked {
        button: "b",
        count: 1,
        seq,
    }
}

/// Distinct `seq`s of `button` events the server acknowledged.
fn delivered_seqs(server: &Server, button: &str) -> HashSet<u64> {
    server
        .requests()
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .flat_map(|r| r.events())
        .filter(|e| e["fields"]["button"] == button)
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect()
}

/// Spools `N` events while every request hangs for `hang` and then gets `answer`, shuts down
/// with a request on the wire, then misuses the client.
fn shutdown_mid_request_then_misuse(dir: &Path, server: &Server, answer: u16) -> usize {
    let hang = Duration::from_millis(1_500);
    server.respond_with(move |_| Answer::status(answer).delay(hang));
    let client = Client::start(config(dir), http(&server.url())).unwrap();
    assert!(client.set_consent(Consent::Usage, true));
    for i in 0..N {
        assert_eq!(client.track(&click(i)), Outcome::Queued);
    }
    // Everything is on disk and a request is on the wire.
    wait_until(Duration::from_secs(20), || {
        client.counters().spooled == N && server.arrivals() > server.request_count()
    });
    let report = client.shutdown(Duration::from_millis(100));
    // Batches answered before the shutdown (the answer takes 1.5 s, so at most those sent
    // before the wait above ended) are delivered; the rest is pending, all of it spooled.
    let acked = delivered_seqs(server, "b").len() as u64;
    assert_eq!(report.pending as u64 + acked, N, "{report:?}");
    assert_eq!(report.spooled, report.pending, "everything is spooled");

    // The app keeps going: nothing is recorded, other consent changes, a flush, a second
    // shutdown. Meanwhile the request on the wire is answered and the sender wakes again.
    for i in 0..1_000 {
        assert_eq!(client.track(&click(N + i)), Outcome::ConsentOff);
    }
    assert!(!client.set_consent(Consent::Diagnostics, true));
    assert!(!client.set_consent(Consent::Usage, true));
    assert_eq!(
        client.track(&Failed { reason: "x".into() }),
        Outcome::ConsentOff
    );
    client.flush(Duration::from_millis(100));
    // A second shutdown waits for the sender to take the answer and exit.
    let again = client.shutdown(Duration::from_secs(10));
    wait_until(Duration::from_secs(10), || server.settled());
    let c = client.counters();
    assert_eq!(c.dropped.revoked, 0, "stopping is not revoking: {c:?}");
    assert_eq!(
        c.tracked + c.loaded,
        c.sent + c.dropped.after_acceptance() + c.pending
    );
    assert!(again.spooled <= report.spooled);
    drop(client);
    report.spooled
}

fn restart_and_deliver(dir: &Path, server: &Server) -> candor::Counters {
    server.respond_with(|_| Answer::ok());
    let client = Client::start(config(dir), http(&server.url())).unwrap();
    assert!(
        client.consent(Consent::Usage),
        "the choice survived shutdown"
    );
    assert!(client.flush(Duration::from_secs(20)).is_complete());
    let c = client.counters();
    client.shutdown(Duration::from_secs(2));
    c
}

#[test]
fn what_shutdown_reports_spooled_is_delivered_by_the_next_start_after_a_failed_request() {
    let server = Server::start();
    let dir = temp_dir("shutdown-503");
    let spooled = shutdown_mid_request_then_misuse(&dir, &server, 503);
    assert_eq!(spooled as u64, N, "a failing server acknowledged nothing");
    let c = restart_and_deliver(&dir, &server);
    assert_eq!(c.loaded, N, "nothing was deleted after shutdown");
    assert_eq!(delivered_seqs(&server, "b"), (0..N).collect::<HashSet<_>>());
    assert!(delivered_seqs(&server, "b").iter().all(|&s| s < N));
}

#[test]
fn what_shutdown_reports_spooled_is_delivered_by_the_next_start_after_a_delivered_request() {
    let server = Server::start();
    let dir = temp_dir("shutdown-200");
    let spooled = shutdown_mid_request_then_misuse(&dir, &server, 200) as u64;
    let acked = delivered_seqs(&server, "b").len() as u64;
    assert!(
        acked > N - spooled,
        "the request on the wire was answered after the report"
    );
    let c = restart_and_deliver(&dir, &server);
    // The request on the wire was delivered; its spool file went with it, and everything
    // else comes back: nothing twice, nothing lost.
    assert_eq!(c.loaded, N - acked);
    assert_eq!(delivered_seqs(&server, "b"), (0..N).collect::<HashSet<_>>());
    let all: Vec<String> = server
        .requests()
        .iter()
        .filter(|r| r.status == 200)
        .flat_map(|r| r.event_ids())
        .collect();
    assert_eq!(all.len() as u64, N, "each event delivered once");
}

#[test]
fn shutdown_spools_what_is_still_queued_while_the_sender_is_stuck() {
    let server = Server::start();
    let dir = temp_dir("shutdown-queued");
    // Every request hangs far longer than the test waits for shutdown.
    server.respond_with(|_| Answer::status(503).delay(Duration::from_secs(3)));
    let mut cfg = config(&dir);
    cfg.batch_max_events = 10;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.track(&click(0));
    wait_until(Duration::from_secs(10), || server.arrivals() == 1);
    // The sender is blocked in the request: these stay in the queue.
    for i in 1..=500 {
        assert_eq!(client.track(&click(i)), Outcome::Queued);
    }
    let report = client.shutdown(Duration::ZERO);
    assert_eq!(report.pending, 501);
    assert_eq!(
        report.spooled, 501,
        "shutdown wrote the queue to the spool itself"
    );
    drop(client);
    let c = restart_and_deliver(&dir, &server);
    assert_eq!(c.loaded, 501);
    assert_eq!(
        delivered_seqs(&server, "b"),
        (0..=500).collect::<HashSet<_>>()
    );
}

#[test]
fn an_opt_out_after_shutdown_still_deletes_the_category_at_once() {
    let server = Server::start();
    server.respond_with(|_| Answer::status(503));
    let dir = temp_dir("shutdown-optout");
    let client = Client::start(config(&dir), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..200 {
        client.track(&click(i));
    }
    let report = client.shutdown(Duration::from_millis(300));
    assert_eq!(report.spooled, 200);
    assert!(!client.set_consent(Consent::Usage, false));
    assert_eq!(
        std::fs::read_dir(dir.join("spool")).unwrap().count(),
        0,
        "the person's opt-out deletes spooled events even after shutdown"
    );
    // A request still on the wire when shutdown gave up holds its events until its answer
    // (they may arrive: then they left before the opt-out); the server refuses them all.
    wait_until(Duration::from_secs(10), || client.counters().pending == 0);
    let c = client.counters();
    assert_eq!((c.dropped.revoked, c.pending), (200, 0));
    drop(client);
    server.respond_with(|_| Answer::ok());
    let next = Client::start(config(&dir), http(&server.url())).unwrap();
    assert!(!next.consent(Consent::Usage), "the opt-out was persisted");
    assert_eq!(next.counters().loaded, 0);
    next.shutdown(Duration::from_secs(1));
    assert!(delivered_seqs(&server, "b").is_empty());
}
