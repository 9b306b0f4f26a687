//! # candor-interop — deliver candor batches to the analytics backends teams already use
//!
//! One encoder per backend, each a pure function from a `candor.batch/1` document to the
//! backend's HTTP requests: [`Segment`], [`Mixpanel`], [`Snowplow`], [`PostHog`] and [`Otlp`]
//! (OpenTelemetry logs). The runtime's sinks and the collector's relay both use these
//! encoders, so an event reaches a vendor in exactly one way whichever path it takes.
//!
//! What every encoder guarantees (details per vendor in `docs/interop.md`):
//! - **Idempotency**: vendor ids are computed from candor's event ids (stable across retries,
//!   spool and restarts), and the same batch always yields byte-identical requests.
//! - **No IP kept**: each vendor's switch is set (Segment `context.ip`, Mixpanel `ip=0`,
//!   Snowplow `SP-Anonymous`, PostHog `$geoip_disable` and `$ip`), and no address is sent.
//! - **No persistent id unless declared**: without the app's installation id, whatever id a
//!   vendor requires is derived per request or per event and links nothing.
//! - **Types kept**: field values keep their JSON types (OTLP attributes are typed).
//! - **Limits enforced before sending**: requests are cut to the vendor's documented sizes and
//!   counts; an event no request can carry is reported in [`Encoded::rejected`].
//!
//! Module map:
//! - [`batch`]: the one strict, zero-copy reader of `candor.batch/1` (also the collector's).
//! - [`vendor`]: the [`Encoder`] trait and the five encoders.
//! - [`request`]: requests, limits, verdicts on the vendor's answer.
//! - [`ids`], [`time`]: id and time forms; [`json`]: scanning and escaping.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod batch;
pub mod ids;
pub mod json;
pub mod request;
pub mod time;
pub mod vendor;

pub use batch::{Batch, Event, Value};
pub use json::ReadError;
pub use request::{Encoded, Limits, RejectReason, Rejected, VendorRequest, Verdict};
pub use vendor::mixpanel::Mixpanel;
pub use vendor::otlp::Otlp;
pub use vendor::posthog::PostHog;
pub use vendor::segment::Segment;
pub use vendor::snowplow::Snowplow;
pub use vendor::{Encoder, Vendor};
