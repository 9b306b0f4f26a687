//! Secrets that `track()` cannot clear with its prescreen and that only the sender's full
//! scan recognises: whatever way a record leaves the queue (a normal send, a flush, the
//! spool while the server is down, a shutdown, a restart), a secret of every kind the
//! scanner knows never reaches a request body, a spool file or the sent log, and every
//! counter snapshot keeps the accounting identity.

use std::path::Path;
use std::time::Duration;

use candor::__private::scanner::{prescreen, scan, Prescreen};
use candor::{Client, Consent, Counters, Outcome, SecretKind, SentLog};

use crate::scanner_corpus::positives;
use crate::support::{dead_port, fast_config, http, temp_dir, wait_until, Failed, Server};

/// One generated secret of every kind (the corpus's first of each that fits the field).
fn one_of_each_kind() -> Vec<(SecretKind, String)> {
    let mut out: Vec<(SecretKind, String)> = Vec::new();
    for case in positives::all(0x5ec2_e7d0) {
        if case.text.chars().count() <= 300 && !out.iter().any(|(k, _)| *k == case.kind) {
            out.push((case.kind, case.text));
        }
    }
    assert_eq!(out.len(), 16, "every kind is represented");
    // Each kind needs the full scan: the prescreen sends it on, the full scan finds it.
    for (kind, text) in &out {
        assert_eq!(prescreen(text), Prescreen::Check, "{kind:?} {text:?}");
        assert_eq!(scan(text), Some(*kind), "{text:?}");
    }
    out
}

fn balanced(c: &Counters) -> bool {
    c.tracked + c.loaded == c.sent + c.dropped.after_acceptance() + c.pending
}

fn config(dir: &Path, url_port: u16) -> (candor::Config, String) {
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    cfg.state_dir = Some(dir.join("state"));
    cfg.sent_log = Some(SentLog::default());
    cfg.batch_max_events = 5;
    (cfg, format!("http://127.0.0.1:{url_port}/v1/batch"))
}

/// The forms a secret can take in a file or a body: as written, and JSON-escaped.
fn forms(secret: &str) -> [Vec<u8>; 2] {
    let escaped = serde_json::to_string(secret).unwrap();
    [
        secret.as_bytes().to_vec(),
        escaped.as_bytes()[1..escaped.len() - 1].to_vec(),
    ]
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// Every file under `dir`, recursively, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else if let Ok(b) = std::fs::read(&p) {
            out.push((p.display().to_string(), b));
        }
    }
    out
}

fn assert_nowhere(secrets: &[(SecretKind, String)], places: &[(String, Vec<u8>)]) {
    for (kind, s) in secrets {
        for (name, bytes) in places {
            for form in forms(s) {
                assert!(!contains(bytes, &form), "{kind:?} found in {name}");
            }
        }
    }
}

fn harmless(i: usize) -> String {
    format!("step {i} of the sync failed")
}

#[test]
fn deferred_secrets_of_every_kind_never_reach_a_request_the_spool_or_the_sent_log() {
    let secrets = one_of_each_kind();
    let dir = temp_dir("deferred-secrets");
    let port = dead_port();
    let (cfg, url) = config(&dir, port);
    let client = Client::start(cfg, http(&url)).unwrap();
    client.set_consent(Consent::Diagnostics, true);
    // Server down: what the sender takes from the queue goes to batches and the spool.
    for (i, (_, s)) in secrets.iter().enumerate() {
        let secret = Failed { reason: s.clone() };
        assert_eq!(client.track(&secret), Outcome::Queued, "{s:?}");
        let ok = Failed {
            reason: harmless(i),
        };
        assert_eq!(client.track(&ok), Outcome::Queued);
        assert!(balanced(&client.counters()));
    }
    let n = secrets.len() as u64;
    wait_until(Duration::from_secs(20), || {
        let c = client.counters();
        assert!(balanced(&c), "{c:?}");
        c.dropped.secret_deferred == n && c.spooled == n
    });
    assert_nowhere(&secrets, &files(&dir));

    // The server comes up: everything harmless is delivered, nothing else.
    let server = Server::start_on(port);
    let report = client.flush(Duration::from_secs(20));
    assert!(report.is_complete(), "{report:?}");
    let c = client.counters();
    assert!(balanced(&c), "{c:?}");
    assert_eq!((c.tracked, c.sent, c.pending), (2 * n, n, 0));
    assert_eq!(c.dropped.secret_deferred, n);
    assert_eq!(c.dropped.secret, 0);
    assert_eq!(c.dropped.after_acceptance(), n);
    let requests = server.requests();
    let bodies: Vec<(String, Vec<u8>)> = requests
        .iter()
        .map(|r| (format!("request {}", r.index), r.body.clone()))
        .collect();
    assert_nowhere(&secrets, &bodies);
    let mut delivered: Vec<String> = requests
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .flat_map(|r| r.json["events"].as_array().cloned().unwrap_or_default())
        .map(|e| e["fields"]["reason"].as_str().unwrap().to_owned())
        .collect();
    delivered.sort();
    let mut expected: Vec<String> = (0..secrets.len()).map(harmless).collect();
    expected.sort();
    assert_eq!(delivered, expected);
    let log: Vec<(String, Vec<u8>)> = client
        .sent_log()
        .map(|e| ("sent log entry".to_owned(), e.document.into_bytes()))
        .collect();
    assert!(!log.is_empty());
    assert_nowhere(&secrets, &log);
    assert_nowhere(&secrets, &files(&dir));
    client.shutdown(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_shutdown_spools_only_what_passed_the_full_scan_and_the_next_start_loads_it() {
    let secrets = one_of_each_kind();
    let dir = temp_dir("deferred-shutdown");
    let port = dead_port();
    let (mut cfg, url) = config(&dir, port);
    // Nothing drains on a timer before the shutdown does.
    cfg.batch_interval = Duration::from_secs(3600);
    cfg.batch_max_events = 1000;
    let client = Client::start(cfg.clone(), http(&url)).unwrap();
    client.set_consent(Consent::Diagnostics, true);
    for (i, (_, s)) in secrets.iter().enumerate() {
        client.track(&Failed { reason: s.clone() });
        client.track(&Failed {
            reason: harmless(i),
        });
    }
    let report = client.shutdown(Duration::from_millis(500));
    let last = client.shutdown(Duration::from_secs(10));
    let n = secrets.len();
    let c = client.counters();
    assert!(balanced(&c), "{c:?}");
    assert_eq!(c.dropped.secret_deferred, n as u64);
    assert_eq!((last.pending, last.spooled), (n, n), "{report:?} {last:?}");
    assert_nowhere(&secrets, &files(&dir));
    drop(client);

    let server = Server::start_on(port);
    let again = Client::start(cfg, http(&url)).unwrap();
    assert_eq!(again.counters().loaded, n as u64);
    assert!(again.flush(Duration::from_secs(20)).is_complete());
    let c = again.counters();
    assert!(balanced(&c), "{c:?}");
    assert_eq!(c.sent, n as u64);
    let bodies: Vec<(String, Vec<u8>)> = server
        .requests()
        .iter()
        .map(|r| (format!("request {}", r.index), r.body.clone()))
        .collect();
    assert_nowhere(&secrets, &bodies);
    again.shutdown(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_opt_out_deletes_queued_secrets_as_revoked_without_scanning_them() {
    let secrets = one_of_each_kind();
    let dir = temp_dir("deferred-optout");
    let server = Server::start();
    let (mut cfg, _) = config(&dir, server.port());
    cfg.batch_interval = Duration::from_secs(3600);
    cfg.batch_max_events = 1000;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Diagnostics, true);
    for (_, s) in &secrets {
        client.track(&Failed { reason: s.clone() });
    }
    client.set_consent(Consent::Diagnostics, false);
    let c = client.counters();
    assert!(balanced(&c), "{c:?}");
    // Each one went exactly once: revoked in the queue, or found by the sender's scan if
    // the sender took it first.
    assert_eq!(
        c.dropped.revoked + c.dropped.secret_deferred,
        secrets.len() as u64
    );
    assert_eq!((c.pending, c.sent), (0, 0));
    client.shutdown(Duration::from_secs(2));
    assert!(server
        .requests()
        .iter()
        .all(|r| r.json["events"].is_null()
            || r.json["events"].as_array().is_some_and(Vec::is_empty)));
    assert_nowhere(&secrets, &files(&dir));
    let _ = std::fs::remove_dir_all(&dir);
}
