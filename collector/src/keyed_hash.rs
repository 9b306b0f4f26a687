//! A fast hash for maps whose keys come from clients (event ids, event names): a folded
//! multiply keyed with three secret words drawn from the standard library's per-process random
//! state, so a client cannot choose keys that land together. Two multiplications per 16 bytes;
//! the standard library's SipHash cost several times that for the collector's short keys.

use std::hash::{BuildHasher, Hasher};

/// Builds [`KeyedHasher`]s with this process's secret key.
#[derive(Clone, Copy, Debug)]
pub struct Keyed {
    k: [u64; 3],
}

impl Default for Keyed {
    fn default() -> Self {
        let seed = std::collections::hash_map::RandomState::new();
        Keyed {
            k: [
                seed.hash_one(1u8),
                seed.hash_one(2u8),
                seed.hash_one(3u8) | 1,
            ],
        }
    }
}

fn fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

impl BuildHasher for Keyed {
    type Hasher = KeyedHasher;
    fn build_hasher(&self) -> KeyedHasher {
        KeyedHasher {
            k: self.k,
            acc: self.k[0],
            words: 0,
        }
    }
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for KeyedHasher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyedHasher").finish_non_exhaustive()
    }
}

/// The hasher; see the module comment.
pub struct KeyedHasher {
    k: [u64; 3],
    acc: u64,
    words: u64,
}

impl Hasher for KeyedHasher {
    fn write_u64(&mut self, w: u64) {
        // Each word is folded with a key that depends on its position, so reordering the
        // words of a key changes the hash.
        let key = if self.words & 1 == 0 {
            self.k[1]
        } else {
            self.k[2]
        };
        self.acc = fold(
            self.acc ^ w,
            key ^ self.words.wrapping_mul(0x9e37_79b9_7f4a_7c15),
        );
        self.words += 1;
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.write_u64(u64::from_le_bytes(c.try_into().unwrap_or_default()));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.write_u64(u64::from_le_bytes(w));
        }
        // The length, so that `ab` and `ab\0` (equal once padded) differ.
        self.write_u64(bytes.len() as u64);
    }

    fn finish(&self) -> u64 {
        fold(self.acc ^ self.k[2], self.k[1] | 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::Hash;

    #[test]
    fn keys_that_differ_in_one_bit_or_in_word_order_hash_apart() {
        let k = Keyed::default();
        let base: [u8; 16] = *b"0123456789abcdef";
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(k.hash_one(base)));
        for bit in 0..128 {
            let mut b = base;
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(seen.insert(k.hash_one(b)), "bit {bit}");
        }
        let mut swapped = [0u8; 16];
        swapped[..8].copy_from_slice(&base[8..]);
        swapped[8..].copy_from_slice(&base[..8]);
        assert!(seen.insert(k.hash_one(swapped)));
        // Strings of different lengths that agree on their padded words.
        let (mut a, mut b) = (k.build_hasher(), k.build_hasher());
        "a.b".hash(&mut a);
        "a.b\0".hash(&mut b);
        assert_ne!(a.finish(), b.finish());
    }

    #[test]
    fn two_processes_worth_of_keys_differ() {
        assert_ne!(Keyed::default().k, Keyed::default().k);
    }
}
