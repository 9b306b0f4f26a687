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
#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod bip39;
pub mod consent;
pub mod encode;
pub mod event;
mod global;
pub mod scanner;

pub use consent::Consent;
pub use encode::{EncodeError, FieldWriter};
pub use event::Event;

/// Plumbing for `#[derive(Event)]`; not a stable API.
#[doc(hidden)]
pub mod __private {
    pub use crate::encode::{
        bucket_f64, bucket_i64, bucket_u64, clamp_f64, clamp_i64, clamp_u64, EncodeError,
        FieldWriter, LazyPattern, StrCheck,
    };
    pub use crate::{Consent, Event};
}

// ---------------------------------------------------------------------------
// Derive re-exports: reserved for the candor-macros engineer, who adds
// `pub use candor_macros::{Event, EventEnum, personal};` here.
// ---------------------------------------------------------------------------
