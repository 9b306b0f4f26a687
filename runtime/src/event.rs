//! The [`Event`] trait: the contract between `#[derive(Event)]` and the runtime.
//!
//! An event type knows its schema identity (name, version, fingerprint), the
//! consent category that gates it, how long it may be kept, and how to write
//! its fields as JSON. Everything else (ids, timestamps, batching) belongs to
//! the runtime so that generated code stays small and cannot get it wrong.

pub use crate::consent::Consent;
use crate::encode::{EncodeError, FieldWriter};

/// A telemetry event type, normally implemented by `#[derive(Event)]`.
pub trait Event {
    /// The event's schema identity, consent category and retention, in one constant.
    ///
    /// One item per event instead of five: each associated constant of an impl is an item
    /// rustc checks, evaluates and stores in its incremental cache, which adds up in crates with
    /// hundreds of derived events. The constants below read from it.
    const META: EventMeta;
    /// Dotted schema name, e.g. `"wallet.transaction_signed"`.
    const NAME: &'static str = Self::META.name;
    /// Schema version of this event.
    const VERSION: u32 = Self::META.version;
    /// Consent category that must be granted for the event to be recorded.
    const CONSENT: Consent = Self::META.consent;
    /// Days an undelivered event may be kept; the spool deletes older ones unsent.
    const RETENTION_DAYS: u32 = Self::META.retention_days;
    /// The schema's `expires` date as a day number (days since 1970-01-01), or
    /// [`EventMeta::NEVER_EXPIRES`]. From the day after it, `track()` records nothing and
    /// counts `dropped.schema_expired`.
    const EXPIRES_DAY: u32 = Self::META.expires_day;
    /// 16 lowercase hex chars identifying the schema the type was generated from.
    const FINGERPRINT: &'static str = Self::META.fingerprint;

    /// Writes the event's `fields` JSON object, braces included, into `w`.
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError>;

    /// Hands the event to the global client (no-op if none installed or consent off).
    fn track(self)
    where
        Self: Sized,
    {
        crate::global::track(self);
    }
}

/// What [`Event::META`] holds: the parts of an event's schema the runtime acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EventMeta {
    /// Dotted schema name, e.g. `"wallet.transaction_signed"`.
    pub name: &'static str,
    /// Schema version.
    pub version: u32,
    /// Consent category that must be granted for the event to be recorded.
    pub consent: Consent,
    /// Days an undelivered event may be kept.
    pub retention_days: u32,
    /// 16 lowercase hex chars identifying the schema.
    pub fingerprint: &'static str,
    /// The schema's `expires` date as a day number (days since 1970-01-01, the day maths of
    /// `candor_core::date`), or [`EventMeta::NEVER_EXPIRES`] for `expires: never`.
    pub expires_day: u32,
}

impl EventMeta {
    /// [`EventMeta::expires_day`] of an event declared `expires: never`.
    pub const NEVER_EXPIRES: u32 = candor_core::date::NEVER_EXPIRES;

    /// Whether the schema entry is no longer collected at `minute` (minutes since 1970):
    /// from the day after its `expires` date, UTC. The one check events and metrics share.
    #[inline]
    pub const fn expired_at(&self, minute: u32) -> bool {
        candor_core::date::schema_expired(self.expires_day, minute)
    }
}
