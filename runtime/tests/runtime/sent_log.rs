//! The sent log against a loopback server: off by default (nothing on disk), on it holds
//! exactly the documents the server received, survives a restart, loses a revoked category's
//! documents at the opt-out, keeps the deletion request, and is deleted when turned off.

use std::path::Path;
use std::time::Duration;

use candor::{Client, Consent, SentLog};

use crate::support::{fast_config, http, temp_dir, Clicked, Failed, Server};

fn config(dir: &Path, log: Option<SentLog>) -> candor::Config {
    let mut cfg = fast_config();
    cfg.state_dir = Some(dir.join("state"));
    cfg.sent_log = log;
    cfg
}

fn click(seq: u64) -> Clicked {
    Clicked {
        button: "save",
        count: 1,
        seq,
    }
}

#[test]
fn off_by_default_keeps_nothing() {
    let dir = temp_dir("sent-off");
    let server = Server::start();
    let client = Client::start(config(&dir, None), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.track(&click(1));
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(server.request_count(), 1);
    assert_eq!(client.sent_log().count(), 0);
    assert!(!dir.join("state/sent").exists());
    client.shutdown(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn holds_exactly_what_the_server_received_across_restarts() {
    let dir = temp_dir("sent-on");
    let server = Server::start();
    let client =
        Client::start(config(&dir, Some(SentLog::default())), http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for seq in 0..3 {
        client.track(&click(seq));
        assert!(client.flush(Duration::from_secs(10)).is_complete());
    }
    let received: Vec<serde_json::Value> = server.requests().into_iter().map(|r| r.json).collect();
    assert_eq!(received.len(), 3);
    let logged: Vec<serde_json::Value> = client
        .sent_log()
        .map(|e| {
            assert_eq!(e.kind, "batch");
            assert_eq!(e.time.len(), 17);
            serde_json::from_str(&e.document).unwrap()
        })
        .collect();
    assert_eq!(logged, received, "byte for byte what left, in order");
    client.shutdown(Duration::from_secs(2));

    let again = Client::start(config(&dir, Some(SentLog::default())), http(&server.url())).unwrap();
    assert_eq!(again.sent_log().count(), 3, "kept across restarts");
    again.clear_sent_log();
    assert_eq!(again.sent_log().count(), 0);
    again.shutdown(Duration::from_secs(2));

    // Turned off: what was kept is deleted at start.
    let off = Client::start(config(&dir, None), http(&server.url())).unwrap();
    assert!(!dir.join("state/sent").exists());
    off.shutdown(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_opt_out_deletes_the_category_and_logs_the_deletion_request() {
    let dir = temp_dir("sent-purge");
    let server = Server::start();
    let mut cfg = config(&dir, Some(SentLog::days(3)));
    cfg.install_id = true;
    cfg.deletion_request = true;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.set_consent(Consent::Diagnostics, true);
    client.track(&click(1));
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    client.track(&Failed {
        reason: "disk full".into(),
    });
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert_eq!(client.sent_log().count(), 2);

    client.set_consent(Consent::Diagnostics, false);
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let entries: Vec<_> = client.sent_log().collect();
    let kinds: Vec<&str> = entries.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["batch", "deletion"], "{entries:?}");
    assert!(entries[0].document.contains("app.button_clicked"));
    assert!(!entries
        .iter()
        .any(|e| e.document.contains("app.operation_failed")));
    assert!(entries[1].document.contains("candor.deletion/1"));
    client.shutdown(Duration::from_secs(2));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn needs_a_state_dir() {
    let mut cfg = fast_config();
    cfg.sent_log = Some(SentLog::default());
    let err = Client::start(cfg, candor::FileTransport::stdout()).unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
}
