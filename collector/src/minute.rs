//! Wire times: the UTC minute `YYYY-MM-DDTHH:MMZ` every event and envelope carries, as minutes
//! since the Unix epoch, and the UTC day arithmetic retention is measured in.
//!
//! Parsing is strict (exactly 17 bytes, a real calendar date, hours 00–23, minutes 00–59): the
//! wire format's JSON Schema allows nothing else, and a lenient reader here would store times
//! the runtime can never have written.

use candor_schema::Date;

/// Minutes in a day.
pub const MINUTES_PER_DAY: i64 = 1440;

/// Minutes since 1970-01-01T00:00Z of a `YYYY-MM-DDTHH:MMZ` string, or `None` if it is not one.
pub fn parse(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 17 || b[10] != b'T' || b[13] != b':' || b[16] != b'Z' {
        return None;
    }
    let date = Date::parse(&s[..10])?;
    let two = |at: usize| -> Option<i64> {
        let (h, l) = (b[at], b[at + 1]);
        (h.is_ascii_digit() && l.is_ascii_digit()).then(|| i64::from((h - b'0') * 10 + (l - b'0')))
    };
    let (hour, minute) = (two(11)?, two(14)?);
    if hour > 23 || minute > 59 {
        return None;
    }
    Some(date.to_days() * MINUTES_PER_DAY + hour * 60 + minute)
}

/// `YYYY-MM-DDTHH:MMZ` of a minute count.
pub fn format(minutes: i64) -> String {
    let day = Date::from_days(minutes.div_euclid(MINUTES_PER_DAY));
    let rem = minutes.rem_euclid(MINUTES_PER_DAY);
    format!("{day}T{:02}:{:02}Z", rem / 60, rem % 60)
}

/// `YYYY-MM-DDTHH:MMZ` of a minute count, written into `buf` without allocating.
pub fn format_into(minutes: i64, buf: &mut [u8; 17]) -> &str {
    let mut day = [0u8; 10];
    buf[..10]
        .copy_from_slice(format_day_into(minutes.div_euclid(MINUTES_PER_DAY), &mut day).as_bytes());
    let rem = minutes.rem_euclid(MINUTES_PER_DAY);
    let (h, m) = ((rem / 60) as u8, (rem % 60) as u8);
    buf[10..].copy_from_slice(&[
        b'T',
        b'0' + h / 10,
        b'0' + h % 10,
        b':',
        b'0' + m / 10,
        b'0' + m % 10,
        b'Z',
    ]);
    std::str::from_utf8(buf).unwrap_or_default()
}

/// `YYYY-MM-DD` of a day count (days since 1970-01-01; years 0–9999), written into `buf`.
pub fn format_day_into(days: i64, buf: &mut [u8; 10]) -> &str {
    let d = Date::from_days(days);
    let y = d.year.clamp(0, 9999) as u32;
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        0,
        u32::from(d.month / 10),
        u32::from(d.month % 10),
        0,
        u32::from(d.day / 10),
        u32::from(d.day % 10),
    ];
    for (o, v) in buf.iter_mut().zip(digits) {
        *o = b'0' + v as u8;
    }
    buf[4] = b'-';
    buf[7] = b'-';
    std::str::from_utf8(buf).unwrap_or_default()
}

/// The UTC day (days since 1970-01-01) a minute falls on.
pub fn day_of(minutes: i64) -> i64 {
    minutes.div_euclid(MINUTES_PER_DAY)
}

/// Minutes since the epoch by the system clock (a clock before 1970 reads as 0).
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| (d.as_secs() / 60) as i64)
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
