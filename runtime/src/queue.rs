//! The bounded in-memory queue between `track()` callers and the sender.
//!
//! A single growable byte buffer of length-prefixed records behind a mutex.
//! Callers append already-encoded bytes (one short critical section, no
//! allocation once the buffer has grown); the sender swaps the whole buffer
//! out for an empty one it recycled, so draining is O(1) under the lock.
//! Bounded both in events and bytes: when full, the event is dropped and
//! counted, never waited for. The sender is woken only when the batch
//! threshold is first crossed, not per event, because a cross-thread wake-up
//! costs the caller microseconds.
//!
//! Record layout: `[u32 len][u8 consent bit | SCAN][u32 retention days][u32 minute][tail]`
//! where `len` covers everything after itself and `tail` is the event JSON
//! after `{"id":"…",` (name, version, time, fields, closing brace). [`SCAN`], a bit no
//! consent category uses, marks a record whose strings only had the scanner's prescreen:
//! the sender runs the full scan on it before it gets an id (`Pipeline::drain`).

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// Bytes of a record header after the length prefix.
pub(crate) const META_LEN: usize = 1 + 4 + 4;

/// Flag in a queued record's consent byte: the full secret scan is still due.
pub(crate) const SCAN: u8 = 0x80;
const _: () = assert!(crate::consent::Consent::MASK_ALL & SCAN == 0);

pub(crate) struct Queue {
    inner: Mutex<Inner>,
    max_events: usize,
    max_bytes: usize,
    wake_events: usize,
    wake_bytes: usize,
}

struct Inner {
    buf: Vec<u8>,
    events: usize,
    tracked: u64,
    full: u64,
    wake_pending: bool,
}

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Push {
    Queued,
    /// Queued, and the batch threshold was just crossed: wake the sender.
    QueuedWake,
    Full,
    /// Consent was revoked between the caller's check and taking the lock.
    Revoked,
}

/// Metadata stored with each queued record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Meta {
    pub bit: u8,
    pub retention_days: u32,
    pub minute: u32,
}

impl Meta {
    pub(crate) fn write(&self, out: &mut Vec<u8>) {
        out.push(self.bit);
        out.extend_from_slice(&self.retention_days.to_le_bytes());
        out.extend_from_slice(&self.minute.to_le_bytes());
    }

    pub(crate) fn read(b: &[u8]) -> Meta {
        Meta {
            bit: b[0],
            retention_days: u32::from_le_bytes([b[1], b[2], b[3], b[4]]),
            minute: u32::from_le_bytes([b[5], b[6], b[7], b[8]]),
        }
    }

    /// Last minute at which the record is still within its retention (the rule of
    /// `candor_core::date::retention_end`, which a collector applies too).
    pub(crate) fn expiry(&self) -> u64 {
        candor_core::date::retention_end(self.minute, self.retention_days)
    }

    /// Whether the record is past its retention at `now_minute`.
    pub(crate) fn expired(&self, now_minute: u32) -> bool {
        candor_core::date::is_expired(self.minute, self.retention_days, now_minute)
    }
}

impl Queue {
    pub(crate) fn new(
        max_events: usize,
        max_bytes: usize,
        wake_events: usize,
        wake_bytes: usize,
    ) -> Self {
        Queue {
            inner: Mutex::new(Inner {
                buf: Vec::new(),
                events: 0,
                tracked: 0,
                full: 0,
                wake_pending: false,
            }),
            max_events,
            max_bytes,
            wake_events: wake_events.max(1),
            wake_bytes: wake_bytes.max(1),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // A panic elsewhere cannot leave the buffer half-written in a way that
        // matters (records are appended with a single extend), so keep going.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Appends a record; `needs_scan` flags it for the sender's full secret scan.
    pub(crate) fn push(&self, meta: Meta, needs_scan: bool, tail: &[u8], mask: &AtomicU8) -> Push {
        let rec = 4 + META_LEN + tail.len();
        let mut g = self.lock();
        // Re-checked under the lock: `set_consent` stores the mask before it
        // purges the queue under this lock, so an event that loses the race
        // is refused here instead of surviving the purge.
        if mask.load(Ordering::Relaxed) & meta.bit == 0 {
            return Push::Revoked;
        }
        if g.events >= self.max_events || g.buf.len() + rec > self.max_bytes {
            g.full += 1;
            return Push::Full;
        }
        let len = (META_LEN + tail.len()) as u32;
        g.buf.extend_from_slice(&len.to_le_bytes());
        let at = g.buf.len();
        meta.write(&mut g.buf);
        if needs_scan {
            g.buf[at] |= SCAN;
        }
        g.buf.extend_from_slice(tail);
        g.events += 1;
        g.tracked += 1;
        if !g.wake_pending && (g.events >= self.wake_events || g.buf.len() >= self.wake_bytes) {
            g.wake_pending = true;
            Push::QueuedWake
        } else {
            Push::Queued
        }
    }

    /// Moves every queued record into `out` (which must be empty), returning
    /// the number of events. `out`'s capacity becomes the next queue buffer.
    pub(crate) fn take(&self, out: &mut Vec<u8>) -> usize {
        debug_assert!(out.is_empty());
        let mut g = self.lock();
        std::mem::swap(&mut g.buf, out);
        g.wake_pending = false;
        std::mem::take(&mut g.events)
    }

    /// Removes records whose consent bit is not in `keep`; returns how many.
    pub(crate) fn purge(&self, keep: u8) -> u64 {
        let mut g = self.lock();
        let mut kept = Vec::with_capacity(g.buf.len());
        let mut removed = 0;
        let mut n = 0;
        for rec in Records(&g.buf) {
            if rec.meta.bit & keep != 0 {
                kept.extend_from_slice(rec.raw);
                n += 1;
            } else {
                removed += 1;
            }
        }
        g.buf = kept;
        g.events = n;
        removed
    }

    /// (tracked, dropped because full, currently queued).
    pub(crate) fn stats(&self) -> (u64, u64, usize) {
        let g = self.lock();
        (g.tracked, g.full, g.events)
    }
}

/// One queued record.
pub(crate) struct Record<'a> {
    /// The header, without the [`SCAN`] flag.
    pub meta: Meta,
    /// The full secret scan is still due.
    pub needs_scan: bool,
    pub tail: &'a [u8],
    /// The whole record including its length prefix.
    pub raw: &'a [u8],
}

/// Iterates the records of a queue buffer.
pub(crate) struct Records<'a>(pub &'a [u8]);

impl<'a> Iterator for Records<'a> {
    type Item = Record<'a>;
    fn next(&mut self) -> Option<Record<'a>> {
        let b = self.0;
        if b.len() < 4 {
            return None;
        }
        let len = u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize;
        let raw = &b[..4 + len];
        self.0 = &b[4 + len..];
        let mut meta = Meta::read(&raw[4..]);
        let needs_scan = meta.bit & SCAN != 0;
        meta.bit &= !SCAN;
        Some(Record {
            meta,
            needs_scan,
            tail: &raw[4 + META_LEN..],
            raw,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(bit: u8) -> Meta {
        Meta {
            bit,
            retention_days: 30,
            minute: 1,
        }
    }

    #[test]
    fn bounded_by_events_and_bytes_and_wakes_once() {
        let mask = AtomicU8::new(0b111);
        let q = Queue::new(3, 1 << 20, 2, 1 << 20);
        assert_eq!(q.push(meta(1), false, b"a", &mask), Push::Queued);
        assert_eq!(q.push(meta(1), false, b"b", &mask), Push::QueuedWake);
        assert_eq!(q.push(meta(1), false, b"c", &mask), Push::Queued);
        assert_eq!(q.push(meta(1), false, b"d", &mask), Push::Full);
        assert_eq!(q.stats(), (3, 1, 3));
        let mut out = Vec::new();
        assert_eq!(q.take(&mut out), 3);
        let tails: Vec<&[u8]> = Records(&out).map(|r| r.tail).collect();
        assert_eq!(tails, vec![&b"a"[..], b"b", b"c"]);

        let q = Queue::new(100, 40, 100, 100);
        assert_eq!(q.push(meta(1), false, &[0; 20], &mask), Push::Queued);
        assert_eq!(q.push(meta(1), false, &[0; 20], &mask), Push::Full);
    }

    #[test]
    fn purge_and_revoked_race() {
        let mask = AtomicU8::new(0b011);
        let q = Queue::new(100, 1 << 20, 100, 1 << 20);
        q.push(meta(1), false, b"usage", &mask);
        q.push(meta(2), false, b"diag", &mask);
        assert_eq!(q.push(meta(4), false, b"perf", &mask), Push::Revoked);
        assert_eq!(q.purge(0b010), 1);
        let mut out = Vec::new();
        assert_eq!(q.take(&mut out), 1);
        assert_eq!(Records(&out).next().unwrap().tail, b"diag");
    }

    #[test]
    fn the_scan_flag_travels_beside_the_consent_bit() {
        let mask = AtomicU8::new(0b011);
        let q = Queue::new(100, 1 << 20, 100, 1 << 20);
        q.push(meta(1), true, b"flagged", &mask);
        q.push(meta(2), true, b"flagged diag", &mask);
        q.push(meta(2), false, b"plain", &mask);
        // A purge reads the category without the flag.
        assert_eq!(q.purge(0b010), 1);
        let mut out = Vec::new();
        assert_eq!(q.take(&mut out), 2);
        let got: Vec<(u8, bool, &[u8])> = Records(&out)
            .map(|r| (r.meta.bit, r.needs_scan, r.tail))
            .collect();
        assert_eq!(
            got,
            vec![(2, true, &b"flagged diag"[..]), (2, false, &b"plain"[..])]
        );
    }

    #[test]
    fn expiry() {
        let m = Meta {
            bit: 1,
            retention_days: 1,
            minute: 100,
        };
        assert!(!m.expired(100 + 1440));
        assert!(m.expired(101 + 1440));
    }
}
