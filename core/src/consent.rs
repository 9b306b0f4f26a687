//! Consent categories: the names schemas, the consent file, deletion requests and docs use,
//! and the bit each has in a consent mask.
//!
//! A mask of one bit per category is what lets the runtime's disabled path cost a single
//! relaxed atomic load; every category starts off (opt-in only).

use std::fmt;

/// A consent category a person opts into; every category is off until they do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Consent {
    /// Product usage: which features are used, how often.
    Usage,
    /// Diagnostics: errors, crashes, failure reasons.
    Diagnostics,
    /// Performance: timings, sizes, resource use.
    Performance,
}

impl Consent {
    /// Every category, in bit order.
    pub const ALL: [Consent; 3] = [Consent::Usage, Consent::Diagnostics, Consent::Performance];

    /// The mask with every category's bit set.
    pub const MASK_ALL: u8 =
        Consent::Usage.bit() | Consent::Diagnostics.bit() | Consent::Performance.bit();

    /// The stable lowercase name used in schemas, the consent file, deletion requests and docs.
    pub const fn as_str(self) -> &'static str {
        match self {
            Consent::Usage => "usage",
            Consent::Diagnostics => "diagnostics",
            Consent::Performance => "performance",
        }
    }

    /// The category's bit in a consent mask.
    pub const fn bit(self) -> u8 {
        match self {
            Consent::Usage => 1,
            Consent::Diagnostics => 2,
            Consent::Performance => 4,
        }
    }

    /// Parses the name produced by [`Consent::as_str`] (exactly; no case folding).
    pub fn from_name(name: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// Whether `mask` grants this category.
    pub const fn granted_in(self, mask: u8) -> bool {
        mask & self.bit() != 0
    }

    /// One line saying what the category covers, for generated documentation.
    pub const fn description(self) -> &'static str {
        match self {
            Consent::Usage => "How features are used.",
            Consent::Diagnostics => "Errors and crashes.",
            Consent::Performance => "Timings and resource use.",
        }
    }
}

impl fmt::Display for Consent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Consent {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Consent {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Consent".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let one_of: Vec<_> = Consent::ALL
            .iter()
            .map(|c| {
                schemars::json_schema!({
                    "description": c.description(),
                    "type": "string",
                    "const": c.as_str()
                })
            })
            .collect();
        schemars::json_schema!({
            "description": "The consent category a person opts into; every category is off until they do.",
            "oneOf": one_of
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_are_distinct_and_names_round_trip() {
        let mut seen = 0u8;
        for c in Consent::ALL {
            assert_eq!(seen & c.bit(), 0);
            seen |= c.bit();
            assert_eq!(Consent::from_name(c.as_str()), Some(c));
            assert!(c.granted_in(c.bit()) && !c.granted_in(!c.bit()));
        }
        assert_eq!(seen, Consent::MASK_ALL);
        assert_eq!(Consent::from_name("marketing"), None);
        assert_eq!(Consent::from_name("Usage"), None);
    }

    #[test]
    fn all_is_in_bit_order() {
        let bits: Vec<u8> = Consent::ALL.iter().map(|c| c.bit()).collect();
        assert_eq!(bits, [1, 2, 4]);
    }
}
