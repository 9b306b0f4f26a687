//! Client configuration and its documented defaults.

use std::path::PathBuf;
use std::time::Duration;

use crate::clock::Clock;
use crate::retry::RetryPolicy;
use crate::sent_log::SentLog;

/// Settings for [`Client::start`](crate::Client::start). Create with
/// [`Config::new`] and adjust fields; defaults are listed per field.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct Config {
    /// App name sent in every envelope.
    pub app_name: String,
    /// App version sent in every envelope.
    pub app_version: String,
    /// Where the consent choice (and the installation id, if enabled) is
    /// persisted. Default: none (consent lives only in memory).
    pub state_dir: Option<PathBuf>,
    /// Directory of the disk spool. Default: none (no spool; undelivered
    /// events are lost when the process exits).
    pub spool_dir: Option<PathBuf>,
    /// `fsync` spool writes. Default: false (a process crash loses nothing
    /// written; an OS crash may lose the last seconds).
    pub spool_fsync: bool,
    /// Send an anonymous random installation id, rotated on every opt-out.
    /// Default: false (no identifier at all).
    pub install_id: bool,
    /// On opt-out, send one deletion request naming the previous
    /// installation id so the server can erase what it holds. Only
    /// meaningful with `install_id`. Default: false.
    pub deletion_request: bool,
    /// Queue capacity in events. Default: 10 000.
    pub queue_max_events: usize,
    /// Queue capacity in bytes. Default: 4 MiB.
    pub queue_max_bytes: usize,
    /// A batch is sent once it holds this many events. Default: 500.
    pub batch_max_events: usize,
    /// ... or this many bytes of JSON. Default: 500 KiB.
    pub batch_max_bytes: usize,
    /// ... or once its first event is this old. Default: 5 s.
    pub batch_interval: Duration,
    /// Encoded events larger than this are refused and counted. Default: 32 KiB.
    pub max_event_bytes: usize,
    /// Bound on undelivered batches held in memory and in the spool. When it
    /// is reached the sender stops taking events from the queue, so new events
    /// meet a full queue (`dropped.queue_full`) instead of accepted ones being
    /// pushed out; only a spool loaded at start beyond it loses its oldest
    /// batches (`dropped.overflow`). Default: 16 MiB.
    pub max_pending_bytes: usize,
    /// Backoff parameters. Default: 1 s base, 5 min cap, `Retry-After` ≤ 1 h.
    pub retry: RetryPolicy,
    /// Where the current minute comes from. Default: the system clock. Tests of expiry and
    /// retention set [`Clock::fixed`]; it is read by the sender thread, never per event.
    pub clock: Clock,
    /// Keep the documents delivered in the last days in `<state_dir>/sent/`, readable with
    /// [`Client::sent_log`](crate::Client::sent_log) and `candor inspect`. Needs `state_dir`.
    /// Default: none (nothing kept; files an earlier run kept are deleted at start).
    pub sent_log: Option<SentLog>,
    /// How long metrics are aggregated before their documents are sent. Intervals are
    /// aligned to UTC (with the default, each starts on the hour) and counted in whole
    /// minutes; shorter than a minute counts as one minute. `flush` and `shutdown` also send
    /// what the current interval holds so far. Default: 1 h.
    pub metrics_interval: Duration,
}

impl Config {
    /// Defaults for an app.
    pub fn new(app_name: impl Into<String>, app_version: impl Into<String>) -> Self {
        Config {
            app_name: app_name.into(),
            app_version: app_version.into(),
            state_dir: None,
            spool_dir: None,
            spool_fsync: false,
            install_id: false,
            deletion_request: false,
            queue_max_events: 10_000,
            queue_max_bytes: 4 << 20,
            batch_max_events: 500,
            batch_max_bytes: 500 << 10,
            batch_interval: Duration::from_secs(5),
            max_event_bytes: 32 << 10,
            max_pending_bytes: 16 << 20,
            retry: RetryPolicy::default(),
            clock: Clock::system(),
            sent_log: None,
            metrics_interval: Duration::from_secs(3600),
        }
    }
}

/// Whether the environment turns telemetry off. It can only ever turn it
/// off: `DO_NOT_TRACK` set to anything but empty/`0`/`false`, or
/// `CANDOR_TELEMETRY` set to `off`/`0`/`false`/`no`/`disabled`. Then nothing
/// leaves the process and nothing new is recorded; the person's persisted
/// choice and an earlier run's spool are kept as they are.
pub fn environment_opts_out() -> bool {
    let dnt = std::env::var("DO_NOT_TRACK").unwrap_or_default();
    let dnt = dnt.trim();
    let dnt_off = !dnt.is_empty() && dnt != "0" && !dnt.eq_ignore_ascii_case("false");
    let sw = std::env::var("CANDOR_TELEMETRY")
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    dnt_off || matches!(sw.as_str(), "off" | "0" | "false" | "no" | "disabled")
}
