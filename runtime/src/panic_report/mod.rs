//! Error reports: [`install_panic_hook`] records a panic as an event of a schema-declared
//! error report (`error_report: true`, whose derive implements [`ErrorReport`]).
//!
//! The report holds the panic site relative to its crate and the app's own function paths
//! (rules in `scrub` and `docs/error-reports.md`), never the panic message. The hook writes it
//! to the spool as a `crash-*.cnd` file before it returns, taking no lock of the client (the
//! panic may have happened while one was held, on any thread, even the sender's), then calls
//! the hook that was installed before. The next start adopts the file like any spooled batch:
//! sent if `diagnostics` consent holds, deleted if it was revoked.

pub(crate) mod scrub;

use std::backtrace::Backtrace;
use std::panic::{self, PanicHookInfo};
use std::sync::{Arc, Weak};

use crate::client::{Client, Shared};
use crate::event::Event;

/// An event the panic hook can fill in: implemented by `#[derive(Event)]` for an event whose
/// schema says `error_report: true` (fields `site`, `frames`, `frames_omitted`).
pub trait ErrorReport: Event + Sized {
    /// The event for `report`, its text fitted to the schema's `max_len`s.
    fn from_report(report: &PanicReport) -> Self;
}

/// What the hook learnt of a panic, already scrubbed. Never holds the panic message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PanicReport {
    site: String,
    frames: scrub::Frames,
}

impl PanicReport {
    /// The panic site: `crate-folder/path/in/crate.rs:line`.
    pub fn site(&self) -> &str {
        &self.site
    }

    /// The app's own frames, innermost first, separated by spaces, with `+N` where N frames
    /// of other crates were collapsed.
    pub fn frames(&self) -> &str {
        &self.frames.text
    }

    /// Frames not in [`PanicReport::frames`].
    pub fn frames_omitted(&self) -> u64 {
        self.frames.omitted
    }

    /// `(site, frames, frames_omitted)` with the texts cut to at most `site_max` and
    /// `frames_max` bytes: the site keeps its last path components and the line, the frames
    /// are cut at a frame boundary and the frames cut are added to the omitted count.
    pub fn fit(&self, site_max: usize, frames_max: usize) -> (String, String, u64) {
        let (frames, omitted) = scrub::fit(&self.frames, frames_max);
        (fit_site(&self.site, site_max), frames, omitted)
    }

    /// A report built from a panic site and a rendered backtrace, as the hook builds it
    /// (public for tests of the scrubbing rules; the hook is the normal way).
    pub fn from_parts(file: &str, line: u32, backtrace: &str, app_crates: &[String]) -> Self {
        PanicReport {
            site: scrub::site(file, line),
            frames: scrub::frames(backtrace, app_crates),
        }
    }
}

fn fit_site(site: &str, max: usize) -> String {
    if site.len() <= max {
        return site.to_owned();
    }
    // Drop leading components until it fits; the file name and line are worth most.
    let mut rest = site;
    while rest.len() > max {
        match rest.split_once('/') {
            Some((_, tail)) => rest = tail,
            None => return String::new(),
        }
    }
    rest.to_owned()
}

/// Which crates count as the app's, and installs the hook. The default: the crate whose code
/// panicked (the first frame past the panic machinery) and the binary's crate (the
/// executable's name, `-` read as `_`).
#[derive(Clone, Debug, Default)]
pub struct PanicHook {
    app_crates: Vec<String>,
}

impl PanicHook {
    /// The default rules.
    pub fn new() -> PanicHook {
        PanicHook::default()
    }

    /// Counts `name` (a crate name; `-` is read as `_`) as one of the app's crates: its
    /// frames are kept in reports. Naming any crate replaces the default.
    pub fn app_crate(mut self, name: &str) -> PanicHook {
        self.app_crates.push(name.replace('-', "_"));
        self
    }

    /// Installs the hook for `client`, chained to the hook installed before. The hook holds
    /// the client weakly: once every handle is dropped it only calls the previous hook.
    pub fn install<R: ErrorReport>(self, client: &Client) {
        let weak: Weak<Shared> = Arc::downgrade(client.shared());
        let fixed = if self.app_crates.is_empty() {
            None
        } else {
            Some(self.app_crates)
        };
        let binary = binary_crate();
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if let Some(shared) = weak.upgrade() {
                record::<R>(&shared, fixed.as_deref(), binary.as_deref(), info);
            }
            previous(info);
        }));
    }
}

/// Records panics of this process as `R` events through `client`, with the default rules of
/// [`PanicHook`]. Reports need `Config::spool_dir`: without one there is nowhere to keep them
/// across the crash, and nothing is recorded.
pub fn install_panic_hook<R: ErrorReport>(client: &Client) {
    PanicHook::new().install::<R>(client);
}

fn record<R: ErrorReport>(
    s: &Shared,
    fixed: Option<&[String]>,
    binary: Option<&str>,
    info: &PanicHookInfo<'_>,
) {
    if !s.records(R::CONSENT) {
        return;
    }
    let Some(dir) = s.cfg.spool_dir.as_deref() else {
        return;
    };
    let Some(location) = info.location() else {
        return;
    };
    // Deliberately not `info.payload()`: the message may hold anything.
    let rendered = Backtrace::force_capture().to_string();
    let crates: Vec<String> = match fixed {
        Some(list) => list.to_vec(),
        None => scrub::panicking_crate(&rendered)
            .into_iter()
            .chain(binary.map(str::to_owned))
            .collect(),
    };
    let report = PanicReport::from_parts(location.file(), location.line(), &rendered, &crates);
    let event = R::from_report(&report);
    let Some((id, body)) = s.encode_report(&event) else {
        return;
    };
    let _ = crate::spool::write_crash_file(dir, &id, &body);
}

/// A count into whatever unsigned type a `count` field has, saturating (for the derive's
/// `impl ErrorReport`).
pub fn count_from<T: TryFrom<u64> + Bounded>(n: u64) -> T {
    T::try_from(n).unwrap_or(T::MAX)
}

/// Unsigned integer types with a largest value, for [`count_from`].
pub trait Bounded {
    /// The largest value.
    const MAX: Self;
}

macro_rules! bounded {
    ($($t:ty),*) => { $(impl Bounded for $t { const MAX: Self = <$t>::MAX; })* };
}
bounded!(u8, u16, u32, u64, u128, usize);

/// The executable's crate name: its file stem with `-` read as `_`, without the `-<hash>`
/// cargo gives test binaries.
fn binary_crate() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let stem = exe.file_stem()?.to_str()?;
    let stem = match stem.rsplit_once('-') {
        Some((head, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            head
        }
        _ => stem,
    };
    Some(stem.replace('-', "_"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::lock;
    use crate::encode::{EncodeError, FieldWriter, StrCheck};
    use crate::event::EventMeta;
    use crate::{Config, Consent, FileTransport};
    use std::time::Duration;

    struct Report(String, String, u64);

    impl Event for Report {
        const META: EventMeta = EventMeta {
            name: "test.crashed",
            version: 1,
            consent: Consent::Diagnostics,
            retention_days: 30,
            fingerprint: "0000000000000000",
            expires_day: EventMeta::NEVER_EXPIRES,
        };
        fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
            w.begin();
            w.str("site", &self.0, &StrCheck::new(Some(200), None))?;
            w.str("frames", &self.1, &StrCheck::new(Some(2000), None))?;
            w.u64("frames_omitted", self.2);
            w.end();
            Ok(())
        }
    }

    impl ErrorReport for Report {
        fn from_report(r: &PanicReport) -> Self {
            let (a, b, c) = r.fit(200, 2000);
            Report(a, b, c)
        }
    }

    /// The panic happens on a thread that holds the client's pipeline lock: the hook must
    /// still write its report (it takes no lock), where locking would deadlock this test.
    #[test]
    fn a_panic_while_the_pipeline_lock_is_held_is_still_recorded() {
        let base = std::env::temp_dir().join(format!("candor-hook-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let mut cfg = Config::new("t", "1");
        cfg.spool_dir = Some(base.join("spool"));
        let out = base.join("out.jsonl");
        std::fs::create_dir_all(&base).unwrap();
        let client = Client::start(cfg, FileTransport::append(&out).unwrap()).unwrap();
        assert!(client.set_consent(Consent::Diagnostics, true));
        install_panic_hook::<Report>(&client);
        let shared = Arc::clone(client.shared());
        let joined = std::thread::spawn(move || {
            let _held = lock(&shared.state);
            panic!("inside the pipeline lock");
        })
        .join();
        // Back to the default hook for the other tests of this binary.
        drop(panic::take_hook());
        assert!(joined.is_err());
        let crashes = std::fs::read_dir(base.join("spool"))
            .unwrap()
            .filter(|e| {
                let name = e.as_ref().unwrap().file_name();
                let name = name.to_string_lossy();
                name.starts_with("crash-") && name.ends_with(".cnd")
            })
            .count();
        assert!(crashes >= 1, "the report is on disk");
        // The poisoned lock does not stop the client.
        client.shutdown(Duration::from_secs(2));
        std::fs::remove_dir_all(&base).unwrap();
    }

    #[test]
    fn a_long_site_keeps_its_tail() {
        assert_eq!(fit_site("a/src/b/c.rs:10", 100), "a/src/b/c.rs:10");
        assert_eq!(fit_site("a/src/b/c.rs:10", 10), "b/c.rs:10");
        assert_eq!(fit_site("a/src/b/c.rs:10", 3), "");
    }
}
