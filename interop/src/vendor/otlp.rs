//! OpenTelemetry OTLP/HTTP with JSON encoding: `POST /v1/logs` of an
//! `ExportLogsServiceRequest`, one `LogRecord` per event.
//!
//! The resource carries `service.name` and `service.version` (the app), `os.type` (the OS
//! family, in the semantic conventions' spelling) and, only when the app declared an
//! installation id, `service.instance.id`. One scope, `candor`. Each record has `eventName`
//! (the candor name), `timeUnixNano` (the event's minute) and attributes: `log.record.uid` (the
//! event id in UUID form, the semantic conventions' deduplication key),
//! `candor.event.version`, then every field with its type: `stringValue`, `intValue` (a
//! decimal string, as the proto3 JSON mapping writes 64-bit integers), `doubleValue`,
//! `boolValue`. An integer beyond `i64` (a `count` near `u64::MAX`) is sent as `doubleValue`.
//! Field names never contain `.`, so they cannot collide with these keys.
//!
//! Answers: a 2xx may carry a partial success (`partialSuccess.rejectedLogRecords`: records the
//! receiver refused for good, which must not be retried); [`rejected_log_records`] reads it.

use super::{json_content_type, Encoder, Vendor, LIBRARY, LIBRARY_VERSION};
use crate::batch::{Batch, Event, Value};
use crate::json::{push_raw_string, push_string, Scanner};
use crate::request::{pack, Encoded, Limits, RejectReason, VendorRequest, Verdict};

/// Default path of the logs endpoint.
pub const PATH: &str = "/v1/logs";

/// The OTLP specification recommends clients keep request bodies under 64 MiB; it sets no
/// count or per-record limit.
pub const LIMITS: Limits = Limits {
    max_event_bytes: None,
    max_request_bytes: Some(64 * 1024 * 1024),
    target_request_bytes: None,
    max_events: None,
    max_properties: None,
};

/// `os.type` as the semantic conventions spell it, from Rust's `std::env::consts::OS`.
pub fn os_type(os: &str) -> &str {
    match os {
        "macos" => "darwin",
        "dragonfly" => "dragonflybsd",
        "illumos" => "solaris",
        other => other,
    }
}

/// Encoder for an OpenTelemetry Collector (or any OTLP/HTTP logs receiver).
#[derive(Clone, Debug)]
pub struct Otlp {
    limits: Limits,
}

impl Default for Otlp {
    fn default() -> Self {
        Otlp::new()
    }
}

impl Otlp {
    /// An encoder with the specification's limits.
    pub fn new() -> Self {
        Otlp { limits: LIMITS }
    }

    /// Replaces the limits (e.g. a collector configured with a smaller body limit).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

fn attribute_key(out: &mut Vec<u8>, key: &str) {
    out.extend_from_slice(b"{\"key\":");
    push_string(out, key);
    out.extend_from_slice(b",\"value\":");
}

fn string_attribute(out: &mut Vec<u8>, key: &str, raw_value: &str) {
    attribute_key(out, key);
    out.extend_from_slice(b"{\"stringValue\":");
    push_raw_string(out, raw_value);
    out.extend_from_slice(b"}}");
}

fn record(event: &Event<'_>) -> Result<Vec<u8>, RejectReason> {
    let nanos = event
        .time
        .unix_nanos()
        .ok_or(RejectReason::TimeOutOfRange)?;
    let mut out = Vec::with_capacity(256 + 3 * event.fields.raw.len());
    out.extend_from_slice(b"{\"timeUnixNano\":\"");
    out.extend_from_slice(nanos.to_string().as_bytes());
    out.extend_from_slice(b"\",\"eventName\":");
    push_string(&mut out, event.name);
    out.extend_from_slice(b",\"attributes\":[");
    string_attribute(&mut out, "log.record.uid", &event.id.uuid());
    out.push(b',');
    attribute_key(&mut out, "candor.event.version");
    out.extend_from_slice(b"{\"intValue\":\"");
    out.extend_from_slice(event.version.to_string().as_bytes());
    out.extend_from_slice(b"\"}}");
    for (name, value) in &event.fields.entries {
        out.push(b',');
        attribute_key(&mut out, name);
        match value {
            Value::Str(s) => {
                out.extend_from_slice(b"{\"stringValue\":");
                push_raw_string(&mut out, s.raw());
            }
            Value::Int(text) if text.parse::<i64>().is_ok() => {
                out.extend_from_slice(b"{\"intValue\":\"");
                out.extend_from_slice(text.as_bytes());
                out.push(b'"');
            }
            Value::Int(text) | Value::Float(text) => {
                out.extend_from_slice(b"{\"doubleValue\":");
                out.extend_from_slice(text.as_bytes());
            }
            Value::Bool(b) => {
                out.extend_from_slice(if *b {
                    b"{\"boolValue\":true"
                } else {
                    b"{\"boolValue\":false"
                });
            }
        }
        out.extend_from_slice(b"}}");
    }
    out.extend_from_slice(b"]}");
    Ok(out)
}

fn prefix(batch: &Batch<'_>) -> Vec<u8> {
    let mut p = b"{\"resourceLogs\":[{\"resource\":{\"attributes\":[".to_vec();
    string_attribute(&mut p, "service.name", batch.app.name.raw());
    p.push(b',');
    string_attribute(&mut p, "service.version", batch.app.version.raw());
    p.push(b',');
    string_attribute(&mut p, "os.type", os_type(batch.app.os));
    if let Some(id) = batch.install_id {
        p.push(b',');
        string_attribute(&mut p, "service.instance.id", &id.uuid());
    }
    p.extend_from_slice(b"]},\"scopeLogs\":[{\"scope\":{\"name\":");
    push_string(&mut p, LIBRARY);
    p.extend_from_slice(b",\"version\":");
    push_string(&mut p, LIBRARY_VERSION);
    p.extend_from_slice(b"},\"logRecords\":[");
    p
}

impl Encoder for Otlp {
    fn vendor(&self) -> Vendor {
        Vendor::Otlp
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn encode(&self, batch: &Batch<'_>) -> Encoded {
        let encoded = batch.events.iter().map(record).collect();
        let (bodies, rejected) = pack(&self.limits, &prefix(batch), b"]}]}]}", encoded);
        let requests = bodies
            .into_iter()
            .map(|(body, events)| VendorRequest {
                path: PATH.to_string(),
                headers: vec![json_content_type()],
                body,
                events,
            })
            .collect();
        Encoded { requests, rejected }
    }

    /// The OTLP/HTTP rule: only 429, 502, 503 and 504 may be retried ("all other 4xx or 5xx
    /// response status codes MUST NOT be retried"); 413 is split (the halves are new, smaller
    /// requests, not a retry).
    fn verdict(&self, status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            429 | 502 | 503 | 504 => Verdict::Retry,
            _ => Verdict::Reject,
        }
    }
}

/// Deepest nesting read in an answer.
const ANSWER_DEPTH: usize = 16;

/// The `partialSuccess.rejectedLogRecords` of an `ExportLogsServiceResponse` in JSON: how many
/// records of an accepted request the receiver refused for good. The proto3 JSON mapping writes
/// the int64 as a string and accepts the original field names too, so `"3"`, `3`,
/// `partial_success` and `rejected_log_records` are all read. `None` when the answer has no
/// partial success (an empty body or `{}` is a full success) or cannot be read.
pub fn rejected_log_records(answer: &[u8]) -> Option<u64> {
    let mut s = Scanner::new(std::str::from_utf8(answer).ok()?);
    let mut rejected = None;
    s.object(|s, key, _| {
        if !matches!(key.raw(), "partialSuccess" | "partial_success") || s.peek() != Some(b'{') {
            return s.skip_value(ANSWER_DEPTH);
        }
        s.object(|s, key, _| {
            if !matches!(key.raw(), "rejectedLogRecords" | "rejected_log_records") {
                return s.skip_value(ANSWER_DEPTH);
            }
            rejected = match s.peek() {
                Some(b'"') => s.string()?.raw().parse().ok(),
                Some(b'0'..=b'9') => s.number()?.0.parse().ok(),
                _ => {
                    s.skip_value(ANSWER_DEPTH)?;
                    None
                }
            };
            Ok(())
        })
    })
    .ok()?;
    s.end().ok()?;
    rejected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_partial_success_in_every_spelling() {
        for (body, want) in [
            (
                &br#"{"partialSuccess":{"rejectedLogRecords":"3","errorMessage":"bad"}}"#[..],
                Some(3),
            ),
            (br#"{"partialSuccess":{"rejectedLogRecords":2}}"#, Some(2)),
            (
                br#"{"partial_success":{"rejected_log_records":"7"}}"#,
                Some(7),
            ),
            (
                br#" { "x" : [1, {"y": null}], "partialSuccess" : { "errorMessage" : "" } } "#,
                None,
            ),
            (br#"{}"#, None),
            (b"", None),
            (br#"{"partialSuccess":{"rejectedLogRecords":"-1"}}"#, None),
            (br#"{"partialSuccess":{"rejectedLogRecords":"3"}} x"#, None),
            (br#"{"partialSuccess":null}"#, None),
        ] {
            assert_eq!(
                rejected_log_records(body),
                want,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
