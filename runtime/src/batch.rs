//! Batches: groups of events with their final ids, sent (and spooled)
//! together.
//!
//! Entry layout: `[u32 len][meta (9 bytes)][16-byte id][tail]`, with `meta`
//! and `tail` as in [`crate::queue`]. An event's wire object is
//! `{"id":"<hex id>",` followed by its tail (written by [`crate::wire`]), so
//! building a request body is a copy plus hex-encoding of the id.

use std::time::Instant;

use crate::queue::{Meta, META_LEN};
use crate::wire::EVENT_OVERHEAD as JSON_OVERHEAD;

pub(crate) struct Batch {
    pub seq: u64,
    buf: Vec<u8>,
    pub count: usize,
    pub json_bytes: usize,
    pub opened: Instant,
    pub attempts: u32,
    pub next_attempt: Instant,
    /// Whether the batch has a spool file.
    pub spooled: bool,
    /// Union of the consent bits of the entries.
    pub bits: u8,
    /// Earliest minute after which an entry may be past its retention.
    pub expires_at: u64,
}

pub(crate) struct Entry<'a> {
    pub meta: Meta,
    pub id: &'a [u8],
    pub tail: &'a [u8],
    /// Entry without its length prefix (what the spool stores per frame).
    pub body: &'a [u8],
}

impl Batch {
    pub(crate) fn new(seq: u64, now: Instant) -> Self {
        Batch {
            seq,
            buf: Vec::new(),
            count: 0,
            json_bytes: 0,
            opened: now,
            attempts: 0,
            next_attempt: now,
            spooled: false,
            bits: 0,
            expires_at: u64::MAX,
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Size of the in-memory representation.
    pub(crate) fn mem_bytes(&self) -> usize {
        self.buf.len()
    }

    /// Appends an entry given as meta/id/tail.
    pub(crate) fn push(&mut self, meta: Meta, id: &[u8; 16], tail: &[u8]) {
        let len = (META_LEN + 16 + tail.len()) as u32;
        self.buf.extend_from_slice(&len.to_le_bytes());
        meta.write(&mut self.buf);
        self.buf.extend_from_slice(id);
        self.buf.extend_from_slice(tail);
        self.note(meta);
        self.count += 1;
        self.json_bytes += JSON_OVERHEAD + tail.len();
    }

    /// Appends an entry body as stored in the spool. Returns false (and adds
    /// nothing) if it is too short to be an entry.
    pub(crate) fn push_body(&mut self, body: &[u8]) -> bool {
        if body.len() < META_LEN + 16 + 1 {
            return false;
        }
        self.buf
            .extend_from_slice(&(body.len() as u32).to_le_bytes());
        self.buf.extend_from_slice(body);
        self.note(Meta::read(body));
        self.count += 1;
        self.json_bytes += JSON_OVERHEAD + body.len() - META_LEN - 16;
        true
    }

    fn note(&mut self, meta: Meta) {
        self.bits |= meta.bit;
        self.expires_at = self.expires_at.min(meta.expiry());
    }

    /// Whether some entry may need filtering: its category is not in `mask`
    /// (when `check_consent`) or it may be expired at `now_min`. Lets the
    /// sender skip scanning every entry before each send.
    pub(crate) fn may_need_filter(&self, mask: u8, check_consent: bool, now_min: u32) -> bool {
        (check_consent && self.bits & !mask != 0) || u64::from(now_min) > self.expires_at
    }

    pub(crate) fn entries(&self) -> Entries<'_> {
        Entries(&self.buf)
    }

    /// Keeps entries for which `keep` is true; returns how many were removed.
    pub(crate) fn retain(&mut self, mut keep: impl FnMut(&Entry<'_>) -> bool) -> usize {
        let mut out = Batch::new(self.seq, self.opened);
        for e in self.entries() {
            if keep(&e) {
                out.push_body(e.body);
            }
        }
        let removed = self.count - out.count;
        if removed > 0 {
            self.buf = out.buf;
            self.count = out.count;
            self.json_bytes = out.json_bytes;
            self.bits = out.bits;
            self.expires_at = out.expires_at;
        }
        removed
    }

    /// Splits into two halves (for a 413 answer); `seq`s come from the caller.
    pub(crate) fn split(&self, seq_a: u64, seq_b: u64, now: Instant) -> (Batch, Batch) {
        let half = self.count / 2;
        let mut a = Batch::new(seq_a, now);
        let mut b = Batch::new(seq_b, now);
        for (i, e) in self.entries().enumerate() {
            if i < half { &mut a } else { &mut b }.push_body(e.body);
        }
        (a, b)
    }
}

pub(crate) struct Entries<'a>(&'a [u8]);

impl<'a> Iterator for Entries<'a> {
    type Item = Entry<'a>;
    fn next(&mut self) -> Option<Entry<'a>> {
        let b = self.0;
        if b.len() < 4 {
            return None;
        }
        let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let body = &b[4..4 + len];
        self.0 = &b[4 + len..];
        Some(Entry {
            meta: Meta::read(body),
            id: &body[META_LEN..META_LEN + 16],
            tail: &body[META_LEN + 16..],
            body,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_retain_split_and_json() {
        let now = Instant::now();
        let mut b = Batch::new(1, now);
        for i in 0..4u8 {
            let meta = Meta {
                bit: 1 << (i % 2),
                retention_days: 30,
                minute: 7,
            };
            b.push(
                meta,
                &[i; 16],
                br#""name":"x","version":1,"time":"t","fields":{}}"#,
            );
        }
        assert_eq!(b.count, 4);
        let (x, y) = b.split(2, 3, now);
        assert_eq!((x.count, y.count), (2, 2));
        assert_eq!(b.bits, 0b11);
        assert!(b.may_need_filter(0b01, true, 7));
        assert!(!b.may_need_filter(0b01, false, 7));
        assert!(!b.may_need_filter(0b11, true, 7 + 30 * 1440));
        assert!(b.may_need_filter(0b11, true, 7 + 30 * 1440 + 1));
        assert_eq!(b.retain(|e| e.meta.bit == 1), 2);
        assert_eq!(b.bits, 0b01);
        assert!(!b.may_need_filter(0b01, true, 7));
        let mut out = b"[".to_vec();
        crate::wire::write_events(&mut out, &b);
        out.push(b']');
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let ids: Vec<&str> = v
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(
            ids,
            vec![
                "00000000000000000000000000000000",
                "02020202020202020202020202020202"
            ]
        );
        assert_eq!(b.json_bytes, out.len() - 2 + 1);
    }
}
