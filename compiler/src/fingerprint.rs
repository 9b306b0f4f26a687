//! Schema fingerprints: a short hash of an event's reviewed contract, carried by derived code so
//! a stale build can be told from a fresh one. The hash and its written form are
//! `candor_core::fingerprint`; what is hashed — the event's canonical JSON — is the compiler's.

use crate::ir::{Event, Metric};
use candor_core::fingerprint::{to_hex, Fnv1a};

pub use candor_core::fingerprint::fnv1a;

/// 64-bit FNV-1a of the event's canonical JSON, as 16 lowercase hex digits. The JSON is hashed
/// as it is written, never held in memory.
pub fn of_event(event: &Event) -> String {
    let mut hasher = Fnv1a::new();
    serde_json::to_writer(&mut hasher, event).expect("IR serializes");
    to_hex(hasher.finish())
}

/// The same hash over a metric's canonical JSON.
pub fn of_metric(metric: &Metric) -> String {
    let mut hasher = Fnv1a::new();
    serde_json::to_writer(&mut hasher, metric).expect("IR serializes");
    to_hex(hasher.finish())
}
