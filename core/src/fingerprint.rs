//! Fingerprints: 64-bit FNV-1a, the form an event's schema fingerprint takes, and the
//! order-independent fingerprint of a set of enum values.
//!
//! Not cryptographic: a fingerprint detects change (a stale build, an enum that no longer has
//! the schema's values), it does not authenticate.

/// 64-bit FNV-1a, fed in pieces. Implements [`std::io::Write`] so that a serializer can hash a
/// document without holding it in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fnv1a(u64);

impl Fnv1a {
    /// The FNV-1a 64-bit offset basis.
    pub const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    /// The FNV 64-bit prime.
    pub const PRIME: u64 = 0x0000_0100_0000_01b3;

    /// A hasher that has seen nothing.
    pub const fn new() -> Fnv1a {
        Fnv1a(Fnv1a::OFFSET)
    }

    /// Feeds `bytes`.
    pub const fn update(mut self, bytes: &[u8]) -> Fnv1a {
        let mut i = 0;
        while i < bytes.len() {
            self.0 = (self.0 ^ bytes[i] as u64).wrapping_mul(Fnv1a::PRIME);
            i += 1;
        }
        self
    }

    /// The hash of everything fed so far.
    pub const fn finish(self) -> u64 {
        self.0
    }
}

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a::new()
    }
}

impl std::io::Write for Fnv1a {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        *self = self.update(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// 64-bit FNV-1a of `bytes`.
pub const fn fnv1a(bytes: &[u8]) -> u64 {
    Fnv1a::new().update(bytes).finish()
}

/// A schema fingerprint as it is written in `registry.json`, JSON Schema and generated code:
/// 16 lowercase hex digits.
pub fn to_hex(hash: u64) -> String {
    format!("{hash:016x}")
}

/// Whether `s` has the form of a schema fingerprint ([`to_hex`]).
pub fn is_hex(s: &str) -> bool {
    s.len() == 16 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// The fingerprint of a set of enum values, independent of their order: FNV-1a over the
/// sorted values, each followed by `0xff`, a byte that cannot occur in UTF-8 (so `["ab", "c"]`
/// and `["a", "bc"]` differ).
///
/// `#[derive(EventEnum)]` stores it for an enum's variants and `#[derive(Event)]` compares it
/// with the YAML `values` in a `const`: one integer comparison for the compiler, where
/// comparing the strings in const evaluation cost about a millisecond per event.
pub fn values_fingerprint<'a>(values: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut sorted: Vec<&str> = values.into_iter().collect();
    sorted.sort_unstable();
    sorted
        .iter()
        .fold(Fnv1a::new(), |h, v| h.update(v.as_bytes()).update(&[0xff]))
        .finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn known_vectors() {
        // The FNV reference test vectors for 64-bit FNV-1a.
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn pieces_hash_like_the_whole() {
        let mut h = Fnv1a::new();
        h.write_all(b"foo").unwrap();
        h.write_all(b"bar").unwrap();
        assert_eq!(h.finish(), fnv1a(b"foobar"));
        assert_eq!(to_hex(0xab), "00000000000000ab");
        assert!(is_hex(&to_hex(fnv1a(b"x"))));
        assert!(!is_hex("00000000000000AB"));
    }

    #[test]
    fn values_fingerprint_ignores_order_only() {
        let a = values_fingerprint(["card", "bank_transfer", "voucher"]);
        assert_eq!(a, values_fingerprint(["voucher", "card", "bank_transfer"]));
        assert_ne!(a, values_fingerprint(["card", "bank_transfer"]));
        assert_ne!(
            a,
            values_fingerprint(["card", "bank", "transfer", "voucher"])
        );
        assert_ne!(
            values_fingerprint(["ab", "c"]),
            values_fingerprint(["a", "bc"])
        );
    }
}
