//! The IANA list of top-level domains (`data/iana_tlds.txt`), so that
//! `name@host.service` or `icon@2x.png` is not read as an e-mail address.
//! The list is parsed at compile time into an index of (offset, length)
//! pairs and an open-addressing hash table over it: a lookup is one hash of
//! the label, usually one probe and one comparison.

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

const SLOTS: usize = 4096;

/// FNV-1a over the bytes, folded to the table size.
const fn hash(bytes: &[u8], start: usize, len: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = 0;
    while i < len {
        h = (h ^ bytes[start + i] as u32).wrapping_mul(0x0100_0193);
        i += 1;
    }
    ((h ^ (h >> 16)) as usize) % SLOTS
}

/// Entry index + 1 (0 = empty).
static TABLE: [u16; SLOTS] = {
    let mut t = [0u16; SLOTS];
    let mut k = 0;
    while k < N {
        let (start, len) = INDEX[k];
        let mut s = hash(RAW, start as usize, len as usize);
        while t[s] != 0 {
            s = (s + 1) % SLOTS;
        }
        t[s] = k as u16 + 1;
        k += 1;
    }
    t
};

/// Whether `label` (any ASCII case; letters, digits and `-` only) is a
/// top-level domain. The label is hashed as it is read, folded to lower
/// case with `| 0x20` (which changes only upper-case letters among the
/// bytes a label holds), so no copy is made.
pub(super) fn is_tld(label: &[u8]) -> bool {
    if !(2..=24).contains(&label.len()) {
        return false;
    }
    let mut h: u32 = 0x811c_9dc5;
    for &c in label {
        h = (h ^ u32::from(c | 0x20)).wrapping_mul(0x0100_0193);
    }
    let mut s = ((h ^ (h >> 16)) as usize) % SLOTS;
    loop {
        let k = TABLE[s];
        if k == 0 {
            return false;
        }
        let (start, len) = INDEX[usize::from(k - 1)];
        let entry = &RAW[usize::from(start)..usize::from(start) + usize::from(len)];
        if entry.len() == label.len() && entry.iter().zip(label).all(|(&e, &c)| e == c | 0x20) {
            return true;
        }
        s = (s + 1) % SLOTS;
    }
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
