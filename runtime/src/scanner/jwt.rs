//! JSON Web Tokens: `eyJ…` `.` `eyJ…` `.` signature, base64url segments
//! (`eyJ` is base64 for `{"`, so header and payload are JSON objects).

fn seg(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// Whether `b` holds a JWT.
pub(super) fn scan(b: &[u8]) -> bool {
    let mut from = 0;
    while let Some(p) = find(&b[from..], b"eyJ") {
        let start = from + p;
        from = start + 3;
        if start > 0 && seg(b[start - 1]) {
            continue;
        }
        if token_at(b, start) {
            return true;
        }
    }
    false
}

fn token_at(b: &[u8], start: usize) -> bool {
    let mut i = start;
    for part in 0..3 {
        let s = i;
        while i < b.len() && seg(b[i]) {
            i += 1;
        }
        // The signature may be empty for unsigned tokens.
        if part < 2 {
            if i - s < 10 || !b[s..].starts_with(b"eyJ") || b.get(i) != Some(&b'.') {
                return false;
            }
            i += 1;
        }
    }
    true
}

fn find(hay: &[u8], needle: &[u8; 3]) -> Option<usize> {
    let mut from = 0;
    while let Some(p) = hay[from..].iter().position(|&c| c == needle[0]) {
        let at = from + p;
        if hay[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::scan;

    #[test]
    fn tokens() {
        assert!(scan(b"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc"));
        assert!(scan(b"eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0."));
        assert!(!scan(b"eyJ-not-a-token"));
        assert!(!scan(b"xeyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc"));
    }
}
