//! Schema fingerprints: a short hash of an event's reviewed contract, carried by derived code so
//! a stale build can be told from a fresh one.

use crate::ir::Event;

/// 64-bit FNV-1a of the event's canonical JSON, as 16 lowercase hex digits. Not cryptographic:
/// it detects change, it does not authenticate.
pub fn of_event(event: &Event) -> String {
    let mut hasher = Fnv1a(FNV_OFFSET);
    serde_json::to_writer(&mut hasher, event).expect("IR serializes");
    format!("{:016x}", hasher.0)
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// Hashes what is written to it, so the canonical JSON is never held in memory.
struct Fnv1a(u64);

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = FNV_OFFSET;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(FNV_PRIME);
    }
    h
}
