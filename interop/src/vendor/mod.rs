//! The five encoders and what they share: the [`Encoder`] trait, the [`Vendor`] names, and
//! the rule that renames a field whose name a vendor reserves.

pub mod mixpanel;
pub mod otlp;
pub mod posthog;
pub mod segment;
pub mod snowplow;

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use crate::batch::Batch;
use crate::request::{Encoded, Limits, Verdict};

/// Library name the encoders report to vendors (`context.library.name`, `$lib`, `mp_lib`,
/// Snowplow's tracker version prefix, the OTLP scope).
pub const LIBRARY: &str = "candor";
/// Library version reported alongside [`LIBRARY`].
pub const LIBRARY_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Turns candor batches into one vendor's requests. Pure: no I/O, no clock, no randomness, so
/// the same batch always gives byte-identical requests (what makes resends deduplicate).
pub trait Encoder {
    /// Which vendor.
    fn vendor(&self) -> Vendor;
    /// The limits requests are cut to.
    fn limits(&self) -> &Limits;
    /// The requests for `batch`, and the events none of them carries.
    fn encode(&self, batch: &Batch<'_>) -> Encoded;
    /// How to treat the vendor's answer `status`, by its documented retry rules.
    fn verdict(&self, status: u16) -> Verdict;
}

/// A supported backend.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Segment HTTP Tracking API.
    Segment,
    /// Mixpanel Ingestion API (`/import`).
    Mixpanel,
    /// Snowplow tracker protocol (`tp2`).
    Snowplow,
    /// PostHog capture API (`/batch/`).
    PostHog,
    /// OpenTelemetry OTLP/HTTP JSON logs.
    Otlp,
}

impl Vendor {
    /// Every vendor, in documentation order.
    pub const ALL: [Vendor; 5] = [
        Vendor::Segment,
        Vendor::Mixpanel,
        Vendor::Snowplow,
        Vendor::PostHog,
        Vendor::Otlp,
    ];

    /// The lowercase name used on command lines (`segment`, `mixpanel`, `snowplow`,
    /// `posthog`, `otlp`).
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Segment => "segment",
            Vendor::Mixpanel => "mixpanel",
            Vendor::Snowplow => "snowplow",
            Vendor::PostHog => "posthog",
            Vendor::Otlp => "otlp",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A vendor name that is not one of [`Vendor::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownVendor(pub String);

impl fmt::Display for UnknownVendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown vendor `{}` (expected segment, mixpanel, snowplow, posthog or otlp)",
            self.0
        )
    }
}

impl std::error::Error for UnknownVendor {}

impl FromStr for Vendor {
    type Err = UnknownVendor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Vendor::ALL
            .into_iter()
            .find(|v| v.name() == s)
            .ok_or_else(|| UnknownVendor(s.to_string()))
    }
}

/// The property name a field is sent under in a vendor whose event properties share one
/// namespace with the vendor's own keys (Mixpanel, PostHog). A field whose name the vendor (or
/// candor's encoder) uses is sent as `_name`: candor names start with a letter, so the renamed
/// key can never collide with another field, and the vendor's meaning of the key is never
/// triggered by an app's data.
pub(crate) fn property_name<'a>(
    field: &'a str,
    reserved: &[&str],
    reserved_prefixes: &[&str],
) -> Cow<'a, str> {
    if reserved.contains(&field) || reserved_prefixes.iter().any(|p| field.starts_with(p)) {
        Cow::Owned(format!("_{field}"))
    } else {
        Cow::Borrowed(field)
    }
}

/// The standard header every vendor body gets.
pub(crate) fn json_content_type() -> (&'static str, String) {
    ("Content-Type", "application/json".to_string())
}
