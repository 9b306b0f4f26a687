//! E-mail addresses, written plainly or URL-encoded (`alice%40example.com`),
//! whose domain ends in a real top-level domain.

use super::tld::is_tld;

/// TLDs that are also common file extensions or systemd unit types: with a
/// single label before them (`main@app.py`, `getty@tty1.target`), the text
/// is a file or unit name, not an address.
/// Country codes used for mail (`.pl`, `.rs`, `.md`) are not listed.
const FILE_LIKE_TLDS: &[&[u8]] = &[
    b"java", b"map", b"mov", b"pid", b"py", b"run", b"sh", b"so", b"target", b"zip",
];

/// Byte classes of the address grammar, one lookup per byte.
const LOCAL: u8 = 1;
const DOMAIN: u8 = 2;
const ALNUM: u8 = 4;

static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        let alnum = b.is_ascii_alphanumeric();
        let mut v = 0;
        if alnum || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-') {
            v |= LOCAL;
        }
        if alnum || b == b'.' || b == b'-' {
            v |= DOMAIN;
        }
        if alnum {
            v |= ALNUM;
        }
        t[c] = v;
        c += 1;
    }
    t
};

/// Whether `b` holds an e-mail address.
pub(super) fn scan(b: &[u8]) -> bool {
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'@' || c == b'%') {
        i += p;
        let marker = match b[i] {
            b'@' => 1,
            _ if b.len() >= i + 3 && b[i + 1] == b'4' && b[i + 2] == b'0' => 3,
            _ => {
                i += 1;
                continue;
            }
        };
        let at = i;
        i += marker;
        // RFC 5321 caps the local part at 64 octets; the bound also keeps
        // a string of many `%40` markers linear. One backward pass finds
        // its start and whether it holds a letter or digit.
        let window = at.saturating_sub(64);
        let mut has_alnum = false;
        let mut j = at;
        while j > window && CLASS[usize::from(b[j - 1])] & LOCAL != 0 {
            j -= 1;
            has_alnum |= CLASS[usize::from(b[j])] & ALNUM != 0;
        }
        if !has_alnum {
            continue;
        }
        if domain_at(&b[at + marker..]) {
            return true;
        }
    }
    false
}

/// Whether the text right after the `@` is a domain that makes an address:
/// one forward pass over at most 255 bytes records the labels as it goes.
fn domain_at(rest: &[u8]) -> bool {
    let limit = rest.len().min(255);
    let mut end = 0;
    let mut labels = 1;
    let mut last_dot = None;
    let mut ok = true;
    while end < limit && CLASS[usize::from(rest[end])] & DOMAIN != 0 {
        let c = rest[end];
        if c == b'.' {
            // No empty label, none ending in `-`.
            ok &= end > 0 && last_dot != Some(end - 1) && rest[end - 1] != b'-';
            labels += 1;
            last_dot = Some(end);
        } else if c == b'-' {
            // No label starting with `-`.
            ok &= end > 0 && last_dot != Some(end - 1);
        }
        end += 1;
    }
    // host:port, scp-style host:path and file:line:col are not addresses.
    if end + 1 < rest.len() && rest[end] == b':' && !rest[end + 1].is_ascii_whitespace() {
        return false;
    }
    // A sentence may end right after the address.
    let mut domain = &rest[..end];
    if let Some(d) = domain.strip_suffix(b".") {
        domain = d;
        labels -= 1;
        last_dot = domain.iter().rposition(|&c| c == b'.');
    } else if last_dot.is_some_and(|d| d + 1 == end) {
        ok = false;
    }
    let Some(dot) = last_dot else { return false };
    let last = &domain[dot + 1..];
    if !ok || domain.is_empty() || last.is_empty() || last[last.len() - 1] == b'-' {
        return false;
    }
    if labels < 2 || !is_tld(last) {
        return false;
    }
    let file_like = labels == 2 && FILE_LIKE_TLDS.iter().any(|t| last.eq_ignore_ascii_case(t));
    !scale_suffix(domain) && !file_like
}

/// `icon@2x.png`, `logo@1.5x.webp`: an image scale, not a host.
fn scale_suffix(domain: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|c| c.is_ascii_digit()).count();
    let mut i = digits(domain);
    if i == 0 {
        return false;
    }
    if domain.get(i) == Some(&b'.') && digits(&domain[i + 1..]) > 0 {
        i += 1 + digits(&domain[i + 1..]);
    }
    matches!(domain.get(i), Some(b'x' | b'X')) && domain.get(i + 1) == Some(&b'.')
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn structure_not_shape() {
        for s in [
            "alice@example.com",
            "ALICE@EXAMPLE.COM",
            "alice%40example.com",
            "a.b+c@mail.example.co.uk",
            "x@example.xn--p1ai",
            "alice@example.com: mailbox full",
            "alice@company.py.example.com",
            "olga@wp.pl",
            "dragan@eunet.rs",
        ] {
            assert!(scan(s.as_bytes()), "{s}");
        }
        for s in [
            "tor@default.service",
            "icon@2x.png",
            "logo@3x.zip",
            "logo@1.5x.zip",
            "fn@main.js:12:5",
            "handler@app.py:40",
            "getty@tty1.target",
            "lodash@4.17.21",
            "git@github.com:org/repo.git",
            "user@host.local",
            "a@b",
            "%40%40",
        ] {
            assert!(!scan(s.as_bytes()), "{s}");
        }
    }
}
