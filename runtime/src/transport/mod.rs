//! How finished documents leave the process.
//!
//! The runtime hands a transport complete JSON documents (batches and, if
//! enabled, deletion requests) and interprets the status it gets back (see
//! `docs/runtime.md`, "Retry policy"). Ship your own by implementing [`Transport`]; the
//! crate provides [`HttpTransport`] (gzip'd HTTPS POST, Cargo feature `http`, on by
//! default) and [`FileTransport`] (JSON lines to a file or stdout, for local inspection).

mod file;
#[cfg(feature = "http")]
mod http;

pub use crate::retry::parse_retry_after;
pub use file::FileTransport;
#[cfg(feature = "http")]
pub use http::{EndpointError, HttpTransport};

use std::fmt;
use std::time::Duration;

/// What a request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RequestKind {
    /// A `candor.batch/1` document.
    Batch,
    /// A `candor.deletion/1` document.
    Deletion,
}

/// One document to deliver.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Request<'a> {
    /// What the document is.
    pub kind: RequestKind,
    /// The uncompressed JSON document.
    pub json: &'a [u8],
    /// Number of events in it (0 for deletion requests).
    pub events: usize,
}

/// The server's answer, reduced to what the retry policy needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Response {
    /// HTTP status (transports without one report 200 on success).
    pub status: u16,
    /// Parsed `Retry-After`, if the server sent one.
    pub retry_after: Option<Duration>,
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
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        (**self).send(request)
    }
}
