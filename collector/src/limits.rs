//! Every limit the collector enforces, with its default and the answer a client gets past it.
//! docs/collector.md lists the same table for operators.

use std::time::Duration;

/// Limits of `candor collect`.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest request body as sent (compressed or not); above it: 413 (the runtime splits the
    /// batch and resends the halves). Default 1 MiB: a default runtime batch is at most about
    /// 532 KiB of JSON before gzip.
    pub max_body_bytes: usize,
    /// Largest body after gzip is undone; inflating stops at this many bytes, so a gzip bomb
    /// costs at most this much memory. Above it: 413. Default 2 MiB.
    pub max_decompressed_bytes: usize,
    /// Most events in one batch; above it: 413. Default 1000 (the runtime sends at most 500).
    pub max_events_per_batch: usize,
    /// Time a client has to send a request's headers (on a fresh or an idle keep-alive
    /// connection) before the connection is closed. Default 10 s.
    pub header_timeout: Duration,
    /// Time a client has to send a request's body once its headers arrived; past it: 408 and
    /// the connection is closed. Default 30 s.
    pub body_timeout: Duration,
    /// Most connections open at once; more wait in the listen backlog. Default 256.
    pub max_connections: usize,
    /// Most batches decoded and validated at once (the CPU and memory of that step); a batch
    /// that finds every slot taken is answered 503 with `Retry-After`. Default 32.
    pub max_concurrent_batches: usize,
    /// Checked batches waiting for the store; when the queue is full a new batch is answered
    /// 503 with `Retry-After` instead of being held in memory. Default 64.
    pub writer_queue: usize,
    /// Most batches written in one transaction (group commit). Default 256.
    pub max_group_batches: usize,
    /// How far ahead of the collector's clock an event's time may be. Default 10 minutes.
    pub clock_skew: Duration,
    /// `Retry-After` sent with a 503. Default 2 s.
    pub retry_after: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1 << 20,
            max_decompressed_bytes: 2 << 20,
            max_events_per_batch: 1000,
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(30),
            max_connections: 256,
            max_concurrent_batches: 32,
            writer_queue: 64,
            max_group_batches: 256,
            clock_skew: Duration::from_secs(600),
            retry_after: Duration::from_secs(2),
        }
    }
}
