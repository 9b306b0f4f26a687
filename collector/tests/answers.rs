//! The collector's answers outside the happy path: routes, an unreachable store, a full store
//! queue (backpressure), and the connection limit.

mod support;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use candor_collector::schemas::Schemas;
use candor_collector::store::{QuarantineCount, Store, StoreError, StoredEvent, Swept};
use candor_collector::validate::Checked;
use candor_collector::{Collector, Limits, SqliteSync, StoreSpec, SweepSchedule};
use candor_schema::ir::Consent;
use support::*;

fn good_batch() -> String {
    batch(
        &[event(
            &new_id(),
            "node.startup_measured",
            1,
            &minute_from_now(0),
            r#"{"startup_us":3,"cold":true}"#,
        )],
        None,
    )
}

#[test]
fn routes_and_methods() {
    let b = Backend::sqlite();
    let c = b.collector(repo_schemas());
    let h = get(c.addr(), "/healthz");
    assert_eq!((h.status, h.body.as_str()), (200, r#"{"status":"ok"}"#));
    assert_eq!(get(c.addr(), "/").status, 404);
    let a = get(c.addr(), "/v1/batch");
    assert_eq!(a.status, 405);
    assert_eq!(a.header("allow"), Some("POST"));
    // Plain (not gzip'd) JSON is as good as gzip.
    let a = post(c.addr(), good_batch().as_bytes(), &Send::default());
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.header("content-type"), Some("application/json"));
}

#[test]
fn an_unreachable_clickhouse_answers_503_with_retry_after() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let store = StoreSpec::parse(&format!("clickhouse:http://127.0.0.1:{port}/candor"))
        .unwrap()
        .open(SqliteSync::Normal)
        .unwrap();
    let c = Collector::start(
        "127.0.0.1:0".parse().unwrap(),
        repo_schemas(),
        store,
        Limits::default(),
        SweepSchedule::Every(Duration::from_secs(3600)),
    )
    .unwrap();
    let a = post_json_once(c.addr(), &good_batch());
    assert_eq!(a.status, 503, "{a:?}");
    assert_eq!(a.header("retry-after"), Some("2"));
    assert!(a.body.contains("retry later"), "{a:?}");
    assert_eq!(get(c.addr(), "/healthz").status, 503);
}

/// A SQLite store whose writes wait until the test opens the gate.
struct Gated {
    inner: Box<dyn Store>,
    gate: Arc<(Mutex<bool>, Condvar)>,
}

impl Store for Gated {
    fn write(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError> {
        let (open, cv) = &*self.gate;
        let mut o = open.lock().unwrap();
        while !*o {
            o = cv.wait(o).unwrap();
        }
        drop(o);
        self.inner.write(schemas, batches)
    }
    fn delete_install(&mut self, i: &[u8; 16], c: &[Consent], d: i64) -> Result<(), StoreError> {
        self.inner.delete_install(i, c, d)
    }
    fn sweep(&mut self, today: i64) -> Result<Swept, StoreError> {
        self.inner.sweep(today)
    }
    fn ping(&mut self) -> Result<(), StoreError> {
        self.inner.ping()
    }
    fn events(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        self.inner.events()
    }
    fn scan_metrics(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(candor_collector::store::StoredMetric),
    ) -> Result<(), StoreError> {
        self.inner.scan_metrics(from, to, f)
    }
    fn quarantine(&mut self) -> Result<Vec<QuarantineCount>, StoreError> {
        self.inner.quarantine()
    }
    fn deletion_requests(&mut self) -> Result<Vec<(String, u64)>, StoreError> {
        self.inner.deletion_requests()
    }
}

#[test]
fn a_full_store_queue_answers_503_instead_of_holding_the_batch() {
    let b = Backend::sqlite();
    let gate = Arc::new((Mutex::new(false), Condvar::new()));
    let limits = Limits {
        writer_queue: 1,
        max_group_batches: 1,
        ..Limits::default()
    };
    let c = Collector::start(
        "127.0.0.1:0".parse().unwrap(),
        repo_schemas(),
        Box::new(Gated {
            inner: b.open(),
            gate: gate.clone(),
        }),
        limits,
        // The start-up sweep goes through the queue too; it does not write.
        SweepSchedule::Every(Duration::from_secs(3600)),
    )
    .unwrap();
    let addr = c.addr();
    // Batches are sent one after another until one is told to come back: the writer holds
    // one (the gate is shut) and the queue has room for one, so at most two are waiting when
    // the first 503 comes, however slowly the machine runs them. Nothing here depends on how
    // long anything takes, except that a 503 comes at once.
    let mut waiting = Vec::new();
    let refused = loop {
        assert!(
            waiting.len() <= 2,
            "more batches waiting than the writer and queue hold"
        );
        let (tx, rx) = std::sync::mpsc::channel();
        let started = Instant::now();
        std::thread::spawn(move || {
            let _ = tx.send((post_json_once(addr, &good_batch()), started.elapsed()));
        });
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok(answer) => break answer,
            // Still open: it is held by the writer or waits in the queue.
            Err(_) => waiting.push(rx),
        }
    };
    let (a, took) = refused;
    assert_eq!(a.status, 503, "{a:?}");
    assert!(a.header("retry-after").is_some());
    assert!(took < Duration::from_secs(5));
    assert!(!waiting.is_empty(), "the writer held a batch");
    {
        let (open, cv) = &*gate;
        *open.lock().unwrap() = true;
        cv.notify_all();
    }
    let accepted = waiting.len();
    for w in waiting {
        let (answer, _) = w.recv().unwrap();
        assert_eq!(answer.status, 200);
    }
    drop(c);
    assert_eq!(b.open().events().unwrap().len(), accepted);
}

#[test]
fn idle_connections_beyond_the_limit_are_closed_by_the_header_timeout() {
    let b = Backend::sqlite();
    let limits = Limits {
        max_connections: 2,
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let c = b.collector_with(repo_schemas(), limits);
    // Two clients take every connection and say nothing.
    let idle: Vec<TcpStream> = (0..2)
        .map(|_| TcpStream::connect(c.addr()).unwrap())
        .collect();
    let started = Instant::now();
    let a = post_json(c.addr(), &good_batch());
    assert_eq!(a.status, 200, "{a:?}");
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    for mut s in idle {
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let mut buf = Vec::new();
        // Closed by the server: end of stream (possibly after a 408).
        let _ = s.read_to_end(&mut buf);
        let _ = s.write_all(b"x");
    }
}

#[test]
fn an_idle_keep_alive_connection_is_closed_by_the_header_timeout() {
    let b = Backend::sqlite();
    let limits = Limits {
        header_timeout: Duration::from_secs(1),
        ..Limits::default()
    };
    let c = b.collector_with(repo_schemas(), limits);
    let mut s = TcpStream::connect(c.addr()).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(s, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 4096];
    let n = s.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    // Kept alive, then idle: the server must not let it sit forever.
    let idle_since = Instant::now();
    let mut rest = Vec::new();
    let _ = s.read_to_end(&mut rest);
    let held = idle_since.elapsed();
    assert!(
        held < Duration::from_secs(10),
        "an idle keep-alive connection was held {held:?}"
    );
}
