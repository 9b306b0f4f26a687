//! Schema fingerprints: a short hash of an event's reviewed contract, carried by derived code so
//! a stale build can be told from a fresh one.

use crate::ir::Event;

/// 64-bit FNV-1a of the event's canonical JSON, as 16 lowercase hex digits. Not cryptographic:
/// it detects change, it does not authenticate.
pub fn of_event(event: &Event) -> String {
    let json = serde_json::to_vec(event).expect("IR serializes");
    format!("{:016x}", fnv1a(&json))
}

pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}
