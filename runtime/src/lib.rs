//! # candor — privacy-first product telemetry runtime
//!
//! This crate is what ships inside an application. It records typed events
//! (normally declared in a schema and implemented with `#[derive(Event)]`),
//! and only when the person has opted in to the event's consent category.
//!
//! Module map:
//! - [`consent`]: consent categories.
//! - [`event`]: the [`Event`] trait implemented by generated code.
//! - [`encode`]: direct JSON field writer and value-coarsening helpers.
//! - [`scanner`]: defence-in-depth secret scanner run on string values.
//! - [`client`]: the [`Client`]: consent gate, `track()`, sender thread.
//! - [`config`]: [`Config`] and its defaults; environment opt-out.
//! - [`counters`]: readable [`Counters`].
//! - [`transport`]: the [`Transport`] trait, HTTP and file transports.
//! - [`retry`]: status classification and backoff.
//! - [`envelope`]: wire envelope, ids, minute timestamps.
//! - `queue`, `batch`, `spool`: the never-blocking queue, batches, disk spool.
//!
//! See `docs/runtime.md` for defaults and guarantees and
//! `docs/wire-format.md` for what is sent.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod batch;
mod bip39;
pub mod client;
pub mod config;
pub mod consent;
pub mod counters;
pub mod encode;
pub mod envelope;
pub mod event;
mod global;
mod queue;
pub mod retry;
pub mod scanner;
mod spool;
pub mod transport;

pub use client::{Client, FlushReport, Outcome};
pub use config::Config;
pub use consent::Consent;
pub use counters::{Counters, Dropped};
pub use encode::{EncodeError, FieldWriter};
pub use event::{Event, EventMeta};
pub use retry::RetryPolicy;
pub use transport::{FileTransport, HttpTransport, Transport};

/// Plumbing for `#[derive(Event)]`; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::encode::{
        bucket_f64, bucket_i64, bucket_u64, clamp_f64, clamp_i64, clamp_u64, EncodeError,
        FieldWriter, LazyPattern, PatternStep, SimplePattern, StrCheck,
    };
    pub use crate::{Consent, Event, EventMeta};
}

// ---------------------------------------------------------------------------
// Derive re-exports: reserved for the candor-macros engineer, who adds
// `pub use candor_macros::{Event, EventEnum, personal};` here.
// ---------------------------------------------------------------------------

pub mod field_value;
pub mod personal;

pub use candor_macros::{personal, Event, EventEnum};
pub use field_value::EventEnum;
