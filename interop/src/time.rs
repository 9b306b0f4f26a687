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
    /// Parses `YYYY-MM-DDTHH:MMZ`, refusing dates that do not exist (`2026-02-30`).
    pub fn parse(raw: &'a str) -> Option<Self> {
        let b = raw.as_bytes();
        if b.len() != 17 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' {
            return None;
        }
        if b[16] != b'Z' {
            return None;
        }
        let num = |from: usize, to: usize| -> Option<u32> {
            b[from..to].iter().try_fold(0u32, |acc, &d| {
                d.is_ascii_digit().then(|| acc * 10 + u32::from(d - b'0'))
            })
        };
        let (y, m, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
        let (hh, mm) = (num(11, 13)?, num(14, 16)?);
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) || hh > 23 || mm > 59 {
            return None;
        }
        let days = days_from_civil(i64::from(y), m, d);
        Some(Minute {
            raw,
            since_epoch: days * 1440 + i64::from(hh * 60 + mm),
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

fn is_leap(y: u32) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
        for y in 1899..=2401u32 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
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
