//! Counters the app can read: what was tracked, sent, retried, spooled and
//! dropped (by reason). Rare-path counters are relaxed atomics; the hot
//! `tracked`/`queue_full` counts live under the queue lock the caller takes
//! anyway, so counting costs no extra shared-cache-line traffic.

use std::sync::atomic::{AtomicU64, Ordering};

/// Reasons an event was dropped instead of delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// The in-memory queue was full (events or bytes).
    pub queue_full: u64,
    /// The encoded event exceeded the per-event size limit.
    pub too_large: u64,
    /// A field failed its schema check (length, pattern, non-finite float).
    pub invalid: u64,
    /// The secret scanner recognised personal or secret data.
    pub secret: u64,
    /// The server refused the batch with a non-retryable 4xx.
    pub rejected: u64,
    /// Purged because consent for its category was revoked.
    pub revoked: u64,
    /// Older than its event's `RETENTION_DAYS`, deleted unsent.
    pub expired: u64,
    /// Pushed out because the pending/spool byte bound was reached.
    pub overflow: u64,
    /// Spool records that failed their checksum (torn or corrupted writes).
    pub corrupt: u64,
    /// Other internal failures (e.g. no OS randomness for ids).
    pub internal: u64,
}

impl Dropped {
    /// Sum over all reasons.
    pub fn total(&self) -> u64 {
        self.queue_full
            + self.too_large
            + self.invalid
            + self.secret
            + self.rejected
            + self.revoked
            + self.expired
            + self.overflow
            + self.corrupt
            + self.internal
    }
}

/// A snapshot of a client's counters since it started.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Counters {
    /// Events accepted into the queue (consent on, encoded, scanned).
    pub tracked: u64,
    /// Events delivered (2xx from the transport).
    pub sent: u64,
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

#[derive(Default)]
pub(crate) struct AtomicCounters {
    pub sent: AtomicU64,
    pub track_wakeups: AtomicU64,
    pub retried: AtomicU64,
    pub spooled: AtomicU64,
    pub too_large: AtomicU64,
    pub invalid: AtomicU64,
    pub secret: AtomicU64,
    pub rejected: AtomicU64,
    pub revoked: AtomicU64,
    pub expired: AtomicU64,
    pub overflow: AtomicU64,
    pub corrupt: AtomicU64,
    pub internal: AtomicU64,
}

impl AtomicCounters {
    pub(crate) fn add(c: &AtomicU64, n: u64) {
        if n > 0 {
            c.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub(crate) fn snapshot(&self, tracked: u64, queue_full: u64) -> Counters {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        Counters {
            tracked,
            sent: l(&self.sent),
            retried: l(&self.retried),
            spooled: l(&self.spooled),
            track_wakeups: l(&self.track_wakeups),
            dropped: Dropped {
                queue_full,
                too_large: l(&self.too_large),
                invalid: l(&self.invalid),
                secret: l(&self.secret),
                rejected: l(&self.rejected),
                revoked: l(&self.revoked),
                expired: l(&self.expired),
                overflow: l(&self.overflow),
                corrupt: l(&self.corrupt),
                internal: l(&self.internal),
            },
        }
    }
}
