//! `candor collect` and `candor sweep` as a user runs them: the real binary as a child process,
//! the real runtime as its client, faults injected from outside (SIGKILL, a locked database,
//! hostile clients).

#[path = "../../collector/tests/support/mod.rs"]
mod support;

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use candor::{Client, Config, Consent, HttpTransport};
use support::{
    batch, event, files_contain, minute_from_now, new_id, post, post_json, post_json_once,
    temp_dir, wait_until, Send,
};

const BIN: &str = env!("CARGO_BIN_EXE_candor");

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

/// A `candor collect` child process; killed when dropped.
struct Collect {
    child: Child,
    addr: SocketAddr,
    log: PathBuf,
}

impl Collect {
    fn start(dir: &Path, listen: &str, extra: &[&str]) -> Collect {
        let log = dir.join(format!("collect-{}.log", new_id()));
        let db = dir.join("telemetry.sqlite");
        let mut child = Command::new(BIN)
            .arg("collect")
            .arg("--schemas")
            .arg(schemas_dir())
            .arg("--store")
            .arg(format!("sqlite:{}", db.display()))
            .args(["--listen", listen])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                let addr = rest.split('/').next().unwrap().parse().unwrap();
                return Collect { child, addr, log };
            }
            if let Ok(Some(status)) = child.try_wait() {
                panic!("candor collect exited with {status}: {text}");
            }
            assert!(
                Instant::now() < deadline,
                "candor collect did not start: {text}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn url(&self) -> String {
        format!("http://{}/v1/batch", self.addr)
    }

    fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Peak and current resident memory (KiB), from /proc.
    fn memory_kib(&self) -> (u64, u64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.split_whitespace().next()?.parse().ok())
                .unwrap_or(0)
        };
        (field("VmHWM:"), field("VmRSS:"))
    }

    /// SIGTERM, then waits for a clean exit.
    fn stop(mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        let status = self.child.wait().unwrap();
        assert!(
            status.success(),
            "candor collect exited with {status}: {}",
            self.log()
        );
    }
}

impl Drop for Collect {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn sync_event(seq: u64) -> SyncFinished {
    SyncFinished {
        duration_ms: Duration::from_millis(1_000 + seq % 5_000),
        blocks: seq,
        peers: (seq % 100) as u8,
        cpu_share: 0.25,
    }
}

fn fast_retry(mut c: Config) -> Config {
    c.batch_interval = Duration::from_millis(50);
    c.retry.base = Duration::from_millis(20);
    c.retry.cap = Duration::from_millis(300);
    c
}

/// (rows, distinct `blocks` values) of `node.sync_finished` in the store.
fn stored_sequence(db: &Path) -> (u64, u64) {
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.query_row(
        "SELECT count(*), count(DISTINCT json_extract(fields, '$.blocks')) FROM events \
         WHERE event = 'node.sync_finished'",
        [],
        |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64)),
    )
    .unwrap()
}

#[test]
fn sigkill_while_the_runtime_streams_loses_no_acknowledged_event() {
    const N: u64 = 200_000;
    let dir = temp_dir("sigkill");
    let first = Collect::start(&dir, "127.0.0.1:0", &[]);
    let addr = first.addr;
    let mut cfg = fast_retry(Config::new("stream-app", "1.0.0"));
    cfg.spool_dir = Some(dir.join("spool"));
    let client = Arc::new(
        Client::start(
            cfg,
            HttpTransport::with_timeout(&first.url(), Duration::from_secs(10)).unwrap(),
        )
        .unwrap(),
    );
    client.set_consent(Consent::Performance, true);
    let done = Arc::new(AtomicBool::new(false));
    let producer = {
        let (client, done) = (client.clone(), done.clone());
        std::thread::spawn(move || {
            for seq in 0..N {
                // Keep what is queued under the queue's bound: this test is about the
                // collector, not the runtime's drops.
                while {
                    let c = client.counters();
                    c.tracked - c.sent > 8_000
                } {
                    std::thread::sleep(Duration::from_millis(2));
                }
                client.track(&sync_event(seq));
            }
            done.store(true, Ordering::SeqCst);
        })
    };
    assert!(wait_until(Duration::from_secs(300), || client
        .counters()
        .sent
        >= N / 3));
    let mut first = first;
    first.child.kill().unwrap(); // SIGKILL
    first.child.wait().unwrap();
    let sent_before_kill = client.counters().sent;
    std::thread::sleep(Duration::from_millis(500));
    let second = Collect::start(&dir, &addr.to_string(), &[]);
    producer.join().unwrap();
    assert!(done.load(Ordering::SeqCst));
    let deadline = Instant::now() + Duration::from_secs(300);
    while client.flush(Duration::from_secs(10)).pending > 0 {
        assert!(
            Instant::now() < deadline,
            "not delivered: {:?}",
            client.counters()
        );
    }
    let counters = client.counters();
    client.shutdown(Duration::from_secs(10));
    second.stop();
    assert!(sent_before_kill < N, "the kill happened while streaming");
    assert_eq!(counters.dropped.total(), 0, "{counters:?}");
    assert_eq!(counters.sent, N);
    let (rows, distinct) = stored_sequence(&dir.join("telemetry.sqlite"));
    assert_eq!(distinct, N, "every event sent is stored");
    assert_eq!(rows, N, "and stored once");
}

#[test]
fn a_locked_store_answers_503_and_the_runtime_delivers_later() {
    let dir = temp_dir("locked");
    let c = Collect::start(&dir, "127.0.0.1:0", &[]);
    let lock = rusqlite::Connection::open(dir.join("telemetry.sqlite")).unwrap();
    lock.execute_batch("BEGIN EXCLUSIVE").unwrap();

    let doc = batch(
        &[event(
            &new_id(),
            "node.startup_measured",
            1,
            &minute_from_now(0),
            r#"{"startup_us":1200,"cold":true}"#,
        )],
        None,
    );
    let a = post_json_once(c.addr, &doc);
    assert_eq!(a.status, 503, "{a:?}");
    assert!(
        a.header("retry-after")
            .is_some_and(|v| v.parse::<u64>().unwrap() >= 1),
        "{a:?}"
    );

    let client = Client::start(
        fast_retry(Config::new("locked-app", "1.0.0")),
        HttpTransport::new(&c.url()).unwrap(),
    )
    .unwrap();
    client.set_consent(Consent::Performance, true);
    for seq in 0..100 {
        client.track(&sync_event(seq));
    }
    assert!(wait_until(Duration::from_secs(30), || client
        .counters()
        .retried
        >= 1));
    assert_eq!(client.counters().sent, 0);
    lock.execute_batch("COMMIT").unwrap();
    assert_eq!(
        client.flush(Duration::from_secs(60)).pending,
        0,
        "{:?}",
        client.counters()
    );
    assert_eq!(client.counters().sent, 100);
    assert_eq!(stored_sequence(&dir.join("telemetry.sqlite")), (100, 100));
    assert!(c.log().contains("store failing"), "{}", c.log());
    assert!(c.log().contains("store recovered"), "{}", c.log());
    c.stop();
}

fn gzip_best(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// Sends raw bytes (already encoded) with the given headers; returns the status (0 if the
/// connection closed without one).
fn raw_post(addr: SocketAddr, payload: &[u8], headers: &str) -> support::Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let _ = write!(
        s,
        "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        payload.len()
    );
    let _ = s.write_all(payload);
    support::read_answer(&mut s)
}

fn good_batch() -> String {
    batch(
        &[event(
            &new_id(),
            "node.startup_measured",
            1,
            &minute_from_now(0),
            r#"{"startup_us":900,"cold":false}"#,
        )],
        None,
    )
}

#[test]
fn hostile_clients_get_clear_answers_bounded_memory_and_others_are_served() {
    let dir = temp_dir("hostile");
    let c = Collect::start(
        &dir,
        "127.0.0.1:0",
        &["--header-timeout", "2", "--body-timeout", "3"],
    );
    let addr = c.addr;
    let baseline = c.memory_kib().1;

    // Slow-loris: 60 connections dribbling headers, 20 dribbling a body.
    let stop = Arc::new(AtomicBool::new(false));
    let mut lorises = Vec::new();
    for i in 0..80 {
        let stop = stop.clone();
        lorises.push(std::thread::spawn(move || {
            let mut s = TcpStream::connect(addr).unwrap();
            s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
            let head = if i < 60 {
                "POST /v1/batch HTTP/1.1\r\nHost: x\r\nX-Slow: ".to_string()
            } else {
                "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n{".to_string()
            };
            s.write_all(head.as_bytes()).unwrap();
            let started = Instant::now();
            // One byte every 200 ms until the server gives up on us.
            while !stop.load(Ordering::SeqCst) && started.elapsed() < Duration::from_secs(20) {
                if s.write_all(b"a").is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_millis(200));
            }
            let mut rest = Vec::new();
            let _ = s.read_to_end(&mut rest);
            (
                started.elapsed(),
                String::from_utf8_lossy(&rest).into_owned(),
            )
        }));
    }

    // Gzip bombs: ~1 MiB each that would inflate to 1 GiB, from 8 clients at once, 3 rounds.
    // (128 gzip members of 8 MiB each: valid gzip, and cheap to build in a debug test.)
    let member = gzip_best(&vec![b' '; 8 << 20]);
    let bomb = Arc::new(member.repeat(128));
    assert!(bomb.len() < (1 << 20) + (64 << 10), "{}", bomb.len());
    let peak = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let pid = c.child.id();
    let sampler = {
        let (peak, stop) = (peak.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::SeqCst) {
                let status =
                    std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
                if let Some(kib) = status
                    .lines()
                    .find_map(|l| l.strip_prefix("VmRSS:"))
                    .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
                {
                    peak.fetch_max(kib, Ordering::SeqCst);
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    let bombers: Vec<_> = (0..8)
        .map(|_| {
            let bomb = bomb.clone();
            std::thread::spawn(move || {
                (0..3)
                    .map(|_| raw_post(addr, &bomb, "Content-Encoding: gzip\r\n").status)
                    .collect::<Vec<_>>()
            })
        })
        .collect();

    // Meanwhile, an ordinary client is served, again and again.
    for _ in 0..20 {
        let a = post_json(addr, &good_batch());
        assert_eq!(a.status, 200, "{a:?}");
    }
    for b in bombers {
        assert_eq!(b.join().unwrap(), vec![413; 3]);
    }

    // Every other kind of bad body, one clear answer each.
    let doc = good_batch();
    let z = support::gzip(doc.as_bytes());
    let cases: Vec<(&str, Vec<u8>, &str, u16)> = vec![
        (
            "truncated gzip",
            z[..z.len() / 2].to_vec(),
            "Content-Encoding: gzip\r\n",
            400,
        ),
        (
            "not gzip",
            doc.as_bytes().to_vec(),
            "Content-Encoding: gzip\r\n",
            400,
        ),
        (
            "invalid JSON",
            b"{\"format\":\"candor.batch/1\",".to_vec(),
            "",
            400,
        ),
        ("not a document", b"[1,2,3]".to_vec(), "", 400),
        ("oversized body", vec![b' '; 2 << 20], "", 413),
        (
            "oversized plain JSON",
            format!("{}{}", " ".repeat(1 << 20), doc).into_bytes()[..(1 << 20) - 1].to_vec(),
            "",
            400,
        ),
        (
            "unsupported encoding",
            z.clone(),
            "Content-Encoding: br\r\n",
            415,
        ),
    ];
    for (what, payload, headers, want) in cases {
        let a = raw_post(addr, &payload, headers);
        assert_eq!(a.status, want, "{what}: {a:?}");
        assert!(a.body.contains("\"error\""), "{what}: {a:?}");
    }
    let many: Vec<String> = (0..1001)
        .map(|_| {
            event(
                &new_id(),
                "node.startup_measured",
                1,
                &minute_from_now(0),
                r#"{"startup_us":1,"cold":true}"#,
            )
        })
        .collect();
    assert_eq!(post_json(addr, &batch(&many, None)).status, 413);
    // Announcing more than the limit is refused before the body is read.
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "POST /v1/batch HTTP/1.1\r\nHost: x\r\nContent-Length: 999999999\r\n\r\n"
    )
    .unwrap();
    assert_eq!(support::read_answer(&mut s).status, 413);

    // The lorises were cut off by the header and body timeouts, not left hanging.
    stop.store(true, Ordering::SeqCst);
    for (i, l) in lorises.into_iter().enumerate() {
        let (held, answer) = l.join().unwrap();
        assert!(
            held < Duration::from_secs(15),
            "loris {i} held its connection {held:?}"
        );
        if i >= 60 {
            assert!(
                answer.starts_with("HTTP/1.1 408"),
                "slow body {i}: {answer:?}"
            );
        }
    }
    sampler.join().unwrap();
    let (hwm, _) = c.memory_kib();
    let peak = peak.load(Ordering::SeqCst).max(hwm);
    eprintln!("collector RSS: baseline {baseline} KiB, peak {peak} KiB during 24 gzip bombs of 1 GiB each");
    assert!(peak < 200 * 1024, "peak RSS {peak} KiB");
    assert_eq!(post_json(addr, &good_batch()).status, 200, "still serving");
    c.stop();
}

#[test]
fn neither_store_nor_log_keeps_the_address_or_headers() {
    let dir = temp_dir("identity");
    let c = Collect::start(&dir, "127.0.0.1:0", &[]);
    let headers = [
        ("User-Agent", "fingerprint-agent/3.1"),
        ("X-Forwarded-For", "192.0.2.99"),
    ];
    let opts = Send {
        gzip: true,
        headers: &headers,
        from: Some("127.0.0.2".parse().unwrap()),
    };
    let install = new_id();
    let doc = batch(
        &[event(
            &new_id(),
            "node.startup_measured",
            1,
            &minute_from_now(0),
            r#"{"startup_us":5,"cold":true}"#,
        )],
        Some(&install),
    );
    assert_eq!(post(c.addr, doc.as_bytes(), &opts).status, 200);
    assert_eq!(post(c.addr, b"{broken", &opts).status, 400);
    assert_eq!(
        post(
            c.addr,
            b"",
            &Send {
                gzip: false,
                headers: &headers,
                from: opts.from
            }
        )
        .status,
        400
    );
    let log_path = c.log.clone();
    c.stop();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let mut files = Vec::new();
    support::walk(&dir, &mut files);
    files.retain(|f| f != &log_path && !f.starts_with(dir.join("spool")));
    assert!(files.iter().any(|f| f.ends_with("telemetry.sqlite")));
    for needle in ["127.0.0.2", "fingerprint-agent", "192.0.2.99"] {
        assert!(!log.contains(needle), "the log holds {needle}: {log}");
        assert_eq!(files_contain(&files, needle.as_bytes()), None, "{needle}");
    }
    // The log says what the collector does, and nothing about who talked to it.
    assert!(log.contains("listening on"));
    assert!(
        !log.contains("127.0.0.1:")
            || log
                .lines()
                .filter(|l| l.contains("127.0.0.1:"))
                .all(|l| l.contains("listening on"))
    );
}

fn sweep(db: &Path, now: &str) -> String {
    let out = Command::new(BIN)
        .args([
            "sweep",
            "--store",
            &format!("sqlite:{}", db.display()),
            "--now",
            now,
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn sweep_with_now_removes_what_is_past_retention_and_collect_sweeps_on_start() {
    let dir = temp_dir("sweep");
    let db = dir.join("telemetry.sqlite");
    let c = Collect::start(&dir, "127.0.0.1:0", &[]);
    let now = minute_from_now(0);
    // node.* keeps 14 days, app.* 30.
    let docs = [
        event(
            &new_id(),
            "node.startup_measured",
            1,
            &now,
            r#"{"startup_us":5,"cold":true}"#,
        ),
        event(
            &new_id(),
            "app.error_shown",
            1,
            &now,
            r#"{"code":"E1","component":"ui","os_family":"linux"}"#,
        ),
    ];
    assert_eq!(
        post_json(c.addr, &batch(&docs, None)).body,
        r#"{"accepted":2,"refused":0}"#
    );
    c.stop();
    let today = candor_schema::Date::from_clock();
    let count = || -> i64 {
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
            .unwrap()
    };
    assert!(sweep(&db, &today.add_days(13).to_string()).starts_with("removed 0 "));
    assert_eq!(count(), 2);
    assert!(sweep(&db, &today.add_days(14).to_string()).starts_with("removed 1 "));
    assert_eq!(count(), 1);

    // A row already past its retention (written behind the collector's back) is gone as soon
    // as `candor collect` starts. A row's delete_on day is the high part of its key.
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(&format!(
            "UPDATE event_rows SET seq = {} * 1099511627776 + seq % 1099511627776",
            today.add_days(-1).to_days()
        ))
        .unwrap();
    assert_eq!(
        rusqlite::Connection::open(&db)
            .unwrap()
            .query_row("SELECT delete_on FROM events", [], |r| r
                .get::<_, String>(0))
            .unwrap(),
        today.add_days(-1).to_string()
    );
    let c = Collect::start(&dir, "127.0.0.1:0", &[]);
    assert!(
        wait_until(Duration::from_secs(30), || count() == 0),
        "{}",
        c.log()
    );
    c.stop();

    let out = Command::new(BIN)
        .args(["sweep", "--store", "sqlite:/nonexistent/x.sqlite"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = Command::new(BIN)
        .args(["sweep", "--store", "mysql:x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn collect_refuses_schemas_with_errors_and_bad_stores() {
    let dir = temp_dir("refuse");
    std::fs::write(dir.join("bad.yaml"), "namespace: Bad\n").unwrap();
    let out = Command::new(BIN)
        .args(["collect", "--schemas"])
        .arg(&dir)
        .args([
            "--store",
            &format!("sqlite:{}", dir.join("t.sqlite").display()),
            "--listen",
            "127.0.0.1:0",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = Command::new(BIN)
        .args(["collect", "--schemas"])
        .arg(schemas_dir())
        .args(["--store", "postgres://x", "--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("sqlite:PATH"), "{stderr}");
    // Reading lines of the log of a failed start must not hang.
    let _ = std::io::BufReader::new(&out.stderr[..]).lines().count();
}

#[test]
fn a_second_collector_on_the_same_sqlite_file_refuses_to_start() {
    // Dedupe is exact only with one writer per file: a second one must not start beside it.
    let dir = temp_dir("second");
    let first = Collect::start(&dir, "127.0.0.1:0", &[]);
    let out = Command::new(BIN)
        .arg("collect")
        .arg("--schemas")
        .arg(schemas_dir())
        .arg("--store")
        .arg(format!("sqlite:{}", dir.join("telemetry.sqlite").display()))
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("another process writes"), "{stderr}");
    assert!(!stderr.contains("listening on"), "{stderr}");
    // The first still serves, and once it has stopped a new one starts.
    let doc = batch(
        &[event(
            &new_id(),
            "node.startup_measured",
            1,
            &minute_from_now(0),
            r#"{"startup_us":5,"cold":false}"#,
        )],
        None,
    );
    assert_eq!(post_json(first.addr, &doc).status, 200);
    first.stop();
    let again = Collect::start(&dir, "127.0.0.1:0", &[]);
    // The resent event is known to the new writer: stored once.
    assert_eq!(post_json(again.addr, &doc).status, 200);
    again.stop();
    let n: i64 = rusqlite::Connection::open(dir.join("telemetry.sqlite"))
        .unwrap()
        .query_row("SELECT count(*) FROM events", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}
