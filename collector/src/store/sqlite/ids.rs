//! The id index: every event id the SQLite store holds, in memory, so that dedupe by id costs a
//! hash lookup instead of a unique B-tree index on disk.
//!
//! Ids are random 128-bit values, so a unique index on them receives every insert on a random
//! page: once the index is larger than a transaction, each row dirties a page of its own, which
//! is written to the WAL and checkpointed again (about 4 KiB of writes per 16-byte id). Here the
//! table is appended to in arrival order and the ids live in this map, rebuilt from the table
//! when the writer starts. The map holds each id's `delete_on` day so that a sweep can drop the
//! ids it removed without reading them back.
//!
//! The hash is keyed with a per-process secret: ids come from clients, and a client that could
//! predict where ids land could make every lookup walk a long probe sequence.

use std::collections::HashMap;
use std::hash::{BuildHasher, Hash, Hasher};

/// Every stored id with the day its row must be gone (days since the epoch).
pub struct IdIndex {
    map: HashMap<Id, i32, Keyed>,
}

/// An event id as a map key, hashed as two 64-bit words.
#[derive(Clone, Copy, PartialEq, Eq)]
struct Id([u8; 16]);

impl Hash for Id {
    fn hash<H: Hasher>(&self, state: &mut H) {
        let (a, b) = self.0.split_at(8);
        state.write_u64(u64::from_le_bytes(a.try_into().unwrap_or_default()));
        state.write_u64(u64::from_le_bytes(b.try_into().unwrap_or_default()));
    }
}

impl IdIndex {
    /// An empty index with room for `n` ids before it grows.
    pub fn with_capacity(n: usize) -> IdIndex {
        IdIndex {
            map: HashMap::with_capacity_and_hasher(n, Keyed::new()),
        }
    }

    /// Records `id`; `false` (and nothing changes) if it is already there.
    pub fn insert(&mut self, id: &[u8; 16], delete_on: i64) -> bool {
        let day = i32::try_from(delete_on).unwrap_or(i32::MAX);
        match self.map.entry(Id(*id)) {
            std::collections::hash_map::Entry::Occupied(_) => false,
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(day);
                true
            }
        }
    }

    #[cfg(test)]
    pub fn contains(&self, id: &[u8; 16]) -> bool {
        self.map.contains_key(&Id(*id))
    }

    pub fn remove(&mut self, id: &[u8; 16]) {
        self.map.remove(&Id(*id));
    }

    /// Forgets every id whose row is due on `today` or earlier (what a sweep removed).
    pub fn prune(&mut self, today: i64) {
        self.map.retain(|_, day| i64::from(*day) > today);
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// A folded-multiply hash keyed with three secret words drawn from the standard library's
/// per-process random state. Two multiplications per id: the lookup's cost is the cache miss,
/// not the hash.
#[derive(Clone, Copy)]
struct Keyed {
    k: [u64; 3],
}

impl Keyed {
    fn new() -> Keyed {
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

struct KeyedHasher {
    k: [u64; 3],
    acc: u64,
    words: u64,
}

impl Hasher for KeyedHasher {
    fn write_u64(&mut self, w: u64) {
        // Word i is folded with its own key word, so swapping the halves of an id changes
        // the hash.
        let key = if self.words % 2 == 0 {
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
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }

    fn finish(&self) -> u64 {
        fold(self.acc ^ self.k[2], self.k[1] | 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u64) -> [u8; 16] {
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&n.to_le_bytes());
        out[8..].copy_from_slice(&(!n).to_be_bytes());
        out
    }

    #[test]
    fn an_id_is_recorded_once_and_pruned_with_its_day() {
        let mut ids = IdIndex::with_capacity(4);
        assert!(ids.insert(&id(1), 100));
        assert!(
            !ids.insert(&id(1), 200),
            "the same id with another day is the same id"
        );
        assert!(ids.insert(&id(2), 101));
        assert!(ids.insert(&id(3), 102));
        ids.prune(100);
        assert!(!ids.contains(&id(1)) && ids.contains(&id(2)) && ids.contains(&id(3)));
        ids.remove(&id(2));
        assert_eq!(ids.len(), 1);
        assert!(ids.insert(&id(1), 300), "a pruned id can be stored again");
    }

    #[test]
    fn ids_that_differ_in_one_bit_or_by_swapped_halves_hash_apart() {
        let k = Keyed::new();
        let h = |b: [u8; 16]| k.hash_one(Id(b));
        let base = id(0x0123_4567_89ab_cdef);
        let mut seen = std::collections::HashSet::new();
        assert!(seen.insert(h(base)));
        for bit in 0..128 {
            let mut b = base;
            b[bit / 8] ^= 1 << (bit % 8);
            assert!(seen.insert(h(b)), "bit {bit}");
        }
        let mut swapped = [0u8; 16];
        swapped[..8].copy_from_slice(&base[8..]);
        swapped[8..].copy_from_slice(&base[..8]);
        assert!(seen.insert(h(swapped)));
    }
}
