//! BIP-39 seed phrases: twelve or more words of the English list in a row,
//! in any usual case (`abandon`, `Abandon`, `ABANDON`), or as the four-letter
//! stamps of metal backups (`aban`), separated by anything short that is not
//! a letter: spaces, commas, hyphens, line breaks, numbering (`1. `, `2) `).

use crate::bip39;

/// The shortest standard mnemonic has 12 words.
pub(super) const MIN_WORDS: u32 = 12;

/// Longest separator between two words of one phrase (`\r\n24. `).
const MAX_GAP: usize = 8;

/// Whether the letters form a word in a usual case: lower, upper, or
/// capitalised.
fn usual_case(w: &[u8]) -> bool {
    let rest = &w[1..];
    rest.iter().all(u8::is_ascii_lowercase)
        || (w[0].is_ascii_uppercase() && rest.iter().all(u8::is_ascii_uppercase))
}

/// Runs of 3 to 8 ASCII letters in `b`.
fn candidates(b: &[u8]) -> u32 {
    let mut n = 0;
    let mut run = 0u32;
    for &c in b {
        if c.is_ascii_alphabetic() {
            run += 1;
        } else {
            n += u32::from((3..=8).contains(&run));
            run = 0;
        }
    }
    n + u32::from((3..=8).contains(&run))
}

/// Whether `b` holds a seed phrase. `candidates` is the number of letter
/// runs of 3 to 8 letters in `b` (from the summary; `u32::MAX` when it was
/// not counted): once the words left cannot complete a phrase, the scan
/// stops.
pub(super) fn scan(b: &[u8], known: u32, runs: impl Iterator<Item = (usize, usize)>) -> bool {
    let mut left = if known == u32::MAX {
        candidates(b)
    } else {
        known
    };
    if left < MIN_WORDS {
        return false;
    }
    let mut run = 0u32;
    let mut prev_end = 0usize;
    for (start, end) in runs {
        let w = &b[start..end];
        if run > 0 && start - prev_end > MAX_GAP {
            run = 0;
        }
        prev_end = end;
        if !(3..=8).contains(&w.len()) {
            run = 0;
            continue;
        }
        left -= 1;
        let word =
            usual_case(w) && bip39::pack(w).is_some_and(|k| bip39::matches(k, w.len(), true));
        run = if word { run + 1 } else { 0 };
        if run >= MIN_WORDS {
            return true;
        }
        if run + left < MIN_WORDS {
            return false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::scan;

    fn seed(s: &str) -> bool {
        let b = s.as_bytes();
        let sum = super::super::summary::Summary::of(b);
        scan(b, u32::MAX, sum.letter_runs(b))
    }

    #[test]
    fn forms() {
        let base = "legal winner thank year wave sausage worth useful legal winner thank yellow";
        assert!(seed(base));
        assert!(seed(&base.to_uppercase()));
        assert!(seed(
            "Legal winner thank year wave sausage worth useful legal winner thank yellow"
        ));
        assert!(seed(&base.replace(' ', ", ")));
        assert!(seed(&base.replace(' ', "\n")));
        assert!(seed(&base.replace(' ', "-")));
        let numbered: String = base
            .split(' ')
            .enumerate()
            .map(|(k, w)| format!("{}. {w} ", k + 1))
            .collect();
        assert!(seed(&numbered));
        let paren: String = base
            .split(' ')
            .enumerate()
            .map(|(k, w)| format!("{}) {w}\n", k + 1))
            .collect();
        assert!(seed(&paren));
        assert!(seed(
            "lega winn than year wave saus wort usef lega winn than yell"
        ));
    }

    #[test]
    fn not_seeds() {
        let base = "legal winner thank year wave sausage worth useful legal winner thank";
        assert!(!seed(base));
        assert!(!seed(
            "legal winner thank year wave sausage the worth useful legal winner thank yellow"
        ));
        assert!(!seed(
            "lEgal winner thank year wave sausage worth useful legal winner thank yellow"
        ));
        assert!(!seed("legal winner thank year wave sausage            worth useful legal winner thank yellow"));
    }
}
