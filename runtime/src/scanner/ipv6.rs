//! IPv6 addresses (three or more groups, as `std` parses them), also right
//! after a `label:`, minus the ones that never name a machine.

use std::net::Ipv6Addr;

/// Longest textual IPv6 address (eight groups, or six and a dotted quad).
const MAX_TEXT: usize = 45;

fn addr_char(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':' || c == b'.'
}

/// Whether `s` holds an IPv6 address that may identify a machine.
pub(super) fn scan(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !addr_char(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && addr_char(b[i]) {
            i += 1;
        }
        let end = i;
        // The run goes on into a non-hex letter: part of a word.
        if end < b.len() && b[end].is_ascii_alphanumeric() {
            continue;
        }
        let after_word = start > 0 && b[start - 1].is_ascii_alphanumeric();
        if !after_word && candidate(&s[start..end]) {
            return true;
        }
        // `peer:2001:db8::1`, `ip:fe80::…`: the address may follow a label
        // and a single colon. Only starts within MAX_TEXT of the end can
        // begin an address, which keeps long runs linear.
        for p in end.saturating_sub(MAX_TEXT + 1).max(start)..end {
            let single = b[p] == b':'
                && b.get(p + 1).is_some_and(|&c| c != b':')
                && (p == 0 || b[p - 1] != b':');
            if single && (p > start || after_word) && candidate(&s[p + 1..end]) {
                return true;
            }
        }
    }
    false
}

fn candidate(run: &str) -> bool {
    let run = run.trim_end_matches('.');
    if run.len() > MAX_TEXT || run.bytes().filter(|&c| c == b':').count() < 2 {
        return false;
    }
    let groups = run.split(':').filter(|g| !g.is_empty()).count();
    groups >= 3 && run.parse::<Ipv6Addr>().is_ok_and(|a| !exempt(a))
}

/// `::` (unspecified), `::1` (loopback), `ff00::/8` (multicast groups) and
/// IPv4-mapped forms of the exempt IPv4 ranges. Link-local (`fe80::/10`,
/// often derived from the MAC address), unique-local and documentation
/// addresses are not exempt.
fn exempt(a: Ipv6Addr) -> bool {
    if a.is_unspecified() || a.is_loopback() || a.is_multicast() {
        return true;
    }
    match a.to_ipv4_mapped() {
        Some(v4) => {
            let o = v4.octets();
            o[0] == 0 || o[0] == 127 || o[0] >= 224
        }
        None => false,
    }
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
            assert!(scan(s), "{s}");
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
            assert!(!scan(s), "{s}");
        }
    }
}
