//! The delivery pipeline as a plain value: the open batch, the batches waiting to be sent or
//! retried, their spool files, the person's consent choice, the installation id and pending
//! deletion requests, and what has happened to every accepted event ([`Tally`]).
//!
//! No threads, sockets or clocks inside: callers pass `now` (an [`Instant`]) and the current
//! UTC minute, randomness for backoff jitter and fresh ids. Each decision is a method:
//! [`Pipeline::drain`] takes records from the queue, [`Pipeline::next_request`] says which
//! document to send next (and writes it), [`Pipeline::verdict`] applies the server's answer,
//! [`Pipeline::set_choice`] applies a consent change, [`Pipeline::sweep`] enforces retention.
//! The sender thread (`crate::sender`) is a thin loop around these, and the unit tests below
//! drive them directly.
//!
//! Metrics documents (one consent category's aggregates over one interval) are held in
//! [`metrics::Outbox`] and go out through the same `next_request`/`verdict` with their own
//! ticket, after deletion requests and before batches.
//!
//! Accounting: every event that entered the pipeline (drained from the queue or loaded from
//! the spool) is counted exactly once when it leaves it: `sent`, or dropped for one reason.
//! An event that was on the wire when consent was revoked is removed from memory and disk at
//! once, but counted only when the answer arrives: `sent` on 2xx, `revoked` otherwise.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::batch::Batch;
use crate::config::Config;
use crate::consent::Consent;
use crate::counters::Tally;
use crate::queue::{Meta, Records};
use crate::retry::{RetryPolicy, Verdict};
use crate::scanner::encoded::{scan_tail, Verdict as Scanned};
use crate::spool::{Loaded, Spool};
use crate::transport::RequestKind;
use crate::wire::AppInfo;

pub(crate) mod metrics;
use metrics::Outbox;

/// A deletion request is given up after this many failed attempts.
const DELETION_ATTEMPTS: u32 = 8;

/// The limits the pipeline enforces, from [`Config`].
#[derive(Clone, Debug)]
pub(crate) struct Limits {
    pub batch_max_events: usize,
    pub batch_max_bytes: usize,
    pub batch_interval: Duration,
    pub max_pending_bytes: usize,
    pub retry: RetryPolicy,
    pub install_id: bool,
    pub deletion_request: bool,
}

impl Limits {
    pub(crate) fn of(cfg: &Config) -> Limits {
        Limits {
            batch_max_events: cfg.batch_max_events,
            batch_max_bytes: cfg.batch_max_bytes,
            batch_interval: cfg.batch_interval,
            max_pending_bytes: cfg.max_pending_bytes,
            retry: cfg.retry,
            install_id: cfg.install_id,
            deletion_request: cfg.deletion_request,
        }
    }
}

/// Which document a request carried, to match its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ticket {
    Batch(u64),
    Deletion,
    Metrics(u64),
}

/// A document [`Pipeline::next_request`] wrote and wants sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Outgoing {
    pub ticket: Ticket,
    pub kind: RequestKind,
    pub events: usize,
    /// Consent bits of the events in the document (0 for a deletion request), for the sent log.
    pub bits: u8,
}

/// The request on the wire, and what was purged from it meanwhile.
#[derive(Debug)]
struct InFlight {
    ticket: Ticket,
    /// Events in the document as sent.
    events: usize,
    /// Of those, removed by an opt-out or by retention while the request was out.
    revoked: u64,
    expired: u64,
}

#[derive(Debug)]
struct Deletion {
    doc: Vec<u8>,
    at: Instant,
    attempts: u32,
}

/// What a consent change did beyond the mask.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct ChoiceEffect {
    /// The installation id changed (created, rotated or removed): persist it.
    pub install_id_changed: bool,
}

/// How the pipeline was started.
pub(crate) struct Start {
    pub limits: Limits,
    pub app: AppInfo,
    /// The spool and what it held, if one is configured.
    pub spool: Option<(Spool, Loaded)>,
    /// The persisted consent choice, if the person ever made one.
    pub choice: Option<u8>,
    /// False when the environment opts out: nothing leaves the process.
    pub may_send: bool,
    pub install_id: Option<String>,
    /// Metrics documents an earlier run spooled, and where to spool new ones.
    pub metrics: Outbox,
}

/// See the module documentation.
pub(crate) struct Pipeline {
    limits: Limits,
    app: AppInfo,
    open: Batch,
    ready: VecDeque<Batch>,
    in_flight: Option<InFlight>,
    spool: Option<Spool>,
    next_seq: u64,
    /// The person's choice: a bit per granted category. Not the gate `track()` reads, which
    /// is also closed by the environment and by shutdown; those never delete anything.
    choice: u8,
    /// Whether the choice is known (persisted or set in this run); until then, batches
    /// loaded from the spool are neither sent nor deleted for consent.
    consent_known: bool,
    may_send: bool,
    /// After shutdown: no request starts and nothing new is written to the spool.
    halted: bool,
    install_id: Option<String>,
    deletions: VecDeque<Deletion>,
    metrics: Outbox,
    tally: Tally,
}

impl Pipeline {
    /// A pipeline holding what the spool had (ids unchanged), after retention, a known
    /// consent choice and the pending bound were applied to it.
    pub(crate) fn new(start: Start, now: Instant, now_min: u32) -> Pipeline {
        let mut ready = VecDeque::new();
        let mut next_seq = 1;
        let mut tally = Tally::default();
        let spool = start.spool.map(|(spool, loaded)| {
            tally.corrupt += loaded.corrupt_frames;
            for mut b in loaded.batches {
                // Due at once, on the caller's clock.
                (b.opened, b.next_attempt) = (now, now);
                next_seq = next_seq.max(b.seq + 1);
                tally.loaded += b.count as u64;
                ready.push_back(b);
            }
            spool
        });
        let mut p = Pipeline {
            limits: start.limits,
            app: start.app,
            open: Batch::new(next_seq, now),
            ready,
            in_flight: None,
            spool,
            next_seq: next_seq + 1,
            choice: start.choice.unwrap_or(0),
            consent_known: start.choice.is_some(),
            may_send: start.may_send,
            halted: false,
            install_id: start.install_id,
            deletions: VecDeque::new(),
            metrics: start.metrics,
            tally,
        };
        p.sweep(now_min);
        p.enforce_bound();
        p
    }

    pub(crate) fn tally(&self) -> &Tally {
        &self.tally
    }

    /// What happened to metrics documents, and how many are held.
    pub(crate) fn metric_documents(&self) -> (metrics::DocTally, usize, usize) {
        (
            self.metrics.tally,
            self.metrics.len(),
            self.metrics.spooled(),
        )
    }

    /// Holds one consent category's metrics of the interval `start`..`end` (minutes) for
    /// sending. A category that is no longer chosen is dropped (the snapshot discards it
    /// already; this guards the race with an opt-out between the two).
    pub(crate) fn push_metrics(
        &mut self,
        id: String,
        taken: crate::metrics::registry::Taken,
        start: u32,
        end: u32,
        now: Instant,
    ) {
        if self.consent_known && taken.consent.bit() & self.choice == 0 {
            self.metrics.tally.revoked += 1;
            return;
        }
        self.metrics.push(
            id,
            taken.consent,
            start,
            end,
            taken.retention_days,
            taken.entries,
            now,
            self.halted,
        );
    }

    /// Counts events an opt-out purged from the queue (which the caller owns).
    pub(crate) fn note_revoked_in_queue(&mut self, removed: u64) {
        self.tally.revoked += removed;
    }

    pub(crate) fn choice(&self) -> u8 {
        self.choice
    }

    pub(crate) fn install_id(&self) -> Option<&str> {
        self.install_id.as_deref()
    }

    /// Creates an installation id if the app enabled them, none exists, a category is
    /// granted and sending is possible (start-up with a persisted choice).
    pub(crate) fn ensure_install_id(&mut self, fresh: impl FnOnce() -> Option<String>) -> bool {
        if self.limits.install_id && self.install_id.is_none() && self.choice != 0 && self.may_send
        {
            self.install_id = fresh();
            return self.install_id.is_some();
        }
        false
    }

    /// Bytes held by batches not yet delivered.
    fn held_bytes(&self) -> usize {
        self.ready.iter().map(Batch::mem_bytes).sum::<usize>() + self.open.mem_bytes()
    }

    /// Whether the sender may take more events from the queue. Backpressure instead of loss:
    /// once undelivered batches reach the pending bound, events stay in the queue, so
    /// producers meet `QueueFull` (counted) rather than accepted events being pushed out.
    pub(crate) fn accepts_more(&self) -> bool {
        self.held_bytes() < self.limits.max_pending_bytes
    }

    /// Moves queued records into the open batch with ids from `ids`, spooling them, and closes
    /// the batch whenever it reaches its limits. Records whose category is no longer chosen
    /// or that are past retention are dropped and counted. A record flagged by `track()`'s
    /// prescreen gets the full secret scan here, before anything else sees it (an id, a
    /// batch, the spool, a request); a secret is deleted and counted `secret_deferred`. Every
    /// way out of the queue into the pipeline (sending, flush, shutdown) comes through here;
    /// an opt-out purge deletes queued records without reading them.
    pub(crate) fn drain(
        &mut self,
        records: Records<'_>,
        mut ids: impl FnMut() -> Option<[u8; 16]>,
        now: Instant,
        now_min: u32,
    ) {
        let mut spooled_from = self.open.count;
        for rec in records {
            if rec.meta.bit & self.choice == 0 {
                self.tally.revoked += 1;
                continue;
            }
            if rec.meta.expired(now_min) {
                self.tally.expired += 1;
                continue;
            }
            if rec.needs_scan {
                match scan_tail(rec.tail) {
                    Scanned::Clean => {}
                    Scanned::Secret(_) => {
                        self.tally.secret_deferred += 1;
                        continue;
                    }
                    // Not the encoder's JSON: what cannot be checked is not sent.
                    Scanned::Unreadable => {
                        self.tally.internal += 1;
                        continue;
                    }
                }
            }
            let Some(id) = ids() else {
                self.tally.internal += 1;
                continue;
            };
            if self.open.is_empty() {
                self.open.opened = now;
            }
            self.open.push(rec.meta, &id, rec.tail);
            if self.open.count >= self.limits.batch_max_events
                || self.open.json_bytes >= self.limits.batch_max_bytes
            {
                self.spool_open(spooled_from);
                self.close_open(now);
                spooled_from = 0;
            }
        }
        self.spool_open(spooled_from);
    }

    /// Appends the open batch's entries from index `from` to its spool file.
    fn spool_open(&mut self, from: usize) {
        let Some(spool) = self.spool.as_mut() else {
            return;
        };
        let open = &mut self.open;
        if open.count <= from {
            return;
        }
        if from > 0 && !open.spooled {
            // An earlier write for this batch failed; keep it memory-only.
            return;
        }
        let n = (open.count - from) as u64;
        match spool.append(open.seq, open.entries().skip(from).map(|e| e.body)) {
            Ok(()) => {
                open.spooled = true;
                self.tally.spooled += n;
            }
            Err(_) => {
                spool.remove(open.seq);
                open.spooled = false;
            }
        }
    }

    /// Closes the open batch when it is due (`batch_interval` after its first event) or
    /// when `force` (a flush or shutdown is waiting).
    pub(crate) fn close_due(&mut self, now: Instant, force: bool) {
        if !self.open.is_empty() && (force || now >= self.open.opened + self.limits.batch_interval)
        {
            self.close_open(now);
        }
    }

    fn close_open(&mut self, now: Instant) {
        if self.open.is_empty() {
            return;
        }
        let seq = self.next_seq;
        self.next_seq += 1;
        let full = std::mem::replace(&mut self.open, Batch::new(seq, now));
        self.ready.push_back(full);
    }

    /// Retention, and a known consent choice, applied to every held batch (spool files
    /// rewritten where something went).
    pub(crate) fn sweep(&mut self, now_min: u32) {
        let in_flight = self.in_flight_seq();
        let (known, choice) = (self.consent_known, self.choice);
        let mut on_wire = (0, 0);
        for b in self.ready.iter_mut().chain(std::iter::once(&mut self.open)) {
            let (revoked, expired) = filter(b, self.spool.as_mut(), known, choice, now_min);
            if in_flight == Some(b.seq) {
                on_wire = (revoked, expired);
            } else {
                self.tally.revoked += revoked;
                self.tally.expired += expired;
            }
        }
        if let Some(fl) = self.in_flight.as_mut() {
            fl.revoked += on_wire.0;
            fl.expired += on_wire.1;
        }
        self.ready.retain(|b| !b.is_empty());
        let keep = if known { choice } else { Consent::MASK_ALL };
        self.metrics.purge(keep, now_min);
    }

    fn in_flight_seq(&self) -> Option<u64> {
        match self.in_flight {
            Some(InFlight {
                ticket: Ticket::Batch(seq),
                ..
            }) => Some(seq),
            _ => None,
        }
    }

    /// Records a consent change: `choice` is the new mask. Revoked categories are deleted
    /// from every batch and spool file before this returns (the queue is purged by the
    /// caller, which owns it); with installation ids enabled, the id is rotated and, if
    /// asked, a deletion request naming the old one is queued. `fresh` makes new ids.
    pub(crate) fn set_choice(
        &mut self,
        choice: u8,
        now: Instant,
        now_min: u32,
        mut fresh: impl FnMut() -> Option<String>,
    ) -> ChoiceEffect {
        let old = self.choice;
        self.choice = choice;
        self.consent_known = true;
        let revoked = old & !choice;
        let mut effect = ChoiceEffect::default();
        if revoked != 0 {
            self.sweep(now_min);
            if self.limits.install_id {
                let old_id = self.install_id.take();
                if let (true, Some(old_id)) = (self.limits.deletion_request, &old_id) {
                    let cats: Vec<&str> = Consent::ALL
                        .iter()
                        .filter(|c| revoked & c.bit() != 0)
                        .map(|c| c.as_str())
                        .collect();
                    let doc = self.app.deletion(old_id, &cats, now_min);
                    self.deletions.push_back(Deletion {
                        doc,
                        at: now,
                        attempts: 0,
                    });
                }
                // Rotation: whatever is sent from now on cannot be linked to what was sent
                // before the opt-out.
                self.install_id = None;
                self.ensure_install_id(&mut fresh);
                effect.install_id_changed = old_id.is_some() || self.install_id.is_some();
            }
        } else if choice & !old != 0 {
            effect.install_id_changed = self.ensure_install_id(&mut fresh);
        }
        effect
    }

    /// From now on no request starts and nothing new is written to the spool, whatever
    /// happens: what is spooled stays for the next start (shutdown).
    pub(crate) fn halt(&mut self) {
        self.halted = true;
    }

    pub(crate) fn halted(&self) -> bool {
        self.halted
    }

    /// The next document to send, written into `body`, or `None` if nothing is due at `now`.
    /// Deletion requests go first: they are what the person asked for last. Consent and
    /// retention are re-applied to a batch right before its document is written.
    pub(crate) fn next_request(
        &mut self,
        now: Instant,
        now_min: u32,
        body: &mut Vec<u8>,
    ) -> Option<Outgoing> {
        if self.halted || !self.may_send || self.in_flight.is_some() {
            return None;
        }
        if let Some(d) = self.deletions.front() {
            if d.at <= now {
                body.clear();
                body.extend_from_slice(&d.doc);
                return Some(self.start(Ticket::Deletion, RequestKind::Deletion, 0));
            }
        }
        if !self.consent_known {
            return None;
        }
        self.metrics.purge(self.choice, now_min);
        if let Some((seq, count, bits)) =
            self.metrics
                .next(&self.app, self.install_id.as_deref(), now, now_min, body)
        {
            let out = self.start(Ticket::Metrics(seq), RequestKind::Metrics, count);
            return Some(Outgoing { bits, ..out });
        }
        loop {
            let head = self.ready.front_mut()?;
            if head.next_attempt > now {
                return None;
            }
            let (revoked, expired) = filter(head, self.spool.as_mut(), true, self.choice, now_min);
            self.tally.revoked += revoked;
            self.tally.expired += expired;
            if head.is_empty() {
                self.ready.pop_front();
                continue;
            }
            let (seq, count, bits) = (head.seq, head.count, head.bits);
            self.app
                .batch(body, self.install_id.as_deref(), now_min, head);
            let out = self.start(Ticket::Batch(seq), RequestKind::Batch, count);
            return Some(Outgoing { bits, ..out });
        }
    }

    fn start(&mut self, ticket: Ticket, kind: RequestKind, events: usize) -> Outgoing {
        self.in_flight = Some(InFlight {
            ticket,
            events,
            revoked: 0,
            expired: 0,
        });
        Outgoing {
            ticket,
            kind,
            events,
            bits: 0,
        }
    }

    /// Applies the answer to the request `ticket`. `random` is a uniformly random u64 for the
    /// backoff jitter.
    pub(crate) fn verdict(&mut self, ticket: Ticket, verdict: Verdict, now: Instant, random: u64) {
        let Some(fl) = self.in_flight.take_if(|fl| fl.ticket == ticket) else {
            return;
        };
        let seq = match ticket {
            Ticket::Deletion => {
                match verdict {
                    Verdict::Retry(after)
                        if self
                            .deletions
                            .front()
                            .is_some_and(|d| d.attempts + 1 < DELETION_ATTEMPTS) =>
                    {
                        let retry = self.limits.retry;
                        if let Some(d) = self.deletions.front_mut() {
                            let wait = after.unwrap_or_else(|| retry.backoff(d.attempts, random));
                            d.attempts += 1;
                            d.at = now + wait;
                        }
                    }
                    _ => {
                        self.deletions.pop_front();
                    }
                }
                return;
            }
            Ticket::Metrics(seq) => {
                let retry = self.limits.retry;
                self.metrics.verdict(seq, verdict, &retry, now, random);
                return;
            }
            Ticket::Batch(seq) => seq,
        };
        let idx = self.ready.iter().position(|b| b.seq == seq);
        let refused = match verdict {
            Verdict::Delivered => Some(0),
            Verdict::DeliveredExcept(n) => Some(n.min(fl.events as u64)),
            _ => None,
        };
        if let Some(refused) = refused {
            // Everything in the document arrived, including events purged while it was out
            // (they had left before the opt-out), except what the receiver said it refused.
            self.tally.sent += fl.events as u64 - refused;
            self.tally.rejected += refused;
            if let Some(idx) = idx {
                self.remove_batch(idx);
            }
            return;
        }
        self.tally.revoked += fl.revoked;
        self.tally.expired += fl.expired;
        let Some(idx) = idx else {
            return;
        };
        match verdict {
            Verdict::Delivered | Verdict::DeliveredExcept(_) => unreachable!("handled above"),
            Verdict::Reject => {
                self.tally.rejected += self.ready[idx].count as u64;
                self.remove_batch(idx);
            }
            Verdict::Retry(after) => {
                self.tally.retried += 1;
                let retry = self.limits.retry;
                let b = &mut self.ready[idx];
                let wait = after.unwrap_or_else(|| retry.backoff(b.attempts, random));
                b.attempts = b.attempts.saturating_add(1);
                b.next_attempt = now + wait;
            }
            Verdict::Split if self.ready[idx].count <= 1 => {
                // One event the server finds too large will never fit.
                self.tally.rejected += self.ready[idx].count as u64;
                self.remove_batch(idx);
            }
            Verdict::Split if self.halted => {
                // No new spool files after shutdown: the batch stays as it is on disk and
                // the next start splits it.
            }
            Verdict::Split => {
                let (sa, sb) = (self.next_seq, self.next_seq + 1);
                self.next_seq += 2;
                let (mut a, mut b) = self.ready[idx].split(sa, sb, now);
                if let (Some(spool), true) = (self.spool.as_mut(), self.ready[idx].spooled) {
                    for half in [&mut a, &mut b] {
                        half.spooled = spool.rewrite(half).is_ok();
                    }
                }
                self.remove_batch(idx);
                self.ready.insert(idx, b);
                self.ready.insert(idx, a);
            }
        }
    }

    fn remove_batch(&mut self, idx: usize) {
        if let Some(b) = self.ready.remove(idx) {
            if let (Some(s), true) = (self.spool.as_mut(), b.spooled) {
                s.remove(b.seq);
            }
        }
    }

    /// Keeps batches loaded from the spool under `max_pending_bytes` by dropping the oldest
    /// (e.g. after the bound was lowered). At run time the bound is kept by not draining the
    /// queue (see [`Pipeline::accepts_more`]).
    fn enforce_bound(&mut self) {
        let limit = self.limits.max_pending_bytes;
        let mut held = self.held_bytes();
        let in_flight = self.in_flight_seq();
        let mut i = 0;
        while held > limit && i < self.ready.len() {
            if in_flight == Some(self.ready[i].seq) {
                i += 1;
                continue;
            }
            let count = self.ready[i].count;
            held -= self.ready[i].mem_bytes();
            self.tally.overflow += count as u64;
            self.remove_batch(i);
        }
    }

    /// Events accepted and neither delivered nor dropped: in batches or on the wire.
    pub(crate) fn pending(&self) -> usize {
        let limbo = self
            .in_flight
            .as_ref()
            .map_or(0, |fl| (fl.revoked + fl.expired) as usize);
        self.open.count + self.ready.iter().map(|b| b.count).sum::<usize>() + limbo
    }

    /// Of the pending events, those safe in the spool.
    pub(crate) fn spooled(&self) -> usize {
        std::iter::once(&self.open)
            .chain(self.ready.iter())
            .filter(|b| b.spooled)
            .map(|b| b.count)
            .sum()
    }

    /// Whether nothing more can happen without new events: everything delivered or dropped,
    /// or what is left cannot be sent by this process now (sending is off, consent is not
    /// known yet, or the pipeline is halted). Retries waiting for their time still count as
    /// work.
    pub(crate) fn settled(&self) -> bool {
        if self.in_flight.is_some() || !self.open.is_empty() {
            return false;
        }
        let can_send = self.may_send && !self.halted;
        (self.deletions.is_empty() || !can_send)
            && ((self.ready.is_empty() && self.metrics.is_empty())
                || !can_send
                || !self.consent_known)
    }

    /// When the sender must look again if nothing wakes it: the open batch is due, the head
    /// batch or a deletion request may be retried.
    pub(crate) fn wake_at(&self) -> Option<Instant> {
        let mut at: Option<Instant> = None;
        let mut min = |t: Instant| at = Some(at.map_or(t, |a| a.min(t)));
        if !self.open.is_empty() {
            min(self.open.opened + self.limits.batch_interval);
        }
        if self.may_send && !self.halted {
            if let Some(d) = self.deletions.front() {
                min(d.at);
            }
            if self.consent_known {
                if let Some(b) = self.ready.front() {
                    min(b.next_attempt);
                }
                if let Some(t) = self.metrics.wake_at() {
                    min(t);
                }
            }
        }
        at
    }
}

/// Drops entries whose category is not in `choice` (when the choice is `known`) or that are
/// past retention at `now_min`; rewrites the batch's spool file if anything went. Returns
/// (revoked, expired).
fn filter(
    b: &mut Batch,
    spool: Option<&mut Spool>,
    known: bool,
    choice: u8,
    now_min: u32,
) -> (u64, u64) {
    // O(1) check, then a scan: rebuilding is only needed when something goes.
    if !b.may_need_filter(choice, known, now_min) {
        return (0, 0);
    }
    let revoked_by = |m: &Meta| known && m.bit & choice == 0;
    if !b
        .entries()
        .any(|e| revoked_by(&e.meta) || e.meta.expired(now_min))
    {
        return (0, 0);
    }
    let (mut revoked, mut expired) = (0u64, 0u64);
    b.retain(|e| {
        if revoked_by(&e.meta) {
            revoked += 1;
            false
        } else if e.meta.expired(now_min) {
            expired += 1;
            false
        } else {
            true
        }
    });
    if let (Some(s), true) = (spool, b.spooled) {
        if s.rewrite(b).is_err() {
            // Could not rewrite: delete rather than keep revoked data.
            s.remove(b.seq);
            b.spooled = false;
        }
    }
    (revoked, expired)
}

#[cfg(test)]
mod tests;
