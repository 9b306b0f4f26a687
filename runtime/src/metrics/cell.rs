//! What every metric shares: its schema identity ([`MetricMeta`]), its gate, and the
//! [`MetricCell`] interface through which the client opens and closes it and the sender
//! takes its values.

use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};

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

/// What a recording does, as the client last decided it for the metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[doc(hidden)]
pub enum GateState {
    /// The metric's category is not granted (or the client is shut down): nothing happens.
    Closed = 0,
    /// Granted and not expired: the value is recorded.
    Open = 1,
    /// Granted, but the metric's `expires` date has passed: nothing is recorded and the
    /// attempt is counted (`dropped.schema_expired`).
    Expired = 2,
}

/// The gate a recording reads: one relaxed load per recording; the client writes it rarely
/// (consent changes, once a minute). It also counts recordings refused because the metric
/// expired, which the client adds to its counters when they are read.
#[derive(Debug)]
pub(crate) struct Gate {
    state: AtomicU8,
    expired: AtomicU64,
}

impl Gate {
    pub(crate) const fn new() -> Gate {
        Gate {
            state: AtomicU8::new(GateState::Closed as u8),
            expired: AtomicU64::new(0),
        }
    }

    /// Whether to record. Closed costs this one load and two compares; expired also counts.
    #[inline(always)]
    pub(crate) fn admits(&self) -> bool {
        let state = self.state.load(Ordering::Relaxed);
        if state == GateState::Open as u8 {
            return true;
        }
        if state == GateState::Expired as u8 {
            self.count_expired();
        }
        false
    }

    #[cold]
    #[inline(never)]
    fn count_expired(&self) {
        self.expired.fetch_add(1, Ordering::Relaxed);
    }

    pub(crate) fn set(&self, state: GateState) {
        self.state.store(state as u8, Ordering::SeqCst);
    }

    /// Recordings refused as expired since the last call.
    pub(crate) fn take_expired(&self) -> u64 {
        self.expired.swap(0, Ordering::Relaxed)
    }
}

/// What the client and the sender do with a metric, whatever its type. Implemented by the
/// four metric types; not meant to be implemented elsewhere.
pub trait MetricCell: Sync {
    /// The metric's schema identity.
    fn meta(&self) -> &MetricMeta;
    /// Opens, closes or expires recording.
    #[doc(hidden)]
    fn set_gate(&self, state: GateState);
    /// Recordings refused since the last call because the metric had expired.
    #[doc(hidden)]
    fn take_expired(&self) -> u64;
    /// Swaps every value to zero (or unset) and, if anything was recorded, appends the
    /// metric's JSON object to `out` and returns `true`. An increment racing with the swap
    /// lands either in this snapshot or in the next one, never in both or neither.
    #[doc(hidden)]
    fn take(&self, out: &mut Vec<u8>) -> bool;
}
