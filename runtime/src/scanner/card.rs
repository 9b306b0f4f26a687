//! Payment card numbers: a run of digits (optionally grouped by single
//! spaces or dashes) with a known issuer prefix, a length that issuer uses,
//! and a valid Luhn check digit. Grouped runs are also tried group by group,
//! so a number followed by its expiry or CVV is still found.

/// Issuer identification ranges: (low, high) over the first `digits`
/// digits, with the lengths that issuer's cards have in practice (bit `n`
/// set for length `n`). From the schemes' published IIN tables. Lengths a
/// scheme allows but hardly issues (17 and 18 digits outside Maestro, Diners
/// and JCB beyond 16) are left out: they are where 64-bit ids and token
/// amounts live. For the same reason a 19-digit number written as one
/// unbroken run counts only for the schemes that really issue 19-digit cards
/// in numbers (UnionPay 62, Maestro); the others need it grouped
/// (`4123 4567 8901 2345 678`).
struct Range {
    digits: u32,
    low: u32,
    high: u32,
    lengths: u32,
    unbroken19: bool,
}

const fn lens(list: &[usize]) -> u32 {
    let mut m = 0;
    let mut i = 0;
    while i < list.len() {
        m |= 1 << list[i];
        i += 1;
    }
    m
}

const fn r(digits: u32, low: u32, high: u32, lengths: u32) -> Range {
    Range {
        digits,
        low,
        high,
        lengths,
        unbroken19: false,
    }
}

const fn r19(digits: u32, low: u32, high: u32, lengths: u32) -> Range {
    Range {
        digits,
        low,
        high,
        lengths,
        unbroken19: true,
    }
}

const MAESTRO: u32 = lens(&[12, 13, 14, 15, 16, 17, 18, 19]);

/// In the order of the schemes' tables; [`RANGES`] holds them sorted.
const RANGES_SRC: &[Range] = &[
    r(1, 4, 4, lens(&[13, 16, 19])),         // Visa
    r(2, 51, 55, lens(&[16])),               // Mastercard
    r(4, 2221, 2720, lens(&[16])),           // Mastercard 2-series
    r(2, 34, 34, lens(&[15])),               // American Express
    r(2, 37, 37, lens(&[15])),               // American Express
    r(4, 6011, 6011, lens(&[16, 19])),       // Discover
    r(3, 644, 649, lens(&[16, 19])),         // Discover
    r(2, 65, 65, lens(&[16, 19])),           // Discover, RuPay
    r(4, 3528, 3589, lens(&[16])),           // JCB
    r(4, 2131, 2131, lens(&[15])),           // JCB (legacy)
    r(4, 1800, 1800, lens(&[15])),           // JCB (legacy)
    r(3, 300, 305, lens(&[14, 16])),         // Diners Club
    r(4, 3095, 3095, lens(&[14, 16])),       // Diners Club
    r(2, 36, 36, lens(&[14])),               // Diners Club International
    r(2, 38, 39, lens(&[16])),               // Diners Club
    r19(2, 62, 62, lens(&[16, 19])),         // UnionPay
    r(4, 8100, 8171, lens(&[16, 19])),       // UnionPay
    r(4, 2200, 2204, lens(&[16, 19])),       // Mir
    r19(4, 5018, 5018, MAESTRO),             // Maestro
    r19(4, 5020, 5020, MAESTRO),             // Maestro
    r19(4, 5038, 5038, MAESTRO),             // Maestro
    r19(4, 5893, 5893, MAESTRO),             // Maestro
    r19(4, 6304, 6304, MAESTRO),             // Maestro, Laser
    r19(4, 6759, 6759, MAESTRO),             // Maestro UK
    r19(4, 6761, 6763, MAESTRO),             // Maestro
    r(2, 60, 60, lens(&[16])),               // RuPay
    r(3, 508, 508, lens(&[16])),             // RuPay
    r(3, 636, 639, lens(&[16])),             // InterPayment, InstaPayment
    r(4, 6706, 6709, lens(&[16, 19])),       // Laser
    r(4, 9792, 9792, lens(&[16])),           // Troy
    r(6, 506_099, 506_198, lens(&[16, 19])), // Verve
    r(6, 650_002, 650_027, lens(&[16, 19])), // Verve
];

/// Whether `d` (digits, most significant first) is a card number: an
/// issuer range of that length, a valid check digit, and not an amount.
/// `grouped`: the digits were written in more than one group.
#[cfg(test)]
fn is_card(d: &[u8], grouped: bool) -> bool {
    let (lengths, unbroken19) = issuer_lengths(d);
    allowed(lengths, unbroken19, d.len(), grouped) && luhn(d) && !round(d)
}

/// The card lengths the issuers of a number starting with `d` issue (bit
/// `n` for length `n`), and those of them that may be written unbroken at
/// 19 digits.
fn issuer_lengths(d: &[u8]) -> (u32, u32) {
    let (mut lengths, mut unbroken19) = (0u32, 0u32);
    if d.len() < 2 {
        return (0, 0);
    }
    let (lo, hi) = BY_TWO[usize::from(d[0] * 10 + d[1])];
    for r in &RANGES[usize::from(lo)..usize::from(hi)] {
        let n = r.digits as usize;
        if d.len() < n {
            continue;
        }
        let p = d[..n].iter().fold(0u32, |a, &x| a * 10 + u32::from(x));
        if (r.low..=r.high).contains(&p) {
            lengths |= r.lengths;
            if r.unbroken19 {
                unbroken19 |= r.lengths;
            }
        }
    }
    (lengths, unbroken19)
}

/// Whether an issuer issues `len` digits, and (at 19 digits) whether the
/// way the number was written counts.
fn allowed(lengths: u32, unbroken19: u32, len: usize, grouped: bool) -> bool {
    let bit = 1u32 << len;
    lengths & bit != 0 && (len < 19 || grouped || unbroken19 & bit != 0)
}

/// The two leading digits a range covers: a one-digit range (`4`) covers
/// ten pairs, a four-digit range (`2221–2720`) several.
const fn two_digit_span(r: &Range) -> (u32, u32) {
    if r.digits == 1 {
        (r.low * 10, r.high * 10 + 9)
    } else {
        let mut div = 1;
        let mut k = 2;
        while k < r.digits {
            div *= 10;
            k += 1;
        }
        (r.low / div, r.high / div)
    }
}

/// Number of (two leading digits, range) pairs.
const PAIRS: usize = {
    let mut n = 0;
    let mut i = 0;
    while i < RANGES_SRC.len() {
        let (a, b) = two_digit_span(&RANGES_SRC[i]);
        n += (b - a + 1) as usize;
        i += 1;
    }
    n
};

/// The ranges once per pair of leading digits they cover, sorted by that
/// pair, so that a number's issuers are one lookup in [`BY_TWO`] and a
/// check of one to three ranges.
static RANGES: [Range; PAIRS] = {
    let mut t = [const { r(0, 0, 0, 0) }; PAIRS];
    let mut n = 0;
    let mut two = 0;
    while two < 100 {
        let mut i = 0;
        while i < RANGES_SRC.len() {
            let (a, b) = two_digit_span(&RANGES_SRC[i]);
            if a <= two && two <= b {
                let s = &RANGES_SRC[i];
                t[n] = Range {
                    digits: s.digits,
                    low: s.low,
                    high: s.high,
                    lengths: s.lengths,
                    unbroken19: s.unbroken19,
                };
                n += 1;
            }
            i += 1;
        }
        two += 1;
    }
    t
};

/// For each pair of leading digits, its slice of [`RANGES`].
static BY_TWO: [(u8, u8); 100] = {
    let mut t = [(0u8, 0u8); 100];
    let mut two = 0;
    let mut k = 0;
    while two < 100 {
        let start = k;
        let mut i = 0;
        while i < RANGES_SRC.len() {
            let (a, b) = two_digit_span(&RANGES_SRC[i]);
            if a <= two && two <= b {
                k += 1;
            }
            i += 1;
        }
        t[two as usize] = (start as u8, k as u8);
        two += 1;
    }
    t
};

/// Token amounts in base units (wei, satoshi) end in long runs of zeros; a
/// card number ending in six zeros is one in a million.
fn round(d: &[u8]) -> bool {
    d.len() >= 6 && d[d.len() - 6..].iter().all(|&x| x == 0)
}

/// Luhn term of digit `x` when it is doubled.
const fn doubled(x: u8) -> u16 {
    let y = x as u16 * 2;
    if y > 9 {
        y - 9
    } else {
        y
    }
}

#[cfg(test)]
fn luhn(d: &[u8]) -> bool {
    let sum: u16 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| if k % 2 == 1 { doubled(x) } else { u16::from(x) })
        .sum();
    sum.is_multiple_of(10)
}

/// Longest digit run looked at: a card and its expiry and CVV fit easily.
const MAX_RUN: usize = 40;
/// Most groups in one run (`4111 1111 1111 1111 12 27 123`).
const MAX_GROUPS: usize = 12;

/// The digits of one run, with the Luhn sums of every prefix for both
/// parities: any span of whole groups is then checked in O(1), instead of
/// summing each of the up to 78 spans of a run of 12 groups.
struct Run {
    digits: [u8; MAX_RUN],
    /// `even[k]`: Luhn terms of digits `..k` doubling those at odd indexes;
    /// `odd[k]`: doubling those at even indexes.
    even: [u16; MAX_RUN + 1],
    odd: [u16; MAX_RUN + 1],
}

impl Run {
    /// Whether digits `from..to` are a card. The check digit is the last;
    /// the digits doubled are those an odd distance before it.
    fn card(&self, from: usize, to: usize, grouped: bool, issuers: (u32, u32)) -> bool {
        let len = to - from;
        if !(12..=19).contains(&len) || !allowed(issuers.0, issuers.1, len, grouped) {
            return false;
        }
        let sums = if (to - 1).is_multiple_of(2) {
            &self.even
        } else {
            &self.odd
        };
        (sums[to] - sums[from]).is_multiple_of(10) && !round(&self.digits[from..to])
    }
}

/// Whether `b` holds a card number. `digit_starts`: for a string of at
/// most 64 bytes, the map of digits not preceded by a letter or digit (from
/// the summary), so that only run starts are visited; `None` for longer
/// strings, which are walked byte by byte.
pub(super) fn scan(b: &[u8], digit_starts: Option<u64>) -> bool {
    let mut run = Run {
        digits: [0; MAX_RUN],
        even: [0; MAX_RUN + 1],
        odd: [0; MAX_RUN + 1],
    };
    let mut starts = digit_starts.unwrap_or(0);
    let mut i = 0;
    loop {
        if digit_starts.is_some() {
            if starts == 0 {
                return false;
            }
            i = starts.trailing_zeros() as usize;
            starts &= starts - 1;
            if i > 0 && b[i - 1] == b'.' {
                continue;
            }
        } else {
            let Some(p) = b[i..].iter().position(u8::is_ascii_digit) else {
                return false;
            };
            i += p;
            if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.') {
                i += b[i..]
                    .iter()
                    .position(|c| !c.is_ascii_digit())
                    .unwrap_or(b.len() - i);
                continue;
            }
        }
        let (end, found) = run_at(b, i, &mut run);
        if found {
            return true;
        }
        // Groups of the run just read start no new run.
        if digit_starts.is_some() {
            starts &= if end >= 64 { 0 } else { !0u64 << end };
        }
        i = end.max(i + 1);
    }
}

/// Reads the run of digit groups starting at `i`; returns where it ends and
/// whether it holds a card.
fn run_at(b: &[u8], i: usize, run: &mut Run) -> (usize, bool) {
    // Collect the run's digits and where each group ends.
    let mut n = 0usize;
    let mut group_ends = [0usize; MAX_GROUPS];
    let mut groups = 0usize;
    let mut end = i;
    while end < b.len() {
        let c = b[end];
        if c.is_ascii_digit() {
            if n < MAX_RUN {
                run.digits[n] = c - b'0';
            }
            n += 1;
            end += 1;
        } else if (c == b' ' || c == b'-')
            && end + 1 < b.len()
            && b[end + 1].is_ascii_digit()
            && groups < MAX_GROUPS - 1
        {
            group_ends[groups] = n;
            groups += 1;
            end += 1;
        } else {
            break;
        }
    }
    group_ends[groups] = n;
    groups += 1;
    if !(12..=MAX_RUN).contains(&n) {
        return (end, false);
    }
    // A decimal number or a word goes on after the run.
    let bounded = end == b.len()
        || !(b[end].is_ascii_alphanumeric()
            || b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit());
    // Issuers depend on a span's start only: found once per group start,
    // and the Luhn sums are built only when some start has an issuer
    // (most digit runs — ids, amounts, timestamps — have none).
    let mut issuers = [(0u32, 0u32); MAX_GROUPS];
    let mut any = false;
    let mut from = 0;
    for (g, slot) in issuers.iter_mut().enumerate().take(groups) {
        *slot = issuer_lengths(&run.digits[from..n]);
        any |= slot.0 != 0;
        from = group_ends[g];
    }
    if !any {
        return (end, false);
    }
    for k in 0..n {
        let x = run.digits[k];
        let (e, o) = if k.is_multiple_of(2) {
            (u16::from(x), doubled(x))
        } else {
            (doubled(x), u16::from(x))
        };
        run.even[k + 1] = run.even[k] + e;
        run.odd[k + 1] = run.odd[k] + o;
    }
    // Whole run first (only when nothing word-like follows), then every
    // span of whole groups: the card may be followed by its expiry or CVV,
    // or preceded by another number.
    if bounded && run.card(0, n, groups > 1, issuers[0]) {
        return (end, true);
    }
    let mut from = 0usize;
    for g0 in 0..groups {
        if issuers[g0].0 != 0 {
            // Spans from this group of 12 to 19 digits only.
            for (g1, &to) in group_ends[..groups].iter().enumerate().skip(g0) {
                if to - from > 19 {
                    break;
                }
                let last_group = g1 + 1 == groups;
                // A span reaching the run's end is the whole run (done
                // above) or needs the run to be bounded.
                if (!last_group || (g0 != 0 && bounded)) && run.card(from, to, g1 > g0, issuers[g0])
                {
                    return (end, true);
                }
            }
        }
        from = group_ends[g0];
    }
    (end, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(s: &str) -> Vec<u8> {
        s.bytes().map(|c| c - b'0').collect()
    }

    #[test]
    fn luhn_basics() {
        assert!(luhn(&digits("4111111111111111")));
        assert!(!luhn(&digits("4111111111111112")));
    }

    #[test]
    fn issuers_lengths_and_amounts() {
        assert!(is_card(&digits("4111111111111111"), false));
        assert!(is_card(&digits("378282246310005"), false));
        assert!(is_card(&digits("5500000000000004"), false));
        // Valid Luhn, no issuer with that prefix and length.
        assert!(!is_card(&digits("1234567812345670"), false));
        assert!(!is_card(&digits("378282246310005000"), true));
        // Round amount.
        assert!(!is_card(&digits("4000000000000000000"), true));
        // 19-digit Visa: only when grouped; UnionPay 62 either way.
        assert!(!is_card(&digits("4111111111111111110"), false));
        assert!(is_card(&digits("4111111111111111110"), true));
        assert!(is_card(&digits("6212345678901234569"), false));
    }

    /// The table by leading pair gives what a walk over every range gives.
    #[test]
    fn issuer_table_matches_the_ranges() {
        for p in 0..1_000_000u32 {
            let d: Vec<u8> = format!("{p:06}").bytes().map(|c| c - b'0').collect();
            let (mut lengths, mut unbroken19) = (0u32, 0u32);
            for r in RANGES_SRC {
                let v = d[..r.digits as usize]
                    .iter()
                    .fold(0u32, |a, &x| a * 10 + u32::from(x));
                if (r.low..=r.high).contains(&v) {
                    lengths |= r.lengths;
                    if r.unbroken19 {
                        unbroken19 |= r.lengths;
                    }
                }
            }
            assert_eq!(issuer_lengths(&d), (lengths, unbroken19), "{p:06}");
        }
    }

    #[test]
    fn grouped_with_expiry_and_cvv() {
        let scan = |s: &[u8]| {
            let short = super::super::summary::Summary::of(s).card_starts();
            let long = scan(s, None);
            assert_eq!(scan(s, short), long, "{}", String::from_utf8_lossy(s));
            long
        };
        assert!(scan(b"4111 1111 1111 1111 12/27 123"));
        assert!(scan(b"4111 1111 1111 1111 1227 123"));
        assert!(scan(b"4111-1111-1111-1111-123"));
        assert!(scan(b"order 12 4111 1111 1111 1111"));
        assert!(scan(b"4111111111111111 0827 737"));
        assert!(!scan(b"4111 1111 1111 1112 1227 123"));
        assert!(!scan(b"3.4111111111111111"));
    }
}
