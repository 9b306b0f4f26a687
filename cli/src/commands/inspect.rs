//! `candor inspect PATH`: what a device holds, readable: the spool (events waiting to be
//! sent, crash reports) and the sent log (documents that left the device). The record format
//! is read by `candor_core::frames`, the same code the runtime reads it with.
//!
//! The input is untrusted (a file from someone's device): links are refused, not followed;
//! only regular files are opened (a FIFO would hang the reader); a file over
//! [`MAX_FILE_BYTES`] or a folder over [`MAX_FILES`] entries is an error; damaged frames are
//! skipped and reported, never fatal; text from the files is printed with control characters
//! made visible.

use crate::Outcome;
use candor_core::frames::{parse_frames, SentEntry, SpoolEntry};
use candor_core::Consent;
use candor_schema::diagnostic::visible;
use serde_json::{json, Value};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

/// Larger than any file the runtime writes (the spool's pending bound is 16 MiB by default,
/// split in batch files of at most a few MiB; the sent log is bounded in bytes too).
pub const MAX_FILE_BYTES: u64 = 64 << 20;
/// Folder entries looked at, at most.
pub const MAX_FILES: usize = 100_000;

#[derive(clap::Args)]
pub struct Args {
    /// A spool folder, a sent-log folder (`<state_dir>/sent`), a state folder holding `sent/`,
    /// or one `seg-*.cnd`, `crash-*.cnd` or `sent-*.cnd` file.
    path: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// `seg-*.cnd`: a spooled batch.
    Spool,
    /// `crash-*.cnd`: a crash report not yet adopted by a start.
    Crash,
    /// `sent-*.cnd`: documents delivered.
    Sent,
}

impl Kind {
    fn of(name: &str) -> Option<Kind> {
        if !name.ends_with(".cnd") {
            return None;
        }
        if name.starts_with("seg-") {
            Some(Kind::Spool)
        } else if name.starts_with("crash-") {
            Some(Kind::Crash)
        } else if name.starts_with("sent-") {
            Some(Kind::Sent)
        } else {
            None
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Kind::Spool => "spool",
            Kind::Crash => "crash report",
            Kind::Sent => "sent log",
        }
    }
}

/// One file read.
struct FileReport {
    name: String,
    kind: Kind,
    entries: Vec<Value>,
    damaged: u64,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let files = collect_files(&args.path)?;
    let mut reports = Vec::with_capacity(files.len());
    for (path, kind) in files {
        reports.push(read_file(&path, kind)?);
    }
    let damaged: u64 = reports.iter().map(|r| r.damaged).sum();
    match args.format {
        Format::Json => {
            let doc = json!({
                "path": args.path.display().to_string(),
                "files": reports.iter().map(|r| json!({
                    "file": r.name,
                    "kind": r.kind.as_str(),
                    "damaged_regions": r.damaged,
                    "entries": r.entries,
                })).collect::<Vec<_>>(),
            });
            println!(
                "{}",
                serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())?
            );
        }
        Format::Human => print_human(&args.path, &reports),
    }
    Ok(if damaged > 0 {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}

fn shown(p: &Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// The record files under `path`, in name order (which is time order for each kind).
fn collect_files(path: &Path) -> Result<Vec<(PathBuf, Kind)>, String> {
    let meta =
        fs::symlink_metadata(path).map_err(|e| format!("cannot read `{}`: {e}", shown(path)))?;
    if meta.file_type().is_symlink() {
        return Err(format!(
            "`{}` is a symbolic link; pass the real path (links are not followed)",
            shown(path)
        ));
    }
    if meta.is_file() {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let kind = Kind::of(name).ok_or_else(|| {
            format!(
                "`{}` is not a candor record file (seg-*.cnd, crash-*.cnd or sent-*.cnd)",
                shown(path)
            )
        })?;
        return Ok(vec![(path.to_owned(), kind)]);
    }
    if !meta.is_dir() {
        return Err(format!("`{}` is neither a file nor a folder", shown(path)));
    }
    let mut files = list(path)?;
    // A state folder: its sent log.
    let sent = path.join("sent");
    if files.is_empty() {
        if let Ok(m) = fs::symlink_metadata(&sent) {
            if m.is_dir() {
                files = list(&sent)?;
            }
        }
    }
    if files.is_empty() {
        return Err(format!(
            "`{}` holds no spool or sent-log files (seg-*.cnd, crash-*.cnd, sent-*.cnd)",
            shown(path)
        ));
    }
    Ok(files)
}

fn list(dir: &Path) -> Result<Vec<(PathBuf, Kind)>, String> {
    let mut out = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| format!("cannot read `{}`: {e}", shown(dir)))?;
    for (i, entry) in entries.enumerate() {
        if i >= MAX_FILES {
            return Err(format!(
                "`{}` has more than {MAX_FILES} entries; not a candor folder",
                shown(dir)
            ));
        }
        let entry = entry.map_err(|e| format!("cannot read `{}`: {e}", shown(dir)))?;
        let name = entry.file_name();
        let Some(kind) = name.to_str().and_then(Kind::of) else {
            continue;
        };
        let ft = entry
            .file_type()
            .map_err(|e| format!("cannot read `{}`: {e}", shown(&entry.path())))?;
        if ft.is_symlink() {
            return Err(format!(
                "`{}` is a symbolic link; a record file never is (links are not followed)",
                shown(&entry.path())
            ));
        }
        if !ft.is_file() {
            return Err(format!("`{}` is not a regular file", shown(&entry.path())));
        }
        out.push((entry.path(), kind));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

fn read_file(path: &Path, kind: Kind) -> Result<FileReport, String> {
    let cannot = |e: std::io::Error| format!("cannot read `{}`: {e}", shown(path));
    let file = fs::File::open(path).map_err(cannot)?;
    let meta = file.metadata().map_err(cannot)?;
    if !meta.is_file() {
        return Err(format!("`{}` is not a regular file", shown(path)));
    }
    let mut data = Vec::new();
    // Bounded read, whatever the size said a moment ago.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut data)
        .map_err(cannot)?;
    if data.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "`{}` is larger than {} MiB; not a file the runtime writes",
            shown(path),
            MAX_FILE_BYTES >> 20
        ));
    }
    let mut entries = Vec::new();
    let mut wrong_kind = 0u64;
    let damaged = parse_frames(&data, |body| {
        let entry = match kind {
            Kind::Spool | Kind::Crash => SpoolEntry::parse(body).map(spool_json),
            Kind::Sent => SentEntry::parse(body).map(sent_json),
        };
        match entry {
            Some(v) => entries.push(v),
            None => wrong_kind += 1,
        }
    });
    Ok(FileReport {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        kind,
        entries,
        damaged: damaged + wrong_kind,
    })
}

fn minute_text(minute: u32) -> String {
    String::from_utf8_lossy(&candor_core::date::format_minute(minute)).into_owned()
}

fn categories(bits: u8) -> Vec<&'static str> {
    Consent::ALL
        .iter()
        .filter(|c| bits & c.bit() != 0)
        .map(|c| c.as_str())
        .collect()
}

/// JSON text as a value when it parses, else as a string (so nothing is hidden).
fn document(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes)
        .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(bytes).into_owned()))
}

fn spool_json(e: SpoolEntry<'_>) -> Value {
    let id: String = e.id.iter().map(|b| format!("{b:02x}")).collect();
    let mut text = format!("{{\"id\":\"{id}\",").into_bytes();
    text.extend_from_slice(e.tail);
    json!({
        "time": minute_text(e.minute),
        "consent": categories(e.consent_bit),
        "retention_days": e.retention_days,
        "event": document(&text),
    })
}

fn sent_json(e: SentEntry<'_>) -> Value {
    json!({
        "time": minute_text(e.minute),
        "kind": e.kind.as_str(),
        "consent": categories(e.consent_bits),
        "document": document(e.document),
    })
}

fn print_human(path: &Path, reports: &[FileReport]) {
    let total: usize = reports.iter().map(|r| r.entries.len()).sum();
    println!(
        "{}: {} file(s), {total} record(s)",
        shown(path),
        reports.len()
    );
    for r in reports {
        println!();
        println!(
            "{} ({}): {} record(s){}",
            visible(&r.name),
            r.kind.as_str(),
            r.entries.len(),
            if r.damaged > 0 {
                format!(", {} damaged region(s) skipped", r.damaged)
            } else {
                String::new()
            }
        );
        for e in &r.entries {
            let consent = e["consent"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join("+")
                })
                .unwrap_or_default();
            let body = match r.kind {
                Kind::Sent => &e["document"],
                _ => &e["event"],
            };
            let head = match r.kind {
                Kind::Sent => format!(
                    "  {}  {} [{}]",
                    e["time"].as_str().unwrap_or_default(),
                    e["kind"].as_str().unwrap_or_default(),
                    consent
                ),
                _ => format!(
                    "  {}  {} (kept {} days)",
                    e["time"].as_str().unwrap_or_default(),
                    consent,
                    e["retention_days"]
                ),
            };
            println!("{head}");
            let text = serde_json::to_string_pretty(body).unwrap_or_default();
            for line in text.lines() {
                println!("    {}", visible(line));
            }
        }
    }
}
