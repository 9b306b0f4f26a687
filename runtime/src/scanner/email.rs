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

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'.' || c == b'-'
}

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
        // a string of many `%40` markers linear.
        let window = at.saturating_sub(64);
        let local_start = b[window..at]
            .iter()
            .rposition(|&c| !local_char(c))
            .map_or(window, |p| window + p + 1);
        if !b[local_start..at].iter().any(u8::is_ascii_alphanumeric) {
            continue;
        }
        let rest = &b[at + marker..];
        let end = rest
            .iter()
            .take(255)
            .position(|&c| !domain_char(c))
            .unwrap_or(rest.len().min(255));
        // host:port, scp-style host:path and file:line:col are not addresses.
        if end + 1 < rest.len() && rest[end] == b':' && !rest[end + 1].is_ascii_whitespace() {
            continue;
        }
        let domain = rest[..end].strip_suffix(b".").unwrap_or(&rest[..end]);
        if domain_ok(domain) {
            return true;
        }
    }
    false
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

fn domain_ok(domain: &[u8]) -> bool {
    let mut labels = 0;
    let mut last: &[u8] = &[];
    for label in domain.split(|&c| c == b'.') {
        if label.is_empty() || label[0] == b'-' || label[label.len() - 1] == b'-' {
            return false;
        }
        last = label;
        labels += 1;
    }
    if labels < 2 || !is_tld(last) {
        return false;
    }
    let scale = scale_suffix(domain);
    let file_like = labels == 2 && FILE_LIKE_TLDS.iter().any(|t| last.eq_ignore_ascii_case(t));
    !scale && !file_like
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
