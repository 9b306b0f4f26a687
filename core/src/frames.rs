//! The on-disk record format of the device: checksummed frames, and the two kinds of entries
//! they carry (spooled events, and documents in the sent log). The runtime writes and reads
//! them; `candor inspect` reads them for a reviewer. One reader, so the two cannot disagree
//! about what a file holds (feature `frames`).
//!
//! A frame is `[magic "CND1"][u32 len][u32 crc32(body)][body]`, little-endian. A torn or
//! corrupted frame fails its length or checksum; [`parse_frames`] skips it by resynchronising
//! on the next magic and counts it, and never fails or loops: every step moves forward.

/// The four bytes every frame starts with.
pub const MAGIC: [u8; 4] = *b"CND1";
/// Bytes of a frame before its body.
pub const FRAME_HEADER: usize = 12;
/// Frames longer than this are treated as corruption (events are capped far lower, documents
/// at the batch bound).
pub const MAX_FRAME: usize = 16 << 20;

/// Appends `body` as one frame.
pub fn push_frame(out: &mut Vec<u8>, body: &[u8]) {
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&(body.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(body).to_le_bytes());
    out.extend_from_slice(body);
}

/// Calls `f` for every intact frame body; returns the number of damaged regions skipped.
pub fn parse_frames(data: &[u8], mut f: impl FnMut(&[u8])) -> u64 {
    let mut corrupt = 0;
    let mut pos = 0;
    while pos < data.len() {
        let rest = &data[pos..];
        match frame_at(rest) {
            Some(body) => {
                f(body);
                pos += FRAME_HEADER + body.len();
            }
            None => {
                corrupt += 1;
                // Resynchronise on the next magic after this position.
                pos = match rest[1..].windows(4).position(|w| w == MAGIC) {
                    Some(p) => pos + 1 + p,
                    None => data.len(),
                };
            }
        }
    }
    corrupt
}

fn frame_at(rest: &[u8]) -> Option<&[u8]> {
    if rest.len() < FRAME_HEADER || rest[..4] != MAGIC {
        return None;
    }
    let len = u32::from_le_bytes([rest[4], rest[5], rest[6], rest[7]]) as usize;
    let crc = u32::from_le_bytes([rest[8], rest[9], rest[10], rest[11]]);
    if len > MAX_FRAME || rest.len() < FRAME_HEADER + len {
        return None;
    }
    let body = &rest[FRAME_HEADER..FRAME_HEADER + len];
    (crc32fast::hash(body) == crc).then_some(body)
}

/// Bytes of a spooled event's header: consent bit, retention days, minute.
pub const SPOOL_META_LEN: usize = 1 + 4 + 4;

/// One spooled event: `[u8 consent bit][u32 retention days][u32 minute][16-byte id][tail]`,
/// where `tail` is the event's JSON after `{"id":"…",`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SpoolEntry<'a> {
    /// The consent category's bit.
    pub consent_bit: u8,
    /// Days the event may be kept undelivered.
    pub retention_days: u32,
    /// The event's minute (minutes since 1970).
    pub minute: u32,
    /// The event id.
    pub id: [u8; 16],
    /// The event JSON after `{"id":"…",`.
    pub tail: &'a [u8],
}

impl<'a> SpoolEntry<'a> {
    /// Reads a frame body; `None` if it is too short to be an entry.
    pub fn parse(body: &'a [u8]) -> Option<SpoolEntry<'a>> {
        if body.len() < SPOOL_META_LEN + 16 + 1 {
            return None;
        }
        let u32_at =
            |i: usize| u32::from_le_bytes([body[i], body[i + 1], body[i + 2], body[i + 3]]);
        let mut id = [0; 16];
        id.copy_from_slice(&body[SPOOL_META_LEN..SPOOL_META_LEN + 16]);
        Some(SpoolEntry {
            consent_bit: body[0],
            retention_days: u32_at(1),
            minute: u32_at(5),
            id,
            tail: &body[SPOOL_META_LEN + 16..],
        })
    }
}

/// What kind of document a sent-log entry holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SentKind {
    /// A `candor.batch/1` document.
    Batch,
    /// A `candor.deletion/1` document.
    Deletion,
    /// A `candor.metrics/1` document.
    Metrics,
}

impl SentKind {
    /// The name `candor inspect` and the runtime's API show.
    pub const fn as_str(self) -> &'static str {
        match self {
            SentKind::Batch => "batch",
            SentKind::Deletion => "deletion",
            SentKind::Metrics => "metrics",
        }
    }

    const fn byte(self) -> u8 {
        match self {
            SentKind::Batch => 1,
            SentKind::Deletion => 2,
            SentKind::Metrics => 3,
        }
    }
}

/// Bytes of a sent-log entry's header: kind, consent bits, minute.
pub const SENT_META_LEN: usize = 1 + 1 + 4;

/// One document the device delivered: `[u8 kind][u8 consent bits][u32 minute][document]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SentEntry<'a> {
    /// Batch or deletion request.
    pub kind: SentKind,
    /// The consent categories of the events in it (0 for a deletion request).
    pub consent_bits: u8,
    /// When it was delivered (minutes since 1970, the runtime's coarse clock).
    pub minute: u32,
    /// The JSON document exactly as sent (before compression).
    pub document: &'a [u8],
}

impl<'a> SentEntry<'a> {
    /// Appends the entry body (to be framed with [`push_frame`]).
    pub fn write(&self, out: &mut Vec<u8>) {
        out.push(self.kind.byte());
        out.push(self.consent_bits);
        out.extend_from_slice(&self.minute.to_le_bytes());
        out.extend_from_slice(self.document);
    }

    /// Reads a frame body; `None` if it is not a sent-log entry.
    pub fn parse(body: &'a [u8]) -> Option<SentEntry<'a>> {
        if body.len() < SENT_META_LEN {
            return None;
        }
        let kind = match body[0] {
            1 => SentKind::Batch,
            2 => SentKind::Deletion,
            3 => SentKind::Metrics,
            _ => return None,
        };
        Some(SentEntry {
            kind,
            consent_bits: body[1],
            minute: u32::from_le_bytes([body[2], body[3], body[4], body[5]]),
            document: &body[SENT_META_LEN..],
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn torn_and_flipped_frames_are_skipped_and_counted() {
        let mut data = Vec::new();
        for b in [&b"one"[..], b"two", b"three"] {
            push_frame(&mut data, b);
        }
        data[FRAME_HEADER + 3 + FRAME_HEADER + 1] ^= 0xff;
        data.truncate(data.len() - 2);
        let mut seen = Vec::new();
        let corrupt = parse_frames(&data, |b| seen.push(b.to_vec()));
        assert_eq!(seen, vec![b"one".to_vec()]);
        assert_eq!(corrupt, 2);
    }

    #[test]
    fn entries_round_trip() {
        let e = SentEntry {
            kind: SentKind::Deletion,
            consent_bits: 0,
            minute: 29_000_000,
            document: b"{}",
        };
        let mut body = Vec::new();
        e.write(&mut body);
        assert_eq!(SentEntry::parse(&body), Some(e));
        assert_eq!(SentEntry::parse(&[9, 0, 0, 0, 0, 0]), None);
        assert_eq!(SpoolEntry::parse(&[0; 10]), None);
    }

    proptest! {
        /// Any bytes: no panic, and every body handed out is an intact frame's.
        #[test]
        fn any_input_parses_without_panic(data in proptest::collection::vec(any::<u8>(), 0..512)) {
            let mut total = 0;
            parse_frames(&data, |b| total += b.len());
            prop_assert!(total <= data.len());
        }

        /// Frames written after any garbage are all found again.
        #[test]
        fn frames_after_garbage_are_found(
            garbage in proptest::collection::vec(any::<u8>(), 0..64),
            bodies in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..32), 1..5),
        ) {
            let mut data = garbage.clone();
            let mut framed = Vec::new();
            for b in &bodies {
                push_frame(&mut framed, b);
            }
            data.extend_from_slice(&framed);
            let mut seen = Vec::new();
            parse_frames(&data, |b| seen.push(b.to_vec()));
            // The garbage may itself hold a valid frame only by a CRC collision; the written
            // frames are always the last ones found.
            prop_assert!(seen.len() >= bodies.len());
            prop_assert_eq!(&seen[seen.len() - bodies.len()..], &bodies[..]);
        }
    }
}
