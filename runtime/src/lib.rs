//! # candor — privacy-first product telemetry runtime
//!
//! This crate is what ships inside an application. It records typed events
//! (declared in a schema and implemented with `#[derive(Event)]`), and only
//! when the person has opted in to the event's consent category. An event from the
//! repository's `schemas/wallet.yaml`, end to end (with the `http` feature):
//!
//! ```no_run
//! use std::time::Duration;
//! use candor::{Client, Config, Consent, Event, EventEnum, HttpTransport};
//!
//! #[derive(EventEnum, Clone, Copy)]
//! enum Network { Mainnet, Testnet, Other }   // variants ⇔ the schema's `values`
//!
//! #[derive(EventEnum, Clone, Copy)]
//! enum FeeLevel { Low, Medium, High, Custom }
//!
//! /// `wallet.transaction_signed` from schemas/wallet.yaml. Its `pii` fields (`recipient`,
//! /// `amount`) can never be collected: adding either here is a compile error.
//! #[derive(Event)]
//! #[event(name = "wallet.transaction_signed", schemas = "../schemas")] // default: schemas/ beside Cargo.toml
//! struct TransactionSigned {
//!     network: Network,
//!     confirm_ms: Duration,          // sent as whole ms, rounded down to a schema bucket
//!     hardware_wallet: Option<bool>, // `optional: true`; `None` leaves it out
//!     fee_level: FeeLevel,
//! }
//!
//! fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let mut cfg = Config::new("my-wallet", "1.4.0");
//!     cfg.state_dir = Some("/var/lib/my-wallet/telemetry".into()); // persists the consent choice
//!     cfg.spool_dir = Some("/var/cache/my-wallet/telemetry".into()); // survives crashes and offline periods
//!     let client = Client::start(cfg, HttpTransport::new("https://telemetry.example.org/v1/batch")?)?;
//!     client.install_global(); // lets `event.track()` work anywhere
//!
//!     // Only after the person said yes in your consent UI:
//!     client.set_consent(Consent::Usage, true);
//!
//!     TransactionSigned {
//!         network: Network::Mainnet,
//!         confirm_ms: Duration::from_millis(3_420), // sent as "confirm_ms":1000
//!         hardware_wallet: Some(true),
//!         fee_level: FeeLevel::Medium,
//!     }
//!     .track();
//!
//!     client.shutdown(Duration::from_secs(2)); // on exit: deliver what it can, spool the rest
//!     Ok(())
//! }
//! ```
//!
//! What an app uses: [`Client`], [`Config`], [`Consent`], the derives [`Event`](derive@Event),
//! [`EventEnum`](derive@EventEnum) and [`personal`], [`Outcome`], [`FlushReport`],
//! [`Counters`]. What a transport writer uses: the [`transport`] module ([`Transport`],
//! [`Request`], [`Response`], [`TransportError`]). Everything else the derive needs lives in
//! a hidden module and is not a stable API.
//!
//! ## Cargo features
//!
//! - `http` (default): [`HttpTransport`], gzip'd HTTPS POST with `ureq`, `rustls` (ring) and
//!   `flate2`. An app that brings its own [`Transport`] turns default features off and
//!   compiles none of them:
//!   `candor = { version = "0.1", default-features = false }`.
//! - `segment`, `mixpanel`, `snowplow`, `posthog`, `otlp` (each implies `http`; `vendors`
//!   turns on all five): the vendor sinks `SegmentTransport`, `MixpanelTransport`,
//!   `SnowplowTransport`, `PostHogTransport` and `OtlpTransport`, which deliver the same
//!   batches to the analytics backend a team already runs, through the encoders of
//!   `candor-interop` (see `transport::vendor` and `docs/interop.md`). One feature per
//!   backend, so an app compiles, and its `Cargo.toml` shows, only the backends it can reach:
//!   `candor = { version = "0.1", features = ["segment"] }`.
//!
//! ## Modules, in the order an event goes through them
//!
//! - `client`: the public API; `track()` on the caller's thread.
//! - `encode`, `scanner`, `randomize`: the field writer generated code calls, the secret
//!   scanner, and randomized response for fields that declare it.
//! - `queue`: the bounded, never-blocking queue between callers and the sender.
//! - `pipeline`: the delivery pipeline as a plain value (batches, spool, consent choice,
//!   retries, accounting) whose decisions are methods, tested without threads.
//! - `sender`: the sender thread, a thin loop around the pipeline.
//! - `batch`, `spool`: batches of encoded events, and their files on disk.
//! - `panic_report`: [`install_panic_hook`]: panics as scrubbed error reports, written to the
//!   spool without locks (`docs/error-reports.md`).
//! - `sent_log`: the documents delivered, kept for [`Client::sent_log`] when enabled.
//! - `wire`: the documents sent (batch envelope, deletion request).
//! - [`transport`]: the [`Transport`] trait, [`HttpTransport`], [`FileTransport`] and the
//!   vendor sinks (`transport::vendor`).
//! - `retry`: what each answer means, and backoff.
//! - `clock`, `ids`: minutes as the wire carries them, and the injectable [`Clock`]; random ids.
//! - `config`, `consent`, `counters`, `event`, `global`: [`Config`], [`Consent`],
//!   [`Counters`], the [`Event`] trait and the process-wide client behind [`Event::track`].
//!
//! See `docs/runtime.md` for defaults and guarantees and
//! `docs/wire-format.md` for what is sent.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod batch;
mod bip39;
mod client;
mod clock;
mod config;
mod consent;
mod counters;
mod encode;
mod event;
mod field_value;
mod global;
mod ids;
pub mod metrics;
mod panic_report;
mod personal;
mod pipeline;
mod queue;
mod randomize;
mod retry;
mod scanner;
mod sender;
mod sent_log;
mod spool;
pub mod transport;
mod wire;

pub use candor_macros::{personal, Event, EventEnum, Metrics};
pub use client::{Client, FlushReport, Outcome};
pub use clock::Clock;
pub use config::{environment_opts_out, Config};
pub use consent::Consent;
pub use counters::{Counters, Dropped};
pub use encode::{EncodeError, FieldWriter};
pub use event::{Event, EventMeta};
pub use field_value::EventEnum;
pub use metrics::{Counter, Distribution, LabeledCounter, MetricDocuments, Metrics, Quantity};
pub use panic_report::{install_panic_hook, ErrorReport, PanicHook, PanicReport};
pub use retry::RetryPolicy;
pub use scanner::SecretKind;
pub use sent_log::{SentLog, SentLogEntry};
#[cfg(feature = "mixpanel")]
pub use transport::vendor::MixpanelTransport;
#[cfg(feature = "otlp")]
pub use transport::vendor::OtlpTransport;
#[cfg(feature = "posthog")]
pub use transport::vendor::PostHogTransport;
#[cfg(feature = "segment")]
pub use transport::vendor::SegmentTransport;
#[cfg(feature = "snowplow")]
pub use transport::vendor::SnowplowTransport;
#[cfg(feature = "http")]
pub use transport::{EndpointError, HttpTransport};
pub use transport::{FileTransport, Request, RequestKind, Response, Transport, TransportError};

/// Plumbing for `#[derive(Event)]`, `#[derive(EventEnum)]` and `#[candor::personal]`, and
/// for candor's own tests; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::encode::{
        bucket_f64, bucket_i64, bucket_u64, clamp_f64, clamp_i64, clamp_u64, LazyPattern,
        PatternStep, SimplePattern, StrCheck,
    };
    pub use crate::panic_report::count_from;
    pub use crate::randomize::{randomize_index, rr_bool, rr_bucket, rr_value};
    pub use candor_core::randomized_response::DeviceRule;

    /// Which Rust types carry which YAML field type.
    pub mod field_value {
        pub use crate::field_value::*;
    }
    /// Personal types refused by type.
    pub mod personal {
        pub use crate::personal::*;
    }
    /// The secret scanner, for its corpus test.
    pub mod scanner {
        pub use crate::scanner::*;
    }
}
