//! The relay (`candor collect --forward VENDOR --forward-url URL`): events the collector has
//! checked and stored are forwarded to the team's analytics vendor from the store's durable
//! queue, through the runtime's vendor sink for that vendor (`candor::SegmentTransport`, ...),
//! which encodes with `candor-interop`'s encoder: the one encoder per vendor the apps' own
//! sinks use too.
//!
//! Why a relay: the vendor receives requests from the collector, never from the person's
//! device, so it never sees the person's IP address (the one guarantee no vendor flag gives),
//! and what it receives passed the collector's schema checks (only declared, non-personal
//! fields, in one canonical spelling).
//!
//! How it runs: one thread beside the writer. It reads the head of the queue ([`ForwardQueue`])
//! on its own connection, gathers the entries of each app (and installation id, when the app
//! sent one) into a `candor.batch/1` document, and hands each to the sink. Entries leave the
//! queue only once the vendor took their events or refused them for good, so delivery is
//! at-least-once: after a crash between the vendor's answer and the queue's update, the next
//! start sends them again under the same vendor ids, which the vendor deduplicates. A vendor
//! outage or a slow vendor holds up this thread only: the writer and the HTTP server never
//! wait for it, so ingest goes on and the queue grows, bounded by retention (a sweep removes
//! an event and its queue entry together). A deletion request removes the installation's
//! queued events with its rows: what was not forwarded yet never will be.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use candor::transport::vendor::SinkMonitor;
use candor::transport::{Request, RequestKind, Response, Transport};
use candor::{
    MixpanelTransport, OtlpTransport, PostHogTransport, SegmentTransport, SnowplowTransport,
};
pub use candor_interop::Vendor;

use crate::log;
use crate::minute;
use crate::store::{ForwardQueue, Queued, StoredEvent};

/// Where and how to forward.
#[derive(Clone, Debug)]
pub struct ForwardSpec {
    pub vendor: Vendor,
    /// The vendor's base URL (Segment's `https://api.segment.io`, a Snowplow collector, an
    /// OTLP receiver's `https://host:4318`, ...); `http://` only to loopback.
    pub url: String,
    /// Segment's write key, Mixpanel's project token or PostHog's project API key.
    pub key: Option<String>,
    /// Snowplow: the Iglu vendor the schemas were exported under (`candor schema --iglu`).
    pub iglu_vendor: Option<String>,
    /// OTLP: headers for every request (the receiver's credentials).
    pub headers: Vec<(String, String)>,
    /// Per vendor request.
    pub timeout: Duration,
}

impl ForwardSpec {
    /// The sink that sends for this spec, or why it cannot be made (a missing or empty key, a
    /// URL that breaks the endpoint rules, an option the vendor does not take).
    pub fn sink(&self) -> Result<(Box<dyn Transport>, SinkMonitor), String> {
        let key = || {
            self.key
                .as_deref()
                .filter(|k| !k.is_empty())
                .ok_or_else(|| {
                    format!(
                        "forwarding to {} needs its credential in CANDOR_FORWARD_KEY ({})",
                        self.vendor,
                        match self.vendor {
                            Vendor::Segment => "the source's write key",
                            Vendor::Mixpanel => "the project token",
                            _ => "the project API key",
                        }
                    )
                })
        };
        let only = |what: &str, ok: bool| {
            if ok {
                Ok(())
            } else {
                Err(format!("{what} does not apply to {}", self.vendor))
            }
        };
        only(
            "an Iglu vendor",
            self.iglu_vendor.is_none() || self.vendor == Vendor::Snowplow,
        )?;
        only(
            "extra headers",
            self.headers.is_empty() || self.vendor == Vendor::Otlp,
        )?;
        only(
            "a credential",
            self.key.is_none()
                || matches!(
                    self.vendor,
                    Vendor::Segment | Vendor::Mixpanel | Vendor::PostHog
                ),
        )?;
        let e = |e: candor::EndpointError| format!("--forward-url: {e}");
        let t = self.timeout;
        Ok(match self.vendor {
            Vendor::Segment => {
                let s = SegmentTransport::new(&self.url, key()?)
                    .map_err(e)?
                    .with_timeout(t);
                let m = s.monitor();
                (Box::new(s), m)
            }
            Vendor::Mixpanel => {
                let s = MixpanelTransport::new(&self.url, key()?)
                    .map_err(e)?
                    .with_timeout(t);
                let m = s.monitor();
                (Box::new(s), m)
            }
            Vendor::PostHog => {
                let s = PostHogTransport::new(&self.url, key()?)
                    .map_err(e)?
                    .with_timeout(t);
                let m = s.monitor();
                (Box::new(s), m)
            }
            Vendor::Snowplow => {
                let mut s = SnowplowTransport::new(&self.url)
                    .map_err(e)?
                    .with_timeout(t);
                if let Some(v) = &self.iglu_vendor {
                    s = s
                        .with_iglu_vendor(v)
                        .map_err(|e| format!("--forward-iglu-vendor: {e}"))?;
                }
                let m = s.monitor();
                (Box::new(s), m)
            }
            Vendor::Otlp => {
                let mut s = OtlpTransport::new(&self.url).map_err(e)?.with_timeout(t);
                for (name, value) in &self.headers {
                    s = s
                        .with_header(name, value)
                        .map_err(|e| format!("CANDOR_FORWARD_HEADERS: {e}"))?;
                }
                let m = s.monitor();
                (Box::new(s), m)
            }
        })
    }
}

/// Parses `name=value,name=value` (the form of `OTEL_EXPORTER_OTLP_HEADERS`).
pub fn parse_headers(s: &str) -> Result<Vec<(String, String)>, String> {
    s.split(',')
        .filter(|p| !p.trim().is_empty())
        .map(|p| {
            p.split_once('=')
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .filter(|(n, _)| !n.is_empty())
                .ok_or_else(|| "CANDOR_FORWARD_HEADERS: expected `name=value,…`".to_owned())
        })
        .collect()
}

/// How the forwarder paces itself.
#[derive(Clone, Copy, Debug)]
pub struct ForwardOptions {
    /// Most queue entries read (and forwarded) per round.
    pub batch: usize,
    /// How often an empty queue is looked at again.
    pub idle_poll: Duration,
    /// First backoff ceiling after a failed round; doubles up to `retry_cap`.
    pub retry_base: Duration,
    pub retry_cap: Duration,
    /// Largest vendor `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for ForwardOptions {
    fn default() -> Self {
        ForwardOptions {
            batch: 500,
            idle_poll: Duration::from_millis(500),
            retry_base: Duration::from_secs(1),
            retry_cap: Duration::from_secs(300),
            max_retry_after: Duration::from_secs(3600),
        }
    }
}

/// What the forwarder has done since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ForwardStats {
    /// Events the vendor took.
    pub forwarded: u64,
    /// Events the vendor refused for good (or that no vendor request could carry).
    pub refused: u64,
    /// Queue entries whose event was gone (swept or erased) before it was forwarded.
    pub gone: u64,
    /// Rounds that stopped to wait (vendor down, asked for a retry, or the queue unreadable).
    pub waits: u64,
}

#[derive(Debug, Default)]
struct Cells {
    forwarded: AtomicU64,
    refused: AtomicU64,
    gone: AtomicU64,
    waits: AtomicU64,
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for Forwarding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarding").finish_non_exhaustive()
    }
}

/// Everything `run` needs to forward: the queue, the sink, the pacing.
pub struct Forwarding {
    pub queue: Box<dyn ForwardQueue>,
    pub sink: Box<dyn Transport>,
    pub options: ForwardOptions,
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for Forwarder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Forwarder").finish_non_exhaustive()
    }
}

/// The forwarder thread.
pub struct Forwarder {
    stop: Arc<AtomicBool>,
    /// Bumped on stop: the sink starts no further vendor request for the document in hand.
    interrupts: Arc<AtomicU64>,
    cells: Arc<Cells>,
    thread: Option<thread::JoinHandle<()>>,
}

impl Forwarder {
    pub fn spawn(f: Forwarding) -> std::io::Result<Forwarder> {
        let stop = Arc::new(AtomicBool::new(false));
        let interrupts = Arc::new(AtomicU64::new(0));
        let cells = Arc::new(Cells::default());
        let (s, i, c) = (stop.clone(), interrupts.clone(), cells.clone());
        let thread = thread::Builder::new()
            .name("candor-forward".into())
            .spawn(move || Worker::new(f, s, i, c).run())?;
        Ok(Forwarder {
            stop,
            interrupts,
            cells,
            thread: Some(thread),
        })
    }

    pub fn stats(&self) -> ForwardStats {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ForwardStats {
            forwarded: l(&self.cells.forwarded),
            refused: l(&self.cells.refused),
            gone: l(&self.cells.gone),
            waits: l(&self.cells.waits),
        }
    }

    /// Stops: no new vendor request starts; waits up to `grace` for the one in flight (its
    /// answer updates the queue), then leaves the thread to end on its own. What is still
    /// queued is forwarded by the next start.
    pub fn stop(mut self, grace: Duration) {
        self.signal();
        if let Some(t) = self.thread.take() {
            let end = Instant::now() + grace;
            while !t.is_finished() && Instant::now() < end {
                thread::sleep(Duration::from_millis(10));
            }
            if t.is_finished() {
                let _ = t.join();
            }
        }
    }

    fn signal(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.interrupts.fetch_add(1, Ordering::SeqCst);
        if let Some(t) = &self.thread {
            t.thread().unpark();
        }
    }
}

impl Drop for Forwarder {
    fn drop(&mut self) {
        self.signal();
    }
}

/// The vendor found a document too large: send it in halves.
struct TooLarge;

/// How a document (or a part of one) ended.
enum Sent {
    /// Every event finished: this many delivered, this many refused for good.
    Finished { delivered: u64, refused: u64 },
    /// The vendor asked to be retried (after this long, if it said), or gave no answer.
    Wait(Option<Duration>),
}

struct Worker {
    queue: Box<dyn ForwardQueue>,
    sink: Box<dyn Transport>,
    options: ForwardOptions,
    stop: Arc<AtomicBool>,
    interrupts: Arc<AtomicU64>,
    cells: Arc<Cells>,
    /// Failed rounds in a row, for the backoff.
    failures: u32,
    /// Whether the last round failed (log on the change only).
    failing: bool,
    random: std::collections::hash_map::RandomState,
}

impl Worker {
    fn new(
        f: Forwarding,
        stop: Arc<AtomicBool>,
        interrupts: Arc<AtomicU64>,
        cells: Arc<Cells>,
    ) -> Worker {
        Worker {
            queue: f.queue,
            sink: f.sink,
            options: f.options,
            stop,
            interrupts,
            cells,
            failures: 0,
            failing: false,
            random: Default::default(),
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::SeqCst)
    }

    fn run(mut self) {
        while !self.stopped() {
            let entries = match self.queue.next(self.options.batch) {
                Ok(e) => e,
                Err(e) => {
                    self.wait(None, &format!("the queue cannot be read: {e}"));
                    continue;
                }
            };
            if entries.is_empty() {
                self.pause(self.options.idle_poll);
                continue;
            }
            let (finished, wait) = self.round(&entries);
            if let Err(e) = self.queue.done(&finished) {
                // The vendor has these; they are sent again next round, which its ids make
                // harmless.
                self.wait(None, &format!("the queue cannot be updated: {e}"));
                continue;
            }
            match wait {
                Some(w) => self.wait(w.0, &w.1),
                None => self.recovered(),
            }
        }
    }

    /// Forwards one round of entries, one document per envelope (app and installation id),
    /// each in queue order, stopping at the first document that must wait. Entries of one
    /// envelope are rarely consecutive (a commit holds many apps' batches), so they are
    /// gathered across the round; the order between envelopes carries no meaning. Returns the
    /// entries finished, and why the round stopped early, if it did.
    fn round(&mut self, entries: &[Queued]) -> (Vec<i64>, Option<(Option<Duration>, String)>) {
        let mut finished = Vec::new();
        let mut groups: Vec<Vec<(i64, &StoredEvent)>> = Vec::new();
        for q in entries {
            let Some(e) = &q.event else {
                self.cells.gone.fetch_add(1, Ordering::Relaxed);
                finished.push(q.pos);
                continue;
            };
            match groups.iter_mut().find(|g| same_envelope(g[0].1, e)) {
                Some(g) => g.push((q.pos, e)),
                None => groups.push(vec![(q.pos, e)]),
            }
        }
        for g in &groups {
            if let Some(w) = self.forward(g, &mut finished) {
                return (finished, Some(w));
            }
        }
        (finished, None)
    }

    /// Forwards one group (one app and installation id), splitting it where the vendor finds
    /// a document too large. Pushes the entries it finished.
    fn forward(
        &mut self,
        group: &[(i64, &StoredEvent)],
        finished: &mut Vec<i64>,
    ) -> Option<(Option<Duration>, String)> {
        let mut work: Vec<&[(i64, &StoredEvent)]> = vec![group];
        while let Some(part) = work.pop() {
            if self.stopped() {
                return Some((None, "stopping".into()));
            }
            match self.send(part) {
                Ok(Sent::Finished { delivered, refused }) => {
                    self.cells.forwarded.fetch_add(delivered, Ordering::Relaxed);
                    self.cells.refused.fetch_add(refused, Ordering::Relaxed);
                    finished.extend(part.iter().map(|(pos, _)| *pos));
                }
                Ok(Sent::Wait(after)) => {
                    return Some((after, "the vendor asked to retry, or did not answer".into()))
                }
                Err(TooLarge) if part.len() > 1 => {
                    let (a, b) = part.split_at(part.len() / 2);
                    work.push(b);
                    work.push(a);
                }
                Err(TooLarge) => {
                    // One event the vendor finds too large will never fit.
                    self.cells.refused.fetch_add(1, Ordering::Relaxed);
                    finished.push(part[0].0);
                }
            }
        }
        None
    }

    /// Sends one document, or says that the vendor wants it split.
    fn send(&mut self, part: &[(i64, &StoredEvent)]) -> Result<Sent, TooLarge> {
        let doc = document(part.iter().map(|(_, e)| *e), minute::now());
        let request =
            Request::new(RequestKind::Batch, doc.as_bytes(), part.len()).watching(&self.interrupts);
        let answer: Response = match self.sink.send(&request) {
            Ok(a) => a,
            Err(_) => return Ok(Sent::Wait(None)),
        };
        let n = part.len() as u64;
        Ok(match answer.status {
            200..=299 => {
                let refused = (answer.rejected as u64).min(n);
                Sent::Finished {
                    delivered: n - refused,
                    refused,
                }
            }
            413 => return Err(TooLarge),
            408 | 429 | 500..=599 => Sent::Wait(answer.retry_after),
            _ => Sent::Finished {
                delivered: 0,
                refused: n,
            },
        })
    }

    /// A round that could not finish: back off (the vendor's `Retry-After` when it gave one,
    /// otherwise full-jitter exponential), logging only when forwarding starts failing.
    fn wait(&mut self, after: Option<Duration>, why: &str) {
        if self.stopped() {
            return;
        }
        self.cells.waits.fetch_add(1, Ordering::Relaxed);
        if !self.failing {
            self.failing = true;
            log::line(&format!(
                "forwarding paused, events stay queued: {why}; retrying"
            ));
        }
        let wait = match after {
            Some(d) => d.min(self.options.max_retry_after),
            None => self.backoff(),
        };
        self.failures = self.failures.saturating_add(1);
        self.pause(wait);
    }

    fn recovered(&mut self) {
        self.failures = 0;
        if self.failing {
            self.failing = false;
            log::line("forwarding resumed");
        }
    }

    fn backoff(&self) -> Duration {
        use std::hash::{BuildHasher, Hasher};
        let ceiling = self
            .options
            .retry_base
            .saturating_mul(1u32.checked_shl(self.failures.min(31)).unwrap_or(u32::MAX))
            .min(self.options.retry_cap);
        let mut h = self.random.build_hasher();
        h.write_u32(self.failures);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        let nanos = ceiling.as_nanos().min(u128::from(u64::MAX)) as u64;
        Duration::from_nanos(h.finish() % nanos.saturating_add(1))
    }

    /// Sleeps up to `d`, waking early on stop.
    fn pause(&self, d: Duration) {
        let end = Instant::now() + d;
        while !self.stopped() {
            let now = Instant::now();
            if now >= end {
                return;
            }
            thread::park_timeout(end - now);
        }
    }
}

/// Whether two stored events belong in one `candor.batch/1` document (same app, same
/// installation id or none).
fn same_envelope(a: &StoredEvent, b: &StoredEvent) -> bool {
    a.app_name == b.app_name
        && a.app_version == b.app_version
        && a.app_os == b.app_os
        && a.install_id == b.install_id
}

/// The `candor.batch/1` document of stored events of one envelope (one app, one installation
/// id or none), built at `now` (minutes since the epoch). The fields are the stored canonical
/// JSON.
pub fn document<'a>(mut events: impl Iterator<Item = &'a StoredEvent>, now: i64) -> String {
    let Some(first) = events.next() else {
        return String::new();
    };
    let s = |v: &str| serde_json::Value::String(v.to_owned()).to_string();
    let mut doc = format!(
        r#"{{"format":{},"app":{{"name":{},"version":{},"os":{}}}"#,
        s(crate::wire::BATCH_FORMAT),
        s(&first.app_name),
        s(&first.app_version),
        s(&first.app_os)
    );
    if let Some(id) = &first.install_id {
        doc.push_str(&format!(r#","install_id":{}"#, s(id)));
    }
    doc.push_str(&format!(
        r#","sent_at":{},"events":["#,
        s(&minute::format(now))
    ));
    for (i, e) in std::iter::once(first).chain(events).enumerate() {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(
            r#"{{"id":{},"name":{},"version":{},"time":{},"fields":{}}}"#,
            s(&e.id),
            s(&e.event),
            e.version,
            s(&e.time),
            e.fields
        ));
    }
    doc.push_str("]}");
    doc
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(id: u8, app: &str, install: Option<&str>, fields: &str) -> StoredEvent {
        StoredEvent {
            id: format!("{id:032x}"),
            event: "app.error_shown".into(),
            version: 1,
            time: "2026-11-22T12:33Z".into(),
            category: "diagnostics".into(),
            retention_days: 30,
            delete_on: "2026-12-22".into(),
            app_name: app.into(),
            app_version: "1.0 \"beta\"\n".into(),
            app_os: "linux".into(),
            install_id: install.map(str::to_owned),
            fields: fields.into(),
        }
    }

    #[test]
    fn documents_read_back_with_the_strict_reader_and_keep_every_value() {
        let app = "wället \"pro\" \\ \u{1}\u{2028}";
        let install = "5a0e3c1d9b7f4e2a8c6d0b1f3e5a7c9d";
        let events = [
            stored(1, app, Some(install), r#"{"code":"E_X","n":1.0,"ok":true}"#),
            stored(2, app, Some(install), "{}"),
        ];
        let doc = document(events.iter(), minute::parse("2026-11-22T12:40Z").unwrap());
        let batch = candor_interop::Batch::read(doc.as_bytes()).expect("a candor.batch/1");
        assert_eq!(batch.app.name.decode(), app);
        assert_eq!(batch.app.version.decode(), "1.0 \"beta\"\n");
        assert_eq!(batch.install_id.unwrap().hex(), install);
        assert_eq!(batch.sent_at.as_str(), "2026-11-22T12:40Z");
        assert_eq!(batch.events.len(), 2);
        assert_eq!(batch.events[0].id.hex(), format!("{:032x}", 1));
        assert_eq!(
            batch.events[0].fields.raw,
            r#"{"code":"E_X","n":1.0,"ok":true}"#
        );
        assert!(serde_json::from_str::<serde_json::Value>(&doc).is_ok());
        let without = document(std::iter::once(&stored(3, "a", None, "{}")), 0);
        assert!(candor_interop::Batch::read(without.as_bytes())
            .unwrap()
            .install_id
            .is_none());
        assert_eq!(document(std::iter::empty(), 0), "");
    }

    #[test]
    fn one_document_holds_one_app_and_one_installation_id() {
        let a = stored(1, "a", None, "{}");
        assert!(same_envelope(&a, &stored(2, "a", None, "{}")));
        assert!(!same_envelope(&a, &stored(2, "b", None, "{}")));
        assert!(!same_envelope(&a, &stored(2, "a", Some("x"), "{}")));
        let mut v = stored(2, "a", None, "{}");
        v.app_version = "2".into();
        assert!(!same_envelope(&a, &v));
        let mut os = stored(2, "a", None, "{}");
        os.app_os = "macos".into();
        assert!(!same_envelope(&a, &os));
    }

    /// A queue in memory, and a sink that answers from a script, to drive the worker's
    /// rounds without threads.
    struct MemQueue(Vec<Queued>);

    impl ForwardQueue for MemQueue {
        fn next(&mut self, max: usize) -> Result<Vec<Queued>, crate::store::StoreError> {
            Ok(self.0.iter().take(max).cloned().collect())
        }
        fn done(&mut self, positions: &[i64]) -> Result<(), crate::store::StoreError> {
            self.0.retain(|q| !positions.contains(&q.pos));
            Ok(())
        }
        fn depth(&mut self) -> Result<u64, crate::store::StoreError> {
            Ok(self.0.len() as u64)
        }
    }

    struct Script {
        answers: Vec<Result<Response, candor::TransportError>>,
        seen: Arc<std::sync::Mutex<Vec<usize>>>,
    }

    impl Transport for Script {
        fn send(&mut self, r: &Request<'_>) -> Result<Response, candor::TransportError> {
            self.seen.lock().unwrap().push(r.events);
            if self.answers.is_empty() {
                Ok(Response::new(200))
            } else {
                self.answers.remove(0)
            }
        }
    }

    fn worker(
        entries: Vec<Queued>,
        answers: Vec<Result<Response, candor::TransportError>>,
    ) -> (Worker, Arc<std::sync::Mutex<Vec<usize>>>) {
        let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
        let w = Worker::new(
            Forwarding {
                queue: Box::new(MemQueue(entries)),
                sink: Box::new(Script {
                    answers,
                    seen: seen.clone(),
                }),
                options: ForwardOptions::default(),
            },
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicU64::new(0)),
            Arc::new(Cells::default()),
        );
        (w, seen)
    }

    fn queued(pos: i64, app: &str) -> Queued {
        Queued {
            pos,
            event: Some(stored(pos as u8, app, None, "{}")),
        }
    }

    #[test]
    fn a_round_gathers_each_app_skips_what_is_gone_and_stops_at_a_retry() {
        let entries = vec![
            queued(1, "a"),
            queued(2, "a"),
            Queued {
                pos: 3,
                event: None,
            },
            queued(4, "b"),
            queued(5, "a"),
        ];
        let retry = Response::new(503).with_retry_after(Some(Duration::from_secs(7)));
        let (mut w, seen) = worker(entries.clone(), vec![Ok(Response::new(200)), Ok(retry)]);
        let (mut finished, wait) = w.round(&entries);
        finished.sort_unstable();
        assert_eq!(
            finished,
            [1, 2, 3, 5],
            "a's three entries in one document, the gone one finished, b waits"
        );
        assert_eq!(wait.unwrap().0, Some(Duration::from_secs(7)));
        assert_eq!(*seen.lock().unwrap(), [3, 1]);
        let s = w.cells.as_ref();
        assert_eq!(s.forwarded.load(Ordering::Relaxed), 3);
        assert_eq!(s.gone.load(Ordering::Relaxed), 1);
    }

    #[test]
    fn a_split_halves_until_it_fits_and_a_lone_event_too_large_is_refused() {
        let entries: Vec<Queued> = (1..=4).map(|s| queued(s, "a")).collect();
        let too_large = || Ok(Response::new(413));
        // 4 → 413; halves 2 → 413, 1 → 413 (refused), 1 → ok; 2 → ok.
        let (mut w, seen) = worker(
            entries.clone(),
            vec![
                too_large(),
                too_large(),
                too_large(),
                Ok(Response::new(200)),
            ],
        );
        let (finished, wait) = w.round(&entries);
        assert!(wait.is_none());
        assert_eq!(finished, [1, 2, 3, 4]);
        assert_eq!(*seen.lock().unwrap(), [4, 2, 1, 1, 2]);
        assert_eq!(w.cells.refused.load(Ordering::Relaxed), 1);
        assert_eq!(w.cells.forwarded.load(Ordering::Relaxed), 3);
    }

    #[test]
    fn answers_count_as_the_runtime_counts_them() {
        let entries: Vec<Queued> = (1..=3).map(|s| queued(s, "a")).collect();
        for (answer, forwarded, refused, waits) in [
            (Ok(Response::new(200).with_rejected(1)), 2, 1, false),
            (Ok(Response::new(422)), 0, 3, false),
            (Ok(Response::new(400)), 0, 3, false),
            (Ok(Response::new(503)), 0, 0, true),
            (Ok(Response::new(429)), 0, 0, true),
            (Err(candor::TransportError::new("reset")), 0, 0, true),
        ] {
            let (mut w, _) = worker(entries.clone(), vec![answer]);
            let (finished, wait) = w.round(&entries);
            assert_eq!(wait.is_some(), waits);
            assert_eq!(finished.len(), if waits { 0 } else { 3 });
            assert_eq!(w.cells.forwarded.load(Ordering::Relaxed), forwarded);
            assert_eq!(w.cells.refused.load(Ordering::Relaxed), refused);
        }
    }

    #[test]
    fn headers_parse_like_otel_exporter_otlp_headers() {
        assert_eq!(
            parse_headers("api-key=abc,x-tenant = t1").unwrap(),
            [
                ("api-key".to_owned(), "abc".to_owned()),
                ("x-tenant".to_owned(), "t1".to_owned())
            ]
        );
        assert!(parse_headers("=v").is_err());
        assert!(parse_headers("").unwrap().is_empty());
    }
}
