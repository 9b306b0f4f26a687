//! Snowplow tracker protocol: `POST /com.snowplowanalytics.snowplow/tp2` of a `payload_data`
//! self-describing JSON, with the `SP-Anonymous: *` header (the collector then records neither
//! the IP address nor a `network_userid` cookie).
//!
//! Every event is a self-describing event (`e=ue`): `ue_pr` holds an `unstruct_event` wrapping
//! `{"schema": "iglu:VENDOR.NAMESPACE/EVENT/jsonschema/VERSION-0-0", "data": fields}`, so the
//! pipeline validates it against the schema `candor schema --iglu VENDOR` writes (see
//! [`iglu_key`]). Also: `eid` (the event id in UUID form), `dtm` (Unix milliseconds of the
//! event's minute), `tv`, `tna`, `p: "app"`, `aid` (the app name), and a context (`co`) with
//! the app version (`com.snowplowanalytics.mobile/application`, omitted when the version is
//! over the schema's 255 characters).
//!
//! No user ids: no `uid`, no `nuid`, no `ip`, no `ua`. With an installation id (declared by the
//! app), it is sent as `duid`, the tracker-level device id, so unique installations can be
//! counted; without one, no id links events. `stm` is not sent (see Segment's `sentAt`).

use super::{json_content_type, Encoder, Vendor, LIBRARY, LIBRARY_VERSION};
use crate::batch::{Batch, Event};
use crate::json::{push_escaped, push_raw_string, push_string};
use crate::request::{pack, Encoded, Limits, RejectReason, VendorRequest, Verdict};

/// The collector's POST path.
pub const PATH: &str = "/com.snowplowanalytics.snowplow/tp2";
/// Schema of the request body.
pub const PAYLOAD_DATA: &str = "iglu:com.snowplowanalytics.snowplow/payload_data/jsonschema/1-0-4";
/// Schema wrapping a self-describing event in `ue_pr`.
pub const UNSTRUCT_EVENT: &str =
    "iglu:com.snowplowanalytics.snowplow/unstruct_event/jsonschema/1-0-0";
/// Schema wrapping the context entities in `co`.
pub const CONTEXTS: &str = "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-1";
/// The application context entity (app version).
pub const APPLICATION: &str = "iglu:com.snowplowanalytics.mobile/application/jsonschema/1-0-0";
/// Iglu vendor used when none is configured.
pub const DEFAULT_IGLU_VENDOR: &str = "candor";

/// Limits: requests filled to 40 000 bytes (the Snowplow web tracker's `maxPostBytes`, chosen
/// for the collector's request size), a larger single event goes alone up to 1 000 000 bytes
/// (the collector's default maximum record size); no count limit.
pub const LIMITS: Limits = Limits {
    max_event_bytes: Some(1_000_000),
    max_request_bytes: None,
    target_request_bytes: Some(40_000),
    max_events: None,
    max_properties: None,
};

/// An Iglu schema key: `iglu:VENDOR/NAME/jsonschema/MODEL-0-0`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IgluKey {
    /// The configured vendor plus the event's namespace, e.g. `com.example.wallet`.
    pub vendor: String,
    /// The event's name within its namespace, e.g. `transaction_signed`.
    pub name: String,
    /// The candor event version.
    pub model: u32,
}

impl IgluKey {
    /// `MODEL-0-0`.
    pub fn version(&self) -> String {
        format!("{}-0-0", self.model)
    }

    /// `iglu:VENDOR/NAME/jsonschema/MODEL-0-0`.
    pub fn uri(&self) -> String {
        format!(
            "iglu:{}/{}/jsonschema/{}",
            self.vendor,
            self.name,
            self.version()
        )
    }

    /// The file path in an Iglu static registry: `schemas/VENDOR/NAME/jsonschema/MODEL-0-0`.
    pub fn registry_path(&self) -> String {
        format!(
            "schemas/{}/{}/jsonschema/{}",
            self.vendor,
            self.name,
            self.version()
        )
    }
}

/// The Iglu key of candor event `event_name` version `version` under Iglu vendor
/// `iglu_vendor`.
///
/// The namespace joins the vendor (`com.example` + `wallet` → `com.example.wallet`), the way
/// Snowplow's own schemas group by sub-vendor (`com.snowplowanalytics.mobile`), and the event
/// keeps its name: Iglu names may not contain dots, and a namespace in the vendor cannot be
/// confused with an underscore in a name, so distinct events never share a key. The candor
/// version becomes the SchemaVer MODEL (`N-0-0`): candor bumps `version` for any change to an
/// event's contract and does not say whether old data still validates, so every version is
/// declared a new model, never a compatible revision or addition.
pub fn iglu_key(iglu_vendor: &str, event_name: &str, version: u32) -> IgluKey {
    let (namespace, name) = match event_name.rsplit_once('.') {
        Some((ns, name)) => (Some(ns), name),
        None => (None, event_name),
    };
    IgluKey {
        vendor: match namespace {
            Some(ns) => format!("{iglu_vendor}.{ns}"),
            None => iglu_vendor.to_string(),
        },
        name: name.to_string(),
        model: version,
    }
}

/// Whether `vendor` is a valid Iglu vendor (`[a-zA-Z0-9-_.]+`).
pub fn is_iglu_vendor(vendor: &str) -> bool {
    !vendor.is_empty()
        && vendor
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

/// Encoder for one Snowplow pipeline.
#[derive(Clone, Debug)]
pub struct Snowplow {
    iglu_vendor: String,
    limits: Limits,
}

impl Default for Snowplow {
    fn default() -> Self {
        Snowplow::new()
    }
}

impl Snowplow {
    /// An encoder with Iglu vendor [`DEFAULT_IGLU_VENDOR`].
    pub fn new() -> Self {
        Snowplow {
            iglu_vendor: DEFAULT_IGLU_VENDOR.to_string(),
            limits: LIMITS,
        }
    }

    /// Uses Iglu vendor `vendor` (as given to `candor schema --iglu`). `None` if it is not a
    /// valid Iglu vendor.
    pub fn with_iglu_vendor(mut self, vendor: &str) -> Option<Self> {
        if !is_iglu_vendor(vendor) {
            return None;
        }
        self.iglu_vendor = vendor.to_string();
        Some(self)
    }

    /// Replaces the limits.
    pub fn with_limits(mut self, limits: Limits) -> Self {
        self.limits = limits;
        self
    }

    fn event(&self, batch: &Batch<'_>, event: &Event<'_>) -> Result<Vec<u8>, RejectReason> {
        let ms = event.time.unix_millis();
        if ms < 0 {
            return Err(RejectReason::TimeOutOfRange);
        }
        let mut out = Vec::with_capacity(512 + 2 * event.fields.raw.len());
        out.extend_from_slice(b"{\"e\":\"ue\",\"eid\":");
        push_string(&mut out, &event.id.uuid());
        out.extend_from_slice(b",\"tv\":");
        push_string(&mut out, &format!("{LIBRARY}-{LIBRARY_VERSION}"));
        out.extend_from_slice(b",\"tna\":");
        push_string(&mut out, LIBRARY);
        out.extend_from_slice(b",\"p\":\"app\",\"aid\":");
        push_raw_string(&mut out, batch.app.name.raw());
        out.extend_from_slice(b",\"dtm\":");
        push_string(&mut out, &ms.to_string());
        if let Some(id) = batch.install_id {
            out.extend_from_slice(b",\"duid\":");
            push_string(&mut out, &id.uuid());
        }
        let key = iglu_key(&self.iglu_vendor, event.name, event.version);
        let mut inner = Vec::with_capacity(160 + event.fields.raw.len());
        inner.extend_from_slice(b"{\"schema\":");
        push_string(&mut inner, UNSTRUCT_EVENT);
        inner.extend_from_slice(b",\"data\":{\"schema\":");
        push_string(&mut inner, &key.uri());
        inner.extend_from_slice(b",\"data\":");
        inner.extend_from_slice(event.fields.raw.as_bytes());
        inner.extend_from_slice(b"}}");
        out.extend_from_slice(b",\"ue_pr\":\"");
        push_escaped(&mut out, std::str::from_utf8(&inner).unwrap_or_default());
        out.push(b'"');
        if batch.app.version.decode().chars().count() <= 255 {
            let mut co = Vec::with_capacity(200);
            co.extend_from_slice(b"{\"schema\":");
            push_string(&mut co, CONTEXTS);
            co.extend_from_slice(b",\"data\":[{\"schema\":");
            push_string(&mut co, APPLICATION);
            co.extend_from_slice(b",\"data\":{\"version\":");
            push_raw_string(&mut co, batch.app.version.raw());
            co.extend_from_slice(b",\"build\":\"\"}}]}");
            out.extend_from_slice(b",\"co\":\"");
            push_escaped(&mut out, std::str::from_utf8(&co).unwrap_or_default());
            out.push(b'"');
        }
        out.push(b'}');
        Ok(out)
    }
}

impl Encoder for Snowplow {
    fn vendor(&self) -> Vendor {
        Vendor::Snowplow
    }

    fn limits(&self) -> &Limits {
        &self.limits
    }

    fn encode(&self, batch: &Batch<'_>) -> Encoded {
        let encoded = batch.events.iter().map(|e| self.event(batch, e)).collect();
        let mut prefix = b"{\"schema\":".to_vec();
        push_string(&mut prefix, PAYLOAD_DATA);
        prefix.extend_from_slice(b",\"data\":[");
        let (bodies, rejected) = pack(&self.limits, &prefix, b"]}", encoded);
        let requests = bodies
            .into_iter()
            .map(|(body, events)| VendorRequest {
                path: PATH.to_string(),
                headers: vec![json_content_type(), ("SP-Anonymous", "*".to_string())],
                body,
                events,
            })
            .collect();
        Encoded { requests, rejected }
    }

    /// The Snowplow trackers' rule: 400, 401, 403, 410 and 422 are final, every other
    /// non-2xx answer is retried; 413 is split.
    fn verdict(&self, status: u16) -> Verdict {
        match status {
            200..=299 => Verdict::Delivered,
            413 => Verdict::Split,
            400 | 401 | 403 | 410 | 422 => Verdict::Reject,
            _ => Verdict::Retry,
        }
    }
}
