//! IPv6 addresses (three or more groups, as `std` parses them), also right
//! after a `label:`, minus the ones that never name a machine.

use std::net::Ipv6Addr;

/// Longest textual IPv6 address (eight groups, or six and a dotted quad).
const MAX_TEXT: usize = 45;

static ADDR_CHAR: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = b.is_ascii_hexdigit() || b == b':' || b == b'.';
        c += 1;
    }
    t
};

fn addr_char(c: u8) -> bool {
    ADDR_CHAR[usize::from(c)]
}

/// Whether `b` holds an IPv6 address that may identify a machine.
pub(super) fn scan(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        match b[i..].iter().position(|&c| addr_char(c)) {
            Some(p) => i += p,
            None => break,
        }
        let start = i;
        let mut colons = 0;
        while i < b.len() && addr_char(b[i]) {
            colons += usize::from(b[i] == b':');
            i += 1;
        }
        let end = i;
        // Every address has two colons; a label adds one.
        if colons < 2 {
            continue;
        }
        // The run goes on into a non-hex letter: part of a word.
        if end < b.len() && b[end].is_ascii_alphanumeric() {
            continue;
        }
        let after_word = start > 0 && b[start - 1].is_ascii_alphanumeric();
        if !after_word && candidate(&b[start..end]) {
            return true;
        }
        // `peer:2001:db8::1`, `ip:fe80::…`, `cafe:2001:db8::1`: the address
        // may follow a label and a single colon.
        if let Some(p) = b[start..end].iter().position(|&c| c == b':') {
            let p = start + p;
            let single = b.get(p + 1).is_some_and(|&c| c != b':');
            if single && candidate(&b[p + 1..end]) {
                return true;
            }
        }
    }
    false
}

/// Cheap shape test before parsing: at most 45 characters, groups of at
/// most four hex digits, at least three groups, and either `::` or the
/// full eight groups (seven with an embedded dotted quad).
fn shape(run: &[u8]) -> bool {
    if run.len() > MAX_TEXT {
        return false;
    }
    let (mut colons, mut groups, mut group_len, mut double, mut dots) = (0, 0, 0, false, 0);
    let mut prev = 0u8;
    for &c in run {
        match c {
            b':' => {
                colons += 1;
                double |= prev == b':';
                group_len = 0;
            }
            b'.' => dots += 1,
            _ => {
                if group_len == 0 {
                    groups += 1;
                }
                group_len += 1;
                if group_len > 4 && dots == 0 {
                    return false;
                }
            }
        }
        prev = c;
    }
    colons >= 2 && groups >= 3 && (double || colons == 7 || (colons == 6 && dots == 3))
}

fn candidate(run: &[u8]) -> bool {
    let dots = run.iter().rev().take_while(|&&c| c == b'.').count();
    let run = &run[..run.len() - dots];
    shape(run)
        && std::str::from_utf8(run)
            .ok()
            .and_then(|t| t.parse::<Ipv6Addr>().ok())
            .is_some_and(|a| !exempt(a))
}

/// `::` (unspecified), `::1` (loopback), `ff00::/8` (multicast groups) and
/// IPv4-mapped forms of the exempt IPv4 ranges. Link-local (`fe80::/10`,
/// often derived from the MAC address), unique-local and documentation
/// addresses are not exempt.
fn exempt(a: Ipv6Addr) -> bool {
    if a.is_unspecified() || a.is_loopback() || a.is_multicast() {
        return true;
    }
    a.to_ipv4_mapped()
        .is_some_and(|v4| super::ipv4::exempt(v4.octets()))
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn addresses_and_non_addresses() {
        for s in [
            "2001:db8::ff00:42:8329",
            "from [2001:db8:85a3::8a2e:370:7334]:443",
            "fe80::1ff:fe23:4567:890a%eth0",
            "peer:2001:db8::7",
            "addr:2001:db8:0:1::1",
            "ip:fd12:3456:789a::1 up",
        ] {
            assert!(scan(s.as_bytes()), "{s}");
        }
        for s in [
            "::1",
            "[::]:9735",
            "ff02::1:2",
            "std::io::Error",
            "12:34:56",
            "a::b",
            "::ffff:127.0.0.1",
            "00:1a:2b:3c:4d:5e",
            "cafe::babe::1",
        ] {
            assert!(!scan(s.as_bytes()), "{s}");
        }
    }
}
