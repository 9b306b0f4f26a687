//! Bech32 / bech32m words (BIP-173, BIP-350, NIP-19): segwit and taproot
//! Bitcoin addresses and Nostr keys, recognised by their human-readable
//! prefix and a valid checksum.

use super::SecretKind;

/// Per byte: its five-bit value, `0x20` for a lower-case letter, `0x40`
/// for an upper-case one, `0x80` when it is not in the charset: one lookup
/// gives the value, the case and the validity.
static VALUE: [u8; 256] = {
    let charset = b"qpzry9x8gf2tvdw0s3jn54khce6mua7l";
    let mut t = [0x80u8; 256];
    let mut i = 0;
    while i < charset.len() {
        let c = charset[i];
        let (lower, upper) = if c.is_ascii_lowercase() {
            (0x20, 0x40)
        } else {
            (0, 0)
        };
        t[c as usize] = i as u8 | lower;
        t[c.to_ascii_uppercase() as usize] = i as u8 | upper;
        i += 1;
    }
    t
};

/// Prefixes that matter, with what a checksummed word of that prefix is and
/// the longest word accepted (BIP-173 caps addresses at 90 characters;
/// NIP-19 entities carrying relay lists may be longer).
const PREFIXES: &[(&[u8], SecretKind, usize)] = &[
    (b"bc", SecretKind::BitcoinAddress, 90),
    (b"tb", SecretKind::BitcoinAddress, 90),
    (b"bcrt", SecretKind::BitcoinAddress, 90),
    (b"nsec", SecretKind::NostrSecretKey, 90),
    (b"ncryptsec", SecretKind::NostrSecretKey, 200),
    (b"npub", SecretKind::NostrPublicKey, 90),
    (b"nprofile", SecretKind::NostrPublicKey, 1000),
];

const GEN: [u32; 5] = [
    0x3b6a_57b2,
    0x2650_8e6d,
    0x1ea1_19fa,
    0x3d42_33dd,
    0x2a14_62b3,
];

/// The generator terms for each value of the five bits shifted out: one
/// lookup per character instead of five conditional XORs.
static GEN_BY_TOP: [u32; 32] = {
    let mut t = [0u32; 32];
    let mut top = 0;
    while top < 32 {
        let mut k = 0;
        while k < 5 {
            if (top >> k) & 1 == 1 {
                t[top] ^= GEN[k];
            }
            k += 1;
        }
        top += 1;
    }
    t
};

#[inline(always)]
fn polymod_step(chk: u32, v: u8) -> u32 {
    (((chk & 0x01ff_ffff) << 5) ^ u32::from(v)) ^ GEN_BY_TOP[(chk >> 25) as usize]
}

/// Whether `hrp` `1` `data` carries a valid bech32 or bech32m checksum
/// (`data` includes the six checksum characters) and is single-case (a
/// mixed-case word is something else).
pub(super) fn valid(hrp: &[u8], data: &[u8]) -> bool {
    let mut chk = 1u32;
    let mut seen = 0u8;
    for &c in hrp {
        chk = polymod_step(chk, c.to_ascii_lowercase() >> 5);
        seen |= if c.is_ascii_uppercase() { 0x40 } else { 0x20 };
    }
    chk = polymod_step(chk, 0);
    for &c in hrp {
        chk = polymod_step(chk, c.to_ascii_lowercase() & 31);
    }
    for &c in data {
        let v = VALUE[c as usize];
        seen |= v;
        chk = polymod_step(chk, v & 31);
    }
    seen & 0x80 == 0 && seen & 0x60 != 0x60 && (chk == 1 || chk == 0x2bc8_30a3)
}

/// Classifies one alphanumeric word. The prefix comes first: the separator
/// is the last `1` and no data character is a `1`, so a known prefix
/// followed by `1` is the only way a word can be one of these.
pub(super) fn word(w: &[u8]) -> Option<SecretKind> {
    if w.len() < 14 || !matches!(w[0] | 0x20, b'b' | b't' | b'n') {
        return None;
    }
    let &(hrp, kind, max) = PREFIXES.iter().find(|(p, _, _)| {
        w.len() > p.len() && w[p.len()] == b'1' && w[..p.len()].eq_ignore_ascii_case(p)
    })?;
    let data = &w[hrp.len() + 1..];
    if data.len() < 6 || w.len() > max || !valid(&w[..hrp.len()], data) {
        return None;
    }
    Some(kind)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bip173_and_bip350_vectors() {
        assert_eq!(
            word(b"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
            Some(SecretKind::BitcoinAddress)
        );
        assert_eq!(
            word(b"BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4"),
            Some(SecretKind::BitcoinAddress)
        );
        assert_eq!(
            word(b"bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"),
            Some(SecretKind::BitcoinAddress)
        );
        // One character changed.
        assert_eq!(word(b"bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"), None);
        // NIP-19 example keys.
        assert_eq!(
            word(b"npub10elfcs4fr0l0r8af98jlmgdh9c8tcxjvz9qkw038js35mp4dma8qzvjptg"),
            Some(SecretKind::NostrPublicKey)
        );
        assert_eq!(
            word(b"nsec1vl029mgpspedva04g90vltkh6fvh240zqtv9k0t9af8935ke9laqsnlfe5"),
            Some(SecretKind::NostrSecretKey)
        );
        assert_eq!(word(b"note1aaaaaaaaaaaaaaaa"), None);
    }
}
