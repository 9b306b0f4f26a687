//! IPv6 addresses (three or more groups, as `std` parses them), also right
//! after a `label:`, minus the ones that never name a machine.

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

/// A run that parses is an address when it has at least three textual
/// groups (a dotted quad is one): `a::b` and `12::34` are too often
/// something else (Rust paths, times) to be read as addresses.
fn candidate(run: &[u8]) -> bool {
    let dots = run.iter().rev().take_while(|&&c| c == b'.').count();
    let run = &run[..run.len() - dots];
    run.len() <= MAX_TEXT
        && !exempt_prefix(run)
        && parse(run).is_some_and(|(a, groups)| groups >= 3 && !exempt(a))
}

/// Multicast (`ffXX:`) is recognised from the first group alone: such a run
/// is never flagged whether or not it parses, so it costs no parse.
fn exempt_prefix(run: &[u8]) -> bool {
    run.len() > 4 && run[4] == b':' && run[..2].eq_ignore_ascii_case(b"ff")
}

/// Parses the textual forms of RFC 4291 §2.2 (eight groups of one to four
/// hex digits, one `::` standing for at least one zero group, a dotted quad
/// in the last two groups) as `std`'s parser does, without going through
/// `str` and `char`: the run holds only hex digits, colons and dots.
/// Returns the groups and how many were written (a dotted quad counts one).
fn parse(t: &[u8]) -> Option<([u16; 8], usize)> {
    let mut groups = [0u16; 8];
    let mut n = 0usize;
    let mut gap = None;
    let mut written = 0;
    let mut i = 0;
    if t.starts_with(b"::") {
        gap = Some(0);
        i = 2;
    }
    while i < t.len() {
        let end = t[i..]
            .iter()
            .position(|&c| c == b':')
            .map_or(t.len(), |p| i + p);
        let part = &t[i..end];
        if part.contains(&b'.') {
            // A dotted quad ends the address and fills two groups.
            let o = quad(part)?;
            if end != t.len() || n + 2 > 8 {
                return None;
            }
            groups[n] = u16::from_be_bytes([o[0], o[1]]);
            groups[n + 1] = u16::from_be_bytes([o[2], o[3]]);
            n += 2;
            written += 1;
            break;
        }
        if part.is_empty() || part.len() > 4 || n == 8 {
            return None;
        }
        groups[n] = part.iter().fold(0u16, |a, &c| (a << 4) | hex(c));
        n += 1;
        written += 1;
        if end == t.len() {
            break;
        }
        i = end + 1;
        if t.get(i) == Some(&b':') {
            if gap.is_some() {
                return None;
            }
            gap = Some(n);
            i += 1;
        } else if i == t.len() {
            return None;
        }
    }
    match gap {
        None if n == 8 => Some((groups, written)),
        Some(g) if n <= 7 => {
            let mut out = [0u16; 8];
            out[..g].copy_from_slice(&groups[..g]);
            out[8 - (n - g)..].copy_from_slice(&groups[g..n]);
            Some((out, written))
        }
        _ => None,
    }
}

fn hex(c: u8) -> u16 {
    u16::from(match c {
        b'0'..=b'9' => c - b'0',
        _ => (c | 0x20) - b'a' + 10,
    })
}

/// Four decimal octets of at most three digits, no leading zero, each at
/// most 255 (the strict form `std` accepts).
fn quad(part: &[u8]) -> Option<[u8; 4]> {
    let mut o = [0u8; 4];
    let mut n = 0;
    for p in part.split(|&c| c == b'.') {
        if n == 4 || p.is_empty() || p.len() > 3 || (p.len() > 1 && p[0] == b'0') {
            return None;
        }
        if !p.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let v = p.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        o[n] = u8::try_from(v).ok()?;
        n += 1;
    }
    (n == 4).then_some(o)
}

/// `::` (unspecified), `::1` (loopback), `ff00::/8` (multicast groups) and
/// IPv4-mapped forms of the exempt IPv4 ranges. Link-local (`fe80::/10`,
/// often derived from the MAC address), unique-local and documentation
/// addresses are not exempt.
fn exempt(g: [u16; 8]) -> bool {
    let head_zero = g[..6].iter().all(|&x| x == 0);
    if (head_zero && g[6] == 0 && g[7] <= 1) || g[0] >> 8 == 0xff {
        return true;
    }
    let mapped = g[..5].iter().all(|&x| x == 0) && g[5] == 0xffff;
    let [a, b] = g[6].to_be_bytes();
    let [c, d] = g[7].to_be_bytes();
    mapped && super::ipv4::exempt([a, b, c, d])
}

#[cfg(test)]
mod tests {
    use super::scan;

    /// The parser agrees with `std`'s on every run shape the scanner hands
    /// it: generated from the characters of addresses.
    #[test]
    fn parser_agrees_with_std() {
        let alphabet = b"0123:::::.aF1f0e8";
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        for len in 0..40 {
            for _ in 0..3000 {
                let t: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                let ours = super::parse(&t).map(|(a, _)| a);
                let std = std::str::from_utf8(&t)
                    .unwrap()
                    .parse::<std::net::Ipv6Addr>()
                    .ok()
                    .map(|a| a.segments());
                assert_eq!(ours, std, "{:?}", String::from_utf8_lossy(&t));
            }
        }
        for t in [
            "::",
            "::1",
            "1::",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:1.2.3.4",
            "::ffff:1.2.3.4",
            "1::2:3:4:5:6:7",
            "::2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::01.2.3.4",
            "::256.1.1.1",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1::",
            "1:",
            "::1.2.3",
            "abcde::1",
        ] {
            let std = t.parse::<std::net::Ipv6Addr>().ok().map(|a| a.segments());
            assert_eq!(super::parse(t.as_bytes()).map(|(a, _)| a), std, "{t}");
        }
    }

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
