//! The `candor` binary as the end-to-end tests run it: `candor collect` as a child process on
//! loopback (stopped with SIGTERM), one-shot commands, and the repository's schema folder.

#![allow(dead_code)]

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub const BIN: &str = env!("CARGO_BIN_EXE_candor");

/// The repository's `schemas/`.
pub fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

/// `candor ARGS…`, its colour left to the command's own choice.
pub fn candor(args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("candor runs")
}

/// `candor collect` as a child process on `127.0.0.1`, stopped with SIGTERM.
pub struct Collect {
    child: Child,
    pub addr: SocketAddr,
}

impl Collect {
    /// Starts it on the repository's schemas and the SQLite file `db`, its log in `log`, and
    /// waits until it says where it listens.
    pub fn start(db: &Path, log: &Path) -> Collect {
        let mut child = Command::new(BIN)
            .arg("collect")
            .arg("--schemas")
            .arg(schemas_dir())
            .arg("--store")
            .arg(format!("sqlite:{}", db.display()))
            .args(["--listen", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).unwrap())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            if let Some(rest) = text.split("listening on http://").nth(1) {
                let addr = rest.split('/').next().unwrap().parse().unwrap();
                return Collect { child, addr };
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

    /// SIGTERM, and a clean exit.
    pub fn stop(mut self) {
        let ok = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
        assert!(self.child.wait().unwrap().success());
    }
}
