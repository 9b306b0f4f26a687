//! Metrics aggregated on the device: [`Counter`], [`LabeledCounter`], [`Distribution`] and
//! [`Quantity`], declared under `metrics:` in a schema and grouped in a struct with
//! `#[derive(Metrics)]`, used through a `static`.
//!
//! Recording touches only the metric's own atomics: one relaxed load of its *gate* (is the
//! metric's consent category granted, and is the metric unexpired?) and, when open, one or two
//! relaxed read-modify-writes. No lock, no allocation, no wake-up. The client keeps the gates:
//! [`Client::register_metrics`](crate::Client::register_metrics) binds a set of metrics to it,
//! and every consent change, shutdown and the minute clock rewrite them.
//!
//! At the end of each interval (`Config::metrics_interval`, default one hour) the sender
//! swaps every atomic to zero and writes one `candor.metrics/1` document per consent category
//! (`registry`), which then goes through the same transport, spool, retry and purge as
//! batches (`crate::pipeline::metrics`).

mod api;
mod cell;
mod interval;
pub(crate) mod registry;
mod types;

pub use api::MetricDocuments;
pub use cell::{MetricCell, MetricMeta, MetricShape, MetricUnit};
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
