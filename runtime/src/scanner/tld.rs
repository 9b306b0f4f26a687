//! The IANA list of top-level domains (`data/iana_tlds.txt`), so that
//! `name@host.service` or `icon@2x.png` is not read as an e-mail address.
//! The list is parsed at compile time into an index of (offset, length)
//! pairs; a lookup is a binary search over ~1,400 entries.

const RAW: &[u8] = include_bytes!("../data/iana_tlds.txt");

const fn count() -> usize {
    let mut n = 0;
    let mut i = 0;
    let mut line_start = true;
    while i < RAW.len() {
        if line_start && RAW[i] != b'#' && RAW[i] != b'\n' {
            n += 1;
        }
        line_start = RAW[i] == b'\n';
        i += 1;
    }
    n
}

const N: usize = count();

static INDEX: [(u16, u8); N] = {
    let mut t = [(0u16, 0u8); N];
    let mut n = 0;
    let mut i = 0;
    while i < RAW.len() {
        let start = i;
        while RAW[i] != b'\n' {
            i += 1;
        }
        if RAW[start] != b'#' && i > start {
            t[n] = (start as u16, (i - start) as u8);
            n += 1;
        }
        i += 1;
    }
    t
};

/// Whether `label` (any ASCII case) is a top-level domain.
pub(super) fn is_tld(label: &[u8]) -> bool {
    if !(2..=24).contains(&label.len()) {
        return false;
    }
    let mut buf = [0u8; 24];
    for (d, s) in buf.iter_mut().zip(label) {
        *d = s.to_ascii_lowercase();
    }
    let key = &buf[..label.len()];
    INDEX
        .binary_search_by(|&(start, len)| {
            RAW[usize::from(start)..usize::from(start) + usize::from(len)].cmp(key)
        })
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(k: usize) -> &'static [u8] {
        let (start, len) = INDEX[k];
        &RAW[usize::from(start)..usize::from(start) + usize::from(len)]
    }

    #[test]
    fn list_is_sorted_and_complete() {
        assert_eq!(N, 1437);
        assert!((1..N).all(|k| entry(k - 1) < entry(k)));
        for t in [
            "com", "org", "uk", "io", "dev", "xn--p1ai", "museum", "zw", "aaa",
        ] {
            assert!(is_tld(t.as_bytes()), "{t}");
        }
        for t in [
            "service", "png", "js", "local", "internal", "json", "c", "example",
        ] {
            assert!(!is_tld(t.as_bytes()), "{t}");
        }
        assert!(is_tld(b"COM"));
    }
}
