//! PostHog capture API: `POST /batch/` with `{"api_key": …, "batch": [events]}`.
//!
//! Per event: `event` (the candor name), `uuid` (the event id in UUID form; PostHog
//! deduplicates on it), `timestamp` (the event's minute), `distinct_id`, and `properties` with
//! the fields (types kept) plus:
//!
//! - `$process_person_profile: false`: no person profile is created or updated (PostHog's
//!   "anonymous events");
//! - `$geoip_disable: true`: no GeoIP lookup of the request address;
//! - `$ip: null`: PostHog's ingestion copies the request address into `$ip` only when the key
//!   is absent, so an explicit null keeps the address out of the stored event (the other way
//!   is the project setting "Discard client IP data");
//! - `$lib`, `$lib_version`, `$os`, `$app_name`, `$app_version`, `candor_event_version`.
//!
//! PostHog requires a non-empty `distinct_id`. Without an installation id it is a value derived
//! from the event's own id, different for every event (what PostHog's own SDK does for
//! personless events, with a random UUID) but the same on every resend, so a retried event
//! stays a duplicate of itself. With an installation id, it is that id.
//!
//! `sent_at` is not sent, for the reason given for Segment's `sentAt`: PostHog would shift
//! timestamps by the gap between a minute-truncated send time and its receive time.
//!
//! A field named `distinct_id`, `token`, `api_key` or `candor_event_version` is sent as
//! `_name` (PostHog reads the first three from properties).

use super::{json_content_type, property_name, Encoder, Vendor, LIBRARY, LIBRARY_VERSION};
use crate::batch::{Batch, Event};
use crate::ids::Domain;
use crate::json::{push_raw_string, push_string};
use crate::request::{pack, Encoded, Limits, VendorRequest, Verdict};

/// Path of the batch endpoint.
pub const PATH: &str = "/batch/";

/// Limits of PostHog's official Python SDK: events up to 900 KiB, request bodies kept to
/// 5 MiB (the server's cap is 20 MiB); no count limit.
pub const LIMITS: Limits = Limits {
    max_event_bytes: Some(900 * 1024),
    max_request_bytes: Some(5 * 1024 * 1024),
    target_request_bytes: None,
    max_events: None,
    max_properties: None,
};

/// Keys PostHog reads from properties, or this encoder adds without a `$`.
pub const RESERVED: &[&str] = &["distinct_id", "token", "api_key", "candor_event_version"];

/// The property name a candor field is sent under.
pub fn property_for_field(field: &str) -> std::borrow::Cow<'_, str> {
    property_name(field, RESERVED, &[])
}

/// Encoder for one PostHog project.
#[derive(Clone, Debug)]
pub struct PostHog {
    api_key: String,
    limits: Limits,
}

impl PostHog {
    /// An encoder for the project with API key (project token) `api_key`.
    pub fn new(api_key: impl Into<String>) -> Self {
        PostHog {
            api_key: api_key.into(),
            limits: LIMITS,
        }
    }

    /// Replaces the limits (a self-hosted instance may differ).
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn prefix(&self) -> Vec<u8> {
        let mut p = b"{\"api_key\":".to_vec();
        push_string(&mut p, &self.api_key);
        p.extend_from_slice(b",\"batch\":[");
        p
    }
}

fn write_event(out: &mut Vec<u8>, batch: &Batch<'_>, event: &Event<'_>) {
    let distinct_id = match batch.install_id {
        Some(id) => id.uuid(),
        None => event.id.derive(Domain::PostHogDistinct).uuid(),
    };
    out.extend_from_slice(b"{\"event\":");
    push_string(out, event.name);
    out.extend_from_slice(b",\"uuid\":");
    push_string(out, &event.id.uuid());
    out.extend_from_slice(b",\"distinct_id\":");
    push_string(out, &distinct_id);
    out.extend_from_slice(b",\"timestamp\":");
    push_string(out, &event.time.rfc3339_millis());
    out.extend_from_slice(
        b",\"properties\":{\"$process_person_profile\":false,\"$geoip_disable\":true,\"$ip\":null,\"$lib\":",
    );
    push_string(out, LIBRARY);
    out.extend_from_slice(b",\"$lib_version\":");
    push_string(out, LIBRARY_VERSION);
    out.extend_from_slice(b",\"$os\":");
    push_string(out, batch.app.os);
    out.extend_from_slice(b",\"$app_name\":");
    push_raw_string(out, batch.app.name.raw());
    out.extend_from_slice(b",\"$app_version\":");
    push_raw_string(out, batch.app.version.raw());
    out.extend_from_slice(b",\"candor_event_version\":");
    out.extend_from_slice(event.version.to_string().as_bytes());
    for (name, value) in &event.fields.entries {
        out.push(b',');
        push_string(out, &property_for_field(name));
        out.push(b':');
        out.extend_from_slice(value.json().as_bytes());
    }
    out.extend_from_slice(b"}}");
}

impl Encoder for PostHog {
    fn vendor(&self) -> Vendor {
        Vendor::PostHog
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn encode(&self, batch: &Batch<'_>) -> Encoded {
        let encoded = batch
            .events
            .iter()
            .map(|e| {
                let mut out = Vec::with_capacity(384 + e.fields.raw.len());
                write_event(&mut out, batch, e);
                Ok(out)
            })
            .collect();
        let (bodies, rejected) = pack(&self.limits, &self.prefix(), b"]}", encoded);
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

    /// PostHog's rules (its Python SDK): 408, 429 and 5xx are retried; 413 is split; other
    /// 4xx are final.
    fn verdict(&self, status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            408 | 429 | 500..=599 => Verdict::Retry,
            _ => Verdict::Reject,
        }
    }
}
