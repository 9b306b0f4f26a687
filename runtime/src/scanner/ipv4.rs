//! Dotted-quad IPv4 addresses, minus the ranges that never name a person's
//! machine and the four-part numbers that are versions by their context.

/// Words that announce a version number (`build 1.2.3.4`,
/// `app_version=2.0.0.1`); compared case-insensitively, the long ones as a
/// word ending (`appVersion`, `FirmwareVersion`).
const VERSION_WORDS: &[&[u8]] = &[b"v", b"ver", b"rev", b"rel", b"fw", b"bld"];
const VERSION_ENDINGS: &[&[u8]] = &[
    b"version",
    b"release",
    b"build",
    b"firmware",
    b"revision",
    b"update",
    b"updated",
    b"updating",
    b"upgrade",
    b"upgraded",
    b"upgrading",
    b"downgrade",
    b"downgraded",
    b"installed",
];

/// Short words allowed between a version word and its number.
const CONNECTORS: &[&[u8]] = &[b"to", b"from", b"is", b"was", b"now", b"vs"];

/// Whether `b` holds an IPv4 address that may identify a person's machine.
pub(super) fn scan(b: &[u8]) -> bool {
    let mut version_end = usize::MAX;
    let mut i = 0;
    while i < b.len() {
        let Some(p) = b[i..].iter().position(u8::is_ascii_digit) else {
            break;
        };
        i += p;
        let start = i;
        let mut dots = 0;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            dots += usize::from(b[i] == b'.');
            i += 1;
        }
        // Inside a word or a longer dotted number; or too few dots for a
        // quad (the whole run is skipped: none of its digits starts one).
        if (start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'.')) || dots < 3
        {
            continue;
        }
        let mut run = &b[start..i];
        // A sentence may end right after an address.
        if run.last() == Some(&b'.') {
            run = &run[..run.len() - 1];
        }
        if i < b.len() && b[i].is_ascii_alphanumeric() {
            continue;
        }
        let Some(o) = octets(run) else { continue };
        if exempt(o) {
            continue;
        }
        if is_version(b, start, start + run.len(), version_end) {
            version_end = start + run.len();
            continue;
        }
        return true;
    }
    false
}

fn octets(run: &[u8]) -> Option<[u8; 4]> {
    let mut o = [0u8; 4];
    let mut n = 0;
    for part in run.split(|&c| c == b'.') {
        if n == 4 || part.is_empty() || part.len() > 3 {
            return None;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        o[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then_some(o)
}

/// 0.0.0.0/8 (unspecified, "this network"), 127.0.0.0/8 (loopback),
/// 224.0.0.0/4 (multicast groups), 240.0.0.0/4 (reserved, broadcast,
/// netmasks), and `x.y.z.0` / `x.y.z.255` (the network and broadcast
/// addresses of the /24 every home and most office networks use): none of
/// them is one machine's address. Private, link-local, shared (CGNAT) and
/// documentation ranges are *not* exempt.
pub(super) fn exempt(o: [u8; 4]) -> bool {
    o[0] == 0 || o[0] == 127 || o[0] >= 224 || o[3] == 0 || o[3] == 255
}

/// A four-part number is a version when the text says so: it follows a
/// product token (`Chrome/120.0.0.1`), the word before it is a version word
/// or a version (`1.2.3 -> 1.2.3.4`), or is a connector (`to`, `from`, `is`…)
/// that follows one (`version is 1.2.3.4`, `from 2.0.0.1 to 2.0.0.2`), or a
/// pre-release or build suffix follows it (`1.2.3.4-beta`, `1.2.3.4+git`).
fn is_version(b: &[u8], start: usize, end: usize, version_end: usize) -> bool {
    if start >= 2 && b[start - 1] == b'/' && b[start - 2].is_ascii_alphabetic() {
        return true;
    }
    match b.get(end) {
        Some(b'+') => return true,
        Some(b'-') if b.get(end + 1).is_some_and(u8::is_ascii_alphabetic) => return true,
        _ => {}
    }
    let context = |(ws, we): (usize, usize)| {
        let w = &b[ws..we];
        we == version_end || is_semver(w) || is_version_word(w)
    };
    let Some(w1) = previous_word(b, start) else {
        return false;
    };
    if context(w1) {
        return true;
    }
    // `version is 1.2.3.4`, `upgrade from 1.2.3.4 to 1.2.3.5`.
    let connector = CONNECTORS
        .iter()
        .any(|k| b[w1.0..w1.1].eq_ignore_ascii_case(k));
    connector && previous_word(b, w1.0).is_some_and(context)
}

/// The alphanumeric-or-dot run ending before `pos`, skipping separators.
fn previous_word(b: &[u8], pos: usize) -> Option<(usize, usize)> {
    // Context is local: looking back at most 32 bytes keeps long strings linear.
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'.';
    let floor = pos.saturating_sub(32);
    let we = floor + b[floor..pos].iter().rposition(|&c| word(c))? + 1;
    let ws = b[floor..we]
        .iter()
        .rposition(|&c| !word(c))
        .map_or(floor, |p| floor + p + 1);
    // Trailing dots belong to the sentence, not the word.
    let mut we = we;
    while we > ws && b[we - 1] == b'.' {
        we -= 1;
    }
    Some((ws, we))
}

fn is_semver(w: &[u8]) -> bool {
    let w = w
        .strip_prefix(b"v")
        .or_else(|| w.strip_prefix(b"V"))
        .unwrap_or(w);
    let parts = w.split(|&c| c == b'.').count();
    parts == 3
        && w.split(|&c| c == b'.')
            .all(|p| !p.is_empty() && p.iter().all(u8::is_ascii_digit))
}

fn is_version_word(w: &[u8]) -> bool {
    let ends = |suffix: &[u8]| {
        w.len() >= suffix.len() && w[w.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
    };
    VERSION_WORDS.iter().any(|k| w.eq_ignore_ascii_case(k))
        || VERSION_ENDINGS.iter().any(|k| ends(k))
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn addresses_and_non_addresses() {
        for s in [
            "192.168.1.20",
            "connect to 10.0.0.1:8080 failed",
            "peer=8.8.8.8",
            "169.254.10.20",
            "127.0.0.1 -> 8.8.8.8",
            "version 1.2.3 at 8.8.8.8",
            "203.0.113.7",
        ] {
            assert!(scan(s.as_bytes()), "{s}");
        }
        for s in [
            "127.0.0.1:8332",
            "0.0.0.0:9735",
            "bind 0.0.0.0",
            "224.0.0.251",
            "netmask 255.255.255.0",
            "route 10.1.2.0/24",
            "broadcast 192.168.1.255",
            "4.8.0.0",
            "version 1.2.3.4",
            "app_version=2.0.0.1",
            "appVersion: 3.1.0.7",
            "Chrome/120.0.0.1",
            "upgrade from 1.2.3.4 to 1.2.3.5",
            "1.2.3 -> 1.2.3.4",
            "1.2.3.4-beta",
            "v1.2.3.4",
            "1.2.3.4.5",
        ] {
            assert!(!scan(s.as_bytes()), "{s}");
        }
    }
}
