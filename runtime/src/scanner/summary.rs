//! One pass over a string's bytes that records which character classes it
//! holds, a few counts and run lengths. Every detector is gated on this
//! summary, so a string only pays for the detectors it could match.

pub(super) const DIGIT: u16 = 1;
pub(super) const LOWER: u16 = 1 << 1;
pub(super) const UPPER: u16 = 1 << 2;
pub(super) const AT: u16 = 1 << 3;
pub(super) const PERCENT: u16 = 1 << 4;
pub(super) const DASH: u16 = 1 << 5;
pub(super) const UNDERSCORE: u16 = 1 << 6;

const ALNUM: u16 = DIGIT | LOWER | UPPER;
const LETTER: u16 = LOWER | UPPER;

static CLASS: [u16; 256] = {
    let mut t = [0u16; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() {
            DIGIT
        } else if b.is_ascii_lowercase() {
            LOWER
        } else if b.is_ascii_uppercase() {
            UPPER
        } else {
            match b {
                b'@' => AT,
                b'%' => PERCENT,
                b'-' => DASH,
                b'_' => UNDERSCORE,
                _ => 0,
            }
        };
        c += 1;
    }
    t
};

/// Which counter a byte bumps: 0 none, 1 digits, 2 dots, 3 colons, 4 dashes.
static COUNTER: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = 1;
        c += 1;
    }
    t[b'.' as usize] = 2;
    t[b':' as usize] = 3;
    t[b'-' as usize] = 4;
    t
};

pub(super) struct Summary {
    mask: u16,
    counts: [u32; 5],
    /// Longest run of ASCII letters and digits.
    pub longest: u32,
    /// Runs of 3 to 8 ASCII letters: the seed-phrase word candidates.
    pub words: u32,
}

impl Summary {
    pub(super) fn of(b: &[u8]) -> Summary {
        let mut mask = 0u16;
        let mut counts = [0u32; 5];
        let (mut run, mut longest) = (0u32, 0u32);
        let (mut letters, mut words) = (0u32, 0u32);
        for &c in b {
            let k = CLASS[usize::from(c)];
            mask |= k;
            counts[usize::from(COUNTER[usize::from(c)])] += 1;
            run = (run + 1) * u32::from(k & ALNUM != 0);
            longest = longest.max(run);
            if k & LETTER != 0 {
                letters += 1;
            } else {
                words += u32::from(letters.wrapping_sub(3) < 6);
                letters = 0;
            }
        }
        words += u32::from(letters.wrapping_sub(3) < 6);
        Summary {
            mask,
            counts,
            longest,
            words,
        }
    }

    pub(super) fn has(&self, classes: u16) -> bool {
        self.mask & classes != 0
    }

    pub(super) fn digits(&self) -> u32 {
        self.counts[1]
    }

    pub(super) fn dots(&self) -> u32 {
        self.counts[2]
    }

    pub(super) fn colons(&self) -> u32 {
        self.counts[3]
    }

    pub(super) fn dashes(&self) -> u32 {
        self.counts[4]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_runs() {
        let s = Summary::of(b"ab1@x.y:z:: -- abandon ability 12345678901234x");
        assert!(s.has(AT) && s.has(DIGIT) && s.has(DASH) && !s.has(UPPER | PERCENT));
        assert_eq!(
            (s.digits(), s.dots(), s.colons(), s.dashes()),
            (15, 1, 3, 2)
        );
        assert_eq!(s.longest, 15);
        // "abandon", "ability"; "ab", "x", "y", "z" are too short.
        assert_eq!(s.words, 2);
        assert_eq!(Summary::of(b"abc").words, 1);
        assert_eq!(Summary::of(b"abcdefghi").words, 0);
    }
}
