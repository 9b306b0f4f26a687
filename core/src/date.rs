//! Calendar dates and the wire minute, without a date crate: candor needs `YYYY-MM-DD`
//! (schema expiry), days since 1970 (retention, HTTP dates) and the UTC minute events are
//! stamped with (`YYYY-MM-DDTHH:MMZ`), nothing more.
//!
//! All dates are proleptic Gregorian, UTC. Day arithmetic is Howard Hinnant's
//! `days_from_civil`/`civil_from_days`, written once here.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A calendar date. Construct it with [`Date::new`] or [`Date::parse`] to have it checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// The year (`2027`); year 0 is 1 BC.
    pub year: i32,
    /// 1 to 12.
    pub month: u8,
    /// 1 to the month's length.
    pub day: u8,
}

impl Date {
    /// The date, if it exists (`2027-02-30` does not).
    pub const fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if month < 1 || month > 12 || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses exactly `YYYY-MM-DD` (four-digit year, two-digit month and day) and rejects
    /// days that do not exist.
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let year = digits(&b[0..4])?;
        let month = digits(&b[5..7])?;
        let day = digits(&b[8..10])?;
        Date::new(year as i32, month as u8, day as u8)
    }

    /// Days since 1970-01-01 (negative before).
    pub const fn to_days(self) -> i64 {
        let y = self.year as i64 - (self.month <= 2) as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date `days` after 1970-01-01.
    pub const fn from_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + (month <= 2) as i64) as i32;
        Date { year, month, day }
    }

    /// The date of a Unix timestamp in seconds.
    pub const fn from_unix(secs: i64) -> Date {
        Date::from_days(secs.div_euclid(SECS_PER_DAY as i64))
    }

    /// The date `days` later (earlier when negative).
    pub const fn add_days(self, days: i64) -> Date {
        Date::from_days(self.to_days() + days)
    }

    /// `YYYY-MM-DD` as bytes. A date outside the four-digit years is written as the nearest
    /// one inside them (`0000-01-01` or `9999-12-31`): the format has four year digits.
    pub fn to_text(self) -> [u8; 10] {
        let d = if self < FIRST_DAY {
            FIRST_DAY
        } else if self > LAST_DAY {
            LAST_DAY
        } else {
            self
        };
        let mut out = *b"0000-00-00";
        put_digits(&mut out[0..4], d.year as u32);
        put_digits(&mut out[5..7], u32::from(d.month));
        put_digits(&mut out[8..10], u32::from(d.day));
        out
    }

    /// Today by the system clock, in UTC. A clock before 1970 reads as 1970-01-01.
    pub fn from_clock() -> Date {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Date::from_unix(i64::try_from(secs).unwrap_or(i64::MAX))
    }
}

/// The number of days in `month` (1–12) of `year`; 0 for a month that does not exist.
pub const fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// The first date a four-digit year can spell.
const FIRST_DAY: Date = Date {
    year: 0,
    month: 1,
    day: 1,
};

/// The last date a four-digit year can spell.
const LAST_DAY: Date = Date {
    year: 9999,
    month: 12,
    day: 31,
};

/// Writes `v` as decimal digits filling `out` (leading zeros; higher digits dropped).
fn put_digits(out: &mut [u8], mut v: u32) {
    for o in out.iter_mut().rev() {
        *o = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// The value of a run of ASCII digits (no sign, no spaces), or `None`.
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + u32::from(c - b'0'))
    })
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Date {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for Date {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Date".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": "string", "format": "date" })
    }
}

/// Seconds in a day (UTC has no leap seconds in Unix time).
pub const SECS_PER_DAY: u64 = 86_400;

/// Minutes in a day.
pub const MINUTES_PER_DAY: u32 = 1_440;

/// The length of a wire minute, `YYYY-MM-DDTHH:MMZ`.
pub const MINUTE_LEN: usize = 17;

/// The last minute a four-digit year can spell, `9999-12-31T23:59Z`, in minutes since 1970.
pub const MAX_MINUTE: u32 = (LAST_DAY.to_days() as u32 + 1) * MINUTES_PER_DAY - 1;

/// The first minute a four-digit year can spell, `0000-01-01T00:00Z`, in minutes since 1970
/// (negative: before 1970).
pub const MIN_MINUTE_SINCE_EPOCH: i64 = FIRST_DAY.to_days() * MINUTES_PER_DAY as i64;

/// A wire minute: `minute` (minutes since 1970-01-01T00:00Z) as `YYYY-MM-DDTHH:MMZ`. Minutes
/// past [`MAX_MINUTE`] are written as that minute: the format has four year digits.
pub fn format_minute(minute: u32) -> [u8; MINUTE_LEN] {
    format_minute_since_epoch(i64::from(minute))
}

/// [`format_minute`] for any minute count, negative before 1970; a minute outside the
/// four-digit years is written as the nearest one inside them.
pub fn format_minute_since_epoch(minute: i64) -> [u8; MINUTE_LEN] {
    let minute = minute.clamp(MIN_MINUTE_SINCE_EPOCH, i64::from(MAX_MINUTE));
    let per_day = i64::from(MINUTES_PER_DAY);
    let date = Date::from_days(minute.div_euclid(per_day));
    let rem = minute.rem_euclid(per_day) as u32;
    let mut out = *b"0000-00-00T00:00Z";
    out[..10].copy_from_slice(&date.to_text());
    put_digits(&mut out[11..13], rem / 60);
    put_digits(&mut out[14..16], rem % 60);
    out
}

/// Parses a wire minute: exactly `YYYY-MM-DDTHH:MMZ`, a day that exists, hours below 24 and
/// minutes below 60. Returns minutes since 1970-01-01T00:00Z, negative before it (any
/// four-digit year reads; see [`parse_minute`] for the range the runtime writes).
///
/// [`crate::wire::MINUTE_PATTERN`] checks the same shape in JSON Schema, but a regular
/// expression cannot know that February has no 30th day; this parser does.
pub fn parse_minute_since_epoch(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != MINUTE_LEN || b[10] != b'T' || b[13] != b':' || b[16] != b'Z' {
        return None;
    }
    let date = Date::parse(&s[..10])?;
    let (hour, min) = (digits(&b[11..13])?, digits(&b[14..16])?);
    if hour > 23 || min > 59 {
        return None;
    }
    Some(date.to_days() * i64::from(MINUTES_PER_DAY) + i64::from(hour * 60 + min))
}

/// A wire minute as [`format_minute`] writes it: [`parse_minute_since_epoch`] within
/// `0..=`[`MAX_MINUTE`] (not before 1970).
pub fn parse_minute(s: &str) -> Option<u32> {
    u32::try_from(parse_minute_since_epoch(s)?).ok()
}

/// The last minute at which an event stamped `minute` is still within `retention_days`: the
/// runtime deletes it unsent, and a collector deletes what it stored, once the current minute
/// is past this one.
pub const fn retention_end(minute: u32, retention_days: u32) -> u64 {
    minute as u64 + retention_days as u64 * MINUTES_PER_DAY as u64
}

/// Whether an event stamped `minute` is past its `retention_days` at minute `now`.
pub const fn is_expired(minute: u32, retention_days: u32, now: u32) -> bool {
    retention_end(minute, retention_days) < now as u64
}

/// `expires` of a schema entry that never expires (`expires: never`), as a day number.
pub const NEVER_EXPIRES: u32 = u32::MAX;

/// The day number (days since 1970-01-01) of an `expires` date, as generated code carries it;
/// dates before 1970 read as day 0.
pub const fn expiry_day(date: Date) -> u32 {
    let d = date.to_days();
    if d < 0 {
        0
    } else if d >= NEVER_EXPIRES as i64 {
        NEVER_EXPIRES - 1
    } else {
        d as u32
    }
}

/// Whether a schema entry (event or metric) that `expires` on day `expires_day` is no longer
/// collected at minute `now`. The entry is collected through its whole expiry day (UTC), the
/// same rule `candor check` applies to "today": expired from the next day on. One rule for
/// every kind of record, so events and metrics stop on the same minute.
#[inline]
pub const fn schema_expired(expires_day: u32, now: u32) -> bool {
    now / MINUTES_PER_DAY > expires_day
}

/// The minute a Unix timestamp (seconds) falls in, saturating at `u32::MAX`.
pub fn minute_of_unix(secs: u64) -> u32 {
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

/// The current minute by the system clock. A clock before 1970 reads as 0.
pub fn now_minute() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    minute_of_unix(secs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn schema_expiry_is_the_day_after_the_date() {
        let day = expiry_day(Date::new(2027, 6, 30).unwrap());
        let start = day * MINUTES_PER_DAY;
        assert!(!schema_expired(day, start));
        assert!(!schema_expired(day, start + MINUTES_PER_DAY - 1));
        assert!(schema_expired(day, start + MINUTES_PER_DAY));
        assert!(!schema_expired(NEVER_EXPIRES, u32::MAX));
        assert_eq!(expiry_day(Date::new(1969, 1, 1).unwrap()), 0);
    }

    #[test]
    fn round_trips_days() {
        for d in [-800_000i64, -1, 0, 1, 59, 60, 11_016, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(d).to_days(), d);
        }
        assert_eq!(Date::parse("1970-01-01").unwrap().to_days(), 0);
        assert_eq!(Date::parse("2000-03-01").unwrap().to_days(), 11_017);
        assert_eq!(Date::from_unix(-1), Date::parse("1969-12-31").unwrap());
    }

    #[test]
    fn rejects_impossible_dates() {
        for bad in [
            "2027-02-30",
            "2027-13-01",
            "2027-1-01",
            "27-01-01",
            "2027-00-10",
            "2027/01/01",
            "2027-01-00",
            "+027-01-01",
            "2027-01-0a",
            "2027-01-01 ",
            "２０２７-01-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(Date::parse("2028-02-29").is_some());
        assert!(Date::parse("2000-02-29").is_some());
        assert!(Date::parse("2100-02-29").is_none());
        assert_eq!(Date::new(2027, 4, 31), None);
    }

    #[test]
    fn minutes_format_and_parse() {
        assert_eq!(&format_minute(0), b"1970-01-01T00:00Z");
        let secs = 1_795_350_840u64; // 2026-11-22T12:34Z
        assert_eq!(&format_minute(minute_of_unix(secs)), b"2026-11-22T12:34Z");
        let leap = 1_709_208_000u64 / 60; // 2024-02-29T12:00Z
        assert_eq!(&format_minute(leap as u32), b"2024-02-29T12:00Z");
        assert_eq!(&format_minute(MAX_MINUTE), b"9999-12-31T23:59Z");
        assert_eq!(&format_minute(u32::MAX), b"9999-12-31T23:59Z");
        assert_eq!(&format_minute_since_epoch(-1), b"1969-12-31T23:59Z");
        assert_eq!(&format_minute_since_epoch(i64::MIN), b"0000-01-01T00:00Z");
        assert_eq!(&format_minute_since_epoch(i64::MAX), b"9999-12-31T23:59Z");
        assert_eq!(&Date::from_days(-800_000).to_text(), b"0000-01-01");
        assert_eq!(&Date::from_days(3_000_000).to_text(), b"9999-12-31");
        assert_eq!(parse_minute("2026-11-22T12:34Z"), Some((secs / 60) as u32));
        assert_eq!(parse_minute_since_epoch("1969-12-31T23:59Z"), Some(-1));
        assert_eq!(
            parse_minute_since_epoch("0000-01-01T00:00Z"),
            Some(-719_528 * 1440)
        );
        for bad in [
            "2026-11-22T24:00Z",
            "2026-11-22T12:60Z",
            "2026-02-30T12:00Z",
            "1969-12-31T23:59Z",
            "2026-11-22T12:34",
            "2026-11-22 12:34Z",
            "2026-11-22T12:34:00Z",
            "2026-11-22t12:34Z",
            "2026-11-22T1:345Z",
        ] {
            assert_eq!(parse_minute(bad), None, "{bad}");
        }
    }

    #[test]
    fn retention_is_whole_days_of_minutes() {
        assert_eq!(retention_end(100, 1), 100 + 1440);
        assert!(!is_expired(100, 1, 100 + 1440));
        assert!(is_expired(100, 1, 101 + 1440));
        assert!(!is_expired(u32::MAX, u32::MAX, u32::MAX));
        assert!(is_expired(0, 0, 1) && !is_expired(0, 0, 0));
    }

    proptest! {
        #[test]
        fn every_date_round_trips_through_text_and_days(days in -800_000i64..3_000_000) {
            let d = Date::from_days(days);
            prop_assert_eq!(d.to_days(), days);
            prop_assert_eq!(Date::new(d.year, d.month, d.day), Some(d));
            if (0..=9999).contains(&d.year) {
                prop_assert_eq!(Date::parse(&d.to_string()), Some(d));
            }
        }

        #[test]
        fn every_minute_round_trips(minute in 0..=MAX_MINUTE) {
            let text = format_minute(minute);
            let text = std::str::from_utf8(&text).unwrap();
            prop_assert_eq!(parse_minute(text), Some(minute));
        }

        #[test]
        fn every_four_digit_minute_round_trips(minute in MIN_MINUTE_SINCE_EPOCH..=i64::from(MAX_MINUTE)) {
            let text = format_minute_since_epoch(minute);
            let text = std::str::from_utf8(&text).unwrap();
            prop_assert_eq!(parse_minute_since_epoch(text), Some(minute));
            let date = Date::from_days(minute.div_euclid(1440));
            prop_assert_eq!(&text[..10], date.to_string());
        }

        /// Whatever the parser accepts, it accepts as the formatter would write it.
        #[test]
        fn parsing_accepts_only_canonical_text(s in "[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}Z") {
            if let Some(m) = parse_minute(&s) {
                prop_assert_eq!(&format_minute(m)[..], s.as_bytes());
            }
        }
    }
}
