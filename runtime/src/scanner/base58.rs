//! Base58 words: legacy Bitcoin addresses, WIF private keys and BIP-32
//! extended keys (all base58check, verified with SHA-256), and 64-byte
//! secret keys (Solana-style keypairs, no checksum: recognised by their
//! decoded size).

use super::checksum::checksum;
use super::SecretKind;

/// Largest payload decoded: a BIP-32 extended key (78 bytes + 4 checksum).
const MAX_BYTES: usize = 82;

const INVALID: u8 = 0xff;

/// Digit value of each byte in the Bitcoin base58 alphabet (no 0, O, I, l).
static DIGIT: [u8; 256] = {
    let alphabet = b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
    let mut t = [INVALID; 256];
    let mut i = 0;
    while i < alphabet.len() {
        t[alphabet[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Decodes `w` into `out`, returning the decoded length, or `None` when a
/// byte is not base58 or the value needs more than [`MAX_BYTES`].
pub(super) fn decode(w: &[u8], out: &mut [u8; MAX_BYTES]) -> Option<usize> {
    // Big-endian digits folded ten at a time (58^10 < 2^64) into
    // little-endian u64 limbs: an address (34 chars) is four passes over at
    // most four limbs, a 111-char key twelve passes over at most eleven.
    const LIMBS: usize = MAX_BYTES.div_ceil(8) + 1;
    let zeros = w.iter().take_while(|&&c| c == b'1').count();
    let mut limbs = [0u64; LIMBS];
    let mut used = 0usize;
    for chunk in w[zeros..].chunks(10) {
        let mut mul = 1u64;
        let mut add = 0u64;
        let mut bad = 0u8;
        for &c in chunk {
            let d = DIGIT[c as usize];
            bad |= d;
            mul *= 58;
            add = add * 58 + u64::from(d & 0x3f);
        }
        // INVALID has the top bit set, no digit does.
        if bad & 0x80 != 0 {
            return None;
        }
        let mut carry = add;
        for limb in &mut limbs[..used] {
            let v = u128::from(*limb) * u128::from(mul) + u128::from(carry);
            *limb = v as u64;
            carry = (v >> 64) as u64;
        }
        if carry != 0 {
            if used == LIMBS {
                return None;
            }
            limbs[used] = carry;
            used += 1;
        }
    }
    // Big-endian bytes of the number, without its leading zero bytes.
    let mut bytes = [0u8; LIMBS * 8];
    for (i, limb) in limbs[..used].iter().rev().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&limb.to_be_bytes());
    }
    let number = &bytes[..used * 8];
    let number = &number[number.iter().take_while(|&&b| b == 0).count()..];
    let len = zeros + number.len();
    if len > MAX_BYTES {
        return None;
    }
    out[..zeros].fill(0);
    out[zeros..len].copy_from_slice(number);
    Some(len)
}

fn checksum_ok(payload: &[u8]) -> bool {
    let (body, sum) = payload.split_at(payload.len() - 4);
    checksum(body) == sum
}

/// Version bytes of P2PKH/P2SH addresses: Bitcoin main/test (0x00, 0x05,
/// 0x6f, 0xc4), Litecoin (0x30, 0x32, 0x3a), Dogecoin (0x1e, 0x16, 0x71),
/// Dash (0x4c, 0x10), Tron (0x41).
const ADDRESS_VERSIONS: &[u8] = &[
    0x00, 0x05, 0x6f, 0xc4, 0x30, 0x32, 0x3a, 0x1e, 0x16, 0x71, 0x4c, 0x10, 0x41,
];

/// Classifies one alphanumeric word by its length, decoded size and checksum.
pub(super) fn word(w: &[u8]) -> Option<SecretKind> {
    let n = w.len();
    // Length families first: most words are none of them and cost nothing.
    let family = match n {
        25..=35 => 25,
        50..=53 => 37,
        85..=89 => 64,
        107..=113 => 82,
        _ => return None,
    };
    let mut buf = [0u8; MAX_BYTES];
    let len = decode(w, &mut buf)?;
    let p = &buf[..len];
    match (family, len) {
        // version byte + 20-byte hash + checksum. The version must be one
        // that wallets use (Bitcoin and the coins sharing its format), so
        // only those words pay for the two SHA-256 blocks.
        (25, 25) if ADDRESS_VERSIONS.contains(&p[0]) && checksum_ok(p) => {
            Some(SecretKind::BitcoinAddress)
        }
        // 0x80 (mainnet) / 0xEF (testnet) + 32-byte key [+ 0x01 compressed] + checksum.
        (37, 37 | 38)
            if matches!(p[0], 0x80 | 0xef) && (len == 37 || p[33] == 0x01) && checksum_ok(p) =>
        {
            Some(SecretKind::WifPrivateKey)
        }
        // BIP-32: version(4) depth(1) fingerprint(4) child(4) chain code(32)
        // key(33) + checksum; a private key's data starts with 0x00, a
        // public key's with 0x02/0x03, whatever the version prefix
        // (xprv, tpub, zpub, Ltub…).
        (82, 82) if checksum_ok(p) => match p[45] {
            0x00 => Some(SecretKind::ExtendedPrivateKey),
            0x02 | 0x03 => Some(SecretKind::ExtendedPublicKey),
            _ => None,
        },
        (64, 64) => Some(SecretKind::Base58SecretKey),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_known_address_and_checks_it() {
        let mut buf = [0u8; MAX_BYTES];
        let n = decode(b"1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", &mut buf).unwrap();
        assert_eq!(n, 25);
        assert_eq!(buf[0], 0);
        assert_eq!(&buf[1..5], &[0x77, 0xbf, 0xf2, 0x0c]);
        assert!(checksum_ok(&buf[..25]));
        buf[3] ^= 1;
        assert!(!checksum_ok(&buf[..25]));
    }

    #[test]
    fn leading_ones_are_zero_bytes_and_bad_digits_fail() {
        let mut buf = [0u8; MAX_BYTES];
        assert_eq!(decode(b"111", &mut buf), Some(3));
        assert_eq!(&buf[..3], &[0, 0, 0]);
        assert_eq!(decode(b"2", &mut buf), Some(1));
        assert_eq!(buf[0], 1);
        assert_eq!(decode(b"5R", &mut buf), Some(2));
        assert_eq!(&buf[..2], &[1, 0]);
        assert_eq!(decode(b"abc0", &mut buf), None);
        assert_eq!(decode(&[b'z'; 120], &mut buf), None);
    }

    #[test]
    fn known_keys() {
        // Bitcoin wiki WIF example and BIP-32 test vector 1 (m).
        assert_eq!(
            word(b"5HueCGU8rMjxEXxiPuD5BDku4MkFqeZyd4dZ1jvhTVqvbTLvyTJ"),
            Some(SecretKind::WifPrivateKey)
        );
        assert_eq!(
            word(b"xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi"),
            Some(SecretKind::ExtendedPrivateKey)
        );
        assert_eq!(
            word(b"xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8"),
            Some(SecretKind::ExtendedPublicKey)
        );
        // A KSUID is base62 of 20 bytes: too short for any family.
        assert_eq!(word(b"0ujtsYcgvSTl8PAuAdqWYSMnLOv"), None);
    }
}
