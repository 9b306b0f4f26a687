//! Test support: the shared loopback server (`candor-testkit`) with candor-specific views of
//! what it received, short client timings, and hand-written `Event` impls standing in for
//! derived ones.
#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

pub use candor_testkit::{dead_port, Answer, Received, Server};

mod events;
pub use events::{Clicked, Failed};

/// Candor's view of one received document.
pub trait Document {
    /// The `events` of a batch (empty for other documents).
    fn events(&self) -> Vec<serde_json::Value>;
    /// The ids of those events.
    fn event_ids(&self) -> Vec<String>;
}

impl Document for Received {
    fn events(&self) -> Vec<serde_json::Value> {
        self.json["events"].as_array().cloned().unwrap_or_default()
    }
    fn event_ids(&self) -> Vec<String> {
        self.events()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// What a server acknowledged.
pub trait Delivered {
    /// Events in requests answered 2xx.
    fn delivered_events(&self) -> Vec<serde_json::Value>;
}

impl Delivered for Server {
    fn delivered_events(&self) -> Vec<serde_json::Value> {
        self.requests()
            .iter()
            .filter(|r| (200..300).contains(&r.status))
            .flat_map(|r| r.events())
            .collect()
    }
}

/// A unique temporary directory for one test.
pub fn temp_dir(name: &str) -> std::path::PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
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

/// Runs this test binary again as a child process running only the ignored test `name`,
/// with `env` set and the opt-out switches of the parent's environment removed.
pub fn run_child(name: &str, env: &[(&str, &std::ffi::OsStr)]) -> std::process::ExitStatus {
    let mut cmd = std::process::Command::new(std::env::current_exe().unwrap());
    cmd.args(["--ignored", "--exact", name, "--test-threads=1"])
        .env_remove("DO_NOT_TRACK")
        .env_remove("CANDOR_TELEMETRY")
        .stdout(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.status().unwrap()
}
