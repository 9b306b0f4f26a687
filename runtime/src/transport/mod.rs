//! How finished documents leave the process.
//!
//! The runtime hands a transport complete JSON documents (batches and, if
//! enabled, deletion requests) and interprets the status it gets back (see
//! `docs/runtime.md`, "Retry policy"). Ship your own by implementing [`Transport`]; the
//! crate provides [`HttpTransport`] (gzip'd HTTPS POST, Cargo feature `http`, on by
//! default), [`FileTransport`] (JSON lines to a file or stdout, for local inspection) and,
//! each behind its own Cargo feature, the vendor sinks of the `vendor` module (Segment,
//! Mixpanel, Snowplow, PostHog, OpenTelemetry).
//!
//! Module map: `client` is the one HTTP client every HTTP transport shares (endpoint rules,
//! `ureq` + rustls, gzip); `http` is [`HttpTransport`]; `file` is [`FileTransport`];
//! `vendor` holds the vendor sinks.

#[cfg(feature = "http")]
mod client;
mod file;
#[cfg(feature = "http")]
mod http;
#[cfg(any(
    feature = "segment",
    feature = "mixpanel",
    feature = "snowplow",
    feature = "posthog",
    feature = "otlp"
))]
pub mod vendor;

pub use crate::retry::parse_retry_after;
#[cfg(feature = "http")]
pub use client::EndpointError;
pub use file::FileTransport;
#[cfg(feature = "http")]
pub use http::HttpTransport;

use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// A `candor.batch/1` document.
    Batch,
    /// A `candor.deletion/1` document.
    Deletion,
    /// A `candor.metrics/1` document: one consent category's metrics over one interval.
    Metrics,
}

/// One document to deliver.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Request<'a> {
    /// What the document is.
    pub kind: RequestKind,
    /// The uncompressed JSON document.
    pub json: &'a [u8],
    /// Number of events in it (0 for deletion requests; for a metrics document, the
    /// number of metrics in it).
    pub events: usize,
    /// The client's count of interruptions (consent revocations, shutdown), and its value
    /// when the document was written.
    interrupts: Option<(&'a AtomicU64, u64)>,
}

impl<'a> Request<'a> {
    /// A document to hand a transport, for code that drives one itself (the collector's
    /// relay forwarding stored events through a vendor sink); the client builds its own.
    pub fn new(kind: RequestKind, json: &'a [u8], events: usize) -> Request<'a> {
        Request {
            kind,
            json,
            events,
            interrupts: None,
        }
    }

    /// Ties the request to an interruption count as it is now: once `count` changes,
    /// [`Request::still_wanted`] is `false`. The client ties every request to its count of
    /// consent revocations and shutdowns; a relay ties it to its own stop signal.
    pub fn watching(mut self, count: &'a AtomicU64) -> Request<'a> {
        self.interrupts = Some((count, count.load(Ordering::SeqCst)));
        self
    }

    /// Whether the document may still be sent as written: `false` once a consent category
    /// was revoked, or the client was shut down, after it was written.
    ///
    /// A transport that sends one document as several requests (a vendor sink) checks this
    /// before each request: an opt-out promises that no request carrying a revoked event
    /// starts after `set_consent` returns, and shutdown that no request starts after it
    /// halted. When it turns `false`, the transport answers 503 with `Retry-After: 0`: after
    /// an opt-out the runtime has already removed the revoked events and writes the document
    /// again, at once, without them; after shutdown the batch stays spooled for the next
    /// start.
    pub fn still_wanted(&self) -> bool {
        self.interrupts
            .is_none_or(|(count, seen)| count.load(Ordering::SeqCst) == seen)
    }
}

/// The server's answer, reduced to what the retry policy needs. Built with
/// [`Response::new`] and the `with_` methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Response {
    /// HTTP status (transports without one report 200 on success).
    pub status: u16,
    /// Parsed `Retry-After`, if the server sent one.
    pub retry_after: Option<Duration>,
    /// With a 2xx status: how many of the document's events the receiver refused for good
    /// although it took the rest (a vendor that ingests a batch partly). Counted as
    /// `dropped.rejected`, the others as `sent`. Ignored with any other status.
    pub rejected: usize,
}

impl Response {
    /// An answer with `status`, no `Retry-After`, nothing refused.
    pub fn new(status: u16) -> Response {
        Response {
            status,
            retry_after: None,
            rejected: 0,
        }
    }

    /// Sets the parsed `Retry-After`.
    pub fn with_retry_after(mut self, retry_after: Option<Duration>) -> Response {
        self.retry_after = retry_after;
        self
    }

    /// Sets how many events of a 2xx-answered document were refused for good.
    pub fn with_rejected(mut self, rejected: usize) -> Response {
        self.rejected = rejected;
        self
    }
}

/// A failure before any status was received (connection refused, timeout,
/// I/O error). Always retried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TransportError {
    message: String,
}

impl TransportError {
    /// Wraps a description. Must not contain event data.
    pub fn new(message: impl Into<String>) -> Self {
        TransportError {
            message: message.into(),
        }
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for TransportError {}

/// Delivers documents. Called only from the client's background thread.
pub trait Transport: Send + 'static {
    /// Sends one document and reports the answer.
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError>;

    /// Whether this transport can deliver `candor.deletion/1` documents to a receiver that
    /// erases what it holds. `true` by default; a transport that cannot (a vendor sink,
    /// whose ingestion credentials cannot request erasure) returns `false`, and
    /// [`Client::start`](crate::Client::start) then refuses a [`Config`](crate::Config) with
    /// `deletion_request` on, so an app never promises an erasure that cannot happen.
    fn delivers_deletion_requests(&self) -> bool {
        true
    }
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        (**self).send(request)
    }

    fn delivers_deletion_requests(&self) -> bool {
        (**self).delivers_deletion_requests()
    }
}
