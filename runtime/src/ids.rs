//! Randomness: event ids, the installation id and backoff jitter, all from the OS RNG.
//! Ids are never derived from hardware or time, so they cannot be linked to a machine.

use std::time::Instant;

use crate::wire::push_hex;

/// Fills `out` with OS randomness.
pub(crate) fn random_bytes(out: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(out)
}

/// A new random 128-bit id as 32 lowercase hex chars.
pub(crate) fn new_id_hex() -> Option<String> {
    let mut raw = [0u8; 16];
    random_bytes(&mut raw).ok()?;
    let mut out = Vec::with_capacity(32);
    push_hex(&mut out, &raw);
    String::from_utf8(out).ok()
}

/// A uniformly random u64 for jitter (falls back to the clock only if the
/// OS has no randomness, where a jitter of lower quality is harmless).
pub(crate) fn jitter_random() -> u64 {
    let mut b = [0u8; 8];
    if random_bytes(&mut b).is_err() {
        return Instant::now().elapsed().subsec_nanos().into();
    }
    u64::from_le_bytes(b)
}

/// Random event ids drawn from the OS in bulk (one syscall per 256 ids).
pub(crate) struct IdPool {
    buf: [u8; 16 * 256],
    pos: usize,
}

impl IdPool {
    pub(crate) fn new() -> Self {
        IdPool {
            buf: [0; 16 * 256],
            pos: 16 * 256,
        }
    }

    pub(crate) fn next(&mut self) -> Option<[u8; 16]> {
        if self.pos == self.buf.len() {
            random_bytes(&mut self.buf).ok()?;
            self.pos = 0;
        }
        let mut id = [0u8; 16];
        id.copy_from_slice(&self.buf[self.pos..self.pos + 16]);
        // Zero what was handed out so ids never linger in memory twice.
        self.buf[self.pos..self.pos + 16].fill(0);
        self.pos += 16;
        Some(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_random_hex() {
        let a = new_id_hex().unwrap();
        let b = new_id_hex().unwrap();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn id_pool_hands_out_distinct_ids() {
        let mut pool = IdPool::new();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            assert!(seen.insert(pool.next().unwrap()));
        }
    }
}
