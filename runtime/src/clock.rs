//! Time as the wire carries it: whole UTC minutes since the Unix epoch, and their
//! `YYYY-MM-DDTHH:MMZ` text. The sender reads the system clock here and publishes the minute;
//! everything else (the pipeline, `track()`) is handed a minute and never reads a clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Minutes since the Unix epoch, now. A clock before 1970 reads as 0.
pub(crate) fn now_minute() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

/// Time left until the next UTC minute boundary (never zero).
pub(crate) fn until_next_minute() -> Duration {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let into = Duration::new(since.as_secs() % 60, since.subsec_nanos());
    (Duration::from_secs(60) - into).max(Duration::from_millis(1))
}

/// Formats a minute count as `YYYY-MM-DDTHH:MMZ` (17 bytes).
pub(crate) fn format_minute(minute: u32) -> [u8; 17] {
    let days = i64::from(minute / 1440);
    let rem = minute % 1440;
    let (y, m, d) = civil_from_days(days);
    let mut out = *b"0000-00-00T00:00Z";
    let put = |out: &mut [u8; 17], at: usize, v: u32, width: usize| {
        let mut v = v;
        for i in (0..width).rev() {
            out[at + i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(&mut out, 0, y as u32, 4);
    put(&mut out, 5, m, 2);
    put(&mut out, 8, d, 2);
    put(&mut out, 11, rem / 60, 2);
    put(&mut out, 14, rem % 60, 2);
    out
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_formatting() {
        assert_eq!(&format_minute(0), b"1970-01-01T00:00Z");
        // 2026-11-22T12:34Z
        let secs = 1_795_350_840u64;
        assert_eq!(&format_minute((secs / 60) as u32), b"2026-11-22T12:34Z");
        // Leap day.
        let leap = 1_709_208_000u64 / 60; // 2024-02-29T12:00Z
        assert_eq!(&format_minute(leap as u32), b"2024-02-29T12:00Z");
    }
}
