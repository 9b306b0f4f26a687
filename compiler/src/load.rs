//! Finding and reading schema files: every `*.yaml`/`*.yml` below a folder, skipping hidden
//! entries, in byte order of their relative paths so every machine compiles them the same way.
//!
//! The folder may come from an untrusted pull request, so only what is really inside it is
//! read: regular files, found without following symbolic links, within [`Limits`] on size,
//! count and depth. Every entry's type is taken from the directory listing (what `lstat` would
//! say) before anything is opened (opening a FIFO would block), and a file that changes
//! between the listing and the read is refused.

use crate::diagnostic::visible;
use crate::source::{SourceFile, SourceMap};
use std::fmt;
use std::fs::{File, FileType};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// The schema folder could not be read at all (as opposed to a problem inside a file).
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub error: io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot read `{}`: {}",
            visible(&self.path.display().to_string()),
            visible(&self.error.to_string())
        )
    }
}

impl std::error::Error for LoadError {}

impl LoadError {
    fn new(path: &Path, kind: io::ErrorKind, message: String) -> LoadError {
        LoadError {
            path: path.to_path_buf(),
            error: io::Error::new(kind, message),
        }
    }
}

/// How much a schema folder may hold. Real folders hold kilobytes to a few megabytes; the
/// defaults leave room for generated registries a hundred times larger while keeping a hostile
/// folder from exhausting memory or time. Documented in `docs/schema-language.md`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest schema file, in bytes.
    pub max_file_bytes: u64,
    /// All schema files together, in bytes.
    pub max_total_bytes: u64,
    /// Schema files in the folder.
    pub max_files: usize,
    /// Folder levels below the schema folder.
    pub max_depth: usize,
    /// Directory entries looked at in the whole walk, schema files or not.
    pub max_entries: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 256 << 20,
            max_total_bytes: 512 << 20,
            max_files: 250_000,
            max_depth: 32,
            max_entries: 1_000_000,
        }
    }
}

/// A schema file found by the walk.
struct Found {
    relative: String,
    path: PathBuf,
    /// Its inode number as the directory listed it, compared with the file once it is open.
    #[cfg(unix)]
    ino: u64,
}

fn is_schema_name(name: &str) -> bool {
    name.ends_with(".yaml") || name.ends_with(".yml")
}

/// The schema files below `dir`, relative paths with `/`, sorted.
pub fn schema_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    Ok(find(dir, &Limits::default())?
        .into_iter()
        .map(|f| (f.relative, f.path))
        .collect())
}

fn find(dir: &Path, limits: &Limits) -> Result<Vec<Found>, LoadError> {
    let mut walk = Walk {
        limits,
        out: Vec::new(),
        entries: 0,
    };
    walk.dir(dir, "", 0)?;
    walk.out.sort_by(|a, b| a.relative.cmp(&b.relative));
    Ok(walk.out)
}

struct Walk<'l> {
    limits: &'l Limits,
    out: Vec<Found>,
    entries: usize,
}

impl Walk<'_> {
    fn dir(&mut self, dir: &Path, prefix: &str, depth: usize) -> Result<(), LoadError> {
        let err = |error| LoadError {
            path: dir.to_path_buf(),
            error,
        };
        for entry in std::fs::read_dir(dir).map_err(err)? {
            let entry = entry.map_err(err)?;
            self.entries += 1;
            if self.entries > self.limits.max_entries {
                return Err(LoadError::new(
                    dir,
                    io::ErrorKind::InvalidData,
                    format!(
                        "the schema folder holds more than {} entries (files and folders); candor stops there",
                        self.limits.max_entries
                    ),
                ));
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            let path = entry.path();
            let rel = format!("{prefix}{name}");
            // Not followed: on Unix this is the entry's own type, as `lstat` gives it.
            let kind = entry.file_type().map_err(err)?;
            if kind.is_dir() {
                if depth + 1 > self.limits.max_depth {
                    return Err(LoadError::new(
                        &path,
                        io::ErrorKind::InvalidData,
                        format!(
                            "folders nest more than {} levels below the schema folder",
                            self.limits.max_depth
                        ),
                    ));
                }
                self.dir(&path, &format!("{rel}/"), depth + 1)?;
            } else if kind.is_symlink() {
                check_link(&path, &name)?;
            } else if is_schema_name(&name) {
                if !kind.is_file() {
                    return Err(LoadError::new(
                        &path,
                        io::ErrorKind::InvalidInput,
                        format!(
                            "it is {}, not a regular file; schema files must be regular files",
                            describe_type(&kind)
                        ),
                    ));
                }
                self.add(Found {
                    relative: rel,
                    #[cfg(unix)]
                    ino: std::os::unix::fs::DirEntryExt::ino(&entry),
                    path,
                })?;
            }
        }
        Ok(())
    }

    fn add(&mut self, found: Found) -> Result<(), LoadError> {
        if self.out.len() == self.limits.max_files {
            return Err(LoadError::new(
                &found.path,
                io::ErrorKind::InvalidData,
                format!(
                    "the schema folder holds more than {} schema files",
                    self.limits.max_files
                ),
            ));
        }
        self.out.push(found);
        Ok(())
    }
}

/// Symbolic links are never followed. One named like a schema file, one to a folder and one
/// that does not resolve (dangling, or a loop) are errors, so that nothing a reviewer expects
/// to be checked is skipped in silence; any other link is ignored like any other file that is
/// not a schema. Resolving (`stat`) opens nothing, so a link to a FIFO cannot block here.
fn check_link(path: &Path, name: &str) -> Result<(), LoadError> {
    let refuse = |why: String| {
        Err(LoadError::new(
            path,
            io::ErrorKind::InvalidInput,
            format!(
                "it is a symbolic link{why}; candor reads only regular files inside the schema folder and never follows links (put the file itself there)"
            ),
        ))
    };
    if is_schema_name(name) {
        return refuse(String::new());
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_dir() => refuse(" to a folder".to_string()),
        Ok(_) => Ok(()),
        Err(e) => refuse(format!(" that does not resolve ({e})")),
    }
}

fn describe_type(kind: &FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return "a named pipe (FIFO)";
        }
        if kind.is_socket() {
            return "a socket";
        }
        if kind.is_block_device() || kind.is_char_device() {
            return "a device";
        }
    }
    let _ = kind;
    "a special file"
}

fn too_large(path: &Path, len: u64, limits: &Limits) -> LoadError {
    LoadError::new(
        path,
        io::ErrorKind::InvalidData,
        format!(
            "it is {len} bytes, above the limit of {} bytes for one schema file",
            limits.max_file_bytes
        ),
    )
}

fn too_much(path: &Path, limits: &Limits) -> LoadError {
    LoadError::new(
        path,
        io::ErrorKind::InvalidData,
        format!(
            "the schema files add up to more than the limit of {} bytes",
            limits.max_total_bytes
        ),
    )
}

/// Reads one found file, refusing it if it is no longer the regular file the walk listed (it
/// was swapped for a link or another file meanwhile), and never reading past the limits: the
/// size the open file reports is checked first, and the read stops one byte past the limit in
/// case the file grows. One `open`, one `fstat`: a folder of 100,000 files spends its time
/// compiling, not in system calls.
fn read(found: &Found, limits: &Limits, budget: u64) -> Result<String, LoadError> {
    let err = |error| LoadError {
        path: found.path.clone(),
        error,
    };
    let file = File::open(&found.path).map_err(err)?;
    let meta = file.metadata().map_err(err)?;
    #[cfg(unix)]
    let same = std::os::unix::fs::MetadataExt::ino(&meta) == found.ino;
    #[cfg(not(unix))]
    let same = true;
    if !meta.is_file() || !same {
        return Err(LoadError::new(
            &found.path,
            io::ErrorKind::InvalidInput,
            "it changed while the schema folder was read".to_string(),
        ));
    }
    if meta.len() > limits.max_file_bytes {
        return Err(too_large(&found.path, meta.len(), limits));
    }
    if meta.len() > budget {
        return Err(too_much(&found.path, limits));
    }
    let cap = limits.max_file_bytes.min(budget);
    let mut bytes = Vec::with_capacity(meta.len().min(cap) as usize);
    file.take(cap + 1).read_to_end(&mut bytes).map_err(err)?;
    if bytes.len() as u64 > cap {
        return Err(if cap == limits.max_file_bytes {
            too_large(&found.path, bytes.len() as u64, limits)
        } else {
            too_much(&found.path, limits)
        });
    }
    String::from_utf8(bytes).map_err(|e| {
        LoadError::new(
            &found.path,
            io::ErrorKind::InvalidData,
            format!(
                "it is not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
    })
}

/// Reads every schema file below `dir` within the default [`Limits`]. A file that is not
/// UTF-8 is an error for the whole load, since no position inside it could be reported.
pub fn load_dir(dir: &Path) -> Result<SourceMap, LoadError> {
    load_dir_with(dir, &Limits::default())
}

/// [`load_dir`] with explicit limits.
pub fn load_dir_with(dir: &Path, limits: &Limits) -> Result<SourceMap, LoadError> {
    let mut map = SourceMap::default();
    let mut budget = limits.max_total_bytes;
    for found in find(dir, limits)? {
        let text = read(&found, limits, budget)?;
        budget -= text.len() as u64;
        map.add(SourceFile::new(
            found.path.display().to_string(),
            found.relative,
            found.path,
            text,
        ));
    }
    Ok(map)
}
