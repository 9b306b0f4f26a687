//! `candor-core`: the rules that more than one part of candor executes, each written once.
//!
//! The schema compiler (`candor-schema`), the derive (`candor-macros`), the runtime (`candor`)
//! and the collector all decide the same questions — what a consent category is called and
//! which bit it has, how a `Duration` becomes whole milliseconds, what "the pattern matches the
//! whole value" means, how a wire minute is spelled, which Rust types carry which YAML type.
//! When each side carried its own copy, the copies could drift apart without any test noticing.
//! Here each rule has one home, and the others call it.
//!
//! | module | rule |
//! | --- | --- |
//! | [`consent`] | consent categories: names, bits, the all-categories mask |
//! | [`duration`] | duration units and the conversion of a `Duration` to whole units |
//! | [`coarsen`] | clamping to `min`/`max` and rounding down to `buckets` |
//! | `pattern` | whole-value patterns: validity, anchoring, and the simple-pattern walk (feature `pattern`) |
//! | [`date`] | calendar dates, days since 1970, the wire minute (`YYYY-MM-DDTHH:MMZ`) |
//! | [`names`] | the snake_case naming rule of namespaces, events, fields and values |
//! | [`metric`] | metric types, their units, and the bucket a distribution counts a value in |
//! | [`wire`] | document formats and versions, ids, and the patterns of the wire's JSON Schemas |
//! | [`fingerprint`] | FNV-1a, schema fingerprints and the enum-values fingerprint |
//! | `frames` | the device's record files: checksummed frames, spooled events, sent-log entries (feature `frames`) |
//! | [`randomized_response`] | k-ary randomized response: p and q, the device's choice, the estimator and its error |
//! | [`types`] | the YAML field types and which Rust types carry each |
//!
//! The crate depends on `std` only. `pattern` needs the regex engine (`regex-lite`) and sits
//! behind the `pattern` feature, which the compiler, the derive and the runtime turn on and a
//! wire reader need not; `serde` and `schemars` impls for the compiler's `registry.json` sit
//! behind the features of those names, which nothing an app compiles turns on.
#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod coarsen;
pub mod consent;
pub mod date;
pub mod duration;
pub mod fingerprint;
#[cfg(feature = "frames")]
pub mod frames;
pub mod metric;
pub mod names;
#[cfg(feature = "pattern")]
pub mod pattern;
pub mod randomized_response;
pub mod types;
pub mod wire;

pub use consent::Consent;
pub use date::Date;
pub use duration::DurationUnit;
pub use metric::{MetricType, MetricUnit};
pub use types::{RustScalar, YamlType};
