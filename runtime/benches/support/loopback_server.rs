//! A std-only HTTP/1.1 collector on 127.0.0.1 that gunzips every request
//! body and counts the events in it, answering 200 (400 to a body that is
//! not gzip). Shared, through `#[path = ...] mod loopback_server;`, by the
//! criterion benchmark `runtime/benches/e2e.rs`
//! (`cargo bench -p candor --bench e2e`) and the example
//! `runtime/examples/loopback_throughput.rs`, so both measure against the same
//! server. Not a target of its own: cargo only builds `benches/*.rs` and
//! `benches/*/main.rs`.

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

/// A running loopback collector. Its threads live as long as the process:
/// the bench and the example each start one and exit when done.
pub struct LoopbackServer {
    url: String,
    received: Arc<AtomicU64>,
}

impl LoopbackServer {
    /// Binds 127.0.0.1 on a free port and starts accepting connections.
    pub fn start() -> io::Result<LoopbackServer> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let url = format!("http://{}/v1/batch", listener.local_addr()?);
        let received = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&received);
        thread::Builder::new()
            .name("loopback-accept".into())
            .spawn(move || serve(listener, counter))?;
        Ok(LoopbackServer { url, received })
    }

    /// The batch endpoint to give to `HttpTransport::new`.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Events received so far, over all connections. The count is added
    /// before the 200 is written, so once the client has seen a batch
    /// acknowledged, this already includes it.
    pub fn received(&self) -> u64 {
        self.received.load(Ordering::Acquire)
    }
}

fn serve(listener: TcpListener, received: Arc<AtomicU64>) {
    for conn in listener.incoming().flatten() {
        let received = Arc::clone(&received);
        thread::spawn(move || handle(conn, &received));
    }
}

fn handle(conn: TcpStream, received: &AtomicU64) {
    let Ok(mut out) = conn.try_clone() else {
        return;
    };
    let mut r = BufReader::new(conn);
    let mut raw = Vec::new();
    let mut line = String::new();
    loop {
        let mut len = 0usize;
        line.clear();
        if r.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if r.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut body = vec![0; len];
        if r.read_exact(&mut body).is_err() {
            return;
        }
        raw.clear();
        if flate2::read::GzDecoder::new(&body[..])
            .read_to_end(&mut raw)
            .is_err()
        {
            let _ = out.write_all(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
            continue;
        }
        received.fetch_add(count_events(&raw), Ordering::Release);
        if out
            .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
            .is_err()
        {
            return;
        }
    }
}

/// `{"id":"` can only appear at the start of an event object: inside JSON
/// strings the quotes are escaped.
fn count_events(raw: &[u8]) -> u64 {
    // Jump from '{' to '{' instead of comparing every 7-byte window: the
    // server shares the cores with the pipeline it measures.
    let mut n = 0;
    let mut at = 0;
    while let Some(p) = raw[at..].iter().position(|&b| b == b'{') {
        at += p + 1;
        if raw[at..].starts_with(b"\"id\":\"") {
            n += 1;
        }
    }
    n
}
