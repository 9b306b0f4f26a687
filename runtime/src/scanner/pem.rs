//! PEM-armoured private keys (`-----BEGIN … PRIVATE KEY-----`, PKCS#1,
//! PKCS#8, SEC1, OpenSSH, PGP): the header alone is enough to refuse.

/// Whether `b` holds a PEM private-key header.
pub(super) fn scan(b: &[u8]) -> bool {
    const BEGIN: &[u8] = b"-----BEGIN ";
    let mut from = 0;
    // Dashes are where a header can start; most fail on the next byte.
    while let Some(p) = b[from..].iter().position(|&c| c == b'-') {
        let at = from + p;
        from = at + 1;
        if !b[at..].starts_with(BEGIN) {
            continue;
        }
        let label_start = at + BEGIN.len();
        from = label_start;
        // Labels are short upper-case words: "RSA PRIVATE KEY",
        // "ENCRYPTED PRIVATE KEY", "PGP PRIVATE KEY BLOCK".
        let label_end = b[label_start..]
            .iter()
            .take(48)
            .position(|&c| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == b' '))
            .map(|n| label_start + n);
        let Some(end) = label_end else { continue };
        let label = &b[label_start..end];
        if b[end..].starts_with(b"-----") && label.windows(11).any(|w| w == b"PRIVATE KEY") {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn headers() {
        assert!(scan(b"-----BEGIN PRIVATE KEY-----\nMIIE"));
        assert!(scan(b"x -----BEGIN OPENSSH PRIVATE KEY----- y"));
        assert!(scan(b"-----BEGIN PGP PRIVATE KEY BLOCK-----"));
        assert!(!scan(b"-----BEGIN PUBLIC KEY-----"));
        assert!(!scan(b"-----BEGIN CERTIFICATE-----"));
    }
}
