//! A process killed with SIGKILL loses nothing it had spooled; the next
//! start delivers it with the same ids (at-least-once, server can dedupe).

use std::collections::HashSet;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use candor::{Client, Consent};

use crate::support::{
    fast_config, http, temp_dir, wait_until, Answer, Clicked, Delivered, Document, Server,
};

const EARLY: u64 = 200;

fn config(dir: &std::path::Path) -> candor::Config {
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    cfg.state_dir = Some(dir.join("state"));
    cfg.batch_max_events = 25;
    cfg.batch_interval = Duration::from_millis(20);
    cfg
}

/// The child process: spools `EARLY` events against a failing server, says
/// so, then keeps tracking until it is killed.
#[test]
#[ignore = "child process of sigkill_loses_nothing_spooled"]
fn child_spooling_until_killed() {
    let dir = std::env::var("CANDOR_TEST_DIR").expect("run by sigkill_loses_nothing_spooled");
    let url = std::env::var("CANDOR_TEST_URL").unwrap();
    let client = Client::start(config(dir.as_ref()), http(&url)).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..EARLY {
        client.track(&Clicked {
            button: "early",
            count: 1,
            seq: i,
        });
    }
    wait_until(Duration::from_secs(20), || {
        client.counters().spooled >= EARLY
    });
    println!("SPOOLED");
    let mut i = 0;
    loop {
        client.track(&Clicked {
            button: "late",
            count: 1,
            seq: i,
        });
        i += 1;
        std::thread::sleep(Duration::from_micros(200));
    }
}

#[test]
fn sigkill_loses_nothing_spooled() {
    let server = Server::start();
    server.respond_with(|_| Answer::status(503));
    let dir = temp_dir("sigkill");
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "spool_kill::child_spooling_until_killed",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("CANDOR_TEST_DIR", &dir)
        .env("CANDOR_TEST_URL", server.url())
        .env_remove("DO_NOT_TRACK")
        .env_remove("CANDOR_TELEMETRY")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while !line.contains("SPOOLED") {
        line.clear();
        assert!(out.read_line(&mut line).unwrap() > 0, "child exited early");
    }
    // Let it run (spooling "late" events, retrying against 503) before the kill.
    wait_until(Duration::from_secs(10), || server.request_count() >= 3);
    std::thread::sleep(Duration::from_millis(100));
    child.kill().unwrap(); // SIGKILL on Unix
    child.wait().unwrap();

    let attempted: HashSet<String> = server
        .requests()
        .iter()
        .flat_map(|r| r.events())
        .filter(|e| e["fields"]["button"] == "early")
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(!attempted.is_empty());

    server.respond_with(|_| Answer::ok());
    let client = Client::start(config(&dir), http(&server.url())).unwrap();
    // Consent was persisted by the child; no new opt-in needed.
    assert!(client.consent(Consent::Usage));
    let report = client.flush(Duration::from_secs(20));
    assert!(report.is_complete(), "{report:?}");
    let delivered = server.delivered_events();
    let early: Vec<&serde_json::Value> = delivered
        .iter()
        .filter(|e| e["fields"]["button"] == "early")
        .collect();
    let mut seqs: Vec<u64> = early
        .iter()
        .map(|e| e["fields"]["seq"].as_u64().unwrap())
        .collect();
    seqs.sort_unstable();
    seqs.dedup();
    assert_eq!(
        seqs,
        (0..EARLY).collect::<Vec<_>>(),
        "every spooled event delivered"
    );
    let delivered_ids: HashSet<String> = early
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        attempted.is_subset(&delivered_ids),
        "resent events keep their ids"
    );
    client.shutdown(Duration::from_secs(2));
}
