//! Metrics documents on their way out: the snapshots the sender took, one per consent
//! category and interval, held until delivered, with their spool files, retries, retention
//! and the opt-out purge. Part of the [`Pipeline`](super::Pipeline) value: no threads or
//! clocks inside.
//!
//! A held document keeps only what cannot change (category, interval, metric objects); the
//! envelope (installation id, `sent_at`) is written by `crate::wire` when it is sent, so an
//! id rotated by an opt-out never joins documents across it.
//!
//! Spool: `<spool_dir>/metrics/m-<seq>.cnd`, one file per document: a header line
//! `CNDM1 <id> <bit> <start> <end> <expires> <crc32>` and the metric objects. The document's
//! random id is kept, so a resent document can be recognised by the server. Written to a
//! temporary file and renamed; a file that fails its checksum is deleted at start.

use std::collections::VecDeque;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::consent::Consent;
use crate::retry::{RetryPolicy, Verdict};
use crate::wire::AppInfo;

/// Minutes in a day, for retention.
const DAY: u32 = 24 * 60;

/// What happened to metrics documents, for [`crate::MetricDocuments`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct DocTally {
    pub sent: u64,
    pub revoked: u64,
    pub rejected: u64,
    pub expired: u64,
    pub retried: u64,
    pub corrupt: u64,
}

#[derive(Debug)]
pub(crate) struct Doc {
    pub seq: u64,
    /// 32 lowercase hex digits, assigned when the snapshot was taken.
    pub id: String,
    pub bit: u8,
    pub start: u32,
    pub end: u32,
    /// First minute at which the document is past its retention and deleted unsent.
    pub expires: u32,
    pub entries: Vec<u8>,
    pub count: usize,
    next_attempt: Instant,
    attempts: u32,
    spooled: bool,
}

/// See the module documentation.
pub(crate) struct Outbox {
    docs: VecDeque<Doc>,
    dir: Option<PathBuf>,
    fsync: bool,
    next_seq: u64,
    /// The document on the wire, and whether it was purged meanwhile.
    in_flight: Option<(u64, bool)>,
    pub(crate) tally: DocTally,
}

impl Outbox {
    /// An outbox, holding what `spool_dir/metrics` kept from an earlier run.
    pub(crate) fn open(spool_dir: Option<&Path>, fsync: bool, now: Instant) -> Outbox {
        let mut out = Outbox {
            docs: VecDeque::new(),
            dir: spool_dir.map(|d| d.join("metrics")),
            fsync,
            next_seq: 1,
            in_flight: None,
            tally: DocTally::default(),
        };
        if let Some(dir) = out.dir.clone() {
            out.load(&dir, now);
        }
        out
    }

    fn load(&mut self, dir: &Path, now: Instant) {
        let Ok(read) = fs::read_dir(dir) else { return };
        let mut found: Vec<(u64, PathBuf)> = Vec::new();
        for entry in read.flatten() {
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            } else if let Some(seq) = name
                .strip_prefix("m-")
                .and_then(|n| n.strip_suffix(".cnd"))
                .and_then(|n| u64::from_str_radix(n, 16).ok())
            {
                found.push((seq, entry.path()));
            }
        }
        found.sort_unstable();
        for (seq, path) in found {
            match fs::read(&path).ok().and_then(|d| parse(&d)) {
                Some((id, bit, start, end, expires, entries)) => {
                    self.next_seq = self.next_seq.max(seq + 1);
                    let count = count_objects(&entries);
                    self.docs.push_back(Doc {
                        seq,
                        id,
                        bit,
                        start,
                        end,
                        expires,
                        entries,
                        count,
                        next_attempt: now,
                        attempts: 0,
                        spooled: true,
                    });
                }
                None => {
                    self.tally.corrupt += 1;
                    let _ = fs::remove_file(&path);
                }
            }
        }
    }

    fn path(dir: &Path, seq: u64) -> PathBuf {
        dir.join(format!("m-{seq:016x}.cnd"))
    }

    /// Holds a new document (and spools it unless `halted`).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn push(
        &mut self,
        id: String,
        consent: Consent,
        start: u32,
        end: u32,
        retention_days: u32,
        entries: Vec<u8>,
        now: Instant,
        halted: bool,
    ) {
        let seq = self.next_seq;
        self.next_seq += 1;
        let mut doc = Doc {
            seq,
            id,
            bit: consent.bit(),
            start,
            end,
            expires: end.saturating_add(retention_days.saturating_mul(DAY)),
            count: count_objects(&entries),
            entries,
            next_attempt: now,
            attempts: 0,
            spooled: false,
        };
        if let (Some(dir), false) = (&self.dir, halted) {
            doc.spooled = write_file(dir, &doc, self.fsync).is_ok();
        }
        self.docs.push_back(doc);
    }

    fn remove_at(&mut self, idx: usize) -> Option<Doc> {
        let doc = self.docs.remove(idx)?;
        if let (Some(dir), true) = (&self.dir, doc.spooled) {
            let _ = fs::remove_file(Self::path(dir, doc.seq));
        }
        Some(doc)
    }

    /// Deletes the documents of categories not in `choice` and those past retention, from
    /// memory and disk. A document on the wire is deleted too; its answer is then ignored.
    pub(crate) fn purge(&mut self, choice: u8, now_min: u32) {
        let mut i = 0;
        while i < self.docs.len() {
            let d = &self.docs[i];
            let revoked = d.bit & choice == 0;
            let expired = now_min >= d.expires;
            if !(revoked || expired) {
                i += 1;
                continue;
            }
            let seq = d.seq;
            if revoked {
                self.tally.revoked += 1;
            } else {
                self.tally.expired += 1;
            }
            if let Some((s, purged)) = self.in_flight.as_mut() {
                if *s == seq {
                    *purged = true;
                }
            }
            self.remove_at(i);
        }
    }

    /// Writes the next due document into `body`; `None` if none is due.
    pub(crate) fn next(
        &mut self,
        app: &AppInfo,
        install_id: Option<&str>,
        now: Instant,
        now_min: u32,
        body: &mut Vec<u8>,
    ) -> Option<(u64, usize, u8)> {
        let d = self.docs.iter().find(|d| d.next_attempt <= now)?;
        let consent = Consent::ALL
            .into_iter()
            .find(|c| c.bit() == d.bit)
            .map_or("", Consent::as_str);
        app.metrics(
            body,
            &d.id,
            install_id,
            consent,
            (d.start, d.end, now_min),
            &d.entries,
        );
        let (seq, count, bit) = (d.seq, d.count, d.bit);
        self.in_flight = Some((seq, false));
        Some((seq, count, bit))
    }

    /// Applies the answer to document `seq`.
    pub(crate) fn verdict(
        &mut self,
        seq: u64,
        verdict: Verdict,
        retry: &RetryPolicy,
        now: Instant,
        random: u64,
    ) {
        let purged = match self.in_flight.take() {
            Some((s, purged)) if s == seq => purged,
            other => {
                self.in_flight = other;
                return;
            }
        };
        let Some(idx) = self.docs.iter().position(|d| d.seq == seq) else {
            // Purged while on the wire: it left before the opt-out; counted as revoked.
            let _ = purged;
            return;
        };
        match verdict {
            // A receiver that refuses some metric objects of a 2xx document still has it:
            // resending would count the rest twice.
            Verdict::Delivered | Verdict::DeliveredExcept(_) => {
                self.tally.sent += 1;
                self.remove_at(idx);
            }
            // A document cannot be split: one the server finds too large never fits.
            Verdict::Reject | Verdict::Split => {
                self.tally.rejected += 1;
                self.remove_at(idx);
            }
            Verdict::Retry(after) => {
                self.tally.retried += 1;
                let d = &mut self.docs[idx];
                let wait = after.unwrap_or_else(|| retry.backoff(d.attempts, random));
                d.attempts = d.attempts.saturating_add(1);
                d.next_attempt = now + wait;
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.docs.len()
    }

    pub(crate) fn spooled(&self) -> usize {
        self.docs.iter().filter(|d| d.spooled).count()
    }

    /// When the earliest held document may be sent.
    pub(crate) fn wake_at(&self) -> Option<Instant> {
        self.docs.iter().map(|d| d.next_attempt).min()
    }

    #[cfg(test)]
    pub(crate) fn docs(&self) -> impl Iterator<Item = &Doc> {
        self.docs.iter()
    }
}

/// Metric objects in `entries` (`{...},{...}`): top-level objects, counted by depth.
fn count_objects(entries: &[u8]) -> usize {
    let (mut depth, mut n, mut in_str, mut esc) = (0usize, 0usize, false, false);
    for &b in entries {
        if in_str {
            match (esc, b) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'{' => {
                if depth == 0 {
                    n += 1;
                }
                depth += 1;
            }
            b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    n
}

fn header(doc: &Doc) -> String {
    format!(
        "CNDM1 {} {} {} {} {} {:08x}\n",
        doc.id,
        doc.bit,
        doc.start,
        doc.end,
        doc.expires,
        crc32fast::hash(&doc.entries)
    )
}

fn write_file(dir: &Path, doc: &Doc, fsync: bool) -> io::Result<()> {
    fs::create_dir_all(dir)?;
    let path = Outbox::path(dir, doc.seq);
    let tmp = path.with_extension("cnd.tmp");
    let mut f = fs::File::create(&tmp)?;
    f.write_all(header(doc).as_bytes())?;
    f.write_all(&doc.entries)?;
    if fsync {
        f.sync_data()?;
    }
    drop(f);
    fs::rename(&tmp, &path)
}

/// What a spool file holds: (id, bit, start, end, expires, entries).
type Parsed = (String, u8, u32, u32, u32, Vec<u8>);

/// What a spool file holds, if it is whole.
fn parse(data: &[u8]) -> Option<Parsed> {
    let nl = data.iter().position(|&b| b == b'\n')?;
    let head = std::str::from_utf8(&data[..nl]).ok()?;
    let mut parts = head.split(' ');
    if parts.next()? != "CNDM1" {
        return None;
    }
    let id = parts.next()?.to_string();
    let bit: u8 = parts.next()?.parse().ok()?;
    let start: u32 = parts.next()?.parse().ok()?;
    let end: u32 = parts.next()?.parse().ok()?;
    let expires: u32 = parts.next()?.parse().ok()?;
    let crc = u32::from_str_radix(parts.next()?, 16).ok()?;
    let entries = data[nl + 1..].to_vec();
    let known = Consent::ALL.iter().any(|c| c.bit() == bit);
    let whole = known
        && candor_core::wire::is_id(&id)
        && parts.next().is_none()
        && crc32fast::hash(&entries) == crc
        && !entries.is_empty();
    whole.then_some((id, bit, start, end, expires, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("candor-outbox-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn spooled_documents_survive_a_restart_and_a_purge_deletes_them() {
        let dir = tmpdir("restart");
        let now = Instant::now();
        let mut o = Outbox::open(Some(&dir), false, now);
        let e = br#"{"name":"a.b","version":1,"type":"counter","value":3}"#.to_vec();
        o.push(
            ID.into(),
            Consent::Performance,
            60,
            120,
            30,
            e.clone(),
            now,
            false,
        );
        o.push(
            ID.into(),
            Consent::Usage,
            60,
            120,
            30,
            e.clone(),
            now,
            false,
        );
        drop(o);
        let mut o = Outbox::open(Some(&dir), false, now);
        assert_eq!(o.len(), 2);
        assert_eq!(o.docs().next().map(|d| d.entries.clone()), Some(e));
        o.purge(Consent::Usage.bit(), 0);
        assert_eq!(o.len(), 1);
        assert_eq!(o.tally.revoked, 1);
        drop(o);
        let o = Outbox::open(Some(&dir), false, now);
        assert_eq!(
            o.docs().map(|d| d.bit).collect::<Vec<_>>(),
            [Consent::Usage.bit()]
        );
    }

    #[test]
    fn a_corrupted_file_is_deleted_and_counted() {
        let dir = tmpdir("corrupt");
        let now = Instant::now();
        let mut o = Outbox::open(Some(&dir), false, now);
        o.push(
            ID.into(),
            Consent::Usage,
            0,
            1,
            30,
            b"{}".to_vec(),
            now,
            false,
        );
        drop(o);
        let f = Outbox::path(&dir.join("metrics"), 1);
        let mut data = fs::read(&f).unwrap();
        *data.last_mut().unwrap() = b']';
        fs::write(&f, data).unwrap();
        let o = Outbox::open(Some(&dir), false, now);
        assert_eq!((o.len(), o.tally.corrupt), (0, 1));
        assert!(!f.exists());
    }

    #[test]
    fn retention_deletes_unsent_documents() {
        let now = Instant::now();
        let mut o = Outbox::open(None, false, now);
        o.push(
            ID.into(),
            Consent::Usage,
            0,
            60,
            1,
            b"{}".to_vec(),
            now,
            false,
        );
        o.purge(Consent::MASK_ALL, 60 + DAY - 1);
        assert_eq!(o.len(), 1);
        o.purge(Consent::MASK_ALL, 60 + DAY);
        assert_eq!((o.len(), o.tally.expired), (0, 1));
    }

    #[test]
    fn objects_are_counted_outside_strings() {
        assert_eq!(count_objects(br#"{"a":{"b":1}},{"n":"}{\"{"}"#), 2);
        assert_eq!(count_objects(b""), 0);
    }
}
