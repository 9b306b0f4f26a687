//! Consent categories and the per-client consent bitmask.
//!
//! The bitmask is what makes the disabled path cost a single relaxed atomic
//! load: every category is one bit, all bits start at zero (opt-in only).

/// Consent categories; all off by default.
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

    /// Stable lowercase name used in schemas, the consent file and docs.
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

    /// Parses the name produced by [`Consent::as_str`].
    pub fn from_name(name: &str) -> Option<Consent> {
        Consent::ALL.into_iter().find(|c| c.as_str() == name)
    }
}

impl std::fmt::Display for Consent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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
        }
        assert_eq!(seen, 0b111);
        assert_eq!(Consent::from_name("marketing"), None);
    }
}
