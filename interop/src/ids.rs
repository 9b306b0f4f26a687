//! Ids in the forms vendors want, all computed from candor's own 128-bit ids so that a resent
//! event (after a retry, a restart or a relay) produces byte-identical vendor requests.
//!
//! - [`Id::hex`]: the 32 lowercase hex digits of the wire (Mixpanel's `$insert_id`).
//! - [`Id::uuid`]: the same 128 bits in the 8-4-4-4-12 UUID layout (Segment `messageId`,
//!   Snowplow `eid`, PostHog `uuid`, OTLP `log.record.uid`). Dashes are inserted; no bit is
//!   changed, so the mapping is one-to-one.
//! - [`Id::derive`]: a stand-in identity (Segment's `anonymousId`, PostHog's `distinct_id`)
//!   when the app declared no installation id. It is a fixed, public permutation of an event's
//!   random id: it carries no more than the event id the vendor receives anyway, links nothing
//!   across requests, and is the same on every resend.

/// A candor id (event id or installation id): 128 bits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id([u8; 16]);

impl Id {
    /// Parses exactly 32 lowercase hex digits, as the wire format requires
    /// (`candor_core::wire::is_id`).
    pub fn parse_hex(s: &str) -> Option<Id> {
        if !candor_core::wire::is_id(s) {
            return None;
        }
        let b = s.as_bytes();
        let nibble = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        let mut out = [0u8; 16];
        for (i, pair) in b.chunks_exact(2).enumerate() {
            out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
        }
        Some(Id(out))
    }

    /// The raw bytes.
    pub fn bytes(&self) -> [u8; 16] {
        self.0
    }

    /// Builds an id from raw bytes.
    pub fn from_bytes(bytes: [u8; 16]) -> Id {
        Id(bytes)
    }

    /// 32 lowercase hex digits.
    pub fn hex(&self) -> String {
        let mut s = String::with_capacity(32);
        for b in self.0 {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 0xf) as usize] as char);
        }
        s
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lowercase.
    pub fn uuid(&self) -> String {
        let hex = self.hex();
        let mut s = String::with_capacity(36);
        for (i, part) in [0..8, 8..12, 12..16, 16..20, 20..32]
            .into_iter()
            .enumerate()
        {
            if i > 0 {
                s.push('-');
            }
            s.push_str(&hex[part]);
        }
        s
    }

    /// A different id computed from this one for the purpose named by `domain`, so that ids
    /// derived for different purposes never coincide with each other or with the event id.
    pub fn derive(&self, domain: Domain) -> Id {
        let mut a = u64::from_le_bytes(self.0[..8].try_into().unwrap_or_default());
        let mut b = u64::from_le_bytes(self.0[8..].try_into().unwrap_or_default());
        a ^= domain as u64;
        b ^= (domain as u64).rotate_left(32);
        // Two Feistel-style rounds of the SplitMix64 finaliser: a bijection on 128 bits.
        for _ in 0..2 {
            b ^= mix(a);
            a ^= mix(b);
        }
        let mut out = [0u8; 16];
        out[..8].copy_from_slice(&a.to_le_bytes());
        out[8..].copy_from_slice(&b.to_le_bytes());
        Id(out)
    }
}

/// What a derived id stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u64)]
pub enum Domain {
    /// Segment's per-request `anonymousId` (from the request's first event).
    SegmentAnonymous = 0x5365_676d_656e_7441,
    /// PostHog's per-event `distinct_id`.
    PostHogDistinct = 0x506f_7374_486f_6744,
}

fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Standard base64 with padding (RFC 4648 §4), for HTTP Basic credentials.
pub fn base64(input: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | u32::from(b) << (16 - 8 * i));
        let sextets = chunk.len() + 1;
        for i in 0..4 {
            if i < sextets {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `Basic base64(user:password)`.
pub fn basic_auth(user: &str, password: &str) -> String {
    format!("Basic {}", base64(format!("{user}:{password}").as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_uuid_forms() {
        let id = Id::parse_hex("9f1c0a6b2d4e48f1a3b5c7d9e0f21436").unwrap();
        assert_eq!(id.hex(), "9f1c0a6b2d4e48f1a3b5c7d9e0f21436");
        assert_eq!(id.uuid(), "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436");
        for bad in [
            "9F1C0A6B2D4E48F1A3B5C7D9E0F21436",
            "9f1c0a6b2d4e48f1a3b5c7d9e0f2143",
            "9f1c0a6b2d4e48f1a3b5c7d9e0f214360",
            "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436",
            "g f1c0a6b2d4e48f1a3b5c7d9e0f2143",
        ] {
            assert!(Id::parse_hex(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn derived_ids_are_stable_distinct_and_one_to_one() {
        let mut seen = std::collections::HashSet::new();
        for i in 0u64..2000 {
            let mut raw = [0u8; 16];
            raw[..8].copy_from_slice(&i.to_le_bytes());
            let id = Id::from_bytes(raw);
            let a = id.derive(Domain::SegmentAnonymous);
            let b = id.derive(Domain::PostHogDistinct);
            assert_eq!(a, id.derive(Domain::SegmentAnonymous));
            assert_ne!(a, id);
            assert_ne!(a, b);
            assert!(seen.insert(a) && seen.insert(b));
        }
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (plain, enc) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(plain.as_bytes()), enc);
        }
        assert_eq!(basic_auth("key", ""), "Basic a2V5Og==");
    }
}
