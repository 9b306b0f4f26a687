//! What every metric shares: its schema identity ([`MetricMeta`]), its gate, and the
//! [`MetricCell`] interface through which the client opens and closes it and the sender
//! takes its values.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::consent::Consent;
pub use candor_core::MetricUnit;

/// The parts of a metric's schema the runtime acts on. Written by `#[derive(Metrics)]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricMeta {
    /// `namespace.metric`.
    pub name: &'static str,
    /// Schema version.
    pub version: u32,
    /// The consent category that must be granted for the metric to record.
    pub consent: Consent,
    /// Days an undelivered document holding the metric may be kept.
    pub retention_days: u32,
    /// The first day (days since 1970-01-01, UTC) on which the metric no longer records;
    /// `u32::MAX` when it never expires.
    pub expires_day: u32,
    /// 16 lowercase hex chars identifying the schema.
    pub fingerprint: &'static str,
    /// The type and what it needs.
    pub shape: MetricShape,
}

/// A metric's type as the runtime needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MetricShape {
    /// A count.
    Counter,
    /// A count per label (labels in the label enum's order).
    LabeledCounter,
    /// Values counted into buckets (lower bounds, strictly increasing).
    Distribution {
        /// The unit values are recorded in.
        unit: MetricUnit,
        /// Lower bounds.
        buckets: &'static [u64],
    },
    /// The last value set, clamped to `min`..=`max`.
    Quantity {
        /// The unit values are set in.
        unit: MetricUnit,
        /// Lower clamp.
        min: u64,
        /// Upper clamp.
        max: u64,
    },
}

/// The gate a recording reads: open when the metric's category is granted on the client it
/// is registered with and the metric has not expired. One relaxed load per recording; the
/// client writes it rarely (consent changes, once a minute).
#[derive(Debug)]
pub(crate) struct Gate(AtomicBool);

impl Gate {
    pub(crate) const fn new() -> Gate {
        Gate(AtomicBool::new(false))
    }

    #[inline(always)]
    pub(crate) fn is_open(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    pub(crate) fn set(&self, open: bool) {
        self.0.store(open, Ordering::SeqCst);
    }
}

/// What the client and the sender do with a metric, whatever its type. Implemented by the
/// four metric types; not meant to be implemented elsewhere.
pub trait MetricCell: Sync {
    /// The metric's schema identity.
    fn meta(&self) -> &MetricMeta;
    /// Opens or closes recording.
    #[doc(hidden)]
    fn set_open(&self, open: bool);
    /// Swaps every value to zero (or unset) and, if anything was recorded, appends the
    /// metric's JSON object to `out` and returns `true`. An increment racing with the swap
    /// lands either in this snapshot or in the next one, never in both or neither.
    #[doc(hidden)]
    fn take(&self, out: &mut Vec<u8>) -> bool;
}
