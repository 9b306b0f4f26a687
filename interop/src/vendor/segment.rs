//! Segment HTTP Tracking API: `POST /v1/batch` of `track` calls.
//!
//! Per event: `type: "track"`, `event` (the candor name), `messageId` (the event id in UUID
//! form, Segment's deduplication key), `timestamp` (the event's minute), `properties` (the
//! fields, types kept), and a `context` of `ip: "0.0.0.0"` (Segment otherwise records the
//! request's address), `library`, `app {name, version}`, `os {name}` and
//! `protocols.event_version` (how Segment Protocols selects the event's version). There is no
//! `context.direct` (which would make Segment read the connection's address) and no `userId`.
//! Segment requires `anonymousId` or `userId`: the installation id when the app declared one,
//! otherwise a value derived from the request's first event id, fresh for every request.
//!
//! `sentAt` is not sent: Segment would shift every timestamp by the difference between
//! `sentAt` and its receive time, and a minute-truncated send time (or a relay forwarding
//! hours later) would move events by up to that much.
//!
//! The write key is sent as HTTP Basic credentials (`writeKey:`), not in the body.

use super::{json_content_type, Encoder, Vendor, LIBRARY, LIBRARY_VERSION};
use crate::batch::{Batch, Event};
use crate::ids::{basic_auth, Domain};
use crate::json::{push_raw_string, push_string};
use crate::request::{pack, Encoded, Limits, VendorRequest, Verdict};

/// Path of the batch endpoint.
pub const PATH: &str = "/v1/batch";

/// Documented limits: 32 KB per event, 500 KB per request ("KB" read as 1000 bytes, the
/// smaller reading), 2500 events per request (beyond that Segment answers 200 and drops the
/// events, so the limit must hold before sending).
pub const LIMITS: Limits = Limits {
    max_event_bytes: Some(32_000),
    max_request_bytes: Some(500_000),
    target_request_bytes: None,
    max_events: Some(2500),
    max_properties: None,
};

/// The value `context.ip` carries: Segment keeps what is sent instead of the request address.
pub const NO_IP: &str = "0.0.0.0";

/// Encoder for one Segment source.
#[derive(Clone, Debug)]
pub struct Segment {
    write_key: String,
    limits: Limits,
}

impl Segment {
    /// An encoder for the source with `write_key`.
    pub fn new(write_key: impl Into<String>) -> Self {
        Segment {
            write_key: write_key.into(),
            limits: LIMITS,
        }
    }

    /// Replaces the limits (e.g. for a proxy with smaller ones).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }
}

/// Length of a UUID-form id: the placeholder an event is measured with before its request's
/// `anonymousId` is known.
const UUID_LEN: usize = 36;

fn write_event(out: &mut Vec<u8>, batch: &Batch<'_>, event: &Event<'_>, anonymous_id: &str) {
    out.extend_from_slice(b"{\"type\":\"track\",\"event\":");
    push_string(out, event.name);
    out.extend_from_slice(b",\"messageId\":");
    push_string(out, &event.id.uuid());
    out.extend_from_slice(b",\"anonymousId\":");
    push_string(out, anonymous_id);
    out.extend_from_slice(b",\"timestamp\":");
    push_string(out, &event.time.rfc3339_millis());
    out.extend_from_slice(b",\"properties\":");
    out.extend_from_slice(event.fields.raw.as_bytes());
    out.extend_from_slice(b",\"context\":{\"ip\":");
    push_string(out, NO_IP);
    out.extend_from_slice(b",\"library\":{\"name\":");
    push_string(out, LIBRARY);
    out.extend_from_slice(b",\"version\":");
    push_string(out, LIBRARY_VERSION);
    out.extend_from_slice(b"},\"app\":{\"name\":");
    push_raw_string(out, batch.app.name.raw());
    out.extend_from_slice(b",\"version\":");
    push_raw_string(out, batch.app.version.raw());
    out.extend_from_slice(b"},\"os\":{\"name\":");
    push_string(out, batch.app.os);
    out.extend_from_slice(b"},\"protocols\":{\"event_version\":");
    out.extend_from_slice(event.version.to_string().as_bytes());
    out.extend_from_slice(b"}}}");
}

impl Encoder for Segment {
    fn vendor(&self) -> Vendor {
        Vendor::Segment
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn encode(&self, batch: &Batch<'_>) -> Encoded {
        // Sizes do not depend on the anonymousId's value (always a UUID), so events are
        // measured with a placeholder, packed, then written with their request's id.
        let placeholder = "0".repeat(UUID_LEN);
        let measured = batch
            .events
            .iter()
            .map(|e| {
                let mut out = Vec::new();
                write_event(&mut out, batch, e, &placeholder);
                Ok(out)
            })
            .collect();
        let (planned, rejected) = pack(&self.limits, b"{\"batch\":[", b"]}", measured);
        let requests = planned
            .into_iter()
            .map(|(_, members)| {
                let anonymous_id = match batch.install_id {
                    Some(id) => id.uuid(),
                    None => batch.events[members[0]]
                        .id
                        .derive(Domain::SegmentAnonymous)
                        .uuid(),
                };
                let mut body = b"{\"batch\":[".to_vec();
                for (i, &m) in members.iter().enumerate() {
                    if i > 0 {
                        body.push(b',');
                    }
                    write_event(&mut body, batch, &batch.events[m], &anonymous_id);
                }
                body.extend_from_slice(b"]}");
                VendorRequest {
                    path: PATH.to_string(),
                    headers: vec![
                        json_content_type(),
                        ("Authorization", basic_auth(&self.write_key, "")),
                    ],
                    body,
                    events: members,
                }
            })
            .collect();
        Encoded { requests, rejected }
    }

    /// Segment's retry rules (its analytics-python consumer): 408, 429, 460 and every 5xx but
    /// 501 and 505 are retried; 413 is split; everything else is final. (The SDK also retries
    /// 410 Gone within a small budget "for parity"; candor retries until retention, so a
    /// removed endpoint is final.)
    fn verdict(&self, status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            408 | 429 | 460 => Verdict::Retry,
            501 | 505 => Verdict::Reject,
            500..=599 => Verdict::Retry,
            _ => Verdict::Reject,
        }
    }
}
