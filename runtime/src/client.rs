//! The public API: [`Client`] (start, `track()`, consent, flush, shutdown, counters),
//! [`Outcome`] and [`FlushReport`].
//!
//! `track()` runs on the caller's thread: one relaxed load of the consent gate, then encoding
//! into a thread-local buffer and one short append under the queue's lock. Everything after
//! the queue belongs to the [`Pipeline`] value, behind one lock, driven by the sender thread
//! ([`crate::sender`]). `set_consent` takes the same lock, so it cannot interleave with the
//! sender building a request: when it returns, revoked events are gone from the queue, from
//! memory and from disk, and the next request body is built from what is left.
//!
//! Two masks: the person's *choice* (persisted, kept by the pipeline) and the *gate* that
//! `track()` reads. The gate is the choice while the client runs, and closed (zero) while the
//! environment opts out or after shutdown. Closing the gate never deletes anything: only a
//! change of the choice (an opt-out) does.

use std::cell::{Cell, RefCell};
use std::fmt;
use std::io;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, OnceLock, PoisonError};
use std::thread::{self, Thread};
use std::time::{Duration, Instant};

use crate::clock::format_minute;
use crate::config::{environment_opts_out, Config};
use crate::consent::{store, Consent};
use crate::counters::{snapshot, Counters, Refusals};
use crate::encode::{write_escaped, EncodeError, FieldWriter};
use crate::event::Event;
use crate::ids::{new_id_hex, IdPool};
use crate::pipeline::{Limits, Pipeline, Start};
use crate::queue::{Meta, Push, Queue, Records};
use crate::scanner::SecretKind;
use crate::sent_log::SentLogEntry;
use crate::spool::Spool;
use crate::transport::Transport;
use crate::wire::AppInfo;

/// What happened to one tracked event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// Accepted into the queue. A string value the scanner's prescreen could not clear is
    /// scanned in full on the sender thread before the event gets an id; if that finds a
    /// secret, the event is deleted there and counted `dropped.secret_deferred`.
    Queued,
    /// Its consent category is off, the environment opts out, or the client is shut down:
    /// dropped, not counted.
    ConsentOff,
    /// The queue was full: dropped and counted.
    QueueFull,
    /// Larger than `max_event_bytes`: dropped and counted.
    TooLarge,
    /// A field failed its schema check: dropped and counted.
    Invalid,
    /// The secret scanner matched a string value: dropped and counted (`dropped.secret`).
    /// `track()` runs only the scanner's bounded prescreen and answers [`Outcome::Queued`]
    /// for a string it cannot clear, so a secret is reported through
    /// `dropped.secret_deferred` instead; this outcome remains for writers that scan in
    /// full at once.
    Secret(SecretKind),
    /// The event's schema expired (its `expires` date has passed by the runtime's coarse
    /// clock): not recorded, counted as `dropped.schema_expired`.
    SchemaExpired,
}

/// Result of [`Client::flush`] / [`Client::shutdown`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FlushReport {
    /// Events not yet delivered when the call returned.
    pub pending: usize,
    /// Of those, events safe in the spool (delivered by a later start).
    pub spooled: usize,
}

impl FlushReport {
    /// Whether everything was delivered.
    pub fn is_complete(&self) -> bool {
        self.pending == 0
    }
}

/// A running telemetry client. Cheap to clone; all clones share one
/// queue and sender thread.
#[derive(Clone)]
pub struct Client {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.shared;
        let granted: Vec<&str> = Consent::ALL
            .iter()
            .filter(|c| s.gate.load(Ordering::Relaxed) & c.bit() != 0)
            .map(|c| c.as_str())
            .collect();
        f.debug_struct("Client")
            .field("app_name", &s.cfg.app_name)
            .field("app_version", &s.cfg.app_version)
            .field("recording", &granted)
            .field("disabled_by_environment", &s.env_off)
            .finish_non_exhaustive()
    }
}

pub(crate) struct Shared {
    /// What `track()` reads: the choice while running, zero under the environment switch and
    /// after shutdown.
    gate: AtomicU8,
    /// Current UTC minute, kept by the sender thread (which wakes at every
    /// minute boundary) so `track()` does not read the system clock: a clock
    /// read costs ~50 ns on the machines we measured, half the budget.
    pub(crate) minute: AtomicU32,
    is_global: AtomicBool,
    env_off: bool,
    queue: Queue,
    refusals: Refusals,
    pub(crate) state: Mutex<State>,
    pub(crate) progress: Condvar,
    sender: OnceLock<Thread>,
    /// The sent log, if enabled: its own lock, taken by the sender after a delivery and by
    /// an opt-out, never while the pipeline lock is needed by anyone else.
    pub(crate) sent_log: Mutex<Option<crate::sent_log::Store>>,
    max_event_bytes: usize,
    /// Metrics bound to this client (`register_metrics`). Locked after `state`, never before.
    pub(crate) metrics: Mutex<crate::metrics::registry::Registry>,
    pub(crate) cfg: Config,
    /// Bumped under the pipeline lock at every consent revocation (before the purge) and
    /// when shutdown halts the pipeline: a transport sending one document as several
    /// requests starts no further request once it changed (`Request::still_wanted`).
    pub(crate) interrupts: AtomicU64,
}

/// What the pipeline lock guards: the pipeline and the sender's bookkeeping.
pub(crate) struct State {
    pub(crate) pipe: Pipeline,
    /// Boxed: 4 KiB of ids would otherwise sit inside `Shared`, next to the gate `track()` reads.
    ids: Box<IdPool>,
    /// Callers waiting in `flush`: the sender closes the open batch at once and polls.
    pub(crate) flushers: usize,
    /// Asked to stop (shutdown, or the last handle dropped).
    pub(crate) stop: bool,
    /// Counts `flush` calls, so the sender sends the metrics of the current interval once
    /// per flush.
    pub(crate) flush_gen: u64,
    /// The last `flush_gen` whose metrics the sender has taken.
    pub(crate) flush_taken: u64,
    /// The sender thread has returned.
    pub(crate) done: bool,
}

thread_local! {
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static MINUTE: Cell<(u32, [u8; 17])> = const { Cell::new((u32::MAX, [0; 17])) };
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Client {
    /// Starts a client and its sender thread. Loads the persisted consent
    /// choice and installation id from `state_dir`, and undelivered events
    /// from `spool_dir`.
    ///
    /// Fails with [`io::ErrorKind::InvalidInput`] when `cfg.app_name` is empty (the wire
    /// format requires a name; a receiver that checks it would refuse every batch), or when
    /// `cfg.deletion_request` is on and the transport cannot deliver deletion requests
    /// ([`Transport::delivers_deletion_requests`], e.g. a vendor sink): the app would promise
    /// an erasure that cannot happen.
    pub fn start(cfg: Config, transport: impl Transport) -> io::Result<Client> {
        if cfg.app_name.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Config::app_name is empty: every document names the app",
            ));
        }
        if cfg.deletion_request && !transport.delivers_deletion_requests() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "Config::deletion_request is on, but this transport cannot deliver deletion \
                 requests (a vendor's ingestion credentials cannot erase data): turn it off and \
                 erase through the vendor's own deletion process",
            ));
        }
        let env_off = environment_opts_out();
        let mut choice = None;
        let mut install_id = None;
        if let Some(dir) = &cfg.state_dir {
            choice = store::load(dir);
            if cfg.install_id {
                install_id = store::load_install_id(dir);
            }
        }
        let spool = match &cfg.spool_dir {
            Some(dir) => Some(Spool::open(dir, cfg.spool_fsync)?),
            None => None,
        };
        let sent_log = open_sent_log(&cfg)?;
        let now = Instant::now();
        let now_min = cfg.clock.now_minute();
        let mut pipe = Pipeline::new(
            Start {
                limits: Limits::of(&cfg),
                app: AppInfo::new(&cfg.app_name, &cfg.app_version),
                spool,
                choice,
                may_send: !env_off,
                install_id,
                metrics: crate::pipeline::metrics::Outbox::open(
                    cfg.spool_dir.as_deref(),
                    cfg.spool_fsync,
                    now,
                ),
            },
            now,
            now_min,
        );
        if pipe.ensure_install_id(new_id_hex) {
            if let Some(dir) = &cfg.state_dir {
                let _ = store::save_install_id(dir, pipe.install_id());
            }
        }
        let gate = if env_off { 0 } else { pipe.choice() };
        let shared = Arc::new(Shared {
            gate: AtomicU8::new(gate),
            minute: AtomicU32::new(now_min),
            is_global: AtomicBool::new(false),
            env_off,
            queue: Queue::new(
                cfg.queue_max_events,
                cfg.queue_max_bytes,
                cfg.batch_max_events,
                cfg.batch_max_bytes,
            ),
            refusals: Refusals::default(),
            state: Mutex::new(State {
                pipe,
                ids: Box::new(IdPool::new()),
                flushers: 0,
                flush_gen: 0,
                flush_taken: 0,
                stop: false,
                done: false,
            }),
            progress: Condvar::new(),
            sender: OnceLock::new(),
            sent_log: Mutex::new(sent_log),
            max_event_bytes: cfg.max_event_bytes,
            metrics: Mutex::new(Default::default()),
            cfg,
            interrupts: AtomicU64::new(0),
        });
        let worker = Arc::clone(&shared);
        let handle = thread::Builder::new()
            .name("candor-sender".into())
            .spawn(move || crate::sender::run(&worker, transport))?;
        let _ = shared.sender.set(handle.thread().clone());
        Ok(Client { shared })
    }

    /// Records `event` if its consent category is granted. Never blocks:
    /// encodes on the caller's thread, appends to the bounded queue, and
    /// drops (counting why) if anything is wrong.
    #[inline]
    pub fn track<E: Event>(&self, event: &E) -> Outcome {
        if self.shared.gate.load(Ordering::Relaxed) & E::CONSENT.bit() == 0 {
            return Outcome::ConsentOff;
        }
        self.shared.track_enabled(event)
    }

    /// Grants or revokes one consent category and returns whether events of the category
    /// are now recorded. Granting is refused while the environment opts out. Revoking is
    /// immediate: when this returns, queued and spooled events of the category are deleted
    /// and no request carrying them will start. After [`Client::shutdown`] the choice is
    /// still recorded (and persisted), but nothing is recorded any more.
    pub fn set_consent(&self, category: Consent, granted: bool) -> bool {
        self.shared.set_consent(category, granted)
    }

    /// Whether events of `category` are recorded now: granted, not overridden by the
    /// environment, and the client not shut down.
    pub fn consent(&self, category: Consent) -> bool {
        self.shared.gate.load(Ordering::Relaxed) & category.bit() != 0
    }

    /// Whether the environment (`DO_NOT_TRACK`, `CANDOR_TELEMETRY`) turned
    /// telemetry off for this process.
    pub fn disabled_by_environment(&self) -> bool {
        self.shared.env_off
    }

    /// The anonymous installation id currently in use, if enabled and
    /// consent was ever granted.
    pub fn install_id(&self) -> Option<String> {
        lock(&self.shared.state)
            .pipe
            .install_id()
            .map(str::to_owned)
    }

    /// A consistent snapshot of the counters (see [`Counters`] for the identity every
    /// snapshot satisfies). Waits for the pipeline lock, which the sender holds while it
    /// moves events into batches or writes a request body, never during network I/O.
    pub fn counters(&self) -> Counters {
        let s = &*self.shared;
        // Recordings of expired metrics are counted by the metrics themselves (no client on
        // their hot path); fold them in before reading.
        let expired_metrics = lock(&s.metrics).take_expired();
        s.refusals
            .schema_expired
            .fetch_add(expired_metrics, Ordering::Relaxed);
        let st = lock(&s.state);
        let (tracked, full, queued) = s.queue.stats();
        snapshot(
            st.pipe.tally(),
            &s.refusals,
            tracked,
            full,
            (st.pipe.pending() + queued) as u64,
        )
    }

    /// Sends everything queued now (not waiting for the batch interval) and
    /// waits up to `timeout` for delivery; reports what is still pending.
    /// Returns early when nothing more can be sent by this process (the environment opts
    /// out, consent for spooled events is not known yet, or the client is shut down).
    pub fn flush(&self, timeout: Duration) -> FlushReport {
        self.shared.flush(timeout)
    }

    /// Flushes for up to `timeout`, then stops: nothing is recorded afterwards, no new
    /// request starts, and events still queued are written to the spool. What was not
    /// delivered stays in the spool if one is configured (reported as `spooled`) and is
    /// delivered by the next start, whatever the app does with this client afterwards;
    /// without a spool it is lost. A request already on the wire may still complete.
    /// Stopping is not revoking: the consent choice and everything spooled are kept.
    pub fn shutdown(&self, timeout: Duration) -> FlushReport {
        self.shared.shutdown(timeout)
    }

    pub(crate) fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// The documents this device delivered in the sent log's window, oldest first (empty when
    /// `Config::sent_log` is off): what an app shows a person who asks what left their device.
    pub fn sent_log(&self) -> impl Iterator<Item = SentLogEntry> {
        let now = self.shared.minute.load(Ordering::Relaxed);
        lock(&self.shared.sent_log)
            .as_ref()
            .map(|log| log.entries(now))
            .unwrap_or_default()
            .into_iter()
    }

    /// Deletes everything in the sent log now (it keeps recording if enabled).
    pub fn clear_sent_log(&self) {
        if let Some(log) = lock(&self.shared.sent_log).as_mut() {
            log.clear();
        }
    }

    /// Makes this client the one used by [`Event::track`]. Only one client
    /// per process can be installed; later calls return `false`.
    pub fn install_global(&self) -> bool {
        if crate::global::GLOBAL.set(self.clone()).is_err() {
            return false;
        }
        let s = &self.shared;
        let _st = lock(&s.state);
        s.is_global.store(true, Ordering::SeqCst);
        crate::global::GLOBAL_MASK.store(s.gate.load(Ordering::SeqCst), Ordering::SeqCst);
        true
    }
}

impl Drop for Client {
    /// When the last handle goes away without `shutdown`, the sender thread
    /// is told to stop (after one last attempt to send what it holds) so it
    /// does not outlive every user of the client. What is spooled stays.
    fn drop(&mut self) {
        // One reference is held by the sender thread itself.
        if Arc::strong_count(&self.shared) == 2 {
            let mut st = lock(&self.shared.state);
            st.stop = true;
            drop(st);
            self.shared.wake();
        }
    }
}

impl Shared {
    fn wake(&self) {
        if let Some(t) = self.sender.get() {
            t.unpark();
        }
    }

    fn set_gate(&self, gate: u8) {
        self.gate.store(gate, Ordering::SeqCst);
        if self.is_global.load(Ordering::Relaxed) {
            crate::global::GLOBAL_MASK.store(gate, Ordering::SeqCst);
        }
        self.refresh_metric_gates();
    }

    /// Opens the registered metrics whose category the gate grants and that have not
    /// expired today; closes the others.
    pub(crate) fn refresh_metric_gates(&self) {
        let gate = self.gate.load(Ordering::SeqCst);
        lock(&self.metrics).refresh(gate, self.cfg.clock.now_minute() / (24 * 60));
    }

    #[inline(never)]
    fn track_enabled<E: Event>(&self, event: &E) -> Outcome {
        SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buf) => self.encode_and_push(event, &mut buf),
            // Re-entrant track() from inside encode_fields: use a fresh buffer.
            Err(_) => self.encode_and_push(event, &mut Vec::new()),
        })
    }

    fn encode_and_push<E: Event>(&self, event: &E, buf: &mut Vec<u8>) -> Outcome {
        buf.clear();
        let minute = self.minute.load(Ordering::Relaxed);
        // The minute the sender published, not a clock read; folds away for `expires: never`.
        if E::META.expired_at(minute) {
            Refusals::add(&self.refusals.schema_expired);
            return Outcome::SchemaExpired;
        }
        let needs_scan = match encode_tail(event, minute, buf) {
            Ok(needs_scan) => needs_scan,
            Err(e) => {
                return match e {
                    EncodeError::SecretDetected { kind, .. } => {
                        Refusals::add(&self.refusals.secret);
                        Outcome::Secret(kind)
                    }
                    _ => {
                        Refusals::add(&self.refusals.invalid);
                        Outcome::Invalid
                    }
                };
            }
        };
        if buf.len() > self.max_event_bytes {
            Refusals::add(&self.refusals.too_large);
            return Outcome::TooLarge;
        }
        let meta = Meta {
            bit: E::CONSENT.bit(),
            retention_days: E::RETENTION_DAYS,
            minute,
        };
        match self.queue.push(meta, needs_scan, buf, &self.gate) {
            Push::Queued => Outcome::Queued,
            Push::QueuedWake => {
                Refusals::add(&self.refusals.track_wakeups);
                self.wake();
                Outcome::Queued
            }
            Push::Full => Outcome::QueueFull,
            Push::Revoked => Outcome::ConsentOff,
        }
    }

    /// Whether events of `category` are recorded now (one atomic load, no lock).
    pub(crate) fn records(&self, category: Consent) -> bool {
        self.gate.load(Ordering::Relaxed) & category.bit() != 0
    }

    /// `event` as a spool entry body (meta, a fresh random id, tail) for a crash report, with
    /// the checks of `track()`, taking no lock and touching no thread-local: a panic hook
    /// calls it, possibly on a thread being torn down or while a lock of this client is held.
    /// Returns the id as hex, to name the file, and the body.
    pub(crate) fn encode_report<E: Event>(&self, event: &E) -> Option<(String, Vec<u8>)> {
        let minute = self.minute.load(Ordering::Relaxed);
        if E::META.expired_at(minute) {
            Refusals::add(&self.refusals.schema_expired);
            return None;
        }
        let mut tail = Vec::new();
        // The full scan here: this record goes straight to the spool.
        match encode_tail_at(event, format_minute(minute), &mut tail, false) {
            Ok(_) => {}
            Err(EncodeError::SecretDetected { .. }) => {
                Refusals::add(&self.refusals.secret);
                return None;
            }
            Err(_) => {
                Refusals::add(&self.refusals.invalid);
                return None;
            }
        }
        if tail.len() > self.max_event_bytes {
            Refusals::add(&self.refusals.too_large);
            return None;
        }
        let mut id = [0u8; 16];
        crate::ids::random_bytes(&mut id).ok()?;
        let mut body = Vec::with_capacity(crate::queue::META_LEN + 16 + tail.len());
        Meta {
            bit: E::CONSENT.bit(),
            retention_days: E::RETENTION_DAYS,
            minute,
        }
        .write(&mut body);
        body.extend_from_slice(&id);
        body.extend_from_slice(&tail);
        let mut hex = Vec::with_capacity(32);
        crate::wire::push_hex(&mut hex, &id);
        Some((String::from_utf8(hex).ok()?, body))
    }

    fn set_consent(&self, category: Consent, granted: bool) -> bool {
        if granted && self.env_off {
            return false;
        }
        let mut st = lock(&self.state);
        let old = st.pipe.choice();
        let choice = if granted {
            old | category.bit()
        } else {
            old & !category.bit()
        };
        let gate = if self.env_off || st.stop { 0 } else { choice };
        // Close the gate before purging: the queue re-checks it under its lock, so no event
        // can slip in behind the purge.
        self.set_gate(gate);
        if old & !choice != 0 {
            self.interrupts.fetch_add(1, Ordering::SeqCst);
            let removed = self.queue.purge(choice);
            st.pipe.note_revoked_in_queue(removed);
            if let Some(log) = lock(&self.sent_log).as_mut() {
                let _ = log.purge(old & !choice);
            }
            // What the revoked categories' metrics aggregated so far is never sent.
            lock(&self.metrics).clear(old & !choice);
        }
        let effect = st.pipe.set_choice(
            choice,
            Instant::now(),
            self.cfg.clock.now_minute(),
            new_id_hex,
        );
        if let Some(dir) = &self.cfg.state_dir {
            if effect.install_id_changed {
                let _ = store::save_install_id(dir, st.pipe.install_id());
            }
            let _ = store::save(dir, choice);
        }
        drop(st);
        // Held batches may now be sendable, or there is a deletion to send.
        self.wake();
        gate & category.bit() != 0
    }

    /// Moves what the queue holds into the pipeline (unless the pending bound is reached).
    pub(crate) fn drain_queue(
        &self,
        st: &mut State,
        scratch: &mut Vec<u8>,
        now: Instant,
        now_min: u32,
    ) {
        if !st.pipe.accepts_more() {
            return;
        }
        scratch.clear();
        if self.queue.take(scratch) == 0 {
            return;
        }
        let State { pipe, ids, .. } = st;
        pipe.drain(Records(scratch), || ids.next(), now, now_min);
        // Hand the buffer's capacity back to the queue on the next take.
        scratch.clear();
    }

    fn report(&self, st: &State) -> FlushReport {
        let (_, _, queued) = self.queue.stats();
        FlushReport {
            pending: st.pipe.pending() + queued,
            spooled: st.pipe.spooled(),
        }
    }

    fn flush(&self, timeout: Duration) -> FlushReport {
        let deadline = Instant::now() + timeout;
        let mut st = lock(&self.state);
        st.flushers += 1;
        st.flush_gen += 1;
        let generation = st.flush_gen;
        self.wake();
        loop {
            let (_, _, queued) = self.queue.stats();
            let metrics_taken = st.flush_taken >= generation;
            if (queued == 0 && metrics_taken && st.pipe.settled()) || st.done || st.pipe.halted() {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self
                .progress
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        st.flushers -= 1;
        self.report(&st)
    }

    fn shutdown(&self, timeout: Duration) -> FlushReport {
        let deadline = Instant::now() + timeout;
        self.flush(timeout);
        let mut st = lock(&self.state);
        st.stop = true;
        // Nothing is recorded from now on; the choice is untouched.
        self.set_gate(0);
        self.wake();
        while !st.done {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self
                .progress
                .wait_timeout(st, left)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
        if !st.pipe.halted() {
            // The sender may be stuck in a request: spool what is still queued ourselves,
            // then halt, so that whatever the sender or the app does next, no request
            // starts and nothing spooled is touched except by an opt-out.
            let now = Instant::now();
            let mut scratch = Vec::new();
            self.drain_queue(&mut st, &mut scratch, now, self.cfg.clock.now_minute());
            st.pipe.close_due(now, true);
            st.pipe.halt();
            // A transport still sending one document as several requests starts no more.
            self.interrupts.fetch_add(1, Ordering::SeqCst);
        }
        self.progress.notify_all();
        self.report(&st)
    }
}

/// The sent log's store if enabled (it needs `state_dir`); when disabled, what an earlier run
/// kept is deleted: nothing is kept while it is off.
fn open_sent_log(cfg: &Config) -> io::Result<Option<crate::sent_log::Store>> {
    let dir = cfg.state_dir.as_ref().map(|d| d.join("sent"));
    match (cfg.sent_log, dir) {
        (Some(log), Some(dir)) => crate::sent_log::Store::open(&dir, log).map(Some),
        (Some(_), None) => Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "Config::sent_log needs Config::state_dir",
        )),
        (None, Some(dir)) => {
            if dir.is_dir() {
                let _ = std::fs::remove_dir_all(&dir);
            }
            Ok(None)
        }
        (None, None) => Ok(None),
    }
}

/// `track()`'s encoding: strings are only prescreened; returns whether one of them needs the
/// full scan on the sender thread.
fn encode_tail<E: Event>(event: &E, minute: u32, buf: &mut Vec<u8>) -> Result<bool, EncodeError> {
    let (cached, text) = MINUTE.get();
    let text = if cached == minute {
        text
    } else {
        let t = format_minute(minute);
        MINUTE.set((minute, t));
        t
    };
    encode_tail_at(event, text, buf, true)
}

/// [`encode_tail`] with the minute's text given (no thread-local); `defer` chooses the
/// prescreen (the sender scans later) or the full scan (nothing will scan it later).
#[inline(always)]
fn encode_tail_at<E: Event>(
    event: &E,
    text: [u8; 17],
    buf: &mut Vec<u8>,
    defer: bool,
) -> Result<bool, EncodeError> {
    buf.extend_from_slice(b"\"name\":\"");
    if const { crate::encode::needs_escape(E::NAME) } {
        write_escaped(buf, E::NAME);
    } else {
        buf.extend_from_slice(E::NAME.as_bytes());
    }
    buf.extend_from_slice(b"\",\"version\":");
    buf.extend_from_slice(itoa::Buffer::new().format(E::VERSION).as_bytes());
    buf.extend_from_slice(b",\"time\":\"");
    buf.extend_from_slice(&text);
    buf.extend_from_slice(b"\",\"fields\":");
    let mut w = if defer {
        FieldWriter::deferring(buf)
    } else {
        FieldWriter::new(buf)
    };
    event.encode_fields(&mut w)?;
    let needs_scan = w.needs_scan();
    buf.push(b'}');
    Ok(needs_scan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::batch::Batch;

    #[test]
    fn refuses_a_config_whose_documents_could_not_be_delivered() {
        struct NoErasure;
        impl Transport for NoErasure {
            fn send(
                &mut self,
                _: &crate::Request<'_>,
            ) -> Result<crate::Response, crate::TransportError> {
                Ok(crate::Response::new(200))
            }
            fn delivers_deletion_requests(&self) -> bool {
                false
            }
        }
        let err = Client::start(Config::new("", "1"), NoErasure).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("app_name"));
        let mut cfg = Config::new("t", "1");
        cfg.install_id = true;
        cfg.deletion_request = true;
        let err = Client::start(cfg.clone(), NoErasure).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::InvalidInput);
        assert!(err.to_string().contains("deletion"));
        // A box forwards the transport's answer; without the promise the client starts.
        let boxed = Client::start(cfg.clone(), Box::new(NoErasure) as Box<dyn Transport>);
        assert!(boxed.is_err());
        cfg.deletion_request = false;
        Client::start(cfg, NoErasure)
            .unwrap()
            .shutdown(Duration::from_secs(1));
    }

    /// A crash report goes straight to the spool without passing the sender's drain: it gets
    /// the full scan when it is written, not only the prescreen `track()` runs.
    #[test]
    fn a_crash_report_is_scanned_in_full_before_it_is_written() {
        struct Report(&'static str);
        impl Event for Report {
            const META: crate::EventMeta = crate::EventMeta {
                name: "test.crashed",
                version: 1,
                consent: Consent::Diagnostics,
                retention_days: 30,
                fingerprint: "0000000000000000",
                expires_day: crate::EventMeta::NEVER_EXPIRES,
            };
            fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
                w.begin();
                w.str("site", self.0, &crate::encode::StrCheck::NONE)?;
                w.end();
                Ok(())
            }
        }
        let client =
            Client::start(Config::new("t", "1"), crate::FileTransport::new(io::sink())).unwrap();
        client.set_consent(Consent::Diagnostics, true);
        let s = client.shared();
        for secret in [
            "panicked near alice@example.com",
            "peer 192.168.1.20 lost",
            "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        ] {
            assert_eq!(
                crate::scanner::prescreen(secret),
                crate::scanner::Prescreen::Check
            );
            assert!(s.encode_report(&Report(secret)).is_none(), "{secret}");
        }
        assert_eq!(client.counters().dropped.secret, 3);
        let (_, body) = s
            .encode_report(&Report("src/main.rs:12 wallet.transaction_signed"))
            .expect("a harmless report is written");
        assert_eq!(
            body[0],
            Consent::Diagnostics.bit(),
            "no flag in a spool record"
        );
        client.shutdown(Duration::from_secs(1));
    }

    #[test]
    fn expired_spooled_events_are_deleted_unsent() {
        let base = std::env::temp_dir().join(format!("candor-expiry-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&base);
        let spool_dir = base.join("spool");
        let tail = br#""name":"a.b","version":1,"time":"2026-01-01T00:00Z","fields":{}}"#;
        {
            let (mut spool, _) = Spool::open(&spool_dir, false).unwrap();
            let mut b = Batch::new(1, Instant::now());
            let two_days_ago = candor_core::date::now_minute() - 2 * 1440;
            b.push(
                Meta {
                    bit: 1,
                    retention_days: 1,
                    minute: two_days_ago,
                },
                &[1; 16],
                tail,
            );
            b.push(
                Meta {
                    bit: 1,
                    retention_days: 30,
                    minute: two_days_ago,
                },
                &[2; 16],
                tail,
            );
            spool.append(1, b.entries().map(|e| e.body)).unwrap();
        }
        let out = base.join("out.jsonl");
        let mut cfg = Config::new("t", "1");
        cfg.spool_dir = Some(spool_dir);
        let client = Client::start(cfg, crate::FileTransport::append(&out).unwrap()).unwrap();
        assert_eq!(client.counters().dropped.expired, 1);
        client.set_consent(Consent::Usage, true);
        assert!(client.flush(Duration::from_secs(10)).is_complete());
        client.shutdown(Duration::from_secs(1));
        let text = std::fs::read_to_string(&out).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert!(
            text.contains(&"02".repeat(16)),
            "the unexpired event is sent"
        );
        assert!(!text.contains(&"01".repeat(16)), "the expired one is not");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
