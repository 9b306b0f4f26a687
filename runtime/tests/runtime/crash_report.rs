//! Error reports through a real crash: a child process panics in app code whose path and
//! message hold an e-mail address, a wallet address and a home directory; the report is in
//! the spool when the process is gone, the next start sends it to a loopback server, and none
//! of those strings is in any byte sent or spooled. With `diagnostics` revoked in between, the
//! next start deletes it unsent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use candor::__private::StrCheck;
use candor::{
    Client, Consent, EncodeError, ErrorReport, Event, EventMeta, FieldWriter, PanicReport,
};

use crate::support::{fast_config, http, run_child, temp_dir, Delivered, Server};

#[path = "panic_site/home/alice/alice@example.org/bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4/src/lib.rs"]
mod app;

/// Strings that must never leave the device (or reach the spool).
const FORBIDDEN: [&str; 6] = [
    "alice@example.org",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
    "/home/alice",
    "alice",
    "keys.json",
    "cannot sign",
];

/// `app.crashed` with `error_report: true`, as `#[derive(Event)]` writes it.
struct Crashed {
    site: String,
    frames: String,
    frames_omitted: u64,
}

impl Event for Crashed {
    const META: EventMeta = EventMeta {
        name: "app.crashed",
        version: 1,
        consent: Consent::Diagnostics,
        retention_days: 30,
        fingerprint: "c4a5b00000000001",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.str("site", &self.site, &StrCheck::new(Some(200), None))?;
        w.str("frames", &self.frames, &StrCheck::new(Some(1000), None))?;
        w.u64("frames_omitted", self.frames_omitted);
        w.end();
        Ok(())
    }
}

impl ErrorReport for Crashed {
    fn from_report(r: &PanicReport) -> Self {
        let (site, frames, frames_omitted) = r.fit(200, 1000);
        Crashed {
            site,
            frames,
            frames_omitted,
        }
    }
}

fn config(dir: &Path) -> candor::Config {
    let mut cfg = fast_config();
    cfg.spool_dir = Some(dir.join("spool"));
    cfg.state_dir = Some(dir.join("state"));
    cfg
}

/// The child: grants diagnostics, installs the hook, panics in app code. Its server is
/// unreachable, so nothing can be sent before the crash.
#[test]
#[ignore = "child process of a_panic_is_spooled_and_sent_by_the_next_start"]
fn child_panicking() {
    let dir = std::env::var("CANDOR_TEST_DIR").expect("run by the crash report tests");
    let url = format!("http://127.0.0.1:{}/v1/batch", crate::support::dead_port());
    let client = Client::start(config(dir.as_ref()), http(&url)).unwrap();
    assert!(client.set_consent(Consent::Diagnostics, true));
    candor::install_panic_hook::<Crashed>(&client);
    // On another thread, as a panic may happen anywhere; joined so the process then fails.
    let worker = std::thread::spawn(|| app::sign_for("alice@example.org"));
    assert!(worker.join().is_err());
}

fn crash_in_child(name: &str) -> PathBuf {
    let dir = temp_dir(name);
    let status = run_child(
        "crash_report::child_panicking",
        &[("CANDOR_TEST_DIR", dir.as_os_str())],
    );
    assert!(status.success(), "the child's own test passes: {status:?}");
    dir
}

fn spool_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<_> = std::fs::read_dir(dir.join("spool"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    out.sort();
    out
}

fn assert_clean(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for bad in FORBIDDEN {
        assert!(!text.contains(bad), "{what} holds `{bad}`: {text}");
    }
}

#[test]
fn a_panic_is_spooled_and_sent_by_the_next_start() {
    let dir = crash_in_child("crash-report");
    let files = spool_files(&dir);
    let crashes: Vec<_> = files
        .iter()
        .filter(|(n, _)| n.starts_with("crash-") && n.ends_with(".cnd"))
        .collect();
    assert_eq!(crashes.len(), 1, "one report in the spool: {files:?}");
    assert_clean("the spooled report", &crashes[0].1);

    let server = Server::start();
    let client = Client::start(config(&dir), http(&server.url())).unwrap();
    assert!(client.consent(Consent::Diagnostics), "the choice persisted");
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let events = server.delivered_events();
    assert_eq!(events.len(), 1, "{events:?}");
    let e = &events[0];
    assert_eq!(e["name"], "app.crashed");
    let site = e["fields"]["site"].as_str().unwrap();
    assert!(
        site.starts_with("_/src/lib.rs:"),
        "the crate folder named after a wallet address is replaced: {site}"
    );
    let frames = e["fields"]["frames"].as_str().unwrap();
    assert!(
        frames.starts_with("runtime::crash_report::app::sign_for"),
        "the app's own frames, innermost first: {frames}"
    );
    assert!(e["fields"]["frames_omitted"].as_u64().unwrap() > 0);
    for r in server.requests() {
        assert_clean("a request body", &r.body);
        assert_clean("a request", r.json.to_string().as_bytes());
    }
    let c = client.counters();
    assert_eq!((c.loaded, c.sent), (1, 1));
    client.shutdown(Duration::from_secs(2));
    assert!(spool_files(&dir).is_empty(), "delivered, so deleted");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_report_is_deleted_unsent_when_diagnostics_was_revoked() {
    let dir = crash_in_child("crash-revoked");
    assert_eq!(spool_files(&dir).len(), 1);
    // The person revoked diagnostics after the crash (in another run of the app).
    std::fs::write(dir.join("state/consent"), "diagnostics=denied\n").unwrap();
    let server = Server::start();
    let client = Client::start(config(&dir), http(&server.url())).unwrap();
    client.flush(Duration::from_secs(2));
    assert_eq!(server.request_count(), 0);
    let c = client.counters();
    assert_eq!((c.loaded, c.sent, c.dropped.revoked), (1, 0, 1));
    client.shutdown(Duration::from_secs(2));
    assert!(spool_files(&dir).is_empty(), "deleted from disk");
    let _ = std::fs::remove_dir_all(&dir);
}
