//! Defence-in-depth secret scanner run over every string value before an
//! event is queued.
//!
//! Schemas already forbid free text where it is not needed; this catches the
//! mistakes that slip through (a wallet address pasted into a "label", an
//! e-mail in an error message). It is a set of small hand-written scanners,
//! each gated by a cheap pre-check, rather than one large regex, so a typical
//! short value costs a single pass over its bytes. Matches never expose the
//! value: only the [`SecretKind`] is reported.

use std::net::Ipv6Addr;
use std::str::FromStr;

/// The kind of personal or secret data the scanner recognised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SecretKind {
    /// `local@domain.tld`.
    Email,
    /// Dotted-quad IPv4 address.
    Ipv4,
    /// IPv6 address with at least three groups.
    Ipv6,
    /// `0x` followed by 40 hex digits.
    EthereumAddress,
    /// Base58 (P2PKH/P2SH shape) or bech32-checksummed `bc1` address.
    BitcoinAddress,
    /// Twelve or more consecutive BIP-39 English words.
    SeedPhrase,
    /// 64 hex digits (optionally `0x`-prefixed): a raw private key shape.
    PrivateKey,
    /// `eyJ….eyJ….…` JSON Web Token.
    Jwt,
    /// 13–19 digits (spaces/dashes allowed) passing the Luhn check.
    CardNumber,
}

impl SecretKind {
    /// Stable name used in counters and error messages.
    pub const fn as_str(self) -> &'static str {
        match self {
            SecretKind::Email => "email",
            SecretKind::Ipv4 => "ipv4",
            SecretKind::Ipv6 => "ipv6",
            SecretKind::EthereumAddress => "ethereum_address",
            SecretKind::BitcoinAddress => "bitcoin_address",
            SecretKind::SeedPhrase => "seed_phrase",
            SecretKind::PrivateKey => "private_key",
            SecretKind::Jwt => "jwt",
            SecretKind::CardNumber => "card_number",
        }
    }
}

/// Minimum run of BIP-39 words treated as a seed phrase (the shortest
/// standard mnemonic has 12 words).
const SEED_MIN_WORDS: usize = 12;

/// Returns the first kind of secret found in `s`, if any.
pub fn scan(s: &str) -> Option<SecretKind> {
    let b = s.as_bytes();
    // Most telemetry strings are short identifiers; nothing below can match
    // fewer than 7 bytes (shortest: "a@b.cd", "1.2.3.4").
    if b.len() < 6 {
        return None;
    }
    let mut has_at = false;
    let mut has_dot = false;
    let mut has_colon = false;
    let mut digits = 0usize;
    let mut run = 0usize;
    let mut longest_run = 0usize;
    for &c in b {
        match c {
            b'@' => has_at = true,
            b'.' => has_dot = true,
            b':' => has_colon = true,
            b'0'..=b'9' => digits += 1,
            _ => {}
        }
        run = if is_alnum(c) { run + 1 } else { 0 };
        longest_run = longest_run.max(run);
    }
    if has_at && has_dot && email(b) {
        return Some(SecretKind::Email);
    }
    if has_dot && digits >= 4 && ipv4(b) {
        return Some(SecretKind::Ipv4);
    }
    if has_colon && ipv6(s) {
        return Some(SecretKind::Ipv6);
    }
    if has_dot && jwt(b) {
        return Some(SecretKind::Jwt);
    }
    if digits >= 13 && card(b) {
        return Some(SecretKind::CardNumber);
    }
    // Word-level secrets need a long word (addresses and keys have 14+
    // alphanumerics) or room for 12 words of 3+ letters.
    if longest_run >= 14 || b.len() >= SEED_MIN_WORDS * 4 - 1 {
        return words(s);
    }
    None
}

fn is_alnum(c: u8) -> bool {
    c.is_ascii_alphanumeric()
}

fn email(b: &[u8]) -> bool {
    let local_ok = |c: u8| is_alnum(c) || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-');
    for (at, _) in b.iter().enumerate().filter(|(_, &c)| c == b'@') {
        if at == 0 || !local_ok(b[at - 1]) {
            continue;
        }
        let rest = &b[at + 1..];
        let end = rest
            .iter()
            .position(|&c| !(is_alnum(c) || c == b'.' || c == b'-'))
            .unwrap_or(rest.len());
        let domain = rest[..end].strip_suffix(b".").unwrap_or(&rest[..end]);
        let Some(last_dot) = domain.iter().rposition(|&c| c == b'.') else {
            continue;
        };
        let tld = &domain[last_dot + 1..];
        let labels_ok = domain.split(|&c| c == b'.').all(|l| !l.is_empty());
        if labels_ok && tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic) {
            return true;
        }
    }
    false
}

fn ipv4(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let mut run = &b[start..i];
        // A sentence may end right after an address.
        if run.last() == Some(&b'.') {
            run = &run[..run.len() - 1];
        }
        let followed_by_word = i < b.len() && is_alnum(b[i]);
        if !followed_by_word && octets(run) {
            return true;
        }
    }
    false
}

fn octets(run: &[u8]) -> bool {
    let mut n = 0;
    for part in run.split(|&c| c == b'.') {
        n += 1;
        if n > 4 || part.is_empty() || part.len() > 3 {
            return false;
        }
        let v = part.iter().fold(0u32, |a, &d| a * 10 + u32::from(d - b'0'));
        if v > 255 {
            return false;
        }
    }
    n == 4
}

fn ipv6(s: &str) -> bool {
    let b = s.as_bytes();
    let cand = |c: u8| c.is_ascii_hexdigit() || c == b':' || c == b'.';
    let mut i = 0;
    while i < b.len() {
        if !cand(b[i]) || (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == b':')) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && cand(b[i]) {
            i += 1;
        }
        if i < b.len() && is_alnum(b[i]) {
            continue;
        }
        let run = s[start..i].trim_end_matches('.');
        let groups = run.split(':').filter(|g| !g.is_empty()).count();
        if run.bytes().filter(|&c| c == b':').count() >= 2
            && groups >= 3
            && Ipv6Addr::from_str(run).is_ok()
        {
            return true;
        }
    }
    false
}

fn jwt(b: &[u8]) -> bool {
    let seg = |c: u8| is_alnum(c) || c == b'-' || c == b'_';
    let mut from = 0;
    while let Some(p) = find(&b[from..], b"eyJ") {
        let start = from + p;
        from = start + 3;
        if start > 0 && seg(b[start - 1]) {
            continue;
        }
        let mut i = start;
        let mut ok = true;
        for part in 0..3 {
            let s = i;
            while i < b.len() && seg(b[i]) {
                i += 1;
            }
            // Header and payload are base64url JSON objects ("eyJ" = `{"`);
            // the signature may be empty for unsigned tokens.
            let len_ok = part == 2 || (i - s >= 10 && b[s..].starts_with(b"eyJ"));
            if !len_ok {
                ok = false;
                break;
            }
            if part < 2 {
                if i < b.len() && b[i] == b'.' {
                    i += 1;
                } else {
                    ok = false;
                    break;
                }
            }
        }
        if ok {
            return true;
        }
    }
    false
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn card(b: &[u8]) -> bool {
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && (is_alnum(b[i - 1]) || b[i - 1] == b'.')) {
            i += 1;
            continue;
        }
        let mut digits = [0u8; 19];
        let mut n = 0usize;
        let mut too_long = false;
        let mut end = i;
        while end < b.len() {
            let c = b[end];
            if c.is_ascii_digit() {
                if n < 19 {
                    digits[n] = c - b'0';
                } else {
                    too_long = true;
                }
                n += 1;
                end += 1;
            } else if (c == b' ' || c == b'-')
                && end + 1 < b.len()
                && b[end + 1].is_ascii_digit()
                && b[end - 1].is_ascii_digit()
            {
                end += 1;
            } else {
                break;
            }
        }
        let bounded = end == b.len()
            || !(is_alnum(b[end])
                || b[end] == b'.' && end + 1 < b.len() && b[end + 1].is_ascii_digit());
        if !too_long && (13..=19).contains(&n) && bounded && luhn(&digits[..n]) {
            return true;
        }
        i = end.max(i + 1);
    }
    false
}

fn luhn(d: &[u8]) -> bool {
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
    // All-zero runs are padding, not card numbers.
    sum.is_multiple_of(10) && d.iter().any(|&x| x != 0)
}

/// Scans alphanumeric words: hex keys, wallet addresses and seed phrases.
fn words(s: &str) -> Option<SecretKind> {
    let b = s.as_bytes();
    let mut seed_run = 0usize;
    let mut i = 0;
    while i < b.len() {
        if !is_alnum(b[i]) {
            // Seed phrases are separated by whitespace only; punctuation ends a run.
            if !b[i].is_ascii_whitespace() {
                seed_run = 0;
            }
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_alnum(b[i]) {
            i += 1;
        }
        let w = &b[start..i];
        if let Some(kind) = word_kind(w) {
            return Some(kind);
        }
        if w.iter().all(u8::is_ascii_lowercase) && crate::bip39::contains(w) {
            seed_run += 1;
            if seed_run >= SEED_MIN_WORDS {
                return Some(SecretKind::SeedPhrase);
            }
        } else {
            seed_run = 0;
        }
    }
    None
}

fn word_kind(w: &[u8]) -> Option<SecretKind> {
    let hex = |x: &[u8]| x.iter().all(u8::is_ascii_hexdigit);
    let body = w.strip_prefix(b"0x").or_else(|| w.strip_prefix(b"0X"));
    if let Some(body) = body {
        if body.len() == 40 && hex(body) {
            return Some(SecretKind::EthereumAddress);
        }
        if body.len() == 64 && hex(body) {
            return Some(SecretKind::PrivateKey);
        }
    }
    if w.len() == 64 && hex(w) {
        return Some(SecretKind::PrivateKey);
    }
    if (26..=35).contains(&w.len()) && matches!(w[0], b'1' | b'3') && base58_address(w) {
        return Some(SecretKind::BitcoinAddress);
    }
    if w.len() >= 14
        && (w[..3].eq_ignore_ascii_case(b"bc1") || w[..3].eq_ignore_ascii_case(b"tb1"))
        && bech32(w)
    {
        return Some(SecretKind::BitcoinAddress);
    }
    None
}

fn base58_address(w: &[u8]) -> bool {
    const EXCLUDED: &[u8] = b"0OIl";
    let (mut upper, mut lower, mut digit) = (false, false, false);
    for &c in &w[1..] {
        if !c.is_ascii_alphanumeric() || EXCLUDED.contains(&c) {
            return false;
        }
        upper |= c.is_ascii_uppercase();
        lower |= c.is_ascii_lowercase();
        digit |= c.is_ascii_digit();
    }
    // Without a SHA-256 checksum check we rely on shape: random base58 of
    // this length virtually always mixes all three classes, while words,
    // numbers and identifiers do not.
    upper && lower && digit
}

fn bech32(w: &[u8]) -> bool {
    const CHARSET: &[u8; 32] = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let lower = w.iter().any(u8::is_ascii_lowercase);
    let upper = w.iter().any(u8::is_ascii_uppercase);
    if lower && upper || w.len() > 90 {
        return false;
    }
    let w: Vec<u8> = w.iter().map(u8::to_ascii_lowercase).collect();
    let (hrp, data) = (&w[..2], &w[3..]);
    let mut values = Vec::with_capacity(data.len());
    for c in data {
        match CHARSET.iter().position(|x| x == c) {
            Some(v) => values.push(v as u32),
            None => return false,
        }
    }
    let mut chk: u32 = 1;
    let mut step = |v: u32| {
        const GEN: [u32; 5] = [
            0x3b6a_57b2,
            0x2650_8e6d,
            0x1ea1_19fa,
            0x3d42_33dd,
            0x2a14_62b3,
        ];
        let top = chk >> 25;
        chk = ((chk & 0x01ff_ffff) << 5) ^ v;
        for (k, g) in GEN.iter().enumerate() {
            if (top >> k) & 1 == 1 {
                chk ^= g;
            }
        }
    };
    for &c in hrp {
        step(u32::from(c) >> 5);
    }
    step(0);
    for &c in hrp {
        step(u32::from(c) & 31);
    }
    for v in values {
        step(v);
    }
    // bech32 (segwit v0) or bech32m (v1+, taproot).
    chk == 1 || chk == 0x2bc8_30a3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_basics() {
        assert!(luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]));
        assert!(!luhn(&[4, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]));
    }

    #[test]
    fn short_values_are_skipped() {
        assert_eq!(scan("a@b.c"), None);
        assert_eq!(scan(""), None);
    }
}
