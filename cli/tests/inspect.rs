//! `candor inspect` on what the real runtime writes (a spool left by a run that could not
//! send, a sent log of a run that could), in both formats, and on hostile input: truncated,
//! corrupted, huge, linked, a FIFO, an unknown file. Every run has a deadline: a hang fails.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, EncodeError, Event, EventMeta, FieldWriter, SentLog};

const DEADLINE: Duration = Duration::from_secs(60);

fn candor(args: &[&str]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("candor runs");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return child.wait_with_output().unwrap();
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("candor {args:?} hung");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

struct Opened {
    n: u64,
}

impl Event for Opened {
    const META: EventMeta = EventMeta {
        name: "app.opened",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        fingerprint: "0123456789abcdef",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.u64("n", self.n);
        w.end();
        Ok(())
    }
}

/// Answers every request with `status`, or fails like a network error with `None`.
struct Answer(Option<u16>);

impl Transport for Answer {
    fn send(&mut self, _: &Request<'_>) -> Result<Response, TransportError> {
        match self.0 {
            Some(status) => Ok(Response::new(status)),
            None => Err(TransportError::new("offline")),
        }
    }
}

fn dir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("inspect-{name}"));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A spool of `n` events left by a run that was offline.
fn offline_spool(name: &str, n: u64) -> PathBuf {
    let d = dir(name);
    let mut cfg = Config::new("inspect-test", "1.0.0");
    cfg.spool_dir = Some(d.join("spool"));
    cfg.batch_interval = Duration::from_millis(10);
    let client = Client::start(cfg, Answer(None)).unwrap();
    client.set_consent(Consent::Usage, true);
    for i in 0..n {
        client.track(&Opened { n: i });
    }
    let report = client.shutdown(Duration::from_millis(300));
    assert_eq!(report.spooled as u64, n, "{report:?}");
    d.join("spool")
}

#[test]
fn shows_a_spool_in_both_formats() {
    let spool = offline_spool("spool", 3);
    let out = candor(&["inspect", spool.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("3 record(s)"), "{stdout}");
    assert!(stdout.contains("\"name\": \"app.opened\""), "{stdout}");
    assert!(stdout.contains("usage (kept 30 days)"), "{stdout}");

    let out = candor(&["inspect", spool.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events: Vec<&serde_json::Value> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["entries"].as_array().unwrap())
        .collect();
    assert_eq!(events.len(), 3);
    let mut ns: Vec<u64> = events
        .iter()
        .map(|e| e["event"]["fields"]["n"].as_u64().unwrap())
        .collect();
    ns.sort_unstable();
    assert_eq!(ns, [0, 1, 2]);
    assert!(events
        .iter()
        .all(|e| e["event"]["id"].as_str().unwrap().len() == 32 && e["consent"][0] == "usage"));
}

#[test]
fn shows_a_sent_log_from_the_state_folder() {
    let d = dir("sent");
    let mut cfg = Config::new("inspect-test", "1.0.0");
    cfg.state_dir = Some(d.join("state"));
    cfg.sent_log = Some(SentLog::default());
    let client = Client::start(cfg, Answer(Some(200))).unwrap();
    client.set_consent(Consent::Usage, true);
    client.track(&Opened { n: 41 });
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let logged: Vec<String> = client.sent_log().map(|e| e.document).collect();
    client.shutdown(Duration::from_secs(1));
    assert_eq!(logged.len(), 1);

    let out = candor(&[
        "inspect",
        d.join("state").to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let entry = &v["files"][0]["entries"][0];
    assert_eq!(v["files"][0]["kind"], "sent log");
    assert_eq!(entry["kind"], "batch");
    assert_eq!(
        entry["document"],
        serde_json::from_str::<serde_json::Value>(&logged[0]).unwrap(),
        "the document exactly as the app's API shows it"
    );
    let human = candor(&["inspect", d.join("state/sent").to_str().unwrap()]);
    assert!(
        text(&human.stdout).contains("batch [usage]"),
        "{}",
        text(&human.stdout)
    );
}

#[test]
fn truncated_and_corrupted_files_are_reported_not_fatal() {
    let spool = offline_spool("damaged", 4);
    let file = std::fs::read_dir(&spool)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "cnd"))
        .unwrap();
    let mut data = std::fs::read(&file).unwrap();
    data[20] ^= 0x55; // inside the first frame's body
    data.truncate(data.len() - 5); // the last frame torn
    std::fs::write(&file, &data).unwrap();
    let out = candor(&["inspect", file.to_str().unwrap()]);
    let stdout = text(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "damage is a problem found: {stdout}"
    );
    assert!(stdout.contains("damaged region(s) skipped"), "{stdout}");
    assert!(!text(&out.stderr).contains("panicked"));

    // Garbage with a magic in it, and an empty file.
    std::fs::write(&file, b"CND1\xff\xff\xff\x7fgarbageCND1CND1").unwrap();
    let out = candor(&["inspect", file.to_str().unwrap(), "--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"][0]["entries"].as_array().unwrap().len(), 0);
    std::fs::write(&file, b"").unwrap();
    assert_eq!(
        candor(&["inspect", file.to_str().unwrap()]).status.code(),
        Some(0)
    );
}

#[test]
fn huge_linked_special_and_unknown_files_are_clear_errors() {
    let d = dir("hostile");
    let huge = d.join("seg-0000000000000001.cnd");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len((64 << 20) + 1).unwrap(); // sparse: costs no disk
    let out = candor(&["inspect", huge.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("larger than 64 MiB"),
        "{}",
        text(&out.stderr)
    );
    std::fs::remove_file(&huge).unwrap();

    let target = d.join("seg-0000000000000002.cnd");
    std::fs::write(&target, b"").unwrap();
    let link = d.join("link.cnd");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = candor(&["inspect", link.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("symbolic link"));
    std::fs::remove_file(&link).unwrap();

    let inner = d.join("seg-0000000000000003.cnd");
    std::os::unix::fs::symlink("/etc/passwd", &inner).unwrap();
    let out = candor(&["inspect", d.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("symbolic link"),
        "{}",
        text(&out.stderr)
    );
    assert!(!text(&out.stdout).contains("root:"), "never followed");
    std::fs::remove_file(&inner).unwrap();

    let fifo = d.join("sent-00000001.cnd");
    let made = Command::new("mkfifo").arg(&fifo).status();
    if made.is_ok_and(|s| s.success()) {
        let out = candor(&["inspect", d.to_str().unwrap()]);
        assert_eq!(
            out.status.code(),
            Some(2),
            "a FIFO is refused, not read (a hang)"
        );
        assert!(text(&out.stderr).contains("not a regular file"));
        std::fs::remove_file(&fifo).unwrap();
    }

    let other = d.join("notes.txt");
    std::fs::write(&other, b"hello").unwrap();
    let out = candor(&["inspect", other.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("not a candor record file"));

    let empty = dir("empty");
    let out = candor(&["inspect", empty.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("holds no spool or sent-log files"));
    let out = candor(&["inspect", d.join("missing").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
}
