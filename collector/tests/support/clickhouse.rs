//! The ClickHouse server the store suite runs against.
//!
//! `CANDOR_TEST_CLICKHOUSE=http://127.0.0.1:PORT` points the tests at a running server (CI
//! starts one, see `.ci/clickhouse.sh`; `CANDOR_TEST_CLICKHOUSE_DATA` may name its data folder
//! so the "nothing identifying stored" test can search its files). Otherwise, if
//! `clickhouse-server` is installed, the first test that needs it starts a private one on a
//! free loopback port with its files in a temporary folder; a watcher stops it and removes the
//! folder when the test process ends. Without either, ClickHouse tests say so loudly on stderr
//! and do nothing, except under `CI`, where they fail.

use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub struct Server {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// Its data folder, when known.
    pub files: Option<PathBuf>,
    /// The shell that started the private server and stops it when this process ends; it is
    /// not waited for, since it outlives every test on purpose.
    _watcher: Option<std::process::Child>,
}

pub fn server() -> Option<&'static Server> {
    static SERVER: OnceLock<Option<Server>> = OnceLock::new();
    let s = SERVER.get_or_init(find_or_start).as_ref();
    if s.is_none() {
        let why = "CLICKHOUSE TESTS NOT RUN: set CANDOR_TEST_CLICKHOUSE=http://127.0.0.1:8123 \
                   or install clickhouse-server (apt-get install clickhouse-server)";
        assert!(std::env::var_os("CI").is_none(), "{why}");
        eprintln!("\n!!!!! {why} !!!!!\n");
    }
    s
}

/// A database name no other test uses.
pub fn fresh_database_name() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "candor_test_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

fn find_or_start() -> Option<Server> {
    if let Ok(url) = std::env::var("CANDOR_TEST_CLICKHOUSE") {
        let base = url.trim_end_matches('/').to_string();
        wait_ready(&base, Duration::from_secs(60)).expect("CANDOR_TEST_CLICKHOUSE answers");
        return Some(Server {
            base,
            files: std::env::var_os("CANDOR_TEST_CLICKHOUSE_DATA").map(PathBuf::from),
            _watcher: None,
        });
    }
    let binary = ["/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|d| d.join("clickhouse-server"))
                    .find(|p| p.exists())
            })
        })?;
    Some(start(&binary))
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(binary: &std::path::Path) -> Server {
    let dir = super::temp_dir("clickhouse");
    let (http, tcp) = (free_port(), free_port());
    let d = dir.display();
    std::fs::write(dir.join("users.xml"), USERS).unwrap();
    std::fs::write(
        dir.join("config.xml"),
        format!(
            r#"<yandex>
  <logger><level>warning</level><log>{d}/log/server.log</log><errorlog>{d}/log/error.log</errorlog><console>0</console></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>{http}</http_port>
  <tcp_port>{tcp}</tcp_port>
  <path>{d}/data/</path>
  <tmp_path>{d}/tmp/</tmp_path>
  <user_files_path>{d}/user_files/</user_files_path>
  <format_schema_path>{d}/format_schemas/</format_schema_path>
  <users_config>{d}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>0</uncompressed_cache_size>
  <timezone>UTC</timezone>
</yandex>
"#
        ),
    )
    .unwrap();
    // The watcher outlives nothing: it stops the server and removes its folder as soon as
    // this test process is gone, however it ended.
    let script = format!(
        "'{bin}' --config-file='{d}/config.xml' >'{d}/stdout.log' 2>&1 & srv=$!; \
         while kill -0 {pid} 2>/dev/null && kill -0 $srv 2>/dev/null; do sleep 0.5; done; \
         kill $srv 2>/dev/null; wait $srv; rm -rf '{d}'",
        bin = binary.display(),
        pid = std::process::id(),
    );
    let watcher = Command::new("sh")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sh starts");
    let base = format!("http://127.0.0.1:{http}");
    if let Err(e) = wait_ready(&base, Duration::from_secs(90)) {
        let log = std::fs::read_to_string(dir.join("stdout.log")).unwrap_or_default();
        let err = std::fs::read_to_string(dir.join("log/error.log")).unwrap_or_default();
        panic!("clickhouse-server did not start: {e}\n{log}\n{err}");
    }
    Server {
        base,
        files: Some(dir.join("data")),
        _watcher: Some(watcher),
    }
}

fn wait_ready(base: &str, timeout: Duration) -> Result<(), String> {
    let addr = base.trim_start_matches("http://").to_string();
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    while Instant::now() < deadline {
        match std::net::TcpStream::connect(&addr) {
            Ok(mut s) => {
                use std::io::Write;
                let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
                let _ = write!(
                    s,
                    "GET /?query=SELECT%201 HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
                );
                let mut out = String::new();
                let _ = s.read_to_string(&mut out);
                if out.starts_with("HTTP/1.1 200") {
                    return Ok(());
                }
                last = out;
            }
            Err(e) => last = e.to_string(),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    Err(last)
}

const USERS: &str = r#"<yandex>
  <profiles><default></default></profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
"#;
