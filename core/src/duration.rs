//! Duration units: the `unit:` of a YAML `duration` field, and how a [`Duration`] becomes a
//! whole number of them.

use std::fmt;
use std::time::Duration;

/// The unit a `duration` field is recorded and sent in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DurationUnit {
    /// Microseconds.
    Us,
    /// Milliseconds.
    Ms,
    /// Seconds.
    S,
}

impl DurationUnit {
    /// Every unit, finest first.
    pub const ALL: [DurationUnit; 3] = [DurationUnit::Us, DurationUnit::Ms, DurationUnit::S];

    /// The YAML spelling (`us`, `ms`, `s`).
    pub const fn as_str(self) -> &'static str {
        match self {
            DurationUnit::Us => "us",
            DurationUnit::Ms => "ms",
            DurationUnit::S => "s",
        }
    }

    /// Parses the YAML spelling.
    pub fn from_name(name: &str) -> Option<DurationUnit> {
        DurationUnit::ALL.into_iter().find(|u| u.as_str() == name)
    }

    /// The unit in words (`milliseconds`), for generated documentation.
    pub const fn plural(self) -> &'static str {
        match self {
            DurationUnit::Us => "microseconds",
            DurationUnit::Ms => "milliseconds",
            DurationUnit::S => "seconds",
        }
    }

    /// `d` as a whole number of this unit: rounded down (what is sent never claims more time
    /// than was measured), saturating at `u64::MAX` rather than wrapping.
    pub fn of(self, d: Duration) -> u64 {
        let units = match self {
            DurationUnit::Us => d.as_micros(),
            DurationUnit::Ms => d.as_millis(),
            DurationUnit::S => u128::from(d.as_secs()),
        };
        u64::try_from(units).unwrap_or(u64::MAX)
    }
}

impl fmt::Display for DurationUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for DurationUnit {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for DurationUnit {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DurationUnit".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let names: Vec<&str> = DurationUnit::ALL.iter().map(|u| u.as_str()).collect();
        schemars::json_schema!({
            "description": "The unit a `duration` is recorded in.",
            "type": "string",
            "enum": names
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_down_and_saturates() {
        let d = Duration::from_micros(2_345_678);
        assert_eq!(DurationUnit::Us.of(d), 2_345_678);
        assert_eq!(DurationUnit::Ms.of(d), 2_345);
        assert_eq!(DurationUnit::S.of(d), 2);
        assert_eq!(DurationUnit::Ms.of(Duration::from_nanos(999_999)), 0);
        assert_eq!(DurationUnit::Us.of(Duration::MAX), u64::MAX);
        assert_eq!(DurationUnit::Ms.of(Duration::MAX), u64::MAX);
        assert_eq!(DurationUnit::S.of(Duration::MAX), u64::MAX);
    }

    #[test]
    fn names_round_trip() {
        for u in DurationUnit::ALL {
            assert_eq!(DurationUnit::from_name(u.as_str()), Some(u));
        }
        assert_eq!(DurationUnit::from_name("ns"), None);
    }

    proptest::proptest! {
        /// Rounding down: the unit count times the unit never exceeds the duration, and one
        /// more unit would.
        #[test]
        fn whole_units_never_exceed_the_duration(secs in 0u64..1 << 40, nanos in 0u32..1_000_000_000) {
            let d = Duration::new(secs, nanos);
            for (unit, size) in [(DurationUnit::Us, 1_000u128), (DurationUnit::Ms, 1_000_000), (DurationUnit::S, 1_000_000_000)] {
                let n = u128::from(unit.of(d));
                proptest::prop_assert!(n * size <= d.as_nanos());
                proptest::prop_assert!((n + 1) * size > d.as_nanos());
            }
        }
    }
}
