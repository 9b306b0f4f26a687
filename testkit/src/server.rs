//! The loopback server: accepts connections on 127.0.0.1, one thread each, reads HTTP/1.1
//! requests with a `Content-Length` or chunked body (kept-alive connections carry several),
//! gunzips them, records them and answers from the script or the responder.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use crate::Answer;

/// One request as the server read it.
#[derive(Clone, Debug)]
pub struct Received {
    /// 0-based arrival order over the server's life.
    pub index: usize,
    /// When the request had been read in full.
    pub at: Instant,
    /// Request method (`POST`).
    pub method: String,
    /// Request target (`/v1/batch`).
    pub path: String,
    /// Headers in the order received.
    pub headers: Vec<(String, String)>,
    /// The body, gunzipped if it was sent with `Content-Encoding: gzip`.
    pub body: Vec<u8>,
    /// The body parsed as JSON; `Null` if it is not JSON or the server does not record.
    pub json: serde_json::Value,
    /// Whether the body claimed gzip and did not decode (the server answers 400 then).
    pub bad_gzip: bool,
    /// Status answered (0 when the connection was dropped without an answer).
    pub status: u16,
}

impl Received {
    /// The first header named `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Responder = dyn Fn(&Received) -> Answer + Send + Sync;
type Counter = fn(&[u8]) -> u64;

/// Options of a [`Server`]; [`Server::builder`] starts one.
#[derive(Clone, Debug)]
pub struct Builder {
    port: u16,
    record: bool,
    counter: Option<Counter>,
    read_timeout: Duration,
}

impl Builder {
    /// Listens on 127.0.0.1:`port` (0, the default, picks a free one).
    pub fn port(mut self, port: u16) -> Builder {
        self.port = port;
        self
    }

    /// Whether to keep every request (body and parsed JSON) for [`Server::requests`].
    /// Default true; a benchmark that sends millions of events turns it off and counts.
    pub fn record(mut self, record: bool) -> Builder {
        self.record = record;
        self
    }

    /// Applied to each decoded body; the sum over acknowledged (2xx) requests is
    /// [`Server::counted`], added before the answer is written.
    pub fn counter(mut self, count: fn(&[u8]) -> u64) -> Builder {
        self.counter = Some(count);
        self
    }

    /// How long a connection may sit idle between requests. Default 10 s.
    pub fn read_timeout(mut self, timeout: Duration) -> Builder {
        self.read_timeout = timeout;
        self
    }

    /// Binds and starts accepting.
    pub fn start(self) -> io::Result<Server> {
        let listener = TcpListener::bind(("127.0.0.1", self.port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State {
            opts: self,
            received: Mutex::new(Vec::new()),
            script: Mutex::new(VecDeque::new()),
            responder: Mutex::new(Arc::new(|_: &Received| Answer::ok())),
            arrivals: AtomicUsize::new(0),
            answered: AtomicUsize::new(0),
            completed: AtomicUsize::new(0),
            counted: AtomicU64::new(0),
            stopped: AtomicBool::new(false),
            conns: Mutex::new(Vec::new()),
        });
        let st = Arc::clone(&state);
        let accept = thread::Builder::new()
            .name("testkit-accept".into())
            .spawn(move || accept_loop(&listener, &st))?;
        Ok(Server {
            addr,
            state,
            accept: Some(accept),
        })
    }
}

struct State {
    opts: Builder,
    received: Mutex<Vec<Received>>,
    script: Mutex<VecDeque<Answer>>,
    responder: Mutex<Arc<Responder>>,
    arrivals: AtomicUsize,
    answered: AtomicUsize,
    /// Answers written in full (or connections dropped), after `answered`.
    completed: AtomicUsize,
    counted: AtomicU64,
    stopped: AtomicBool,
    conns: Mutex<Vec<TcpStream>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A running loopback server. Stops (closing every connection) when dropped.
pub struct Server {
    addr: SocketAddr,
    state: Arc<State>,
    accept: Option<thread::JoinHandle<()>>,
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.addr)
            .field("requests", &self.request_count())
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Starts on an ephemeral loopback port, recording every request and answering 200.
    /// Panics if no loopback port can be bound (there is no test without one).
    pub fn start() -> Server {
        Server::builder().start().expect("bind 127.0.0.1")
    }

    /// Starts on a given loopback port, e.g. one a client was pointed at while it was down.
    pub fn start_on(port: u16) -> Server {
        Server::builder()
            .port(port)
            .start()
            .expect("bind 127.0.0.1")
    }

    /// Options: port, recording, an event counter.
    pub fn builder() -> Builder {
        Builder {
            port: 0,
            record: true,
            counter: None,
            read_timeout: Duration::from_secs(10),
        }
    }

    /// `http://127.0.0.1:<port>/v1/batch`: candor's conventional endpoint; the server answers
    /// every path the same way.
    pub fn url(&self) -> String {
        self.url_for("/v1/batch")
    }

    /// `http://127.0.0.1:<port><path>`.
    pub fn url_for(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The bound port.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// Answers every request not covered by the script with `f` (which may block: it runs on
    /// the connection's thread without any lock held).
    pub fn respond_with(&self, f: impl Fn(&Received) -> Answer + Send + Sync + 'static) {
        *lock(&self.state.responder) = Arc::new(f);
    }

    /// Answers the next requests with `answers`, in order, before the responder is asked again.
    pub fn script(&self, answers: impl IntoIterator<Item = Answer>) {
        lock(&self.state.script).extend(answers);
    }

    /// Every request answered so far (empty when recording is off), in the order answered.
    pub fn requests(&self) -> Vec<Received> {
        lock(&self.state.received).clone()
    }

    /// Requests answered (or dropped) so far.
    pub fn request_count(&self) -> usize {
        self.state.answered.load(Ordering::SeqCst)
    }

    /// Requests read in full so far, including those still waiting for their answer.
    pub fn arrivals(&self) -> usize {
        self.state.arrivals.load(Ordering::SeqCst)
    }

    /// Whether every request that arrived has had its answer written (or its connection
    /// dropped): nothing is in the server's hands, so a client has seen every answer it will.
    pub fn settled(&self) -> bool {
        self.state.arrivals.load(Ordering::SeqCst) == self.state.completed.load(Ordering::SeqCst)
    }

    /// Sum of the [`Builder::counter`] over acknowledged requests. Added before the 2xx is
    /// written, so once a client has seen a request acknowledged, this includes it.
    pub fn counted(&self) -> u64 {
        self.state.counted.load(Ordering::Acquire)
    }

    /// Closes the listener and every open connection.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if self.state.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        // Unblocks accept().
        let _ = TcpStream::connect(self.addr);
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        for c in lock(&self.state.conns).drain(..) {
            let _ = c.shutdown(Shutdown::Both);
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// A free loopback port with nothing listening on it (a server that is down).
pub fn dead_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    l.local_addr().expect("bound").port()
}

fn accept_loop(listener: &TcpListener, st: &Arc<State>) {
    for conn in listener.incoming() {
        if st.stopped.load(Ordering::SeqCst) {
            break;
        }
        let Ok(conn) = conn else { continue };
        if let Ok(c) = conn.try_clone() {
            lock(&st.conns).push(c);
        }
        let st = Arc::clone(st);
        let _ = thread::Builder::new()
            .name("testkit-conn".into())
            .spawn(move || serve(conn, &st));
    }
}

/// A request as read off the connection, before decoding.
struct Raw {
    method: String,
    path: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Reads one request head and body; `None` when the connection ends or is malformed.
fn read_request(r: &mut impl BufRead) -> Option<Raw> {
    let mut line = String::new();
    if r.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next().unwrap_or("").to_owned();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        if r.read_line(&mut h).ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.to_ascii_lowercase().contains("chunked")
    });
    let body = if chunked {
        read_chunked(r)?
    } else {
        let len: usize = headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, v)| v.parse().ok())
            .unwrap_or(0);
        let mut body = vec![0; len];
        r.read_exact(&mut body).ok()?;
        body
    };
    Some(Raw {
        method,
        path,
        headers,
        body,
    })
}

/// A `Transfer-Encoding: chunked` body (RFC 9112 §7.1): hex sizes, chunk extensions ignored,
/// trailers read and dropped.
fn read_chunked(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let size = line.trim_end().split(';').next()?.trim();
        let size = usize::from_str_radix(size, 16).ok()?;
        if size == 0 {
            // Trailer fields up to the empty line.
            loop {
                let mut t = String::new();
                if r.read_line(&mut t).ok()? == 0 || t.trim_end().is_empty() {
                    return Some(body);
                }
            }
        }
        let start = body.len();
        body.resize(start + size, 0);
        r.read_exact(&mut body[start..]).ok()?;
        let mut crlf = [0u8; 2];
        r.read_exact(&mut crlf).ok()?;
    }
}

fn serve(conn: TcpStream, st: &State) {
    let _ = conn.set_read_timeout(Some(st.opts.read_timeout));
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut r = BufReader::new(conn);
    while let Some(Raw {
        method,
        path,
        headers,
        body: raw,
    }) = read_request(&mut r)
    {
        if st.stopped.load(Ordering::SeqCst) {
            return;
        }
        let index = st.arrivals.fetch_add(1, Ordering::SeqCst);
        let gzip = headers
            .iter()
            .any(|(k, v)| k.eq_ignore_ascii_case("content-encoding") && v.trim() == "gzip");
        let (body, bad_gzip) = if gzip {
            let mut body = Vec::new();
            match flate2::read::GzDecoder::new(&raw[..]).read_to_end(&mut body) {
                Ok(_) => (body, false),
                Err(_) => (Vec::new(), true),
            }
        } else {
            (raw, false)
        };
        let json = if st.opts.record {
            serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null)
        } else {
            serde_json::Value::Null
        };
        let mut req = Received {
            index,
            at: Instant::now(),
            method,
            path,
            headers,
            body,
            json,
            bad_gzip,
            status: 0,
        };
        let answer = if bad_gzip {
            Answer::status(400)
        } else {
            let scripted = lock(&st.script).pop_front();
            match scripted {
                Some(a) => a,
                None => {
                    // The responder may block (a stalled server): no lock is held meanwhile.
                    let responder = Arc::clone(&lock(&st.responder));
                    responder(&req)
                }
            }
        };
        if !answer.delay.is_zero() {
            thread::sleep(answer.delay);
        }
        req.status = if answer.reset { 0 } else { answer.status };
        if answer.acknowledges() {
            if let Some(count) = st.opts.counter {
                st.counted.fetch_add(count(&req.body), Ordering::Release);
            }
        }
        if st.opts.record {
            lock(&st.received).push(req);
        }
        st.answered.fetch_add(1, Ordering::SeqCst);
        if answer.reset {
            let _ = out.shutdown(Shutdown::Both);
            st.completed.fetch_add(1, Ordering::SeqCst);
            return;
        }
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\n",
            answer.status,
            answer.body.len()
        );
        for (k, v) in &answer.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let mut bytes = head.into_bytes();
        bytes.extend_from_slice(&answer.body);
        let written = out.write_all(&bytes);
        st.completed.fetch_add(1, Ordering::SeqCst);
        if written.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn post(addr: SocketAddr, body: &[u8], gzip: bool) -> io::Result<String> {
        let mut s = TcpStream::connect(addr)?;
        s.set_read_timeout(Some(Duration::from_secs(10)))?;
        let enc = if gzip {
            "Content-Encoding: gzip\r\n"
        } else {
            ""
        };
        write!(
            s,
            "POST /v1/batch HTTP/1.1\r\nHost: x\r\n{enc}Content-Length: {}\r\n\r\n",
            body.len()
        )?;
        s.write_all(body)?;
        let mut out = Vec::new();
        let mut buf = [0u8; 512];
        // Read the head and the announced body.
        loop {
            let n = s.read(&mut buf)?;
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&out);
            if let Some(end) = text.find("\r\n\r\n") {
                let len: usize = text
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0);
                if out.len() >= end + 4 + len {
                    break;
                }
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn script_then_responder_with_gunzip_and_capture() {
        let server = Server::builder()
            .counter(|b| b.iter().filter(|&&c| c == b'x').count() as u64)
            .start()
            .unwrap();
        server.script([
            Answer::status(503).retry_after("3"),
            Answer::status(413).body("too big"),
        ]);
        server.respond_with(|r| Answer::status(if r.index == 2 { 201 } else { 202 }));
        let a = post(server.addr(), &gzip(br#"{"x":1}"#), true).unwrap();
        assert!(a.starts_with("HTTP/1.1 503"), "{a}");
        assert!(a.contains("Retry-After: 3"), "{a}");
        let b = post(server.addr(), b"xx", false).unwrap();
        assert!(
            b.starts_with("HTTP/1.1 413") && b.ends_with("too big"),
            "{b}"
        );
        let c = post(server.addr(), &gzip(b"xxx"), true).unwrap();
        assert!(c.starts_with("HTTP/1.1 201"), "{c}");
        let d = post(server.addr(), b"not gzip", true).unwrap();
        assert!(d.starts_with("HTTP/1.1 400"), "{d}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), 4);
        assert_eq!(reqs[0].json["x"], 1);
        assert_eq!(reqs[0].header("content-encoding"), Some("gzip"));
        assert_eq!(reqs[1].body, b"xx");
        assert_eq!(reqs[2].body, b"xxx");
        assert!(reqs[3].bad_gzip);
        assert_eq!(
            reqs.iter().map(|r| r.status).collect::<Vec<_>>(),
            [503, 413, 201, 400]
        );
        // Only the acknowledged request is counted.
        assert_eq!(server.counted(), 3);
        assert_eq!((server.arrivals(), server.request_count()), (4, 4));
        // The last answer was read by the client; its thread counts it right after the write.
        let end = Instant::now() + Duration::from_secs(10);
        while !server.settled() {
            assert!(Instant::now() < end, "the server never settled");
            thread::sleep(Duration::from_millis(1));
        }
    }

    #[test]
    fn chunked_bodies_are_read() {
        let server = Server::start();
        let mut s = TcpStream::connect(server.addr()).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        s.write_all(
            b"POST /i HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n\
              4;ext=1\r\n{\"a\"\r\n3\r\n:1}\r\n0\r\nX-Trailer: t\r\n\r\n",
        )
        .unwrap();
        let mut buf = [0u8; 64];
        let n = s.read(&mut buf).unwrap();
        assert!(buf[..n].starts_with(b"HTTP/1.1 200"));
        let reqs = server.requests();
        assert_eq!(reqs[0].body, br#"{"a":1}"#);
        assert_eq!(reqs[0].json["a"], 1);
        assert_eq!(reqs[0].path, "/i");
    }

    #[test]
    fn reset_drops_the_connection_and_delay_holds_the_answer() {
        let server = Server::start();
        server.script([
            Answer::reset(),
            Answer::ok().delay(Duration::from_millis(200)),
        ]);
        let r = post(server.addr(), b"{}", false).unwrap();
        assert_eq!(r, "", "no status line after a reset");
        let t = Instant::now();
        let r = post(server.addr(), b"{}", false).unwrap();
        assert!(r.starts_with("HTTP/1.1 200"));
        assert!(t.elapsed() >= Duration::from_millis(200));
        assert_eq!(server.requests()[0].status, 0);
    }

    #[test]
    fn dead_port_refuses_and_start_on_comes_back() {
        let port = dead_port();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
        let server = Server::start_on(port);
        assert_eq!(server.port(), port);
        assert!(post(server.addr(), b"{}", false)
            .unwrap()
            .starts_with("HTTP/1.1 200"));
        server.stop();
        assert!(TcpStream::connect(("127.0.0.1", port)).is_err());
    }
}
