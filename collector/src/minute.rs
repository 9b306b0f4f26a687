//! Wire times: the UTC minute `YYYY-MM-DDTHH:MMZ` every event and envelope carries, as minutes
//! since the Unix epoch, and the UTC day arithmetic retention is measured in.
//!
//! Parsing is strict (exactly 17 bytes, a real calendar date, hours 00–23, minutes 00–59): the
//! wire format's JSON Schema allows nothing else, and a lenient reader here would store times
//! the runtime can never have written. Parsing and formatting are `candor_core::date`'s, the
//! code the runtime writes minutes with.

use candor_core::date::{self as core_date, Date};

/// Minutes in a day.
pub const MINUTES_PER_DAY: i64 = core_date::MINUTES_PER_DAY as i64;

/// Minutes since 1970-01-01T00:00Z of a `YYYY-MM-DDTHH:MMZ` string, or `None` if it is not one
/// (`candor_core::date`, the module the runtime writes minutes with).
pub fn parse(s: &str) -> Option<i64> {
    core_date::parse_minute_since_epoch(s)
}

/// `YYYY-MM-DDTHH:MMZ` of a minute count.
pub fn format(minutes: i64) -> String {
    let mut buf = [0; 17];
    format_into(minutes, &mut buf).to_string()
}

/// `YYYY-MM-DDTHH:MMZ` of a minute count, written into `buf` without allocating.
pub fn format_into(minutes: i64, buf: &mut [u8; 17]) -> &str {
    *buf = core_date::format_minute_since_epoch(minutes);
    std::str::from_utf8(buf).unwrap_or_default()
}

/// `YYYY-MM-DD` of a day count (days since 1970-01-01; years 0–9999), written into `buf`.
pub fn format_day_into(days: i64, buf: &mut [u8; 10]) -> &str {
    // Beyond the four-digit years the text is clamped anyway; clamping the count first keeps
    // the day arithmetic far from any overflow.
    let days = days.clamp(-1_000_000, 3_000_000);
    *buf = Date::from_days(days).to_text();
    std::str::from_utf8(buf).unwrap_or_default()
}

/// The UTC day (days since 1970-01-01) a minute falls on.
pub fn day_of(minutes: i64) -> i64 {
    minutes.div_euclid(MINUTES_PER_DAY)
}

/// Minutes since the epoch by the system clock (a clock before 1970 reads as 0).
pub fn now() -> i64 {
    i64::from(core_date::now_minute())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_matches_known_instants() {
        assert_eq!(parse("1970-01-01T00:00Z"), Some(0));
        // 2026-11-22T12:34Z is 1_795_350_840 s after the epoch.
        assert_eq!(parse("2026-11-22T12:34Z"), Some(1_795_350_840 / 60));
        assert_eq!(parse("2024-02-29T12:00Z"), Some(1_709_208_000 / 60));
        for m in [0i64, 59, 1439, 1440, 29_922_514, 40_000_000] {
            assert_eq!(parse(&format(m)), Some(m), "{m}");
            assert_eq!(format_into(m, &mut [0; 17]), format(m));
            let day = m.div_euclid(MINUTES_PER_DAY);
            assert_eq!(
                format_day_into(day, &mut [0; 10]),
                Date::from_days(day).to_string()
            );
        }
    }

    #[test]
    fn refuses_anything_but_the_exact_form() {
        for bad in [
            "",
            "2026-11-22T12:34",
            "2026-11-22T12:34:00Z",
            "2026-11-22t12:34Z",
            "2026-11-22T24:00Z",
            "2026-11-22T12:60Z",
            "2026-02-30T12:00Z",
            "2026-11-22 12:34Z",
            "2026-11-22T1a:34Z",
            "+026-11-22T12:34Z",
            "2026-11-22T12:34Z ",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }
}
