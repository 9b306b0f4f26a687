//! What goes around events on the wire: app identity, coarse UTC minute
//! timestamps, random ids, and the batch/deletion JSON documents.
//!
//! Deliberately minimal: app name/version, OS family, optional anonymous
//! installation id, minute-resolution times. Nothing else about the machine.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::encode::write_escaped;

/// Format tag of a batch document.
pub const BATCH_FORMAT: &str = "candor.batch/1";
/// Format tag of a deletion-request document.
pub const DELETION_FORMAT: &str = "candor.deletion/1";

/// Minutes since the Unix epoch, now. A clock before 1970 reads as 0.
pub(crate) fn now_minute() -> u32 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    u32::try_from(secs / 60).unwrap_or(u32::MAX)
}

/// Time left until the next UTC minute boundary (never zero).
pub(crate) fn until_next_minute() -> std::time::Duration {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let into = std::time::Duration::new(since.as_secs() % 60, since.subsec_nanos());
    (std::time::Duration::from_secs(60) - into).max(std::time::Duration::from_millis(1))
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

/// Fills `out` with OS randomness. Ids are never derived from hardware or
/// time, so they cannot be linked to a machine.
pub(crate) fn random_bytes(out: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(out)
}

/// Lowercase hex of `bytes` appended to `buf`.
pub(crate) fn push_hex(buf: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let start = buf.len();
    buf.resize(start + bytes.len() * 2, 0);
    for (out, &b) in buf[start..].chunks_exact_mut(2).zip(bytes) {
        out[0] = HEX[(b >> 4) as usize];
        out[1] = HEX[(b & 0xf) as usize];
    }
}

/// A new random 128-bit id as 32 lowercase hex chars.
pub(crate) fn new_id_hex() -> Result<String, getrandom::Error> {
    let mut raw = [0u8; 16];
    random_bytes(&mut raw)?;
    let mut out = Vec::with_capacity(32);
    push_hex(&mut out, &raw);
    Ok(String::from_utf8(out).unwrap_or_default())
}

/// Identity of the sending app, pre-rendered as the JSON `"app"` object.
#[derive(Clone, Debug)]
pub(crate) struct AppInfo {
    json: Vec<u8>,
}

impl AppInfo {
    pub(crate) fn new(name: &str, version: &str) -> Self {
        let mut json = Vec::with_capacity(64);
        json.extend_from_slice(b"{\"name\":\"");
        write_escaped(&mut json, name);
        json.extend_from_slice(b"\",\"version\":\"");
        write_escaped(&mut json, version);
        json.extend_from_slice(b"\",\"os\":\"");
        // OS family only ("linux", "macos", "windows", ...): no release, no arch.
        write_escaped(&mut json, std::env::consts::OS);
        json.extend_from_slice(b"\"}");
        AppInfo { json }
    }

    /// Writes the envelope up to and including `"events":[`.
    pub(crate) fn batch_prefix(
        &self,
        buf: &mut Vec<u8>,
        install_id: Option<&str>,
        sent_minute: u32,
    ) {
        buf.extend_from_slice(b"{\"format\":\"");
        buf.extend_from_slice(BATCH_FORMAT.as_bytes());
        buf.extend_from_slice(b"\",\"app\":");
        buf.extend_from_slice(&self.json);
        if let Some(id) = install_id {
            buf.extend_from_slice(b",\"install_id\":\"");
            write_escaped(buf, id);
            buf.push(b'"');
        }
        buf.extend_from_slice(b",\"sent_at\":\"");
        buf.extend_from_slice(&format_minute(sent_minute));
        buf.extend_from_slice(b"\",\"events\":[");
    }

    /// A complete deletion-request document.
    pub(crate) fn deletion(
        &self,
        install_id: &str,
        categories: &[&str],
        sent_minute: u32,
    ) -> Vec<u8> {
        let mut buf = Vec::with_capacity(160);
        buf.extend_from_slice(b"{\"format\":\"");
        buf.extend_from_slice(DELETION_FORMAT.as_bytes());
        buf.extend_from_slice(b"\",\"app\":");
        buf.extend_from_slice(&self.json);
        buf.extend_from_slice(b",\"install_id\":\"");
        write_escaped(&mut buf, install_id);
        buf.extend_from_slice(b"\",\"categories\":[");
        for (i, c) in categories.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.push(b'"');
            write_escaped(&mut buf, c);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"],\"sent_at\":\"");
        buf.extend_from_slice(&format_minute(sent_minute));
        buf.extend_from_slice(b"\"}");
        buf
    }
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

    #[test]
    fn ids_are_random_hex() {
        let a = new_id_hex().unwrap();
        let b = new_id_hex().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(a, b);
    }
}
