//! The base58check checksum — the first four bytes of SHA-256(SHA-256(x)) —
//! on the `sha2` crate's compression function, which uses the CPU's SHA
//! instructions when it has them (detected once at run time) and portable
//! code otherwise. Payloads here are at most 78 bytes, so the message is
//! padded by hand into one or two blocks and the second hash is always one
//! block: no buffering layer between the scanner and the rounds.

use sha2::block_api::compress256;

const H0: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// Longest payload hashed (a BIP-32 extended key without its checksum).
pub(super) const MAX_PAYLOAD: usize = 78;

/// SHA-256 of at most 119 bytes (two blocks with padding), as state words.
fn sha256_words(data: &[u8]) -> [u32; 8] {
    let mut blocks = [[0u8; 64]; 2];
    let n = if data.len() < 56 { 1 } else { 2 };
    let flat = blocks.as_flattened_mut();
    flat[..data.len()].copy_from_slice(data);
    flat[data.len()] = 0x80;
    let bits = (data.len() as u64) * 8;
    flat[n * 64 - 8..n * 64].copy_from_slice(&bits.to_be_bytes());
    let mut h = H0;
    compress256(&mut h, &blocks[..n]);
    h
}

/// The base58check checksum of `payload` (at most [`MAX_PAYLOAD`] bytes).
pub(super) fn checksum(payload: &[u8]) -> [u8; 4] {
    debug_assert!(payload.len() <= MAX_PAYLOAD);
    let first = sha256_words(payload);
    let mut digest = [0u8; 32];
    for (o, w) in digest.chunks_exact_mut(4).zip(first) {
        o.copy_from_slice(&w.to_be_bytes());
    }
    sha256_words(&digest)[0].to_be_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(words: [u32; 8]) -> String {
        words.iter().map(|w| format!("{w:08x}")).collect()
    }

    /// FIPS 180-4 / NIST examples, and the padding edge lengths (55 bytes:
    /// one block; 56: two blocks; 64: a whole block of data).
    #[test]
    fn fips_180_vectors() {
        for (data, digest) in [
            (
                &b""[..],
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
            ),
            (
                b"abc",
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            ),
            (
                b"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
                "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
            ),
            (
                &[b'a'; 55],
                "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318",
            ),
            (
                &[b'a'; 56],
                "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a",
            ),
            (
                &[b'a'; 64],
                "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb",
            ),
        ] {
            assert_eq!(hex(sha256_words(data)), digest, "{} bytes", data.len());
        }
    }
}
