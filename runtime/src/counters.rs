//! Counters the app can read: what was tracked, sent, retried, spooled and dropped (by
//! reason), and how many events are still pending.
//!
//! Three owners, so that reading them costs nothing on the hot path and a snapshot is
//! consistent: `tracked` and `queue_full` live under the queue lock the caller takes anyway;
//! refusals before the queue (`too_large`, `invalid`, `secret`) are relaxed atomics; everything
//! that happens after an event was accepted is a plain [`Tally`] inside the pipeline, changed
//! only under the pipeline lock. [`Client::counters`](crate::Client::counters) reads all three
//! under both locks, so every snapshot satisfies the accounting identity
//! `tracked + loaded == sent + dropped.after_acceptance() + pending`
//! (see [`Counters`]).

use std::sync::atomic::{AtomicU64, Ordering};

/// Reasons an event was dropped instead of delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// Refused by `track()`: the in-memory queue was full (events or bytes).
    pub queue_full: u64,
    /// Refused by `track()`: the encoded event exceeded `Config::max_event_bytes`.
    pub too_large: u64,
    /// Refused by `track()`: a field failed its schema check (length, pattern,
    /// non-finite float).
    pub invalid: u64,
    /// Refused by `track()`: the secret scanner recognised personal or secret data there.
    /// `track()` itself runs only the scanner's bounded prescreen; strings it cannot clear
    /// are scanned in full on the sender thread and counted in `secret_deferred`, so this
    /// stays zero for events tracked through `track()` (crash reports are scanned in full
    /// when they are written, and count here).
    pub secret: u64,
    /// Refused by `track()`: the event's schema `expires` date has passed (by the runtime's
    /// coarse clock, the minute the sender publishes). Metrics past their expiry are counted
    /// here too.
    pub schema_expired: u64,
    /// Accepted, then refused by the server with a non-retryable 4xx (including a single
    /// event answered 413), or counted as refused in a 2xx answer (a vendor sink whose
    /// vendor took only part of a batch, or an event the vendor cannot take; see
    /// [`Response::rejected`](crate::Response::rejected)).
    pub rejected: u64,
    /// Accepted, then deleted because consent for its category was revoked.
    pub revoked: u64,
    /// Accepted, then older than its event's `RETENTION_DAYS` and deleted unsent.
    pub expired: u64,
    /// Loaded from the spool at start beyond `Config::max_pending_bytes` and deleted.
    pub overflow: u64,
    /// Spool records that failed their checksum (torn or corrupted writes). These never
    /// became events of this run, so they are outside the accounting identity.
    pub corrupt: u64,
    /// Accepted, then lost to an internal failure (e.g. no OS randomness for ids).
    pub internal: u64,
    /// Accepted with a string whose full secret scan runs on the sender thread, then
    /// recognised there as personal or secret data and deleted before it got an id, a batch
    /// or a spool record (`track()` had answered `Queued`).
    pub secret_deferred: u64,
}

impl Dropped {
    /// Sum over all reasons.
    pub fn total(&self) -> u64 {
        self.before_queue() + self.after_acceptance() + self.corrupt
    }

    /// Events `track()` refused before they entered the queue: `queue_full`, `too_large`,
    /// `invalid`, `secret`, `schema_expired`. They are not counted in `tracked`.
    pub fn before_queue(&self) -> u64 {
        self.queue_full + self.too_large + self.invalid + self.secret + self.schema_expired
    }

    /// Events dropped after they were accepted (tracked, or loaded from the spool):
    /// `rejected`, `revoked`, `expired`, `overflow`, `internal`, `secret_deferred`.
    pub fn after_acceptance(&self) -> u64 {
        self.rejected
            + self.revoked
            + self.expired
            + self.overflow
            + self.internal
            + self.secret_deferred
    }
}

/// A snapshot of a client's counters since it started.
///
/// Every snapshot satisfies the accounting identity
///
/// ```text
/// tracked + loaded == sent + dropped.after_acceptance() + pending
/// ```
///
/// Each accepted event is counted exactly once on the right: delivered (`sent`), dropped for
/// one reason, or still pending. An event that was on the wire when its category was revoked
/// is pending until the server answers, then `sent` if the answer was 2xx (it had left before
/// the opt-out) and `revoked` otherwise. Refusals by `track()` ([`Dropped::before_queue`]) and
/// damaged spool records (`dropped.corrupt`) are outside the identity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Events accepted into the queue (consent on, encoded, prescreened; a string the
    /// prescreen could not clear is scanned in full on the sender thread, see
    /// [`Dropped::secret_deferred`]).
    pub tracked: u64,
    /// Events an earlier run left in the spool, loaded at start.
    pub loaded: u64,
    /// Events delivered (2xx from the transport, less what the answer counted as refused).
    pub sent: u64,
    /// Events accepted or loaded and neither delivered nor dropped yet: in the queue, in a
    /// batch, or on the wire.
    pub pending: u64,
    /// Batch retries scheduled (network error, 408, 429, 5xx).
    pub retried: u64,
    /// Events written to the disk spool.
    pub spooled: u64,
    /// Times `track()` woke the sender thread: only when the queue first holds a batch's
    /// worth (`batch_max_events` or `batch_max_bytes`), never per event; otherwise the sender
    /// wakes on its own timer.
    pub track_wakeups: u64,
    /// Events dropped, by reason.
    pub dropped: Dropped,
}

/// What callers count without the pipeline: refusals before the queue, and wake-ups.
#[derive(Debug, Default)]
pub(crate) struct Refusals {
    pub track_wakeups: AtomicU64,
    pub too_large: AtomicU64,
    pub invalid: AtomicU64,
    pub secret: AtomicU64,
    pub schema_expired: AtomicU64,
}

impl Refusals {
    pub(crate) fn add(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }
}

/// What the pipeline counts, as plain numbers (it is only changed under the pipeline lock).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Tally {
    pub loaded: u64,
    pub sent: u64,
    pub retried: u64,
    pub spooled: u64,
    pub rejected: u64,
    pub revoked: u64,
    pub expired: u64,
    pub overflow: u64,
    pub corrupt: u64,
    pub internal: u64,
    pub secret_deferred: u64,
}

/// Assembles a snapshot from its three owners.
pub(crate) fn snapshot(
    tally: &Tally,
    refusals: &Refusals,
    tracked: u64,
    queue_full: u64,
    pending: u64,
) -> Counters {
    let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
    Counters {
        tracked,
        loaded: tally.loaded,
        sent: tally.sent,
        pending,
        retried: tally.retried,
        spooled: tally.spooled,
        track_wakeups: l(&refusals.track_wakeups),
        dropped: Dropped {
            queue_full,
            too_large: l(&refusals.too_large),
            invalid: l(&refusals.invalid),
            secret: l(&refusals.secret),
            schema_expired: l(&refusals.schema_expired),
            rejected: tally.rejected,
            revoked: tally.revoked,
            expired: tally.expired,
            overflow: tally.overflow,
            corrupt: tally.corrupt,
            internal: tally.internal,
            secret_deferred: tally.secret_deferred,
        },
    }
}
