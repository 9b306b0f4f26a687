//! The BIP-39 English wordlist, used by the scanner to recognise seed phrases.
//!
//! Data file: `data/bip39_english.txt`, the 2048 words of the BIP-39 English
//! list (bitcoin/bips, bip-0039/english.txt; SHA-256 of the one-word-per-line
//! form is 2f5eed53…24dbda), stored space-separated and sorted.

use std::sync::OnceLock;

const RAW: &str = include_str!("data/bip39_english.txt");

fn words() -> &'static [&'static str] {
    static WORDS: OnceLock<Vec<&'static str>> = OnceLock::new();
    WORDS.get_or_init(|| RAW.split_ascii_whitespace().collect())
}

/// Whether `w` (lowercase ASCII) is a BIP-39 English word.
pub(crate) fn contains(w: &[u8]) -> bool {
    // Every BIP-39 word has 3 to 8 letters; skip the lookup otherwise.
    (3..=8).contains(&w.len()) && words().binary_search_by(|x| x.as_bytes().cmp(w)).is_ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn list_is_complete_and_sorted() {
        let w = super::words();
        assert_eq!(w.len(), 2048);
        assert!(w.windows(2).all(|p| p[0] < p[1]));
        assert!(super::contains(b"abandon") && super::contains(b"zoo"));
        assert!(!super::contains(b"candor"));
    }
}
