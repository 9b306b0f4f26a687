//! Opt-in only, opt-out at once, persistence, environment switches,
//! installation id rotation and the deletion request.

use std::collections::HashSet;
use std::process::Command;
use std::time::Duration;

use candor::{Client, Consent, Outcome};

use crate::support::{
    fast_config, http, temp_dir, wait_until, Answer, Clicked, Delivered, Document, Failed, Server,
};

#[test]
fn zero_requests_before_consent() {
    let server = Server::start();
    let dir = temp_dir("before");
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    let client = Client::start(cfg, http(&server.url())).unwrap();
    for c in Consent::ALL {
        assert!(!client.consent(c), "{c} must be off by default");
    }
    for i in 0..500 {
        assert_eq!(
            client.track(&Clicked {
                button: "b",
                count: 1,
                seq: i
            }),
            Outcome::ConsentOff
        );
        assert_eq!(
            client.track(&Failed { reason: "x".into() }),
            Outcome::ConsentOff
        );
    }
    // Nothing was buffered "for later": granting now sends nothing old.
    assert!(client.flush(Duration::from_secs(2)).is_complete());
    client.set_consent(Consent::Performance, true);
    assert!(client.flush(Duration::from_secs(2)).is_complete());
    assert_eq!(client.counters().tracked, 0);
    assert_eq!(client.counters().spooled, 0);
    client.shutdown(Duration::from_secs(2));
    assert_eq!(server.request_count(), 0);
    assert_eq!(std::fs::read_dir(dir.join("spool")).unwrap().count(), 0);
}

#[test]
fn opt_out_purges_queue_and_nothing_is_sent_afterwards() {
    let server = Server::start();
    let mut cfg = fast_config();
    // Keep events queued: no threshold or interval fires during the test.
    cfg.batch_max_events = 1_000_000;
    cfg.batch_interval = Duration::from_secs(3600);
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    client.set_consent(Consent::Diagnostics, true);
    for i in 0..200 {
        assert_eq!(
            client.track(&Clicked {
                button: "b",
                count: 1,
                seq: i
            }),
            Outcome::Queued
        );
    }
    for _ in 0..50 {
        assert_eq!(
            client.track(&Failed {
                reason: "timeout".into()
            }),
            Outcome::Queued
        );
    }
    assert!(!client.set_consent(Consent::Usage, false));
    assert_eq!(client.counters().dropped.revoked, 200);
    assert_eq!(
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: 999
        }),
        Outcome::ConsentOff
    );
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let events = server.delivered_events();
    assert_eq!(events.len(), 50);
    assert!(events.iter().all(|e| e["name"] == "app.operation_failed"));

    // Revoke the last category: zero requests from now on.
    let before = server.request_count();
    client.set_consent(Consent::Diagnostics, false);
    for i in 0..100 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
        client.track(&Failed {
            reason: "timeout".into(),
        });
    }
    assert!(client.flush(Duration::from_secs(2)).is_complete());
    client.shutdown(Duration::from_secs(2));
    assert_eq!(server.request_count(), before);
}

#[test]
fn opt_out_deletes_spooled_and_retrying_batches() {
    let server = Server::start();
    server.respond_with(|_| Answer::status(503));
    let dir = temp_dir("optout-spool");
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.clone());
    cfg.batch_max_events = 10;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..100 {
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: i,
        });
    }
    // The server keeps failing, so batches sit in the spool between retries.
    wait_until(Duration::from_secs(10), || {
        client.counters().spooled == 100 && server.request_count() >= 2
    });
    assert!(std::fs::read_dir(&dir).unwrap().count() > 0);
    client.set_consent(Consent::Usage, false);
    // When set_consent returned, the spool was already empty...
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0);
    let after = server.request_count();
    let report = client.flush(Duration::from_secs(2));
    assert!(report.is_complete(), "{report:?}");
    // ... and no request carrying them started afterwards, even though the
    // retry backoff (≤ 100 ms here) elapsed many times over.
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        server.request_count() <= after + 1,
        "at most the request already in flight"
    );
    let c = client.counters();
    assert_eq!(c.sent, 0);
    assert_eq!(c.dropped.revoked, 100);
    client.shutdown(Duration::from_secs(2));
}

#[test]
fn consent_persists_in_state_dir() {
    let server = Server::start();
    let dir = temp_dir("persist");
    let start = || {
        let mut cfg = fast_config();
        cfg.state_dir = Some(dir.clone());
        Client::start(cfg, http(&server.url())).unwrap()
    };
    let a = start();
    assert!(!a.consent(Consent::Usage));
    a.set_consent(Consent::Usage, true);
    a.shutdown(Duration::from_secs(1));
    let b = start();
    assert!(b.consent(Consent::Usage));
    assert!(!b.consent(Consent::Diagnostics));
    b.set_consent(Consent::Usage, false);
    b.shutdown(Duration::from_secs(1));
    let c = start();
    assert!(!c.consent(Consent::Usage));
    c.shutdown(Duration::from_secs(1));
}

/// Runs only as a child process (spawned by `environment_can_only_turn_off`),
/// with `DO_NOT_TRACK` or `CANDOR_TELEMETRY` set.
#[test]
#[ignore = "child process of environment_can_only_turn_off"]
fn child_with_opt_out_environment() {
    let dir = std::env::var("CANDOR_TEST_STATE").expect("run by environment_can_only_turn_off");
    let url = std::env::var("CANDOR_TEST_URL").unwrap();
    let mut cfg = fast_config();
    cfg.state_dir = Some(dir.into());
    let client = Client::start(cfg, http(&url)).unwrap();
    assert!(client.disabled_by_environment());
    // The persisted "granted" is overridden, and granting is refused.
    assert!(!client.consent(Consent::Usage));
    assert!(!client.set_consent(Consent::Usage, true));
    assert_eq!(
        client.track(&Clicked {
            button: "b",
            count: 1,
            seq: 0
        }),
        Outcome::ConsentOff
    );
    assert!(client.flush(Duration::from_secs(2)).is_complete());
    client.shutdown(Duration::from_secs(1));
}

#[test]
fn environment_can_only_turn_off() {
    let server = Server::start();
    let dir = temp_dir("env");
    let mut cfg = fast_config();
    cfg.state_dir = Some(dir.clone());
    let granted = Client::start(cfg, http(&server.url())).unwrap();
    assert!(granted.set_consent(Consent::Usage, true));
    granted.shutdown(Duration::from_secs(1));

    for (var, value) in [("DO_NOT_TRACK", "1"), ("CANDOR_TELEMETRY", "off")] {
        let status = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "consent::child_with_opt_out_environment",
                "--test-threads=1",
            ])
            .env_remove("DO_NOT_TRACK")
            .env_remove("CANDOR_TELEMETRY")
            .env(var, value)
            .env("CANDOR_TEST_STATE", &dir)
            .env("CANDOR_TEST_URL", server.url())
            .stdout(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "child with {var}={value} failed");
    }
    assert_eq!(server.request_count(), 0);
}

#[test]
fn install_id_is_opt_in_rotated_on_opt_out_with_deletion_request() {
    let server = Server::start();
    let dir = temp_dir("install");
    let mut cfg = fast_config();
    cfg.state_dir = Some(dir.clone());
    cfg.install_id = true;
    cfg.deletion_request = true;
    let client = Client::start(cfg, http(&server.url())).unwrap();
    assert_eq!(client.install_id(), None, "no id before consent");
    client.set_consent(Consent::Usage, true);
    let first = client.install_id().expect("id after opt-in");
    client.track(&Clicked {
        button: "b",
        count: 1,
        seq: 0,
    });
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    client.set_consent(Consent::Usage, false);
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    client.set_consent(Consent::Usage, true);
    let second = client.install_id().unwrap();
    assert_ne!(first, second, "rotated on opt-out");
    client.track(&Clicked {
        button: "b",
        count: 1,
        seq: 1,
    });
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    client.shutdown(Duration::from_secs(1));

    let reqs = server.requests();
    let formats: Vec<&str> = reqs
        .iter()
        .map(|r| r.json["format"].as_str().unwrap())
        .collect();
    assert_eq!(
        formats,
        vec!["candor.batch/1", "candor.deletion/1", "candor.batch/1"]
    );
    assert_eq!(reqs[0].json["install_id"], first.as_str());
    assert_eq!(reqs[1].json["install_id"], first.as_str());
    assert_eq!(reqs[1].json["categories"], serde_json::json!(["usage"]));
    assert_eq!(reqs[2].json["install_id"], second.as_str());
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../wire/deletion.schema.json")).unwrap();
    assert!(jsonschema::validator_for(&schema)
        .unwrap()
        .is_valid(&reqs[1].json));
    let ids: HashSet<String> = reqs.iter().flat_map(|r| r.event_ids()).collect();
    assert_eq!(ids.len(), 2);
}

/// Runs only as a child process (spawned by
/// `environment_switch_keeps_an_earlier_spool_untouched`), with `DO_NOT_TRACK=1`.
#[test]
#[ignore = "child process of environment_switch_keeps_an_earlier_spool_untouched"]
fn child_with_do_not_track_and_an_earlier_spool() {
    let dir = std::env::var("CANDOR_TEST_DIR").expect("run by its parent test");
    let url = std::env::var("CANDOR_TEST_URL").unwrap();
    let dir = std::path::PathBuf::from(dir);
    let mut cfg = fast_config();
    cfg.state_dir = Some(dir.join("state"));
    cfg.spool_dir = Some(dir.join("spool"));
    let client = Client::start(cfg, http(&url)).unwrap();
    assert!(client.disabled_by_environment());
    assert!(!client.consent(Consent::Usage));
    let c = client.counters();
    assert_eq!((c.loaded, c.pending, c.dropped.total()), (40, 40, 0));
    assert_eq!(
        client.track(&Clicked {
            button: "dnt",
            count: 1,
            seq: 0
        }),
        Outcome::ConsentOff
    );
    // Nothing can leave this process, so a flush has nothing to wait for.
    let report = client.flush(Duration::from_secs(5));
    assert_eq!((report.pending, report.spooled), (40, 40));
    // Revoking a category the person never granted changes nothing else.
    assert!(!client.set_consent(Consent::Diagnostics, false));
    let report = client.shutdown(Duration::from_secs(1));
    assert_eq!((report.pending, report.spooled), (40, 40));
}

#[test]
fn environment_switch_keeps_an_earlier_spool_untouched() {
    let server = Server::start();
    server.respond_with(|_| Answer::status(503));
    let dir = temp_dir("dnt-spool");
    let config = || {
        let mut cfg = fast_config();
        cfg.state_dir = Some(dir.join("state"));
        cfg.spool_dir = Some(dir.join("spool"));
        cfg
    };
    // An earlier run without the switch: granted, 40 events spooled, server failing.
    let first = Client::start(config(), http(&server.url())).unwrap();
    first.set_consent(Consent::Usage, true);
    for i in 0..40 {
        first.track(&Clicked {
            button: "early",
            count: 1,
            seq: i,
        });
    }
    let report = first.shutdown(Duration::from_millis(300));
    assert_eq!(report.spooled, 40);
    drop(first);
    let snapshot = |d: &std::path::Path| {
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                (
                    e.file_name().to_string_lossy().into_owned(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        files
    };
    let spool_before = snapshot(&dir.join("spool"));
    let state_before = snapshot(&dir.join("state"));
    // The child gets a server of its own: a request of the first run still on the wire when
    // its shutdown gave up cannot be mistaken for one from the child.
    let child_server = Server::start();

    let status = crate::support::run_child(
        "consent::child_with_do_not_track_and_an_earlier_spool",
        &[
            ("DO_NOT_TRACK", "1".as_ref()),
            ("CANDOR_TEST_DIR", dir.as_os_str()),
            ("CANDOR_TEST_URL", child_server.url().as_ref()),
        ],
    );
    assert!(status.success(), "child with DO_NOT_TRACK=1 failed");
    assert_eq!(child_server.arrivals(), 0, "nothing left the child");
    assert_eq!(
        snapshot(&dir.join("spool")),
        spool_before,
        "spool untouched"
    );
    assert_eq!(
        snapshot(&dir.join("state")),
        state_before,
        "choice untouched"
    );

    // Without the switch, the person's choice and the earlier events are as they were.
    server.respond_with(|_| Answer::ok());
    let next = Client::start(config(), http(&server.url())).unwrap();
    assert!(next.consent(Consent::Usage));
    assert!(next.flush(Duration::from_secs(10)).is_complete());
    let mut seqs: Vec<u64> = server
        .delivered_events()
        .iter()
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(seqs, (0..40).collect::<Vec<_>>());
    next.shutdown(Duration::from_secs(1));
}
