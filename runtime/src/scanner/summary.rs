//! One pass over a string's bytes that records which character classes it
//! holds, a few counts and run lengths. Every detector is gated on this
//! summary, so a string only pays for the detectors it could match.
//!
//! Counts come from one table lookup and one add per byte: each table entry
//! is a `u64` of eight byte-wide counters (digits, letters, dots, …) with a
//! one in the byte's fields, flushed every 64 bytes before a lane can
//! overflow. Letters and alphanumerics also become one bit per byte
//! (byte-wise range tests on eight bytes at a time), so run lengths come
//! from shifts instead of per-byte branches.

const L: u64 = 0x0101_0101_0101_0101;
const H: u64 = 0x8080_8080_8080_8080;

// Counter lanes.
const DIGITS: u32 = 0;
const LETTERS: u32 = 1;
const DOTS: u32 = 2;
const COLONS: u32 = 3;
const DASHES: u32 = 4;
const AT_PERCENT: u32 = 5;
const UNDERSCORES: u32 = 6;
const UPPERS: u32 = 7;

const fn one(lane: u32) -> u64 {
    1u64 << (8 * lane)
}

static PACK: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut c = 0;
    while c < 256 {
        let b = c as u8;
        t[c] = if b.is_ascii_digit() {
            one(DIGITS)
        } else if b.is_ascii_lowercase() {
            one(LETTERS)
        } else if b.is_ascii_uppercase() {
            one(LETTERS) | one(UPPERS)
        } else {
            match b {
                b'.' => one(DOTS),
                b':' => one(COLONS),
                b'-' => one(DASHES),
                b'@' | b'%' => one(AT_PERCENT),
                b'_' => one(UNDERSCORES),
                _ => 0,
            }
        };
        c += 1;
    }
    t
};

/// High bit of each lane set where the 7-bit lane value is ≥ `k`.
#[inline(always)]
fn ge(v: u64, k: u8) -> u64 {
    v.wrapping_add(u64::from(0x80 - k) * L)
}

/// Gathers the high bit of each lane into an 8-bit mask (lane 0 → bit 0).
#[inline(always)]
fn movemask(m: u64) -> u64 {
    ((m >> 7).wrapping_mul(0x0102_0408_1020_4080)) >> 56
}

/// Bit maps (bit i = byte i) of the letters and of the letters and digits
/// among eight bytes. Letters are found case-folded (`| 0x20` maps `A–Z`
/// onto `a–z` and nothing else into that range), so one range test serves
/// both cases.
#[inline(always)]
fn maps(x: u64) -> (u64, u64) {
    let ascii = !x & H;
    let v = x & !H;
    let digit = ge(v, b'0') & !ge(v, b'9' + 1);
    let f = v | (0x20 * L);
    let letter = ge(f, b'a') & !ge(f, b'z' + 1) & ascii;
    (movemask(letter), movemask(letter | (digit & ascii)))
}

/// Whether a 64-bit map has a run of at least 14 ones.
#[inline(always)]
fn has_run_14(m: u64) -> bool {
    let r = m & (m >> 1);
    let r = r & (r >> 2);
    let r = r & (r >> 4);
    r & (r >> 6) != 0
}

/// Runs of 3 to 8 set bits in a 64-bit map.
fn runs_3_to_8(m: u64) -> u32 {
    let starts = m & !(m << 1);
    let ge3 = starts & (m >> 1) & (m >> 2);
    let r = m & (m >> 1);
    let r = r & (r >> 2);
    let r = r & (r >> 4);
    let ge9 = starts & (r >> 1);
    ge3.count_ones() - ge9.count_ones()
}

pub(super) struct Summary {
    counts: [u32; 8],
    /// Some run of 14+ ASCII letters and digits.
    pub long_run: bool,
    /// Letter map of a string of at most 64 bytes (words are counted from
    /// it on demand); `None` for longer strings.
    short_letters: Option<u64>,
    /// Alphanumeric map of a string of at most 64 bytes.
    short_alnum: Option<u64>,
}

impl Summary {
    pub(super) fn of(b: &[u8]) -> Summary {
        if b.len() <= 64 {
            Summary::short(b)
        } else {
            Summary::long(b)
        }
    }

    /// Strings of at most 64 bytes (every value the default policy lets
    /// through): one block, zero-padded so that every step works on whole
    /// eight-byte words (a zero byte belongs to no class), and only as many
    /// words as the string covers.
    fn short(b: &[u8]) -> Summary {
        let mut buf = [0u8; 64];
        buf[..b.len()].copy_from_slice(b);
        let words = b.len().div_ceil(8);
        let mut packed = 0u64;
        let mut letter_map = 0u64;
        let mut alnum_map = 0u64;
        for (j, chunk) in buf.chunks_exact(8).take(words).enumerate() {
            for &c in chunk {
                packed += PACK[usize::from(c)];
            }
            let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            let (letters, alnum) = maps(x);
            letter_map |= letters << (8 * j);
            alnum_map |= alnum << (8 * j);
        }
        let mut counts = [0u32; 8];
        for (lane, n) in counts.iter_mut().enumerate() {
            *n = ((packed >> (8 * lane)) & 0xff) as u32;
        }
        Summary {
            counts,
            long_run: has_run_14(alnum_map),
            short_letters: Some(letter_map),
            short_alnum: Some(alnum_map),
        }
    }

    /// Longer strings, block by block, with the runs carried across blocks.
    fn long(b: &[u8]) -> Summary {
        let mut counts = [0u32; 8];
        let mut long_run = false;
        // Length of the alphanumeric run at the end of the previous block.
        let mut carry = 0u32;
        for block in b.chunks(64) {
            let mut packed = 0u64;
            for &c in block {
                packed += PACK[usize::from(c)];
            }
            for (lane, n) in counts.iter_mut().enumerate() {
                *n += ((packed >> (8 * lane)) & 0xff) as u32;
            }
            let mut alnum_map = 0u64;
            let mut chunks = block.chunks_exact(8);
            let mut j = 0;
            for chunk in &mut chunks {
                let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                alnum_map |= maps(x).1 << (8 * j);
                j += 1;
            }
            let rest = chunks.remainder();
            if !rest.is_empty() {
                let mut lane = [0u8; 8];
                lane[..rest.len()].copy_from_slice(rest);
                alnum_map |= maps(u64::from_le_bytes(lane)).1 << (8 * j);
            }
            long_run |= has_run_14(alnum_map) || carry + alnum_map.trailing_ones() >= 14;
            carry = if alnum_map == u64::MAX {
                carry + 64
            } else {
                alnum_map.leading_ones()
            };
        }
        Summary {
            counts,
            long_run,
            short_letters: None,
            short_alnum: None,
        }
    }

    /// The runs of ASCII letters of `b` (the string summarised).
    pub(super) fn letter_runs<'a>(&self, b: &'a [u8]) -> Runs<'a, impl Fn(&u8) -> bool> {
        Runs::new(b, self.short_letters, |c: &u8| c.is_ascii_alphabetic())
    }

    /// The runs of ASCII letters and digits of `b` (the string summarised).
    pub(super) fn alnum_runs<'a>(&self, b: &'a [u8]) -> Runs<'a, impl Fn(&u8) -> bool> {
        Runs::new(b, self.short_alnum, |c: &u8| c.is_ascii_alphanumeric())
    }

    /// Whether a card number could be here: 12+ digits, and (for a string
    /// of at most 64 bytes) a stretch of 12+ bytes made of digits and
    /// single non-alphanumeric bytes between digits.
    pub(super) fn card_possible(&self) -> bool {
        if self.digits() < 12 {
            return false;
        }
        let (Some(a), Some(l)) = (self.short_alnum, self.short_letters) else {
            return true;
        };
        let d = a & !l;
        let j = d | (!a & (d << 1) & (d >> 1));
        let r = j & (j >> 1);
        let r4 = r & (r >> 2);
        let r8 = r4 & (r4 >> 4);
        r8 & (r4 >> 8) != 0
    }

    /// For a string of at most 64 bytes, the map of digits that no letter
    /// or digit precedes: where a card number can start.
    pub(super) fn card_starts(&self) -> Option<u64> {
        let (a, l) = (self.short_alnum?, self.short_letters?);
        Some(a & !l & !(a << 1))
    }

    /// Runs of 3 to 8 ASCII letters (the seed-phrase word candidates), or
    /// `u32::MAX` for a string longer than 64 bytes (not counted here).
    pub(super) fn words(&self) -> u32 {
        self.short_letters.map_or(u32::MAX, runs_3_to_8)
    }

    pub(super) fn at_or_percent(&self) -> bool {
        self.counts[AT_PERCENT as usize] > 0
    }

    pub(super) fn dash_or_underscore(&self) -> bool {
        self.counts[DASHES as usize] + self.counts[UNDERSCORES as usize] > 0
    }

    pub(super) fn upper(&self) -> bool {
        self.counts[UPPERS as usize] > 0
    }

    pub(super) fn digits(&self) -> u32 {
        self.counts[DIGITS as usize]
    }

    pub(super) fn dots(&self) -> u32 {
        self.counts[DOTS as usize]
    }

    pub(super) fn colons(&self) -> u32 {
        self.counts[COLONS as usize]
    }

    pub(super) fn dashes(&self) -> u32 {
        self.counts[DASHES as usize]
    }

    pub(super) fn letters(&self) -> u32 {
        self.counts[LETTERS as usize]
    }
}

/// Iterator over the maximal runs of a byte class, as (start, end): from
/// the bit map when the string fits one (a few instructions per run), byte
/// by byte otherwise.
pub(super) struct Runs<'a, C> {
    b: &'a [u8],
    map: Option<u64>,
    pos: usize,
    class: C,
}

impl<'a, C: Fn(&u8) -> bool> Runs<'a, C> {
    fn new(b: &'a [u8], map: Option<u64>, class: C) -> Runs<'a, C> {
        Runs {
            b,
            map,
            pos: 0,
            class,
        }
    }
}

impl<C: Fn(&u8) -> bool> Iterator for Runs<'_, C> {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        if let Some(m) = &mut self.map {
            if *m == 0 {
                return None;
            }
            let start = m.trailing_zeros() as usize;
            let len = (*m >> start).trailing_ones() as usize;
            *m &= if start + len >= 64 {
                0
            } else {
                !0u64 << (start + len)
            };
            return Some((start, start + len));
        }
        let b = self.b;
        let start = self.pos + b[self.pos..].iter().position(&self.class)?;
        let end = start
            + b[start..]
                .iter()
                .position(|c| !(self.class)(c))
                .unwrap_or(b.len() - start);
        self.pos = end;
        Some((start, end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Byte-at-a-time reference for every field.
    fn reference(b: &[u8]) -> (bool, bool, bool, [u32; 5], bool, u32) {
        let count = |f: &dyn Fn(u8) -> bool| b.iter().filter(|&&c| f(c)).count() as u32;
        let (mut run, mut longest, mut lrun, mut words) = (0u32, 0u32, 0u32, 0u32);
        for &c in b {
            run = if c.is_ascii_alphanumeric() {
                run + 1
            } else {
                0
            };
            longest = longest.max(run);
            if c.is_ascii_alphabetic() {
                lrun += 1;
            } else {
                words += u32::from((3..=8).contains(&lrun));
                lrun = 0;
            }
        }
        words += u32::from((3..=8).contains(&lrun));
        (
            b.contains(&b'@') || b.contains(&b'%'),
            b.iter().any(|&c| c == b'-' || c == b'_'),
            b.iter().any(u8::is_ascii_uppercase),
            [
                count(&|c| c.is_ascii_digit()),
                count(&|c| c == b'.'),
                count(&|c| c == b':'),
                count(&|c| c == b'-'),
                count(&|c| c.is_ascii_alphabetic()),
            ],
            longest >= 14,
            if b.len() <= 64 { words } else { u32::MAX },
        )
    }

    fn check(b: &[u8]) {
        let s = Summary::of(b);
        let mut byte_runs = Runs::new(b, None, |c: &u8| c.is_ascii_alphanumeric());
        assert!(s.alnum_runs(b).eq(&mut byte_runs));
        let mut byte_runs = Runs::new(b, None, |c: &u8| c.is_ascii_alphabetic());
        assert!(s.letter_runs(b).eq(&mut byte_runs));
        let got = (
            s.at_or_percent(),
            s.dash_or_underscore(),
            s.upper(),
            [s.digits(), s.dots(), s.colons(), s.dashes(), s.letters()],
            s.long_run,
            s.words(),
        );
        assert_eq!(got, reference(b), "{:?}", String::from_utf8_lossy(b));
    }

    #[test]
    fn card_gate_keeps_every_card_layout() {
        for s in [
            "4111 1111 1111 1111",
            "4111-1111-1111-1111 12/27",
            "x 378282246310005.",
            "501812345678",
            "card:4111111111111111;",
        ] {
            assert!(Summary::of(s.as_bytes()).card_possible(), "{s}");
        }
        for s in [
            "build 2026 11 22 step 42 of 100 x",
            "a1b2c3d4e5f6g7h8i9j0k1l2m3",
        ] {
            assert!(!Summary::of(s.as_bytes()).card_possible(), "{s}");
        }
    }

    #[test]
    fn matches_the_byte_at_a_time_reference() {
        check(b"ab1@x.y:z:: -- abandon ability 12345678901234x");
        check(b"abcdefghi");
        check(b"abc");
        check("über-ëxample µ 12:34 ÀÉ".as_bytes());
        // Random strings over an alphabet that hits every class and lane
        // boundary, of every length up to three blocks.
        let alphabet = b"aZ9@%-_.: \x7f\x80\xff/Az0";
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for len in 0..200 {
            for _ in 0..20 {
                let s: Vec<u8> = (0..len)
                    .map(|_| {
                        x ^= x << 13;
                        x ^= x >> 7;
                        x ^= x << 17;
                        alphabet[(x % alphabet.len() as u64) as usize]
                    })
                    .collect();
                check(&s);
            }
        }
        // Long runs across block boundaries.
        for at in 50..70 {
            let mut s = vec![b' '; 140];
            s[at..at + 14].fill(b'k');
            check(&s);
        }
    }
}
