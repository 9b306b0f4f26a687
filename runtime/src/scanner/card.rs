//! Payment card numbers: a run of digits (optionally grouped by single
//! spaces or dashes) with a known issuer prefix, a length that issuer uses,
//! and a valid Luhn check digit. Grouped runs are also tried group by group,
//! so a number followed by its expiry or CVV is still found.

/// Issuer identification ranges: (low, high) over the first `digits`
/// digits, with the lengths that issuer uses. Published IIN tables (ISO/IEC
/// 7812 registrations as listed by the schemes).
struct Range {
    digits: u32,
    low: u32,
    high: u32,
    min_len: usize,
    max_len: usize,
}

const fn r(digits: u32, low: u32, high: u32, min_len: usize, max_len: usize) -> Range {
    Range {
        digits,
        low,
        high,
        min_len,
        max_len,
    }
}

const RANGES: &[Range] = &[
    r(1, 4, 4, 13, 13),          // Visa (old 13-digit)
    r(1, 4, 4, 16, 16),          // Visa
    r(1, 4, 4, 19, 19),          // Visa
    r(2, 51, 55, 16, 16),        // Mastercard
    r(4, 2221, 2720, 16, 16),    // Mastercard 2-series
    r(2, 34, 34, 15, 15),        // American Express
    r(2, 37, 37, 15, 15),        // American Express
    r(4, 6011, 6011, 16, 19),    // Discover
    r(3, 644, 649, 16, 19),      // Discover
    r(2, 65, 65, 16, 19),        // Discover, RuPay
    r(4, 3528, 3589, 16, 19),    // JCB
    r(4, 2131, 2131, 15, 15),    // JCB (legacy)
    r(4, 1800, 1800, 15, 15),    // JCB (legacy)
    r(3, 300, 305, 14, 19),      // Diners Club
    r(4, 3095, 3095, 14, 19),    // Diners Club
    r(2, 36, 36, 14, 19),        // Diners Club International
    r(2, 38, 39, 16, 19),        // Diners Club
    r(2, 62, 62, 16, 19),        // UnionPay
    r(2, 81, 81, 16, 19),        // UnionPay (8100-8171), RuPay
    r(4, 2200, 2204, 16, 19),    // Mir
    r(4, 5018, 5018, 12, 19),    // Maestro
    r(4, 5020, 5020, 12, 19),    // Maestro
    r(4, 5038, 5038, 12, 19),    // Maestro
    r(4, 5893, 5893, 12, 19),    // Maestro
    r(4, 6304, 6304, 12, 19),    // Maestro, Laser
    r(4, 6759, 6759, 12, 19),    // Maestro UK
    r(4, 6761, 6763, 12, 19),    // Maestro
    r(2, 56, 58, 12, 19),        // Maestro
    r(2, 60, 60, 16, 19),        // RuPay
    r(3, 508, 508, 16, 19),      // RuPay
    r(3, 636, 639, 16, 19),      // InterPayment, InstaPayment
    r(4, 6706, 6709, 16, 19),    // Laser
    r(4, 9792, 9792, 16, 16),    // Troy
    r(6, 506099, 506198, 16, 19), // Verve
    r(6, 650002, 650027, 16, 19), // Verve
];

/// Whether `d` (digits, most significant first) is a card number: an
/// issuer range of that length, a valid check digit, and not an amount.
pub(super) fn is_card(d: &[u8]) -> bool {
    issuer(d) && luhn(d) && !round(d)
}

fn issuer(d: &[u8]) -> bool {
    RANGES.iter().any(|r| {
        (r.min_len..=r.max_len).contains(&d.len()) && {
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
        if !b[i].is_ascii_digit() || (i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.')) {
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
            if bounded && (12..=19).contains(&n) && is_card(&digits[..n]) {
                return true;
            }
            let mut from = 0usize;
            for g0 in 0..groups {
                for g1 in g0..groups {
                    let to = group_ends[g1];
                    let last_group = g1 + 1 == groups;
                    if (12..=19).contains(&(to - from))
                        && !(last_group && g0 == 0)
                        && (!last_group || bounded)
                        && is_card(&digits[from..to])
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
        assert!(is_card(&digits("4111111111111111")));
        assert!(is_card(&digits("378282246310005")));
        assert!(is_card(&digits("5500000000000004")));
        // Valid Luhn, no issuer with that prefix and length.
        assert!(!is_card(&digits("1234567812345670")));
        assert!(!is_card(&digits("378282246310005000")));
        // Round amount.
        assert!(!is_card(&digits("4000000000000000000")));
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
