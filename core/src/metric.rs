//! Metrics: the four metric types a schema may declare, the units their values are recorded
//! in, and how a value is counted into a distribution's buckets. The compiler checks `type:`
//! and `unit:` with these names, the derive and the runtime count with [`bucket_index`], and a
//! collector validates `candor.metrics/1` documents with the same rules.

use std::fmt;
use std::time::Duration;

/// What a metric aggregates over an interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricType {
    /// A count of things that happened.
    Counter,
    /// A count per label, labels from a closed list.
    LabeledCounter,
    /// Values counted into declared buckets.
    Distribution,
    /// The last value set in the interval.
    Quantity,
}

impl MetricType {
    /// Every metric type, in the order the schema language lists them.
    pub const ALL: [MetricType; 4] = [
        MetricType::Counter,
        MetricType::LabeledCounter,
        MetricType::Distribution,
        MetricType::Quantity,
    ];

    /// The YAML and wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricType::Counter => "counter",
            MetricType::LabeledCounter => "labeled_counter",
            MetricType::Distribution => "distribution",
            MetricType::Quantity => "quantity",
        }
    }

    /// Parses the YAML spelling.
    pub fn from_name(name: &str) -> Option<MetricType> {
        MetricType::ALL.into_iter().find(|t| t.as_str() == name)
    }

    /// The Rust type of the runtime that records this metric (`candor::Counter`, ...).
    pub const fn rust_type(self) -> &'static str {
        match self {
            MetricType::Counter => "Counter",
            MetricType::LabeledCounter => "LabeledCounter",
            MetricType::Distribution => "Distribution",
            MetricType::Quantity => "Quantity",
        }
    }

    /// Whether a metric of this type needs a `unit` (distributions and quantities do; a
    /// counter counts occurrences).
    pub const fn has_unit(self) -> bool {
        matches!(self, MetricType::Distribution | MetricType::Quantity)
    }
}

impl fmt::Display for MetricType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The unit a distribution's or quantity's values are recorded and sent in. Timings and sizes
/// cover what apps measure; `count` is a number of things (connected peers, open dashboards).
/// Binary multiples only, so that a size never changes meaning between tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MetricUnit {
    /// Microseconds.
    Us,
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
    /// Bytes.
    Bytes,
    /// Kibibytes (1024 bytes).
    Kib,
    /// Mebibytes (1024 KiB).
    Mib,
    /// A number of things, no physical unit.
    Count,
}

impl MetricUnit {
    /// Every unit: timings finest first, then sizes, then plain counts.
    pub const ALL: [MetricUnit; 7] = [
        MetricUnit::Us,
        MetricUnit::Ms,
        MetricUnit::S,
        MetricUnit::Bytes,
        MetricUnit::Kib,
        MetricUnit::Mib,
        MetricUnit::Count,
    ];

    /// The YAML and wire spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            MetricUnit::Us => "us",
            MetricUnit::Ms => "ms",
            MetricUnit::S => "s",
            MetricUnit::Bytes => "bytes",
            MetricUnit::Kib => "kib",
            MetricUnit::Mib => "mib",
            MetricUnit::Count => "count",
        }
    }

    /// Parses the YAML spelling.
    pub fn from_name(name: &str) -> Option<MetricUnit> {
        MetricUnit::ALL.into_iter().find(|u| u.as_str() == name)
    }

    /// The unit in words, for generated documentation.
    pub const fn plural(self) -> &'static str {
        match self {
            MetricUnit::Us => "microseconds",
            MetricUnit::Ms => "milliseconds",
            MetricUnit::S => "seconds",
            MetricUnit::Bytes => "bytes",
            MetricUnit::Kib => "kibibytes",
            MetricUnit::Mib => "mebibytes",
            MetricUnit::Count => "things counted",
        }
    }

    /// Whether values of this unit are timings (recorded from a [`Duration`]).
    pub const fn is_time(self) -> bool {
        matches!(self, MetricUnit::Us | MetricUnit::Ms | MetricUnit::S)
    }

    /// `d` as a whole number of this unit, rounded down and saturating; `None` for units that
    /// are not timings.
    pub fn of_duration(self, d: Duration) -> Option<u64> {
        let units = match self {
            MetricUnit::Us => d.as_micros(),
            MetricUnit::Ms => d.as_millis(),
            MetricUnit::S => u128::from(d.as_secs()),
            _ => return None,
        };
        Some(u64::try_from(units).unwrap_or(u64::MAX))
    }
}

impl fmt::Display for MetricUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MetricUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for MetricType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for MetricUnit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MetricUnit".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = MetricUnit::ALL.iter().map(|u| u.as_str()).collect();
        schemars::json_schema!({
            "description": "The unit a distribution or quantity is recorded in.",
            "type": "string",
            "enum": names,
        })
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for MetricType {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "MetricType".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = MetricType::ALL.iter().map(|t| t.as_str()).collect();
        schemars::json_schema!({
            "description": "What a metric aggregates.",
            "type": "string",
            "enum": names,
        })
    }
}

/// Most labels a labeled counter may declare: each is an atomic in the app and a key in every
/// document, so the list stays short and closed.
pub const MAX_LABELS: usize = 32;

/// Most buckets a distribution may declare, for the same reason.
pub const MAX_BUCKETS: usize = 32;

/// The bucket `value` is counted in: the index of the largest bound not above it; a value
/// below the first bound counts in the first bucket (the same rounding-down rule as event
/// fields' `buckets`). `bounds` is strictly increasing and not empty.
#[inline]
pub fn bucket_index(bounds: &[u64], value: u64) -> usize {
    // `partition_point` is a branch-light binary search: bounds not above `value`.
    bounds.partition_point(|&b| b <= value).saturating_sub(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn names_round_trip() {
        for t in MetricType::ALL {
            assert_eq!(MetricType::from_name(t.as_str()), Some(t));
        }
        for u in MetricUnit::ALL {
            assert_eq!(MetricUnit::from_name(u.as_str()), Some(u));
        }
        assert_eq!(MetricUnit::from_name("KiB"), None);
    }

    #[test]
    fn buckets_round_down() {
        let b = [0, 100, 1000];
        assert_eq!(bucket_index(&b, 0), 0);
        assert_eq!(bucket_index(&b, 99), 0);
        assert_eq!(bucket_index(&b, 100), 1);
        assert_eq!(bucket_index(&b, 999), 1);
        assert_eq!(bucket_index(&b, u64::MAX), 2);
        assert_eq!(bucket_index(&[10, 20], 3), 0);
    }

    #[test]
    fn durations_in_units() {
        let d = Duration::from_micros(2_500_999);
        assert_eq!(MetricUnit::Ms.of_duration(d), Some(2_500));
        assert_eq!(MetricUnit::S.of_duration(d), Some(2));
        assert_eq!(MetricUnit::Bytes.of_duration(d), None);
    }

    proptest! {
        /// The index is the largest bound not above the value (or the first).
        #[test]
        fn bucket_index_is_the_linear_rule(mut b in proptest::collection::btree_set(any::<u64>(), 1..10), v in any::<u64>()) {
            let bounds: Vec<u64> = std::mem::take(&mut b).into_iter().collect();
            let linear = bounds.iter().rposition(|&x| x <= v).unwrap_or(0);
            prop_assert_eq!(bucket_index(&bounds, v), linear);
        }
    }
}
