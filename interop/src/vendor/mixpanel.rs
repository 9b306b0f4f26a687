//! Mixpanel Ingestion API: `POST /import?strict=1&ip=0`, a JSON array of events, the project
//! token as HTTP Basic user name.
//!
//! `/import` rather than `/track`: it deduplicates on `$insert_id`, validates per event
//! (`strict=1`), and accepts events of any age after 1971, where `/track` drops events older
//! than five days; a batch spooled through a long outage must still land.
//!
//! Per event: `event` (the candor name) and `properties` holding `time` (Unix milliseconds of
//! the event's minute), `distinct_id`, `$insert_id`, `mp_lib`/`$lib_version`, `$os`,
//! `$app_version_string`, `candor_app`, `candor_event_version` and the fields (types kept).
//!
//! - `$insert_id` is the event id's 32 hex digits: Mixpanel requires at most 36 bytes of
//!   letters, digits and `-`, and refuses the nil UUID; the hex form is what the official
//!   Python SDK sends (`uuid4().hex`) and is never on Mixpanel's list of refused ids.
//! - `distinct_id` is `""` without an installation id: Mixpanel documents the empty string for
//!   events that belong to no user (they are kept and excluded from per-user analysis), while
//!   *omitting* the key makes Mixpanel hash the request's IP address into an id.
//! - `ip=0` tells Mixpanel not to geolocate from the request address; no `ip` property is sent.
//! - A field named like a key Mixpanel or this encoder uses (`time`, `token`, `distinct_id`,
//!   `ip`, `candor_app`, `candor_event_version`, anything starting `mp_`) is sent as `_name`.
//!
//! Answers: with `strict=1`, a `400` means *some* events failed validation and the others were
//! imported; [`failed_records`] reads which ones from the answer's body, so a sender can count
//! each event as delivered or refused instead of calling the whole request refused.

use super::{json_content_type, property_name, Encoder, Vendor, LIBRARY, LIBRARY_VERSION};
use crate::batch::{Batch, Event};
use crate::ids::basic_auth;
use crate::json::{push_raw_string, push_string, Scanner};
use crate::request::{pack, Encoded, Limits, RejectReason, VendorRequest, Verdict};

/// Path and query of the import endpoint.
pub const PATH: &str = "/import?strict=1&ip=0";

/// Documented limits: 2000 events and 2 MB per request, events under 1 MB with fewer than 255
/// properties.
pub const LIMITS: Limits = Limits {
    max_event_bytes: Some(999_999),
    max_request_bytes: Some(2_000_000),
    target_request_bytes: None,
    max_events: Some(2000),
    max_properties: Some(254),
};

/// Properties this encoder adds to every event.
const ADDED: usize = 9;

/// Keys Mixpanel (or this encoder) gives a meaning; fields with these names are renamed.
pub const RESERVED: &[&str] = &[
    "time",
    "distinct_id",
    "token",
    "ip",
    "candor_app",
    "candor_event_version",
];
/// Prefixes Mixpanel reserves.
pub const RESERVED_PREFIXES: &[&str] = &["mp_"];

/// Mixpanel refuses events timed before 1971-01-01T00:00Z (minutes since the epoch).
const EARLIEST_MINUTE: i64 = 365 * 1440;

/// The property name a candor field is sent (and described in Lexicon) under.
pub fn property_for_field(field: &str) -> std::borrow::Cow<'_, str> {
    property_name(field, RESERVED, RESERVED_PREFIXES)
}

/// Encoder for one Mixpanel project.
#[derive(Clone, Debug)]
pub struct Mixpanel {
    project_token: String,
    limits: Limits,
}

impl Mixpanel {
    /// An encoder for the project with `project_token`.
    pub fn new(project_token: impl Into<String>) -> Self {
        Mixpanel {
            project_token: project_token.into(),
            limits: LIMITS,
        }
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn event(&self, batch: &Batch<'_>, event: &Event<'_>) -> Result<Vec<u8>, RejectReason> {
        if event.time.since_epoch() < EARLIEST_MINUTE {
            return Err(RejectReason::TimeOutOfRange);
        }
        if self
            .limits
            .max_properties
            .is_some_and(|m| event.fields.entries.len() + ADDED > m)
        {
            return Err(RejectReason::TooManyProperties);
        }
        let mut out = Vec::with_capacity(256 + event.fields.raw.len());
        out.extend_from_slice(b"{\"event\":");
        push_string(&mut out, event.name);
        out.extend_from_slice(b",\"properties\":{\"time\":");
        out.extend_from_slice(event.time.unix_millis().to_string().as_bytes());
        out.extend_from_slice(b",\"distinct_id\":");
        push_string(
            &mut out,
            &batch.install_id.map(|i| i.hex()).unwrap_or_default(),
        );
        out.extend_from_slice(b",\"$insert_id\":");
        push_string(&mut out, &event.id.hex());
        out.extend_from_slice(b",\"mp_lib\":");
        push_string(&mut out, LIBRARY);
        out.extend_from_slice(b",\"$lib_version\":");
        push_string(&mut out, LIBRARY_VERSION);
        out.extend_from_slice(b",\"$os\":");
        push_string(&mut out, batch.app.os);
        out.extend_from_slice(b",\"$app_version_string\":");
        push_raw_string(&mut out, batch.app.version.raw());
        out.extend_from_slice(b",\"candor_app\":");
        push_raw_string(&mut out, batch.app.name.raw());
        out.extend_from_slice(b",\"candor_event_version\":");
        out.extend_from_slice(event.version.to_string().as_bytes());
        for (name, value) in &event.fields.entries {
            out.push(b',');
            push_string(&mut out, &property_for_field(name));
            out.push(b':');
            out.extend_from_slice(value.json().as_bytes());
        }
        out.extend_from_slice(b"}}");
        Ok(out)
    }
}

impl Encoder for Mixpanel {
    fn vendor(&self) -> Vendor {
        Vendor::Mixpanel
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn encode(&self, batch: &Batch<'_>) -> Encoded {
        let encoded = batch.events.iter().map(|e| self.event(batch, e)).collect();
        let (bodies, rejected) = pack(&self.limits, b"[", b"]", encoded);
        let requests = bodies
            .into_iter()
            .map(|(body, events)| VendorRequest {
                path: PATH.to_string(),
                headers: vec![
                    json_content_type(),
                    ("Authorization", basic_auth(&self.project_token, "")),
                ],
                body,
                events,
            })
            .collect();
        Encoded { requests, rejected }
    }

    /// Mixpanel's rules: 429 and 5xx are retried with backoff; 413 is split; 400 means some
    /// events failed validation and the rest *were* ingested, so it must not be resent (that
    /// would only count against the rate limit); other answers are final.
    fn verdict(&self, status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            429 | 500..=599 => Verdict::Retry,
            _ => Verdict::Reject,
        }
    }
}

/// One entry of `failed_records` in a `/import?strict=1` answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FailedRecord {
    /// Position of the event in the request's array, if the answer gives it.
    pub index: Option<usize>,
    /// The event's `$insert_id`, if the answer gives it (Mixpanel's documentation spells the
    /// key both `$insert_id` and `insert_id`; both are read).
    pub insert_id: Option<String>,
}

/// Deepest nesting read in an answer (Mixpanel's own answers are three levels deep).
const ANSWER_DEPTH: usize = 16;

/// The `failed_records` of an `/import?strict=1` answer body (the one sent with status 400:
/// the other events of the request were imported). `None` when the body is not such an
/// answer (not JSON, no `failed_records` array, or a record that is not an object); the
/// caller must then treat the whole request as refused.
pub fn failed_records(answer: &[u8]) -> Option<Vec<FailedRecord>> {
    let mut s = Scanner::new(std::str::from_utf8(answer).ok()?);
    let mut records = None;
    s.object(|s, key, _| {
        if key.raw() != "failed_records" {
            return s.skip_value(ANSWER_DEPTH);
        }
        let mut list = Vec::new();
        s.array(|s| {
            let mut record = FailedRecord {
                index: None,
                insert_id: None,
            };
            s.object(|s, key, _| {
                match key.raw() {
                    "index" if s.peek().is_some_and(|b| b.is_ascii_digit()) => {
                        let (text, _) = s.number()?;
                        record.index = text.parse().ok();
                    }
                    "$insert_id" | "insert_id" if s.peek() == Some(b'"') => {
                        record.insert_id = Some(s.string()?.decode().into_owned());
                    }
                    _ => s.skip_value(ANSWER_DEPTH)?,
                }
                Ok(())
            })?;
            list.push(record);
            Ok(())
        })?;
        records = Some(list);
        Ok(())
    })
    .ok()?;
    s.end().ok()?;
    records
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_failed_records_of_a_strict_import_answer() {
        // The documented example, with both spellings of the id key.
        let body = br#"{"code": 400, "error": "some data points in the request failed validation",
          "failed_records": [
            {"index": 0, "$insert_id": "8a66058c", "field": "properties.time", "message": "x"},
            {"index": 3, "insert_id": "29fc2962", "field": null, "extra": {"a": [1, 2.5, true]}}
          ],
          "num_records_imported": 23, "status": "Bad Request"}"#;
        assert_eq!(
            failed_records(body).unwrap(),
            vec![
                FailedRecord {
                    index: Some(0),
                    insert_id: Some("8a66058c".into())
                },
                FailedRecord {
                    index: Some(3),
                    insert_id: Some("29fc2962".into())
                },
            ]
        );
        assert_eq!(
            failed_records(br#"{"failed_records":[{"index":-1,"$insert_id":7}]}"#).unwrap(),
            vec![FailedRecord {
                index: None,
                insert_id: None
            }],
            "fields of an unexpected type are ignored, the record is kept"
        );
    }

    #[test]
    fn anything_else_is_not_such_an_answer() {
        for body in [
            &b""[..],
            b"invalid JSON",
            br#"{"code":400,"error":"Invalid credentials"}"#,
            br#"{"failed_records":{"index":0}}"#,
            br#"{"failed_records":[1]}"#,
            br#"{"failed_records":[]} trailing"#,
            br#"[{"failed_records":[]}]"#,
            &[0xff, 0xfe],
        ] {
            assert_eq!(
                failed_records(body),
                None,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        let deep = format!(
            "{{\"x\":{}{}, \"failed_records\":[]}}",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(failed_records(deep.as_bytes()), None, "nesting is bounded");
    }
}
