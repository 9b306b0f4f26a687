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
//! The hash is keyed with a per-process secret ([`crate::keyed_hash`]): ids come from clients,
//! and a client that could predict where ids land could make every lookup walk a long probe
//! sequence.

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};

use crate::keyed_hash::Keyed;

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
            map: HashMap::with_capacity_and_hasher(n, Keyed::default()),
        }
    }

    /// Records `id`; `false` (and nothing changes) if it is already there.
    pub fn insert(&mut self, id: &[u8; 16], delete_on: i64) -> bool {
        let day = i32::try_from(delete_on).unwrap_or(i32::MAX);
        match self.map.entry(Id(*id)) {
            Entry::Occupied(_) => false,
            Entry::Vacant(v) => {
                v.insert(day);
                true
            }
        }
    }

    pub fn remove(&mut self, id: &[u8; 16]) {
        self.map.remove(&Id(*id));
    }

    /// Forgets every id whose row is due on `today` or earlier (what a sweep removed).
    pub fn prune(&mut self, today: i64) {
        self.map.retain(|_, day| i64::from(*day) > today);
    }

    #[cfg(test)]
    fn contains(&self, id: &[u8; 16]) -> bool {
        self.map.contains_key(&Id(*id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

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
        assert_eq!(ids.map.len(), 1);
        assert!(ids.insert(&id(1), 300), "a pruned id can be stored again");
    }

    #[test]
    fn swapped_halves_are_another_key() {
        let k = Keyed::default();
        let a = id(0x0123_4567_89ab_cdef);
        let mut b = [0u8; 16];
        b[..8].copy_from_slice(&a[8..]);
        b[8..].copy_from_slice(&a[..8]);
        assert_ne!(k.hash_one(Id(a)), k.hash_one(Id(b)));
    }
}
