//! Word-level secrets, one pass over the alphanumeric words of a string:
//! credentials of hosted services, Ethereum addresses, 32-byte hex keys, and
//! the base58 and bech32 encodings of keys and addresses.

use super::summary::Summary;
use super::{api_keys, base58, bech32, SecretKind};

/// Labels that say a 64-hex word is the digest of some content (an image,
/// a file, a commit), not a key: `sha256:…`, `@sha256:…`, `blake3=…`,
/// `container 3f4e…`.
const DIGEST_LABELS: &[&[u8]] = &[
    b"sha256",
    b"sha-256",
    b"sha3-256",
    b"sha3_256",
    b"sha512/256",
    b"blake2b",
    b"blake2b-256",
    b"blake2s",
    b"blake3",
    b"keccak256",
    b"keccak-256",
    b"digest",
    b"checksum",
    // Content-addressed object ids: git (SHA-256 repositories), OCI.
    b"commit",
    b"tree",
    b"blob",
    b"container",
    b"image",
    b"layer",
];

/// A Bitcoin block hash starts with at least eight zero hex digits (proof
/// of work); a random key does so once in four billion.
fn block_hash(hex: &[u8]) -> bool {
    hex[..8].iter().all(|&c| c == b'0')
}

/// Whether the word at `start` is introduced by a digest label.
fn digest_labelled(b: &[u8], start: usize) -> bool {
    let mut end = start;
    // At most three separators between label and value (`sha256 = `).
    for _ in 0..3 {
        if end > 0 && matches!(b[end - 1], b':' | b'=' | b' ' | b'-' | b'/') {
            end -= 1;
        }
    }
    let before = &b[..end];
    DIGEST_LABELS.iter().any(|l| {
        before.len() >= l.len()
            && before[before.len() - l.len()..].eq_ignore_ascii_case(l)
            && (before.len() == l.len()
                || !before[before.len() - l.len() - 1].is_ascii_alphanumeric())
    })
}

fn hex_word(b: &[u8], start: usize, w: &[u8]) -> Option<SecretKind> {
    let all_hex = |x: &[u8]| x.iter().all(u8::is_ascii_hexdigit);
    let body = match w {
        [b'0', b'x' | b'X', rest @ ..] => rest,
        _ => w,
    };
    let prefixed = body.len() != w.len();
    match body.len() {
        40 if prefixed && all_hex(body) => Some(SecretKind::EthereumAddress),
        64 if all_hex(body) && !block_hash(body) && !digest_labelled(b, start) => {
            Some(SecretKind::PrivateKey)
        }
        _ => None,
    }
}

/// Returns the first word-level secret in `b`.
pub(super) fn scan(b: &[u8], sum: &Summary) -> Option<SecretKind> {
    let mut bodies = api_keys::Bodies::default();
    for (start, end) in sum.alnum_runs(b) {
        if api_keys::at(b, start, &mut bodies) {
            return Some(SecretKind::ApiKey);
        }
        let w = &b[start..end];
        if w.len() < 14 {
            continue;
        }
        let kind = hex_word(b, start, w)
            .or_else(|| base58::word(w))
            .or_else(|| bech32::word(w));
        if kind.is_some() {
            return kind;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan(s: &[u8]) -> Option<SecretKind> {
        super::scan(s, &Summary::of(s))
    }

    #[test]
    fn hex_keys_and_digests() {
        let key = "e9873d79c6d87dc0fb6a5778633389f4453213303da61f20bd67fc233aa33262";
        assert_eq!(scan(key.as_bytes()), Some(SecretKind::PrivateKey));
        assert_eq!(
            scan(format!("0x{key}").as_bytes()),
            Some(SecretKind::PrivateKey)
        );
        assert_eq!(
            scan(format!("txid {key}").as_bytes()),
            Some(SecretKind::PrivateKey)
        );
        for s in [
            format!("sha256:{key}"),
            format!("image@sha256:{key}"),
            format!("SHA-256 = {key}"),
            format!("blake3={key}"),
        ] {
            assert_eq!(scan(s.as_bytes()), None, "{s}");
        }
        assert_eq!(
            scan(format!("notsha256:{key}").as_bytes()),
            Some(SecretKind::PrivateKey)
        );
        assert_eq!(
            scan(b"to 0x52908400098527886E0F7030069857D2E4169EE7"),
            Some(SecretKind::EthereumAddress)
        );
        assert_eq!(scan(b"3f786850e387550fdab836ed7e6dc881de23001b"), None);
    }
}
