//! [`OtlpTransport`]: batches to an OpenTelemetry logs receiver (OTLP/HTTP JSON, `POST /v1/logs`).

use candor_interop::vendor::otlp::rejected_log_records;
use candor_interop::Otlp;

use super::sink::{sink_type, Rules, Sink};
use crate::transport::client::EndpointError;

sink_type!(
    /// Delivers batches to an OpenTelemetry Collector, or any OTLP/HTTP logs receiver, as
    /// JSON-encoded `ExportLogsServiceRequest`s (`POST /v1/logs`, gzip'd), encoded by
    /// `candor-interop`'s OTLP encoder: one `LogRecord` per event with `eventName`, typed
    /// attributes and `log.record.uid` from the event id. The specification's retry rule
    /// applies: **only** 429, 502, 503 and 504 are retried (honouring `Retry-After`); every
    /// other 4xx or 5xx is final, so the batch is dropped and counted `dropped.rejected`;
    /// 413 is split. A partial success (`partialSuccess.rejectedLogRecords`) counts that
    /// many events refused, never resent. Deletion requests are never sent (see `docs/interop.md`).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = candor::OtlpTransport::new("https://otel-collector.example.org:4318")?
    ///     .with_header("Authorization", "Bearer TOKEN")?;
    /// # Ok(()) }
    /// ```
    OtlpTransport,
    Otlp,
    "the OTLP specification"
);

impl OtlpTransport {
    /// A sink for the receiver at `base_url` (the OTLP/HTTP base, e.g.
    /// `https://collector.example.org:4318`; `/v1/logs` is appended; `http://` only to
    /// loopback).
    pub fn new(base_url: &str) -> Result<Self, EndpointError> {
        Ok(OtlpTransport {
            sink: Sink::new(base_url, Otlp::new())?,
        })
    }

    /// Adds a header to every request, e.g. the receiver's credentials (what
    /// `OTEL_EXPORTER_OTLP_HEADERS` configures elsewhere). Fails on an invalid name or
    /// value, or a header the sink sets itself (`Content-Type`, `Content-Encoding`, ...).
    pub fn with_header(mut self, name: &str, value: &str) -> Result<Self, EndpointError> {
        check_header(name, value)?;
        self.sink
            .extra_headers
            .push((name.to_owned(), value.to_owned()));
        Ok(self)
    }
}

impl Rules for Otlp {
    /// OTLP/HTTP clients may gzip ("MUST include `Content-Encoding: gzip`"), and receivers
    /// must support it.
    const GZIP: bool = true;

    /// An `ExportLogsServiceResponse` is a few dozen bytes.
    const ANSWER_BYTES: usize = 64 * 1024;

    /// A partial success: the receiver took the request but refused this many records for
    /// good ("MUST NOT" be retried); they are counted refused.
    fn refused_of_accepted(&self, answer: &[u8]) -> usize {
        rejected_log_records(answer).map_or(0, |n| usize::try_from(n).unwrap_or(usize::MAX))
    }
}

/// Checks a header an app adds to every request of a sink: a valid HTTP name and value, and
/// not one the sink or the HTTP client sets itself.
fn check_header(name: &str, value: &str) -> Result<(), EndpointError> {
    use ureq::http::{HeaderName, HeaderValue};
    const OWN: [&str; 7] = [
        "content-type",
        "content-encoding",
        "content-length",
        "transfer-encoding",
        "host",
        "user-agent",
        "connection",
    ];
    let parsed = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| EndpointError(format!("`{name}` is not a valid header name")))?;
    if OWN.contains(&parsed.as_str()) {
        return Err(EndpointError(format!(
            "header `{name}` is set by the sink itself"
        )));
    }
    if HeaderValue::from_str(value).is_err() || value.bytes().any(|b| b < 0x20 && b != b'\t') {
        return Err(EndpointError(format!(
            "the value of header `{name}` is not a valid header value"
        )));
    }
    Ok(())
}
