//! The client's metrics API: binding a metric set to a client and reading what happened to
//! its documents.

use super::Metrics;
use crate::client::{lock, Client};

/// What happened to `candor.metrics/1` documents (see [`Client::metric_documents`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct MetricDocuments {
    /// Delivered (2xx).
    pub sent: u64,
    /// Held: waiting for their turn or a retry.
    pub pending: u64,
    /// Of those, safe in the spool.
    pub spooled: u64,
    /// Deleted unsent because their category's consent was revoked.
    pub revoked: u64,
    /// Refused by the server with a non-retryable answer.
    pub rejected: u64,
    /// Older than their metrics' `retention_days` and deleted unsent.
    pub expired: u64,
    /// Retries after a failed attempt.
    pub retried: u64,
    /// Spool files that failed their checksum and were deleted at start.
    pub corrupt: u64,
}

impl Client {
    /// Binds the metrics of `set` (a `static` with `#[derive(Metrics)]`) to this client:
    /// from now on they record while their consent category is granted, and their values go
    /// out in this client's `candor.metrics/1` documents. Registering the same metrics again
    /// does nothing. Until a set is registered, its metrics record nothing.
    pub fn register_metrics<M: Metrics>(&self, set: &'static M) {
        let s = &self.shared;
        lock(&s.metrics).add(set);
        s.refresh_metric_gates();
    }

    /// What happened to metrics documents so far.
    pub fn metric_documents(&self) -> MetricDocuments {
        let st = lock(&self.shared.state);
        let (t, pending, spooled) = st.pipe.metric_documents();
        MetricDocuments {
            sent: t.sent,
            pending: pending as u64,
            spooled: spooled as u64,
            revoked: t.revoked,
            rejected: t.rejected,
            expired: t.expired,
            retried: t.retried,
            corrupt: t.corrupt,
        }
    }
}
