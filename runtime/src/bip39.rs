//! The BIP-39 English wordlist, used by the scanner to recognise seed phrases.
//!
//! Data file: `data/bip39_english.txt`, the 2048 words of the BIP-39 English
//! list (bitcoin/bips, bip-0039/english.txt; SHA-256 of the one-word-per-line
//! form is 2f5eed53…24dbda), stored space-separated and sorted.
//!
//! Lookup is a hash table built at compile time. Every word has 3 to 8
//! letters and BIP-39 guarantees that the first four letters identify a word,
//! so a word packs into 40 bits (5 per letter) and its first 20 bits (four
//! letters) are a unique key: one multiply, usually one probe and one
//! comparison per lookup.

const RAW: &[u8] = include_bytes!("data/bip39_english.txt");

const COUNT: usize = 2048;
const SLOTS: usize = 4096;
const PREFIX_MASK: u64 = (1 << 20) - 1;

/// Words packed 5 bits per letter (`a` = 1 … `z` = 26), first letter lowest.
static WORDS: [u64; COUNT] = {
    let mut t = [0u64; COUNT];
    let mut n = 0;
    let mut i = 0;
    while i < RAW.len() {
        let mut key = 0u64;
        let mut len = 0;
        while i < RAW.len() && RAW[i].is_ascii_lowercase() {
            key |= ((RAW[i] - b'a' + 1) as u64) << (5 * len);
            len += 1;
            i += 1;
        }
        if len > 0 {
            t[n] = key;
            n += 1;
        }
        i += 1;
    }
    assert!(n == COUNT);
    t
};

const fn slot(prefix: u64) -> usize {
    ((prefix as u32).wrapping_mul(0x9e37_79b1) >> 20) as usize
}

/// Open-addressing table of word index + 1 (0 = empty), keyed by the
/// four-letter prefix.
static TABLE: [u16; SLOTS] = {
    let mut t = [0u16; SLOTS];
    let mut k = 0;
    while k < COUNT {
        let mut s = slot(WORDS[k] & PREFIX_MASK);
        while t[s] != 0 {
            s = (s + 1) % SLOTS;
        }
        t[s] = k as u16 + 1;
        k += 1;
    }
    t
};

/// Packs an ASCII word of 3 to 8 letters, any case, or `None`.
pub(crate) fn pack(w: &[u8]) -> Option<u64> {
    if !(3..=8).contains(&w.len()) {
        return None;
    }
    let mut key = 0u64;
    for (k, &c) in w.iter().enumerate() {
        let v = (c | 0x20).wrapping_sub(b'a');
        if v >= 26 {
            return None;
        }
        key |= u64::from(v + 1) << (5 * k);
    }
    Some(key)
}

/// The word whose first four letters are those of `key`, if any.
fn by_prefix(key: u64) -> Option<u64> {
    let prefix = key & PREFIX_MASK;
    let mut s = slot(prefix);
    loop {
        let idx = TABLE[s];
        if idx == 0 {
            return None;
        }
        let word = WORDS[usize::from(idx - 1)];
        if word & PREFIX_MASK == prefix {
            return Some(word);
        }
        s = (s + 1) % SLOTS;
    }
}

/// Whether the packed word is a BIP-39 word, or (with `abbreviated`) the
/// four-letter form that metal backups stamp (`aban` for `abandon`).
pub(crate) fn matches(key: u64, len: usize, abbreviated: bool) -> bool {
    match by_prefix(key) {
        Some(word) => word == key || (abbreviated && len == 4),
        None => false,
    }
}

/// Whether `w` (ASCII, any case) is a BIP-39 English word.
#[cfg(test)]
fn contains(w: &[u8]) -> bool {
    pack(w).is_some_and(|k| matches(k, w.len(), false))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_is_complete_sorted_and_every_word_is_found() {
        let words: Vec<&[u8]> = RAW
            .split(|&c| c == b' ' || c == b'\n')
            .filter(|w| !w.is_empty())
            .collect();
        assert_eq!(words.len(), 2048);
        assert!(words.windows(2).all(|p| p[0] < p[1]));
        for w in &words {
            assert!(contains(w), "{}", String::from_utf8_lossy(w));
        }
        // The four-letter prefixes really are unique.
        let mut prefixes: Vec<&[u8]> = words.iter().map(|w| &w[..w.len().min(4)]).collect();
        prefixes.dedup();
        assert_eq!(prefixes.len(), 2048);
    }

    #[test]
    fn near_misses_and_abbreviations() {
        assert!(contains(b"abandon") && contains(b"zoo") && contains(b"ZOO"));
        for w in [
            "candor", "abandons", "aband", "abando", "zo", "the", "and", "abandonx",
        ] {
            assert!(!contains(w.as_bytes()), "{w}");
        }
        let aban = pack(b"aban").unwrap();
        assert!(matches(aban, 4, true) && !matches(aban, 4, false));
        let x = pack(b"xyzw").unwrap();
        assert!(!matches(x, 4, true));
    }
}
