//! Vendor sinks: [`Transport`](crate::Transport)s that deliver the runtime's batches to the
//! analytics backend a team already runs, with every candor guarantee intact. Each is behind
//! its own Cargo feature (`segment`, `mixpanel`, `snowplow`, `posthog`, `otlp`; `vendors` for
//! all five), so an app compiles, and its dependency list shows, only the backends it can
//! talk to.
//!
//! | sink | feature | vendor API |
//! | --- | --- | --- |
//! | `SegmentTransport::new(base_url, write_key)` | `segment` | HTTP Tracking API, `POST /v1/batch` |
//! | `MixpanelTransport::new(base_url, project_token)` | `mixpanel` | Ingestion API, `POST /import?strict=1&ip=0` |
//! | `SnowplowTransport::new(collector_url)` | `snowplow` | tracker protocol, `POST /com.snowplowanalytics.snowplow/tp2` |
//! | `PostHogTransport::new(base_url, api_key)` | `posthog` | capture API, `POST /batch/` |
//! | `OtlpTransport::new(base_url)` | `otlp` | OTLP/HTTP JSON logs, `POST /v1/logs` |
//!
//! A sink sits where [`HttpTransport`](crate::HttpTransport) would: the runtime's consent
//! gate, batching, retry, spool, retention and purge work exactly as with a candor collector.
//! Each document the runtime hands over is read with `candor-interop`'s strict
//! `candor.batch/1` reader and encoded by that crate's encoder for the vendor (the one
//! encoder per vendor, which the collector's relay uses too); the requests go out through
//! the runtime's one HTTP client (https only, or http to loopback; no proxy, no redirect;
//! gzip where the vendor accepts it).
//!
//! What the runtime is told, and why (details in `sink.rs` and `docs/interop.md`):
//! - The vendor's own retry rules decide (e.g. OTLP retries only 429, 502, 503, 504); a
//!   retry honours the vendor's `Retry-After`; a vendor `413` splits the batch.
//! - A batch that became several vendor requests is finished request by request: when one
//!   must be retried, the batch is retried, and the next attempt sends only what is not
//!   finished yet (after a restart, everything again: the vendor ids from candor's stable
//!   event ids make that a duplicate the vendor drops).
//! - Events the vendor refused for good, or that no request could carry, are counted
//!   `dropped.rejected`; the rest `sent`.
//! - **Deletion requests are never sent**: a vendor's ingestion credentials cannot erase
//!   data. [`Client::start`](crate::Client::start) refuses `Config::deletion_request` with a
//!   sink, and a deletion document that reaches one anyway is answered as refused and
//!   counted ([`SinkStats::deletions_refused`]). Documents of any other kind are refused the
//!   same way.
//!
//! Module map: `sink` (the shared send logic and the answers given to the runtime),
//! `ledger` (what a sink remembers between attempts at one batch), `stats` ([`SinkStats`],
//! [`SinkMonitor`]), and one module per vendor with its public type and its rules (gzip,
//! reading a partial refusal).

#[cfg(feature = "mixpanel")]
mod mixpanel;
#[cfg(feature = "otlp")]
mod otlp;
#[cfg(feature = "posthog")]
mod posthog;
#[cfg(feature = "segment")]
mod segment;
#[cfg(feature = "snowplow")]
mod snowplow;

mod ledger;
mod sink;
mod stats;

#[cfg(all(
    test,
    feature = "segment",
    feature = "mixpanel",
    feature = "snowplow",
    feature = "posthog",
    feature = "otlp"
))]
mod tests;

/// Vendor limits (event and request sizes, counts) a sink cuts requests to; see each sink's
/// `with_limits`.
pub use candor_interop::Limits;
#[cfg(feature = "mixpanel")]
pub use mixpanel::MixpanelTransport;
#[cfg(feature = "otlp")]
pub use otlp::OtlpTransport;
#[cfg(feature = "posthog")]
pub use posthog::PostHogTransport;
#[cfg(feature = "segment")]
pub use segment::SegmentTransport;
#[cfg(feature = "snowplow")]
pub use snowplow::SnowplowTransport;
pub use stats::{SinkMonitor, SinkStats};
