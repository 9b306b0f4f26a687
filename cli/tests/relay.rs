//! `candor collect --forward …` as a user runs it: the real binary relaying to a loopback
//! server that stands in for the vendor (`candor-testkit`), the real runtime as the app, and a
//! SIGKILL while it forwards. At-least-once: every stored event reaches the vendor, under the
//! app's ids, even across a crash; and a forwarding setup that cannot work is refused at start.

#[path = "../../collector/tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use candor::{Client, Config, Consent, HttpTransport};
use candor_testkit::{Answer, Server};
use support::{new_id, temp_dir, wait_until};

const BIN: &str = env!("CARGO_BIN_EXE_candor");
const KEY: &str = "wk_RELAY_SECRET";

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

#[derive(candor::Event)]
#[event(name = "node.sync_finished", schemas = "../schemas")]
struct SyncFinished {
    duration_ms: Duration,
    blocks: u64,
    peers: u8,
    cpu_share: f64,
}

/// A `candor collect --forward segment` child process; killed when dropped.
struct Relay {
    child: Child,
    url: String,
    log: PathBuf,
}

impl Relay {
    fn start(dir: &Path, listen: &str, vendor_url: &str) -> Relay {
        let log = dir.join(format!("relay-{}.log", new_id()));
        let mut child = Command::new(BIN)
            .arg("collect")
            .arg("--schemas")
            .arg(schemas_dir())
            .arg("--store")
            .arg(format!("sqlite:{}", dir.join("telemetry.sqlite").display()))
            .args(["--listen", listen])
            .args(["--forward", "segment", "--forward-url", vendor_url])
            .env("CANDOR_FORWARD_KEY", KEY)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("listening on ").nth(1) {
                let url = rest.split(',').next().unwrap().to_owned();
                return Relay { child, url, log };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("candor collect exited with {status}: {text}");
            }
            assert!(Instant::now() < deadline, "did not start: {text}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Candor ids of the events the vendor acknowledged, repeats kept.
fn acknowledged(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| r.status == 200)
        .flat_map(|r| r.json["batch"].as_array().cloned().unwrap_or_default())
        .map(|e| e["messageId"].as_str().unwrap().replace('-', ""))
        .collect()
}

fn stored_ids(db: &Path) -> BTreeSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT hex(id) FROM events").unwrap();
    let ids = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .map(|r| r.unwrap().to_ascii_lowercase())
        .collect();
    ids
}

#[test]
fn sigkill_while_forwarding_loses_nothing_and_the_next_start_forwards_the_rest() {
    const N: u64 = 3_000;
    let dir = temp_dir("relay-kill");
    let vendor = Server::start();
    // A slow vendor: forwarding is still under way when the relay is killed.
    vendor.respond_with(|_| {
        std::thread::sleep(Duration::from_millis(150));
        Answer::ok().body(r#"{"success":true}"#)
    });
    let first = Relay::start(&dir, "127.0.0.1:0", &vendor.url_for(""));
    let addr = first
        .url
        .trim_start_matches("http://")
        .split('/')
        .next()
        .unwrap()
        .to_owned();
    let mut cfg = Config::new("relay-app", "1.0.0");
    cfg.batch_interval = Duration::from_millis(50);
    cfg.retry.base = Duration::from_millis(20);
    cfg.retry.cap = Duration::from_millis(300);
    let client = Client::start(
        cfg,
        HttpTransport::with_timeout(&first.url, Duration::from_secs(10)).unwrap(),
    )
    .unwrap();
    assert!(
        client.set_consent(Consent::Performance, true),
        "DO_NOT_TRACK is set"
    );
    for seq in 0..N {
        client.track(&SyncFinished {
            duration_ms: Duration::from_millis(1_000 + seq % 5_000),
            blocks: seq,
            peers: (seq % 100) as u8,
            cpu_share: 0.25,
        });
    }
    assert!(client.flush(Duration::from_secs(60)).is_complete());
    assert_eq!(
        client.counters().sent,
        N,
        "the relay took everything at once"
    );
    client.shutdown(Duration::from_secs(5));
    assert!(wait_until(Duration::from_secs(60), || vendor.arrivals() >= 1));
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL, with forwarding under way
    first.child.wait().unwrap();
    let before = acknowledged(&vendor).len();
    assert!(
        before < N as usize,
        "killed while forwarding ({before} forwarded)"
    );

    vendor.respond_with(|_| Answer::ok().body(r#"{"success":true}"#));
    let second = Relay::start(&dir, &addr, &vendor.url_for(""));
    // A second relay on the same file is refused like any second collector: one writer (and
    // one forwarder) per file.
    let third = Command::new(BIN)
        .arg("collect")
        .arg("--schemas")
        .arg(schemas_dir())
        .arg("--store")
        .arg(format!("sqlite:{}", dir.join("telemetry.sqlite").display()))
        .args(["--listen", "127.0.0.1:0"])
        .args(["--forward", "segment", "--forward-url", &vendor.url_for("")])
        .env("CANDOR_FORWARD_KEY", KEY)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&third.stderr);
    assert_eq!(third.status.code(), Some(2), "{err}");
    assert!(err.contains("another process writes"), "{err}");
    let stored = stored_ids(&dir.join("telemetry.sqlite"));
    assert_eq!(stored.len(), N as usize);
    assert!(
        wait_until(Duration::from_secs(120), || {
            acknowledged(&vendor).iter().collect::<BTreeSet<_>>().len() >= N as usize
        }),
        "{}",
        second.log()
    );
    let got = acknowledged(&vendor);
    let unique: BTreeSet<String> = got.iter().cloned().collect();
    assert_eq!(unique, stored, "every stored event, under the app's ids");
    // At-least-once: only what was on the wire at the kill may have gone twice.
    assert!(
        got.len() - unique.len() <= 500,
        "{} repeats",
        got.len() - unique.len()
    );
    // The credential is never written to the log.
    assert!(!second.log().contains(KEY));
    assert!(second.log().contains("forwarding stored events to segment"));
}

#[test]
fn a_forwarding_setup_that_cannot_work_is_refused_at_start() {
    let dir = temp_dir("relay-refuse");
    let db = format!("sqlite:{}", dir.join("t.sqlite").display());
    let run = |args: &[&str], key: Option<&str>| {
        let mut cmd = Command::new(BIN);
        cmd.arg("collect")
            .arg("--schemas")
            .arg(schemas_dir())
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .env_remove("CANDOR_FORWARD_KEY")
            .env_remove("CANDOR_FORWARD_HEADERS");
        if let Some(k) = key {
            cmd.env("CANDOR_FORWARD_KEY", k);
        }
        let out = cmd.output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let local = "http://127.0.0.1:9";
    let (code, err) = run(
        &[
            "--store",
            &db,
            "--forward",
            "segment",
            "--forward-url",
            local,
        ],
        None,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("CANDOR_FORWARD_KEY"), "{err}");
    let (code, err) = run(&["--store", &db, "--forward", "segment"], Some("k"));
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("--forward-url"), "{err}");
    let (code, err) = run(
        &[
            "--store",
            &db,
            "--forward",
            "amplitude",
            "--forward-url",
            local,
        ],
        Some("k"),
    );
    assert_eq!(code, Some(2), "{err}");
    let (code, err) = run(
        &[
            "--store",
            &db,
            "--forward",
            "posthog",
            "--forward-url",
            "http://posthog.example.org",
        ],
        Some("k"),
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("loopback"), "{err}");
    let (code, err) = run(
        &[
            "--store",
            "clickhouse:http://127.0.0.1:9/telemetry",
            "--forward",
            "otlp",
            "--forward-url",
            local,
        ],
        None,
    );
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("SQLite"), "{err}");
}
