//! The four metric types. Each holds its [`MetricMeta`], its gate and fixed atomics, so a
//! whole metric set is built by a `const fn` into a `static` and recording never allocates.
//! Labels and buckets use fixed arrays of [`MAX_LABELS`] and [`MAX_BUCKETS`] atomics (the
//! schema language's limits), which keeps the types free of const generics.

use std::marker::PhantomData;
use std::sync::atomic::AtomicU64;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed};
use std::time::Duration;

use candor_core::metric::{bucket_index, MAX_BUCKETS, MAX_LABELS};

use super::cell::{Gate, GateState, MetricCell, MetricMeta, MetricShape, MetricUnit};
use super::shard;
use crate::encode::write_escaped;
use crate::field_value::EventEnum;

/// `{"name":"…","version":N,"type":"…"` — the start of every metric object.
fn open_object(out: &mut Vec<u8>, meta: &MetricMeta, ty: &str) {
    out.extend_from_slice(b"{\"name\":\"");
    write_escaped(out, meta.name);
    out.extend_from_slice(b"\",\"version\":");
    push_u64(out, u64::from(meta.version));
    out.extend_from_slice(b",\"type\":\"");
    out.extend_from_slice(ty.as_bytes());
    out.push(b'"');
}

fn push_u64(out: &mut Vec<u8>, v: u64) {
    out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes());
}

fn push_unit(out: &mut Vec<u8>, unit: MetricUnit) {
    out.extend_from_slice(b",\"unit\":\"");
    write_escaped(out, unit.as_str());
    out.push(b'"');
}

/// A count of things that happened, sent as the total of the interval.
///
/// Each recording thread adds into a slot of its own (see `shard`), so an add is a plain
/// load and store rather than a locked read-modify-write. Slots only grow; a snapshot sums
/// them and sends the growth since the previous snapshot, which keeps every increment in
/// exactly one interval without ever writing a slot another thread owns.
#[derive(Debug)]
pub struct Counter {
    gate: Gate,
    slots: [Slot; shard::SLOTS],
    /// For threads without a slot.
    shared: AtomicU64,
    /// The slots' sum at the previous snapshot.
    reported: AtomicU64,
    meta: MetricMeta,
}

/// One thread's running total, alone on its cache line so threads do not slow each other.
#[derive(Debug)]
#[repr(align(64))]
struct Slot(AtomicU64);

impl Counter {
    /// A counter for `meta` (written by `#[derive(Metrics)]`).
    pub const fn new(meta: MetricMeta) -> Counter {
        Counter {
            gate: Gate::new(),
            slots: [const { Slot(AtomicU64::new(0)) }; shard::SLOTS],
            shared: AtomicU64::new(0),
            reported: AtomicU64::new(0),
            meta,
        }
    }

    /// Adds `n`. One relaxed load when the consent is off; when on, one thread-local read
    /// and an unlocked add to the thread's own slot.
    #[inline]
    pub fn add(&self, n: u64) {
        if self.gate.admits() {
            match shard::current() {
                Some(i) => {
                    let slot = &self.slots[i].0;
                    slot.store(slot.load(Relaxed).wrapping_add(n), Relaxed);
                }
                None => {
                    self.shared.fetch_add(n, Relaxed);
                }
            }
        }
    }

    /// Adds one.
    #[inline]
    pub fn inc(&self) {
        self.add(1);
    }
}

impl MetricCell for Counter {
    fn meta(&self) -> &MetricMeta {
        &self.meta
    }

    fn set_gate(&self, state: GateState) {
        self.gate.set(state);
    }

    fn take_expired(&self) -> u64 {
        self.gate.take_expired()
    }

    fn take(&self, out: &mut Vec<u8>) -> bool {
        // Two clients holding the same set may take at once: whoever moves `reported`
        // reports the growth it saw. Acquire/release on `reported` makes a later taker read
        // the slots at least as new as the earlier one did, so growth is never negative.
        let grown = loop {
            let before = self.reported.load(Acquire);
            let total = self
                .slots
                .iter()
                .fold(0u64, |sum, s| sum.wrapping_add(s.0.load(Relaxed)));
            if self
                .reported
                .compare_exchange(before, total, AcqRel, Acquire)
                .is_ok()
            {
                break total.wrapping_sub(before);
            }
        };
        let v = grown.wrapping_add(self.shared.swap(0, Relaxed));
        if v == 0 {
            return false;
        }
        open_object(out, &self.meta, "counter");
        out.extend_from_slice(b",\"value\":");
        push_u64(out, v);
        out.push(b'}');
        true
    }
}

/// A count per label; the labels are the variants of `E`, a `#[derive(EventEnum)]` enum
/// whose values the derive checks against the schema's `labels`.
pub struct LabeledCounter<E: EventEnum + 'static> {
    gate: Gate,
    counts: [AtomicU64; MAX_LABELS],
    meta: MetricMeta,
    _label: PhantomData<fn(E)>,
}

impl<E: EventEnum + 'static> std::fmt::Debug for LabeledCounter<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LabeledCounter")
            .field("meta", &self.meta)
            .finish_non_exhaustive()
    }
}

impl<E: EventEnum + 'static> LabeledCounter<E> {
    /// A labeled counter for `meta`. Fails to compile (in the `static`) when `E` has more
    /// than [`MAX_LABELS`] variants.
    pub const fn new(meta: MetricMeta) -> LabeledCounter<E> {
        assert!(
            E::VALUES.len() <= MAX_LABELS,
            "a labeled counter has at most 32 labels"
        );
        LabeledCounter {
            gate: Gate::new(),
            counts: [const { AtomicU64::new(0) }; MAX_LABELS],
            meta,
            _label: PhantomData,
        }
    }

    /// Adds `n` to `label`'s count.
    #[inline]
    pub fn add(&self, label: E, n: u64) {
        if self.gate.admits() {
            if let Some(c) = self.counts.get(label.index()) {
                c.fetch_add(n, Relaxed);
            }
        }
    }

    /// Adds one to `label`'s count.
    #[inline]
    pub fn inc(&self, label: E) {
        self.add(label, 1);
    }
}

impl<E: EventEnum + 'static> MetricCell for LabeledCounter<E> {
    fn meta(&self) -> &MetricMeta {
        &self.meta
    }

    fn set_gate(&self, state: GateState) {
        self.gate.set(state);
    }

    fn take_expired(&self) -> u64 {
        self.gate.take_expired()
    }

    fn take(&self, out: &mut Vec<u8>) -> bool {
        let start = out.len();
        let mut any = false;
        for (label, count) in E::VALUES.iter().zip(&self.counts) {
            let v = count.swap(0, Relaxed);
            if v == 0 {
                continue;
            }
            if !any {
                open_object(out, &self.meta, "labeled_counter");
                out.extend_from_slice(b",\"values\":{");
                any = true;
            } else {
                out.push(b',');
            }
            out.push(b'"');
            write_escaped(out, label);
            out.extend_from_slice(b"\":");
            push_u64(out, v);
        }
        if any {
            out.extend_from_slice(b"}}");
        } else {
            out.truncate(start);
        }
        any
    }
}

/// Values counted into the schema's buckets: the count per bucket and the sum of the values
/// of the interval.
#[derive(Debug)]
pub struct Distribution {
    gate: Gate,
    counts: [AtomicU64; MAX_BUCKETS],
    sum: AtomicU64,
    meta: MetricMeta,
}

impl Distribution {
    /// A distribution for `meta`, whose shape must be [`MetricShape::Distribution`] with at
    /// most [`MAX_BUCKETS`] bounds (checked when the `static` is built).
    pub const fn new(meta: MetricMeta) -> Distribution {
        match meta.shape {
            MetricShape::Distribution { buckets, .. } => assert!(
                !buckets.is_empty() && buckets.len() <= MAX_BUCKETS,
                "a distribution has 1 to 32 buckets"
            ),
            _ => panic!("Distribution::new needs a distribution's metadata"),
        }
        Distribution {
            gate: Gate::new(),
            counts: [const { AtomicU64::new(0) }; MAX_BUCKETS],
            sum: AtomicU64::new(0),
            meta,
        }
    }

    fn bounds(&self) -> &'static [u64] {
        match self.meta.shape {
            MetricShape::Distribution { buckets, .. } => buckets,
            _ => &[0],
        }
    }

    /// Counts `value` (in the metric's unit) into the largest bucket bound not above it.
    #[inline]
    pub fn record(&self, value: u64) {
        if self.gate.admits() {
            self.record_open(value);
        }
    }

    #[inline]
    fn record_open(&self, value: u64) {
        let i = bucket_index(self.bounds(), value);
        self.counts[i].fetch_add(1, Relaxed);
        self.sum.fetch_add(value, Relaxed);
    }

    /// Counts a duration, converted to the metric's unit (rounded down). A distribution
    /// whose unit is not a time records nothing here (`#[derive(Metrics)]` gives time units
    /// to timing distributions).
    #[inline]
    pub fn record_duration(&self, d: Duration) {
        if self.gate.admits() {
            let unit = match self.meta.shape {
                MetricShape::Distribution { unit, .. } => unit,
                _ => return,
            };
            if let Some(v) = unit.of_duration(d) {
                self.record_open(v);
            }
        }
    }
}

impl MetricCell for Distribution {
    fn meta(&self) -> &MetricMeta {
        &self.meta
    }

    fn set_gate(&self, state: GateState) {
        self.gate.set(state);
    }

    fn take_expired(&self) -> u64 {
        self.gate.take_expired()
    }

    fn take(&self, out: &mut Vec<u8>) -> bool {
        let bounds = self.bounds();
        let mut counts = [0u64; MAX_BUCKETS];
        let mut any = false;
        for (slot, c) in counts.iter_mut().zip(&self.counts).take(bounds.len()) {
            *slot = c.swap(0, Relaxed);
            any |= *slot != 0;
        }
        let sum = self.sum.swap(0, Relaxed);
        if !any && sum == 0 {
            return false;
        }
        let unit = match self.meta.shape {
            MetricShape::Distribution { unit, .. } => unit,
            _ => MetricUnit::Count,
        };
        open_object(out, &self.meta, "distribution");
        push_unit(out, unit);
        out.extend_from_slice(b",\"buckets\":[");
        for (i, b) in bounds.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_u64(out, *b);
        }
        out.extend_from_slice(b"],\"counts\":[");
        for (i, c) in counts[..bounds.len()].iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            push_u64(out, *c);
        }
        out.extend_from_slice(b"],\"sum\":");
        push_u64(out, sum);
        out.push(b'}');
        true
    }
}

/// No value was set in the interval.
const UNSET: u64 = u64::MAX;

/// The last value set in the interval ("connected peers", "open dashboards"), clamped to the
/// schema's `min`/`max`.
#[derive(Debug)]
pub struct Quantity {
    gate: Gate,
    value: AtomicU64,
    meta: MetricMeta,
}

impl Quantity {
    /// A quantity for `meta`, whose shape must be [`MetricShape::Quantity`].
    pub const fn new(meta: MetricMeta) -> Quantity {
        assert!(
            matches!(meta.shape, MetricShape::Quantity { .. }),
            "Quantity::new needs a quantity's metadata"
        );
        Quantity {
            gate: Gate::new(),
            value: AtomicU64::new(UNSET),
            meta,
        }
    }

    /// Sets the value (in the metric's unit), clamped to the schema's bounds; the largest
    /// value kept is `u64::MAX - 1`.
    #[inline]
    pub fn set(&self, value: u64) {
        if self.gate.admits() {
            let (min, max) = match self.meta.shape {
                MetricShape::Quantity { min, max, .. } => (min, max),
                _ => (0, UNSET - 1),
            };
            // `max` then `min`, never `clamp`: it panics if a hand-written meta had min > max.
            let v = value.min(max).max(min).min(UNSET - 1);
            self.value.store(v, Relaxed);
        }
    }
}

impl MetricCell for Quantity {
    fn meta(&self) -> &MetricMeta {
        &self.meta
    }

    fn set_gate(&self, state: GateState) {
        self.gate.set(state);
    }

    fn take_expired(&self) -> u64 {
        self.gate.take_expired()
    }

    fn take(&self, out: &mut Vec<u8>) -> bool {
        let v = self.value.swap(UNSET, Relaxed);
        if v == UNSET {
            return false;
        }
        let unit = match self.meta.shape {
            MetricShape::Quantity { unit, .. } => unit,
            _ => MetricUnit::Count,
        };
        open_object(out, &self.meta, "quantity");
        push_unit(out, unit);
        out.extend_from_slice(b",\"value\":");
        push_u64(out, v);
        out.push(b'}');
        true
    }
}
