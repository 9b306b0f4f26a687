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

const RANGES: &[Range] = &[
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
pub(super) fn is_card(d: &[u8], grouped: bool) -> bool {
    issuer(d, grouped) && luhn(d) && !round(d)
}

fn issuer(d: &[u8], grouped: bool) -> bool {
    RANGES.iter().any(|r| {
        r.lengths & (1 << d.len()) != 0 && (d.len() < 19 || grouped || r.unbroken19) && {
            let p = d[..r.digits as usize]
                .iter()
                .fold(0u32, |a, &x| a * 10 + u32::from(x));
            (r.low..=r.high).contains(&p)
        }
    })
}

/// Token amounts in base units (wei, satoshi) end in long runs of zeros; a
/// card number ending in six zeros is one in a million.
fn round(d: &[u8]) -> bool {
    d.iter().rev().take_while(|&&x| x == 0).count() >= 6
}

pub(super) fn luhn(d: &[u8]) -> bool {
    let sum: u32 = d
        .iter()
        .rev()
        .enumerate()
        .map(|(k, &x)| {
            let x = u32::from(x);
            if k % 2 == 1 {
                let y = x * 2;
                if y > 9 {
                    y - 9
                } else {
                    y
                }
            } else {
                x
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Longest digit run looked at: a card and its expiry and CVV fit easily.
const MAX_RUN: usize = 40;
/// Most groups in one run (`4111 1111 1111 1111 12 27 123`).
const MAX_GROUPS: usize = 12;

/// Whether `b` holds a card number.
pub(super) fn scan(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit()
            || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            i += 1;
            continue;
        }
        // Collect the run's digits and where each group ends.
        let mut digits = [0u8; MAX_RUN];
        let mut n = 0usize;
        let mut group_ends = [0usize; MAX_GROUPS];
        let mut groups = 0usize;
        let mut end = i;
        while end < b.len() {
            let c = b[end];
            if c.is_ascii_digit() {
                if n < MAX_RUN {
                    digits[n] = c - b'0';
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
        // A decimal number or a word goes on after the run.
        let bounded = end == b.len()
            || !(b[end].is_ascii_alphanumeric()
                || b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit());
        if n <= MAX_RUN {
            // Whole run first (only when nothing word-like follows), then
            // every span of whole groups: the card may be followed by its
            // expiry or CVV, or preceded by another number.
            if bounded && (12..=19).contains(&n) && is_card(&digits[..n], groups > 1) {
                return true;
            }
            let mut from = 0usize;
            for g0 in 0..groups {
                for (g1, &to) in group_ends[..groups].iter().enumerate().skip(g0) {
                    let last_group = g1 + 1 == groups;
                    if (12..=19).contains(&(to - from))
                        && !(last_group && g0 == 0)
                        && (!last_group || bounded)
                        && is_card(&digits[from..to], g1 > g0)
                    {
                        return true;
                    }
                }
                from = group_ends[g0];
            }
        }
        i = end.max(i + 1);
    }
    false
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

    #[test]
    fn grouped_with_expiry_and_cvv() {
        assert!(scan(b"4111 1111 1111 1111 12/27 123"));
        assert!(scan(b"4111 1111 1111 1111 1227 123"));
        assert!(scan(b"4111-1111-1111-1111-123"));
        assert!(scan(b"order 12 4111 1111 1111 1111"));
        assert!(scan(b"4111111111111111 0827 737"));
        assert!(!scan(b"4111 1111 1111 1112 1227 123"));
        assert!(!scan(b"3.4111111111111111"));
    }
}
