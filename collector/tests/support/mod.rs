//! Shared by the collector's integration tests: schemas, documents, a raw HTTP client (so a
//! test controls every byte and the source address), and the stores under test — SQLite in a
//! temporary folder, and ClickHouse (`clickhouse.rs`).
#![allow(dead_code)]

pub mod clickhouse;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use candor_collector::store::sqlite::SqliteStore;
use candor_collector::store::Store;
use candor_collector::{Collector, Limits, Schemas, SqliteSync, SweepSchedule};

/// The repository's example schemas.
pub fn repo_schemas() -> Schemas {
    schemas_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas"))
}

/// `tests/schemas`: one field of every type.
pub fn kinds_schemas() -> Schemas {
    schemas_from(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas"))
}

pub fn schemas_from(dir: &Path) -> Schemas {
    let c = candor_schema::compile_dir(dir, &candor_schema::Options::default()).unwrap();
    let Some(reg) = c.registry.as_ref() else {
        panic!("{}", c.render(candor_schema::diagnostic::Color::Never))
    };
    Schemas::new(reg).unwrap()
}

/// A fresh folder below the system temp dir.
pub fn temp_dir(name: &str) -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    let dir = std::env::temp_dir().join(format!(
        "candor-collector-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A new random-looking 128-bit id in lowercase hex (unique per process and call).
pub fn new_id() -> String {
    static N: AtomicU64 = AtomicU64::new(1);
    let n = N.fetch_add(1, Ordering::Relaxed);
    let seed = std::process::id() as u64 ^ nanos();
    let mix = |mut x: u64| {
        x ^= x >> 33;
        x = x.wrapping_mul(0xff51afd7ed558ccd);
        x ^= x >> 33;
        x = x.wrapping_mul(0xc4ceb9fe1a85ec53);
        x ^ (x >> 33)
    };
    format!(
        "{:016x}{:016x}",
        mix(seed ^ n),
        mix(n.wrapping_mul(0x9e3779b97f4a7c15) ^ seed.rotate_left(17))
    )
}

fn nanos() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// The current UTC minute, offset by `minutes`.
pub fn minute_from_now(minutes: i64) -> String {
    candor_collector::minute::format(candor_collector::minute::now() + minutes)
}

/// One event object.
pub fn event(id: &str, name: &str, version: u32, time: &str, fields: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"{name}","version":{version},"time":"{time}","fields":{fields}}}"#
    )
}

/// A batch document around `events`.
pub fn batch(events: &[String], install_id: Option<&str>) -> String {
    let install = install_id.map_or(String::new(), |i| format!(r#","install_id":"{i}""#));
    format!(
        r#"{{"format":"candor.batch/1","app":{{"name":"test-app","version":"1.2.3","os":"linux"}}{install},"sent_at":"{}","events":[{}]}}"#,
        minute_from_now(0),
        events.join(",")
    )
}

/// A deletion request.
pub fn deletion(install_id: &str, categories: &[&str]) -> String {
    let cats: Vec<String> = categories.iter().map(|c| format!("\"{c}\"")).collect();
    format!(
        r#"{{"format":"candor.deletion/1","app":{{"name":"test-app","version":"1.2.3","os":"linux"}},"install_id":"{install_id}","categories":[{}],"sent_at":"{}"}}"#,
        cats.join(","),
        minute_from_now(0)
    )
}

pub fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

/// An HTTP answer.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub head: String,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim().eq_ignore_ascii_case(name).then(|| v.trim())
        })
    }
}

/// Options of one raw request.
#[derive(Default, Clone)]
pub struct Send<'a> {
    pub gzip: bool,
    pub headers: &'a [(&'a str, &'a str)],
    /// Source address to connect from (any 127.0.0.0/8 address works on Linux).
    pub from: Option<std::net::IpAddr>,
}

/// POSTs `body` to `/v1/batch` on a fresh connection and reads the answer.
pub fn post(addr: SocketAddr, body: &[u8], opts: &Send<'_>) -> Answer {
    let payload = if opts.gzip { gzip(body) } else { body.to_vec() };
    let mut head = format!(
        "POST /v1/batch HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n",
        payload.len()
    );
    if opts.gzip {
        head.push_str("Content-Encoding: gzip\r\n");
    }
    for (k, v) in opts.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    let mut stream = connect(addr, opts.from);
    stream.write_all(head.as_bytes()).unwrap();
    // The server may answer (413) and close before reading everything.
    let _ = stream.write_all(&payload);
    read_answer(&mut stream)
}

/// POSTs a JSON document gzip'd, as the runtime does.
/// Posts `json` gzip'd, as the runtime does, and like the runtime comes back after a 503
/// (the store could not keep up: ClickHouse on a loaded machine): the answer is the first that
/// is not a 503, or the last 503 after a minute of retries. Tests of the 503 itself use
/// [`post_json_once`].
pub fn post_json(addr: SocketAddr, json: &str) -> Answer {
    let deadline = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let a = post_json_once(addr, json);
        if a.status != 503 || std::time::Instant::now() >= deadline {
            return a;
        }
        let wait = a
            .header("retry-after")
            .and_then(|s| s.trim().parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 2);
        std::thread::sleep(Duration::from_secs(wait));
    }
}

/// Posts `json` gzip'd once, whatever the answer.
pub fn post_json_once(addr: SocketAddr, json: &str) -> Answer {
    post(
        addr,
        json.as_bytes(),
        &Send {
            gzip: true,
            ..Send::default()
        },
    )
}

pub fn get(addr: SocketAddr, path: &str) -> Answer {
    let mut stream = connect(addr, None);
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    read_answer(&mut stream)
}

pub fn connect(addr: SocketAddr, from: Option<std::net::IpAddr>) -> TcpStream {
    let stream = match from {
        None => TcpStream::connect_timeout(&addr, Duration::from_secs(10)).unwrap(),
        Some(ip) => {
            // Bind the source address first: std cannot, tokio's TcpSocket can.
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let sock = tokio::net::TcpSocket::new_v4().unwrap();
                sock.bind(SocketAddr::new(ip, 0)).unwrap();
                sock.connect(addr).await.unwrap().into_std().unwrap()
            })
        }
    };
    stream.set_nonblocking(false).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(60)))
        .unwrap();
    stream
}

pub fn read_answer(stream: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Answer {
        status,
        head: head.to_string(),
        body: body.to_string(),
    }
}

/// A store under test.
pub enum Backend {
    Sqlite { dir: PathBuf },
    ClickHouse { url: String, files: Option<PathBuf> },
}

impl Backend {
    pub fn sqlite() -> Backend {
        Backend::Sqlite {
            dir: temp_dir("sqlite"),
        }
    }

    /// A fresh database on the test ClickHouse server, or `None` (said loudly) without one.
    pub fn clickhouse() -> Option<Backend> {
        let server = clickhouse::server()?;
        Some(Backend::ClickHouse {
            url: format!("{}/{}", server.base, clickhouse::fresh_database_name()),
            files: server.files.clone(),
        })
    }

    pub fn open(&self) -> Box<dyn Store> {
        match self {
            Backend::Sqlite { dir } => Box::new(
                SqliteStore::open(&dir.join("telemetry.sqlite"), SqliteSync::Normal).unwrap(),
            ),
            Backend::ClickHouse { url, .. } => {
                candor_collector::StoreSpec::parse(&format!("clickhouse:{url}"))
                    .unwrap()
                    .open(SqliteSync::Normal)
                    .unwrap()
            }
        }
    }

    /// Files the store keeps its data in (searched for things that must never be stored).
    pub fn files(&self) -> Vec<PathBuf> {
        let dir = match self {
            Backend::Sqlite { dir } => Some(dir.clone()),
            Backend::ClickHouse { files, .. } => files.clone(),
        };
        let mut out = Vec::new();
        if let Some(d) = dir {
            walk(&d, &mut out);
        }
        out
    }

    /// A collector on a free loopback port writing to this store.
    pub fn collector(&self, schemas: Schemas) -> Collector {
        self.collector_with(schemas, Limits::default())
    }

    pub fn collector_with(&self, schemas: Schemas, limits: Limits) -> Collector {
        Collector::start(
            "127.0.0.1:0".parse().unwrap(),
            schemas,
            self.open(),
            limits,
            SweepSchedule::Every(Duration::from_secs(3600)),
        )
        .unwrap()
    }
}

impl Drop for Backend {
    /// A store's folder goes with it (ingest benchmarks leave stores of millions of rows).
    fn drop(&mut self) {
        if let Backend::Sqlite { dir } = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

pub fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// Whether any of `files` contains `needle` (as bytes).
pub fn files_contain(files: &[PathBuf], needle: &[u8]) -> Option<PathBuf> {
    files.iter().find_map(|f| {
        let data = std::fs::read(f).ok()?;
        data.windows(needle.len())
            .any(|w| w == needle)
            .then(|| f.clone())
    })
}

/// Polls `cond` until it holds or `timeout` passes.
pub fn wait_until(timeout: Duration, mut cond: impl FnMut() -> bool) -> bool {
    let deadline = std::time::Instant::now() + timeout;
    while std::time::Instant::now() < deadline {
        if cond() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    cond()
}
