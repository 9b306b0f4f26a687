//! Metrics aggregated on the device: [`Counter`], [`LabeledCounter`], [`Distribution`] and
//! [`Quantity`], declared under `metrics:` in a schema and grouped in a struct with
//! `#[derive(Metrics)]`, used through a `static`.
//!
//! Recording touches only the metric's own atomics: one relaxed load of its *gate* (is the
//! metric's consent category granted, and is the metric unexpired?) and, when open, an
//! unlocked add to the calling thread's slot (counters, `shard`) or one or two relaxed
//! read-modify-writes (the other types). No lock (a thread takes its slot number under a
//! mutex once, at its first recording), no allocation, no wake-up. The client keeps the
//! gates: [`Client::register_metrics`](crate::Client::register_metrics) binds a set of
//! metrics to it, and every consent change, shutdown and the minute clock rewrite them.
//!
//! At the end of each interval (`Config::metrics_interval`, default one hour) the sender
//! takes every metric's values (what was recorded since the previous interval) and writes one `candor.metrics/1` document per consent category
//! (`registry`), which then goes through the same transport, spool, retry and purge as
//! batches (`crate::pipeline::metrics`).

mod api;
mod cell;
mod interval;
pub(crate) mod registry;
mod shard;
mod types;

pub use api::MetricDocuments;
pub use cell::{GateState, MetricCell, MetricMeta, MetricShape, MetricUnit};
pub(crate) use interval::Interval;
pub use types::{Counter, Distribution, LabeledCounter, Quantity};

/// A set of metrics, normally a struct implemented by `#[derive(Metrics)]`, held in a
/// `static` and bound to a client with
/// [`Client::register_metrics`](crate::Client::register_metrics).
pub trait Metrics: Sync + 'static {
    /// Every metric of the set, in declaration order.
    fn cells(&'static self) -> Vec<&'static dyn MetricCell>;
}

#[cfg(test)]
mod tests;
