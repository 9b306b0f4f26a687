//! The optional disk spool: events survive crashes, offline periods and
//! restarts.
//!
//! One file per batch, `seg-<seq>.cnd`, holding frames
//! `[u32 magic "CND1"][u32 len][u32 crc32(body)][body]` where `body` is a
//! batch entry (meta, id, tail; see [`crate::batch`]). Frames are appended as
//! events are drained from the queue; a batch's file is deleted once the
//! batch is delivered (or dropped). A torn or corrupted frame fails its
//! length or checksum and is skipped by scanning for the next magic, never
//! failing the load. Rewrites (after a consent purge, retention expiry or a
//! 413 split) go to a temporary file that is renamed over the original, so a
//! crash leaves either the old or the new file. Ids are stored, so resent
//! events keep them and the server can deduplicate.
//!
//! A panic hook writes its report as `crash-<random>.cnd` (one frame, same format) without
//! touching the pipeline or its lock; the next [`Spool::open`] adopts each such file as a
//! batch of its own, renamed to the next `seg-` number.

use std::collections::BTreeMap;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::batch::Batch;

// The frame format is candor-core's, shared with `candor inspect`.
use candor_core::frames::{parse_frames, push_frame, FRAME_HEADER};

pub(crate) struct Spool {
    dir: PathBuf,
    fsync: bool,
    /// Files present, by batch seq, with their size.
    files: BTreeMap<u64, u64>,
    /// Append handle of the most recently written file.
    current: Option<(u64, File)>,
}

/// What was found on disk at start-up.
pub(crate) struct Loaded {
    pub batches: Vec<Batch>,
    pub corrupt_frames: u64,
}

impl Spool {
    pub(crate) fn open(dir: &Path, fsync: bool) -> io::Result<(Spool, Loaded)> {
        fs::create_dir_all(dir)?;
        let mut spool = Spool {
            dir: dir.to_owned(),
            fsync,
            files: BTreeMap::new(),
            current: None,
        };
        let mut loaded = Loaded {
            batches: Vec::new(),
            corrupt_frames: 0,
        };
        let mut seqs = Vec::new();
        let mut crashes = Vec::new();
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            if name.ends_with(".tmp") {
                // An interrupted rewrite or crash report; the original (if any) is in place.
                let _ = fs::remove_file(entry.path());
            } else if let Some(seq) = parse_name(name) {
                seqs.push(seq);
            } else if name.starts_with(CRASH_PREFIX) && name.ends_with(".cnd") {
                crashes.push(entry.path());
            }
        }
        seqs.sort_unstable();
        // Crash reports of earlier runs become batches after everything already spooled.
        crashes.sort();
        let mut next = seqs.last().map_or(1, |s| s + 1);
        for path in crashes {
            if fs::rename(&path, spool.path(next)).is_ok() {
                seqs.push(next);
                next += 1;
            }
        }
        let now = Instant::now();
        for seq in seqs {
            let path = spool.path(seq);
            let data = match fs::read(&path) {
                Ok(d) => d,
                Err(_) => continue,
            };
            let mut batch = Batch::new(seq, now);
            loaded.corrupt_frames += parse_frames(&data, |body| {
                batch.push_body(body);
            });
            if batch.is_empty() {
                let _ = fs::remove_file(&path);
                continue;
            }
            batch.spooled = true;
            spool.files.insert(seq, data.len() as u64);
            loaded.batches.push(batch);
        }
        Ok((spool, loaded))
    }

    fn path(&self, seq: u64) -> PathBuf {
        self.dir.join(format!("seg-{seq:016x}.cnd"))
    }

    /// Appends entry bodies to the file of batch `seq`.
    pub(crate) fn append<'a>(
        &mut self,
        seq: u64,
        bodies: impl Iterator<Item = &'a [u8]>,
    ) -> io::Result<()> {
        let mut frames = Vec::new();
        for body in bodies {
            push_frame(&mut frames, body);
        }
        if frames.is_empty() {
            return Ok(());
        }
        if self.current.as_ref().is_none_or(|(s, _)| *s != seq) {
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(self.path(seq))?;
            self.current = Some((seq, f));
        }
        let (_, f) = self.current.as_mut().expect("just opened");
        // One write per drain keeps a torn write to at most the last frames.
        f.write_all(&frames)?;
        if self.fsync {
            f.sync_data()?;
        }
        *self.files.entry(seq).or_insert(0) += frames.len() as u64;
        Ok(())
    }

    /// Deletes the file of batch `seq`.
    pub(crate) fn remove(&mut self, seq: u64) {
        if self.current.as_ref().is_some_and(|(s, _)| *s == seq) {
            self.current = None;
        }
        if self.files.remove(&seq).is_some() {
            let _ = fs::remove_file(self.path(seq));
        }
    }

    /// Replaces the file of `batch` with its current entries (or deletes it
    /// if the batch is empty).
    pub(crate) fn rewrite(&mut self, batch: &Batch) -> io::Result<()> {
        self.remove_handle(batch.seq);
        if batch.is_empty() {
            self.remove(batch.seq);
            return Ok(());
        }
        let mut frames = Vec::with_capacity(batch.mem_bytes() + batch.count * FRAME_HEADER);
        for e in batch.entries() {
            push_frame(&mut frames, e.body);
        }
        let tmp = self.dir.join(format!("seg-{:016x}.tmp", batch.seq));
        {
            let mut f = File::create(&tmp)?;
            f.write_all(&frames)?;
            if self.fsync {
                f.sync_data()?;
            }
        }
        fs::rename(&tmp, self.path(batch.seq))?;
        self.files.insert(batch.seq, frames.len() as u64);
        Ok(())
    }

    fn remove_handle(&mut self, seq: u64) {
        if self.current.as_ref().is_some_and(|(s, _)| *s == seq) {
            self.current = None;
        }
    }
}

/// File name prefix of a crash report written by the panic hook.
pub(crate) const CRASH_PREFIX: &str = "crash-";

/// Writes one entry body as a crash report file in `dir`, durably (written to a temporary
/// file, synced, renamed): called from a panic hook, so it takes no lock of the client and
/// reads no state but its arguments. `tag` makes the name unique (random hex).
pub(crate) fn write_crash_file(dir: &Path, tag: &str, body: &[u8]) -> io::Result<PathBuf> {
    let mut frame = Vec::with_capacity(FRAME_HEADER + body.len());
    push_frame(&mut frame, body);
    let tmp = dir.join(format!("{CRASH_PREFIX}{tag}.tmp"));
    let path = dir.join(format!("{CRASH_PREFIX}{tag}.cnd"));
    {
        let mut f = File::create(&tmp)?;
        f.write_all(&frame)?;
        f.sync_data()?;
    }
    fs::rename(&tmp, &path)?;
    Ok(path)
}

fn parse_name(name: &str) -> Option<u64> {
    let hex = name.strip_prefix("seg-")?.strip_suffix(".cnd")?;
    u64::from_str_radix(hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Meta;

    fn tmpdir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("candor-spool-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        d
    }

    fn batch(seq: u64, n: u8) -> Batch {
        let mut b = Batch::new(seq, Instant::now());
        for i in 0..n {
            b.push(
                Meta {
                    bit: 1,
                    retention_days: 30,
                    minute: 5,
                },
                &[i; 16],
                b"\"name\":\"a\"}",
            );
        }
        b
    }

    #[test]
    fn round_trip_remove_rewrite() {
        let dir = tmpdir("rt");
        let (mut s, loaded) = Spool::open(&dir, false).unwrap();
        assert!(loaded.batches.is_empty());
        let mut b = batch(3, 4);
        s.append(3, b.entries().map(|e| e.body)).unwrap();
        s.append(9, batch(9, 1).entries().map(|e| e.body)).unwrap();
        drop(s);
        let (mut s, loaded) = Spool::open(&dir, false).unwrap();
        assert_eq!(loaded.corrupt_frames, 0);
        let counts: Vec<(u64, usize)> = loaded.batches.iter().map(|b| (b.seq, b.count)).collect();
        assert_eq!(counts, vec![(3, 4), (9, 1)]);
        let ids: Vec<u8> = loaded.batches[0].entries().map(|e| e.id[0]).collect();
        assert_eq!(ids, vec![0, 1, 2, 3]);
        b.retain(|e| e.id[0] % 2 == 0);
        s.rewrite(&b).unwrap();
        s.remove(9);
        drop(s);
        let (_, loaded) = Spool::open(&dir, false).unwrap();
        assert_eq!(loaded.batches.len(), 1);
        assert_eq!(loaded.batches[0].count, 2);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn torn_and_corrupted_frames_are_skipped() {
        let dir = tmpdir("torn");
        let (mut s, _) = Spool::open(&dir, false).unwrap();
        s.append(1, batch(1, 5).entries().map(|e| e.body)).unwrap();
        drop(s);
        let path = dir.join(format!("seg-{:016x}.cnd", 1));
        let mut data = fs::read(&path).unwrap();
        let frame = data.len() / 5;
        // Flip a byte in the second frame's body and tear the last frame.
        data[frame + FRAME_HEADER + 3] ^= 0xff;
        data.truncate(data.len() - 3);
        fs::write(&path, &data).unwrap();
        let (_, loaded) = Spool::open(&dir, false).unwrap();
        assert_eq!(loaded.corrupt_frames, 2);
        let ids: Vec<u8> = loaded.batches[0].entries().map(|e| e.id[0]).collect();
        assert_eq!(ids, vec![0, 2, 3]);
        // Garbage-only files load as nothing, without error.
        fs::write(&path, b"\x00garbage CND1 more garbage").unwrap();
        let (_, loaded) = Spool::open(&dir, false).unwrap();
        assert!(loaded.batches.is_empty());
        fs::remove_dir_all(&dir).unwrap();
    }
}
