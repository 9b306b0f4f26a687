//! Test support: a real HTTP/1.1 server on 127.0.0.1 (std only) that counts
//! and records requests and can be down, slow, or answer 5xx/429/413, plus
//! hand-written `Event` impls standing in for derived ones.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

mod events;
pub use events::{Clicked, Failed};

/// One received request.
#[derive(Clone, Debug)]
pub struct Received {
    pub at: Instant,
    pub path: String,
    pub headers: Vec<(String, String)>,
    /// Gunzipped body parsed as JSON.
    pub json: serde_json::Value,
    pub status: u16,
}

impl Received {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn event_ids(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    }
    pub fn events(&self) -> Vec<serde_json::Value> {
        self.json["events"].as_array().cloned().unwrap_or_default()
    }
}

/// How the server answers a request (given the 0-based request index and
/// the parsed body).
pub type Responder =
    dyn Fn(usize, &serde_json::Value) -> (u16, Vec<(String, String)>) + Send + Sync;

struct State {
    received: Mutex<Vec<Received>>,
    next_index: std::sync::atomic::AtomicUsize,
    responder: Mutex<Arc<Responder>>,
    stopped: AtomicBool,
    conns: Mutex<Vec<TcpStream>>,
}

pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<thread::JoinHandle<()>>,
}

impl Server {
    /// Starts on an ephemeral loopback port, answering 200 to everything.
    pub fn start() -> Server {
        Self::start_on(0)
    }

    /// Starts on a given loopback port (0 = ephemeral).
    pub fn start_on(port: u16) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).expect("bind loopback");
        let addr = listener.local_addr().unwrap();
        let state = Arc::new(State {
            received: Mutex::new(Vec::new()),
            next_index: std::sync::atomic::AtomicUsize::new(0),
            responder: Mutex::new(Arc::new(|_, _| (200, Vec::new()))),
            stopped: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let st = Arc::clone(&state);
        let accept = thread::spawn(move || {
            for conn in listener.incoming() {
                if st.stopped.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(conn) = conn else { continue };
                if let Ok(c) = conn.try_clone() {
                    st.conns.lock().unwrap().push(c);
                }
                let st = Arc::clone(&st);
                thread::spawn(move || serve(conn, &st));
            }
        });
        Server {
            addr,
            state,
            accept: Some(accept),
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}/v1/batch", self.addr)
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    pub fn respond_with(
        &self,
        f: impl Fn(usize, &serde_json::Value) -> (u16, Vec<(String, String)>) + Send + Sync + 'static,
    ) {
        *self.state.responder.lock().unwrap() = Arc::new(f);
    }

    pub fn requests(&self) -> Vec<Received> {
        self.state.received.lock().unwrap().clone()
    }

    pub fn request_count(&self) -> usize {
        self.state.received.lock().unwrap().len()
    }

    /// Events in requests answered 2xx.
    pub fn delivered_events(&self) -> Vec<serde_json::Value> {
        self.requests()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .flat_map(|r| r.events())
            .collect()
    }

    /// Closes the listener and every open connection.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.state.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        // Unblock accept().
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for c in self.state.conns.lock().unwrap().drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn serve(conn: TcpStream, st: &State) {
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut out = match conn.try_clone() {
        Ok(c) => c,
        Err(_) => return,
    };
    let mut r = BufReader::new(conn);
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).unwrap_or(0) == 0 || st.stopped.load(Ordering::SeqCst) {
            return;
        }
        let path = line.split_whitespace().nth(1).unwrap_or("").to_owned();
        let mut headers = Vec::new();
        loop {
            let mut h = String::new();
            if r.read_line(&mut h).unwrap_or(0) == 0 {
                return;
            }
            let h = h.trim_end();
            if h.is_empty() {
                break;
            }
            if let Some((k, v)) = h.split_once(':') {
                headers.push((k.trim().to_owned(), v.trim().to_owned()));
            }
        }
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        let gz = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v == "gzip");
        let raw = if gz {
            let mut d = flate2::read::GzDecoder::new(&body[..]);
            let mut s = Vec::new();
            d.read_to_end(&mut s).expect("valid gzip");
            s
        } else {
            body
        };
        let json: serde_json::Value = serde_json::from_slice(&raw).expect("request body is JSON");
        let responder = Arc::clone(&st.responder.lock().unwrap());
        // The responder may block (a stalled server), so it runs without
        // holding the request log's lock.
        let idx = st.next_index.fetch_add(1, Ordering::SeqCst);
        let at = Instant::now();
        let (status, extra) = responder(idx, &json);
        st.received.lock().unwrap().push(Received {
            at,
            path,
            headers,
            json,
            status,
        });
        let mut resp = format!("HTTP/1.1 {status} X\r\nContent-Length: 0\r\n");
        for (k, v) in extra {
            resp.push_str(&format!("{k}: {v}\r\n"));
        }
        resp.push_str("\r\n");
        if out.write_all(resp.as_bytes()).is_err() {
            return;
        }
    }
}

/// A free loopback port with nothing listening on it (a server that is "down").
pub fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

/// A unique temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    static N: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("candor-test-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Waits until `f` is true (polling), panicking after `limit`.
pub fn wait_until(limit: Duration, mut f: impl FnMut() -> bool) {
    let end = Instant::now() + limit;
    while !f() {
        assert!(
            Instant::now() < end,
            "condition not reached within {limit:?}"
        );
        thread::sleep(Duration::from_millis(5));
    }
}

/// Config with short timings for tests.
pub fn fast_config() -> candor::Config {
    let mut c = candor::Config::new("candor-test", "0.1.0");
    c.batch_interval = Duration::from_millis(50);
    c.retry.base = Duration::from_millis(10);
    c.retry.cap = Duration::from_millis(100);
    c
}

pub fn http(url: &str) -> candor::HttpTransport {
    candor::HttpTransport::with_timeout(url, Duration::from_secs(5)).unwrap()
}
