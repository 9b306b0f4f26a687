//! The accounting identity against a real loopback server, as a property over random
//! interleavings of tracking (diagnostics events carrying, one in three, a secret that only
//! the sender's full scan finds), opt-out and opt-in, server faults (5xx, 429, 413,
//! connection reset, server down) and shutdown followed by a restart:
//!
//! - every counters snapshot satisfies `tracked + loaded == sent + dropped.after_acceptance()
//!   + pending`;
//! - what a shutdown reports as spooled is what the next start loads;
//! - in the end every event is delivered or dropped, and the events the server acknowledged
//!   are exactly the events the clients counted as sent;
//! - no secret is in any request, and each one tracked was counted `secret_deferred` (or
//!   `revoked`, when an opt-out purged it from the queue first).

use std::collections::HashSet;
use std::path::Path;
use std::time::Duration;

use candor::{Client, Consent, Counters};
use proptest::prelude::*;

use crate::support::{fast_config, http, temp_dir, Answer, Clicked, Document, Failed, Server};

#[derive(Clone, Debug)]
enum Op {
    Track(u8, bool),
    OptOut(bool),
    OptIn(bool),
    Fault(Fault),
    Flush(u8),
    Restart,
}

#[derive(Clone, Copy, Debug)]
enum Fault {
    Healthy,
    ServerError,
    TooManyRequests,
    TooLarge,
    Reset,
    Down,
}

fn op() -> impl Strategy<Value = Op> {
    let fault = prop_oneof![
        Just(Fault::Healthy),
        Just(Fault::ServerError),
        Just(Fault::TooManyRequests),
        Just(Fault::TooLarge),
        Just(Fault::Reset),
        Just(Fault::Down),
    ];
    prop_oneof![
        4 => (1u8..40, any::<bool>()).prop_map(|(n, usage)| Op::Track(n, usage)),
        1 => any::<bool>().prop_map(Op::OptOut),
        1 => any::<bool>().prop_map(Op::OptIn),
        2 => fault.prop_map(Op::Fault),
        2 => (0u8..4).prop_map(Op::Flush),
        1 => Just(Op::Restart),
    ]
}

fn category(usage: bool) -> Consent {
    if usage {
        Consent::Usage
    } else {
        Consent::Diagnostics
    }
}

fn config(dir: &Path) -> candor::Config {
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    cfg.state_dir = Some(dir.join("state"));
    cfg.batch_max_events = 7;
    cfg.batch_interval = Duration::from_millis(20);
    cfg
}

/// A diagnostics reason: every third one a secret (an e-mail, a personal IPv4 address, an
/// API key) that `track()` queues and the sender deletes.
fn reason(seq: u64) -> String {
    match seq % 9 {
        0 => format!("mail user{seq}@example.com failed"),
        3 => format!("peer 10.0.{}.{} lost", seq / 200 % 250, seq % 200 + 1),
        6 => format!("key sk_live_{seq:0>24}"),
        _ => format!("r{seq}"),
    }
}

fn is_secret(reason: &str) -> bool {
    reason.contains("@example.com") || reason.starts_with("peer 10.") || reason.contains("sk_live_")
}

fn balanced(c: &Counters) -> bool {
    c.tracked + c.loaded == c.sent + c.dropped.after_acceptance() + c.pending
}

/// The server as the fault leaves it (a down server is stopped; any other fault starts it
/// again on the same port).
struct Peer {
    port: u16,
    server: Option<Server>,
    /// Requests answered by servers that were stopped.
    earlier: Vec<candor_testkit::Received>,
}

impl Peer {
    fn set(&mut self, fault: Fault) {
        if let Fault::Down = fault {
            if let Some(s) = self.server.take() {
                // Let a request being answered finish before the port closes, so that the
                // server's log and the client agree on what was acknowledged.
                s.respond_with(|_| Answer::reset());
                let end = std::time::Instant::now() + Duration::from_secs(10);
                while !s.settled() && std::time::Instant::now() < end {
                    std::thread::sleep(Duration::from_millis(2));
                }
                self.earlier.extend(s.requests());
                s.stop();
            }
            return;
        }
        let s = self
            .server
            .get_or_insert_with(|| Server::start_on(self.port));
        match fault {
            Fault::Healthy | Fault::Down => s.respond_with(|_| Answer::ok()),
            Fault::ServerError => s.respond_with(|_| Answer::status(503)),
            Fault::TooManyRequests => s.respond_with(|_| Answer::status(429).retry_after("0")),
            Fault::TooLarge => s.respond_with(|r| {
                let n = r.json["events"].as_array().map_or(0, Vec::len);
                Answer::status(if n > 2 { 413 } else { 200 })
            }),
            Fault::Reset => s.respond_with(|_| Answer::reset()),
        }
    }

    fn all_requests(&self) -> Vec<candor_testkit::Received> {
        let mut all = self.earlier.clone();
        if let Some(s) = &self.server {
            all.extend(s.requests());
        }
        all
    }
}

fn run(ops: Vec<Op>) -> Result<(), TestCaseError> {
    let dir = temp_dir("accounting");
    let first = Server::start();
    let mut peer = Peer {
        port: first.port(),
        server: Some(first),
        earlier: Vec::new(),
    };
    let url = peer.server.as_ref().unwrap().url();
    let mut client = Client::start(config(&dir), http(&url)).unwrap();
    client.set_consent(Consent::Usage, true);
    client.set_consent(Consent::Diagnostics, true);
    let mut sent_before = 0u64;
    let mut seq = 0u64;
    for op in ops {
        match op {
            Op::Track(n, usage) => {
                for _ in 0..n {
                    seq += 1;
                    if usage {
                        client.track(&Clicked {
                            button: "p",
                            count: 1,
                            seq,
                        });
                    } else {
                        client.track(&Failed {
                            reason: reason(seq),
                        });
                    }
                }
            }
            Op::OptOut(usage) => {
                client.set_consent(category(usage), false);
            }
            Op::OptIn(usage) => {
                client.set_consent(category(usage), true);
            }
            Op::Fault(f) => peer.set(f),
            Op::Flush(tenths) => {
                client.flush(Duration::from_millis(u64::from(tenths) * 40));
            }
            Op::Restart => {
                let report = client.shutdown(Duration::from_millis(200));
                // A request may still be on the wire; a second call waits for the sender to
                // take its answer and exit, then reports the final state.
                let last = client.shutdown(Duration::from_secs(10));
                let c = client.counters();
                prop_assert!(balanced(&c), "{c:?}");
                prop_assert_eq!(last.spooled, last.pending, "everything pending is spooled");
                prop_assert_eq!(c.pending, last.pending as u64);
                prop_assert!(last.spooled <= report.spooled, "{last:?} {report:?}");
                sent_before += c.sent;
                drop(client);
                client = Client::start(config(&dir), http(&url)).unwrap();
                let loaded = client.counters().loaded;
                prop_assert_eq!(
                    loaded,
                    last.spooled as u64,
                    "the next start loads all of it"
                );
            }
        }
        let c = client.counters();
        prop_assert!(balanced(&c), "after {op:?}: {c:?}");
    }
    // Heal the server and grant both categories again: everything accepted goes out.
    peer.set(Fault::Healthy);
    let report = client.flush(Duration::from_secs(20));
    let c = client.counters();
    prop_assert!(balanced(&c), "{c:?}");
    prop_assert!(report.is_complete(), "{report:?} {c:?}");
    client.shutdown(Duration::from_secs(2));
    let c = client.counters();
    let sent = sent_before + c.sent;
    let acknowledged: HashSet<String> = peer
        .all_requests()
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .flat_map(|r| r.event_ids())
        .collect();
    prop_assert_eq!(acknowledged.len() as u64, sent);
    for r in peer.all_requests() {
        for e in r.events() {
            let reason = e["fields"]["reason"].as_str().unwrap_or("");
            prop_assert!(!is_secret(reason), "a secret was sent: {reason}");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 10,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_event_is_sent_dropped_or_pending_exactly_once(
        ops in proptest::collection::vec(op(), 1..10)
    ) {
        run(ops)?;
    }
}

#[test]
fn the_secret_reasons_are_found_only_by_the_full_scan() {
    use candor::__private::scanner::{prescreen, scan, Prescreen};
    for seq in 0..2000 {
        let r = reason(seq);
        assert_eq!(scan(&r).is_some(), is_secret(&r), "{r}");
        if is_secret(&r) {
            assert_eq!(prescreen(&r), Prescreen::Check, "{r}");
        }
    }
}
