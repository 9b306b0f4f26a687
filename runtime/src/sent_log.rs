//! The sent log (`Config::sent_log`, off by default): the documents this device delivered in
//! the last days, kept in `<state_dir>/sent/` so an app can show a person exactly what left
//! their device ([`Client::sent_log`](crate::Client::sent_log)), and `candor inspect` can show
//! it to a reviewer.
//!
//! Files `sent-<first minute, 8 hex digits>.cnd` of frames (the spool's format, from
//! `candor_core::frames`), one entry per delivered document: kind, consent bits, minute, the
//! JSON exactly as sent. Appends are one `write` per document; a torn frame is skipped when
//! read. A file holds one UTC day and at most an eighth of the byte bound, so pruning by age
//! and by size deletes whole files: a file goes once its day is older than the window, and
//! the oldest files go while the total is over the bound. An opt-out rewrites the files
//! without the documents that held the revoked category (see docs/runtime.md#sent-log).

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use candor_core::date::MINUTES_PER_DAY;
use candor_core::frames::{parse_frames, push_frame, SentEntry, SentKind};

/// How much the sent log keeps. Default: 7 days, at most 4 MiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentLog {
    /// Documents delivered in the last this many days are kept. Default: 7.
    pub days: u32,
    /// Bound on the log's files, in bytes; the oldest go first. Default: 4 MiB.
    pub max_bytes: u64,
}

impl Default for SentLog {
    fn default() -> Self {
        SentLog {
            days: 7,
            max_bytes: 4 << 20,
        }
    }
}

impl SentLog {
    /// Keep `days` days (at least 1), within the default byte bound.
    pub fn days(days: u32) -> SentLog {
        SentLog {
            days: days.max(1),
            ..SentLog::default()
        }
    }

    /// The same, with the byte bound `max_bytes`.
    pub fn with_max_bytes(self, max_bytes: u64) -> SentLog {
        SentLog { max_bytes, ..self }
    }
}

/// One delivered document, as [`Client::sent_log`](crate::Client::sent_log) yields it.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SentLogEntry {
    /// When it was delivered, `YYYY-MM-DDTHH:MMZ` (the runtime's coarse clock).
    pub time: String,
    /// The same, in minutes since 1970.
    pub minute: u32,
    /// `"batch"` or `"deletion"`.
    pub kind: &'static str,
    /// The JSON document exactly as it was sent (before compression).
    pub document: String,
}

/// The log's files; owned by the client behind its own lock (never the pipeline's).
pub(crate) struct Store {
    dir: PathBuf,
    cfg: SentLog,
    /// Files by first minute, with their size.
    files: BTreeMap<u32, u64>,
    current: Option<(u32, File)>,
}

const PREFIX: &str = "sent-";

fn parse_name(name: &str) -> Option<u32> {
    let hex = name.strip_prefix(PREFIX)?.strip_suffix(".cnd")?;
    (hex.len() == 8).then_some(())?;
    u32::from_str_radix(hex, 16).ok()
}

impl Store {
    /// Opens (creating) `dir`, listing the files already there.
    pub(crate) fn open(dir: &Path, cfg: SentLog) -> io::Result<Store> {
        fs::create_dir_all(dir)?;
        let mut files = BTreeMap::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(".tmp") {
                let _ = fs::remove_file(entry.path());
            } else if let Some(start) = parse_name(name) {
                // Only regular files: a link planted in the folder is not followed.
                let meta = fs::symlink_metadata(entry.path())?;
                if meta.is_file() {
                    files.insert(start, meta.len());
                }
            }
        }
        Ok(Store {
            dir: dir.to_owned(),
            cfg,
            files,
            current: None,
        })
    }

    fn path(&self, start: u32) -> PathBuf {
        self.dir.join(format!("{PREFIX}{start:08x}.cnd"))
    }

    /// Appends one delivered document, then prunes.
    pub(crate) fn append(
        &mut self,
        kind: SentKind,
        consent_bits: u8,
        minute: u32,
        document: &[u8],
    ) -> io::Result<()> {
        let mut body = Vec::with_capacity(document.len() + 8);
        SentEntry {
            kind,
            consent_bits,
            minute,
            document,
        }
        .write(&mut body);
        let mut frame = Vec::with_capacity(body.len() + 12);
        push_frame(&mut frame, &body);
        if frame.len() as u64 > self.cfg.max_bytes {
            // Larger than the whole log may be: not kept (the bound is a promise too).
            self.prune(minute);
            return Ok(());
        }
        let per_file = (self.cfg.max_bytes / 8).max(1);
        let start = match self.files.last_key_value() {
            Some((&start, &size))
                if start / MINUTES_PER_DAY == minute / MINUTES_PER_DAY
                    && size + frame.len() as u64 <= per_file =>
            {
                start
            }
            // A new file: a new day, or the last one is full. Never before the last start,
            // so names stay in time order even if the clock went back.
            _ => self
                .files
                .last_key_value()
                .map_or(minute, |(&s, _)| minute.max(s.saturating_add(1))),
        };
        if self.current.as_ref().is_none_or(|(s, _)| *s != start) {
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.path(start))?;
            self.current = Some((start, f));
        }
        let (_, f) = self.current.as_mut().expect("just opened");
        f.write_all(&frame)?;
        *self.files.entry(start).or_insert(0) += frame.len() as u64;
        self.prune(minute);
        Ok(())
    }

    /// Deletes files whose day is out of the window at `now`, then the oldest while over the
    /// byte bound.
    pub(crate) fn prune(&mut self, now: u32) {
        let window = u64::from(self.cfg.days) * u64::from(MINUTES_PER_DAY);
        let oldest_kept = u64::from(now).saturating_sub(window);
        let expired: Vec<u32> = self
            .files
            .keys()
            .copied()
            .filter(|&start| {
                let day_end = (u64::from(start / MINUTES_PER_DAY) + 1) * u64::from(MINUTES_PER_DAY);
                day_end <= oldest_kept
            })
            .collect();
        for start in expired {
            self.delete(start);
        }
        while self.files.values().sum::<u64>() > self.cfg.max_bytes {
            let Some(&oldest) = self.files.keys().next() else {
                break;
            };
            self.delete(oldest);
        }
    }

    fn delete(&mut self, start: u32) {
        if self.current.as_ref().is_some_and(|(s, _)| *s == start) {
            self.current = None;
        }
        self.files.remove(&start);
        let _ = fs::remove_file(self.path(start));
    }

    /// The entries within the window at `now`, oldest first.
    pub(crate) fn entries(&self, now: u32) -> Vec<SentLogEntry> {
        let window = u64::from(self.cfg.days) * u64::from(MINUTES_PER_DAY);
        let oldest_kept = u64::from(now).saturating_sub(window);
        let mut out = Vec::new();
        for &start in self.files.keys() {
            let Ok(data) = fs::read(self.path(start)) else {
                continue;
            };
            parse_frames(&data, |body| {
                if let Some(e) = SentEntry::parse(body) {
                    if u64::from(e.minute) >= oldest_kept {
                        out.push(SentLogEntry {
                            time: String::from_utf8_lossy(&candor_core::date::format_minute(
                                e.minute,
                            ))
                            .into_owned(),
                            minute: e.minute,
                            kind: e.kind.as_str(),
                            document: String::from_utf8_lossy(e.document).into_owned(),
                        });
                    }
                }
            });
        }
        out
    }

    /// Removes every document that held an event of a category in `revoked`: rewritten to a
    /// temporary file and renamed, or deleted when nothing is left.
    pub(crate) fn purge(&mut self, revoked: u8) -> io::Result<()> {
        self.current = None;
        let starts: Vec<u32> = self.files.keys().copied().collect();
        for start in starts {
            let path = self.path(start);
            let data = fs::read(&path)?;
            let mut kept = Vec::with_capacity(data.len());
            let mut dropped = false;
            parse_frames(&data, |body| match SentEntry::parse(body) {
                Some(e) if e.consent_bits & revoked != 0 => dropped = true,
                _ => push_frame(&mut kept, body),
            });
            if !dropped {
                continue;
            }
            if kept.is_empty() {
                self.delete(start);
                continue;
            }
            let tmp = self.dir.join(format!("{PREFIX}{start:08x}.tmp"));
            fs::write(&tmp, &kept)?;
            fs::rename(&tmp, &path)?;
            self.files.insert(start, kept.len() as u64);
        }
        Ok(())
    }

    /// Deletes every file.
    pub(crate) fn clear(&mut self) {
        let starts: Vec<u32> = self.files.keys().copied().collect();
        for start in starts {
            self.delete(start);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("candor-sent-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    const DAY: u32 = MINUTES_PER_DAY;
    const T0: u32 = 20_000 * DAY;

    #[test]
    fn keeps_the_window_and_prunes_by_age() {
        let dir = tmpdir("age");
        let mut s = Store::open(&dir, SentLog::days(2)).unwrap();
        for d in 0..5 {
            s.append(
                SentKind::Batch,
                1,
                T0 + d * DAY + 7,
                format!("{{\"d\":{d}}}").as_bytes(),
            )
            .unwrap();
        }
        let now = T0 + 4 * DAY + 8;
        let docs: Vec<String> = s.entries(now).into_iter().map(|e| e.document).collect();
        assert_eq!(docs, ["{\"d\":3}", "{\"d\":4}"]);
        assert!(
            s.files.len() <= 3,
            "older days' files are deleted: {:?}",
            s.files
        );
        // Reopened: the same entries.
        let s = Store::open(&dir, SentLog::days(2)).unwrap();
        assert_eq!(s.entries(now).len(), 2);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn stays_under_the_byte_bound() {
        let dir = tmpdir("size");
        let mut s = Store::open(&dir, SentLog::days(7).with_max_bytes(4096)).unwrap();
        let doc = vec![b'x'; 300];
        for i in 0..100 {
            s.append(SentKind::Batch, 1, T0 + i, &doc).unwrap();
            let on_disk: u64 = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().metadata().unwrap().len())
                .sum();
            assert!(on_disk <= 4096, "{on_disk} bytes after {i} appends");
        }
        let entries = s.entries(T0 + 100);
        assert!(
            entries.len() >= 8,
            "most recent ones kept: {}",
            entries.len()
        );
        assert_eq!(entries.last().unwrap().minute, T0 + 99);
        // A document larger than the whole bound is not kept.
        s.append(SentKind::Batch, 1, T0 + 200, &vec![b'y'; 5000])
            .unwrap();
        assert!(s
            .entries(T0 + 200)
            .iter()
            .all(|e| !e.document.contains('y')));
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn purge_drops_documents_of_the_revoked_category_only() {
        let dir = tmpdir("purge");
        let mut s = Store::open(&dir, SentLog::default()).unwrap();
        s.append(SentKind::Batch, 0b001, T0, b"usage").unwrap();
        s.append(SentKind::Batch, 0b010, T0 + 1, b"diagnostics")
            .unwrap();
        s.append(SentKind::Batch, 0b011, T0 + 2, b"both").unwrap();
        s.append(SentKind::Deletion, 0, T0 + 3, b"deletion")
            .unwrap();
        s.purge(0b010).unwrap();
        let docs: Vec<String> = s.entries(T0 + 4).into_iter().map(|e| e.document).collect();
        assert_eq!(docs, ["usage", "deletion"]);
        s.append(SentKind::Batch, 0b001, T0 + 5, b"after").unwrap();
        assert_eq!(s.entries(T0 + 6).len(), 3);
        s.clear();
        assert!(s.entries(T0 + 6).is_empty());
        assert_eq!(fs::read_dir(&dir).unwrap().count(), 0);
        fs::remove_dir_all(&dir).unwrap();
    }
}
