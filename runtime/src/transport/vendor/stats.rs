//! What a vendor sink counts, beside the client's own [`Counters`](crate::Counters): vendor
//! requests and their answers, events the vendor took or refused, events no request could
//! carry, and documents the sink refused without sending anything.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A snapshot of a sink's counts since it was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SinkStats {
    /// Vendor requests that got an answer (any status).
    pub requests: u64,
    /// Vendor requests that got none (connection refused or reset, timeout): retried.
    pub unanswered: u64,
    /// Events in vendor requests the vendor accepted.
    pub events_delivered: u64,
    /// Events the vendor refused for good (a final status, or named in a partial refusal).
    pub events_refused: u64,
    /// Events no vendor request could carry (larger than the vendor takes, too many
    /// properties, a time the vendor cannot store); never sent.
    pub events_unsendable: u64,
    /// `candor.deletion/1` documents answered as refused and never sent: a vendor's ingestion
    /// credentials cannot erase data (see `docs/interop.md`).
    pub deletions_refused: u64,
    /// Documents of another kind, or not a readable `candor.batch/1`: refused, never sent.
    pub documents_refused: u64,
}

#[derive(Debug, Default)]
pub(crate) struct Cells {
    pub requests: AtomicU64,
    pub unanswered: AtomicU64,
    pub events_delivered: AtomicU64,
    pub events_refused: AtomicU64,
    pub events_unsendable: AtomicU64,
    pub deletions_refused: AtomicU64,
    pub documents_refused: AtomicU64,
}

impl Cells {
    pub(crate) fn add(cell: &AtomicU64, n: u64) {
        cell.fetch_add(n, Ordering::Relaxed);
    }
}

/// A handle to a sink's counts that stays usable after the sink was moved into a
/// [`Client`](crate::Client). Cheap to clone.
#[derive(Clone, Debug, Default)]
pub struct SinkMonitor(pub(crate) Arc<Cells>);

impl SinkMonitor {
    /// The counts now.
    pub fn stats(&self) -> SinkStats {
        let l = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let c = &self.0;
        SinkStats {
            requests: l(&c.requests),
            unanswered: l(&c.unanswered),
            events_delivered: l(&c.events_delivered),
            events_refused: l(&c.events_refused),
            events_unsendable: l(&c.events_unsendable),
            deletions_refused: l(&c.deletions_refused),
            documents_refused: l(&c.documents_refused),
        }
    }
}
