//! candor's wire times (`YYYY-MM-DDTHH:MMZ`, UTC, to the minute) and the forms vendors want:
//! RFC 3339 with milliseconds, Unix milliseconds, Unix nanoseconds.
//!
//! A wire minute is never made more precise than it is: the seconds written out are always
//! `00.000`.

/// One UTC minute read from a candor document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Minute<'a> {
    raw: &'a str,
    /// Minutes since 1970-01-01T00:00Z (negative before it).
    since_epoch: i64,
}

impl<'a> Minute<'a> {
    /// Parses `YYYY-MM-DDTHH:MMZ`, refusing dates that do not exist (`2026-02-30`): the wire
    /// minute of `candor_core::date`, which the runtime writes with the same code.
    pub fn parse(raw: &'a str) -> Option<Self> {
        Some(Minute {
            raw,
            since_epoch: candor_core::date::parse_minute_since_epoch(raw)?,
        })
    }

    /// The text as it was on the wire.
    pub fn as_str(&self) -> &'a str {
        self.raw
    }

    /// Minutes since the Unix epoch.
    pub fn since_epoch(&self) -> i64 {
        self.since_epoch
    }

    /// Milliseconds since the Unix epoch.
    pub fn unix_millis(&self) -> i64 {
        self.since_epoch * 60_000
    }

    /// Nanoseconds since the Unix epoch, if the minute is between 1970 and the end of `u64`
    /// (year 2554): OTLP's `fixed64` cannot hold anything else.
    pub fn unix_nanos(&self) -> Option<u64> {
        u64::try_from(self.since_epoch)
            .ok()?
            .checked_mul(60_000_000_000)
    }

    /// RFC 3339 with milliseconds, e.g. `2026-11-22T12:33:00.000Z`.
    pub fn rfc3339_millis(&self) -> String {
        let mut s = String::with_capacity(24);
        s.push_str(&self.raw[..16]);
        s.push_str(":00.000Z");
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_minutes() {
        let m = Minute::parse("1970-01-01T00:00Z").unwrap();
        assert_eq!(m.since_epoch(), 0);
        let m = Minute::parse("2026-11-22T12:34Z").unwrap();
        assert_eq!(m.since_epoch(), 1_795_350_840 / 60);
        assert_eq!(m.unix_millis(), 1_795_350_840_000);
        assert_eq!(m.unix_nanos(), Some(1_795_350_840_000_000_000));
        assert_eq!(m.rfc3339_millis(), "2026-11-22T12:34:00.000Z");
        let leap = Minute::parse("2024-02-29T12:00Z").unwrap();
        assert_eq!(leap.since_epoch(), 1_709_208_000 / 60);
        let before = Minute::parse("1969-12-31T23:59Z").unwrap();
        assert_eq!(before.since_epoch(), -1);
        assert_eq!(before.unix_nanos(), None);
        assert_eq!(
            Minute::parse("9999-12-31T23:59Z").unwrap().unix_nanos(),
            None
        );
    }

    #[test]
    fn impossible_minutes_are_refused() {
        for bad in [
            "2026-02-29T00:00Z",
            "2026-02-30T00:00Z",
            "2026-04-31T00:00Z",
            "2026-13-01T00:00Z",
            "2026-00-01T00:00Z",
            "2026-01-00T00:00Z",
            "2026-01-01T24:00Z",
            "2026-01-01T00:60Z",
            "2026-01-01T00:00",
            "2026-01-01 00:00Z",
            "2026-1-01T00:00Z",
            "２026-01-01T00:00Z",
            "2026-01-01T00:00:00Z",
        ] {
            assert!(Minute::parse(bad).is_none(), "{bad}");
        }
        assert!(Minute::parse("2000-02-29T00:00Z").is_some());
        assert!(Minute::parse("1900-02-29T00:00Z").is_none());
    }

    #[test]
    fn every_day_of_four_centuries_round_trips_in_order() {
        // Consecutive valid dates are exactly 1440 minutes apart, across leap rules.
        let mut prev: Option<i64> = None;
        for y in 1899..=2401i32 {
            for m in 1..=12u8 {
                for d in 1..=candor_core::date::days_in_month(y, m) {
                    let s = format!("{y:04}-{m:02}-{d:02}T00:00Z");
                    let t = Minute::parse(&s).unwrap().since_epoch();
                    if let Some(p) = prev {
                        assert_eq!(t - p, 1440, "{s}");
                    }
                    prev = Some(t);
                }
            }
        }
    }
}
