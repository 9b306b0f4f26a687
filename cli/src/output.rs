//! Writing and re-reading generated files without being redirected by the file system.
//!
//! The output folder may sit in a checkout of an untrusted pull request, which can plant
//! symbolic links where candor writes (`docs/telemetry/index.html -> ~/.bashrc`). So:
//! - an output folder that is the file system root, the schema folder itself, or a folder that
//!   holds the schema folder's parent (the project) is refused;
//! - no part of the output path below the current folder, and nothing below the output folder,
//!   may be a symbolic link;
//! - each file is written to a new temporary file in its folder (created exclusively, so it
//!   cannot be a planted link) and renamed over the target: a link at the target is replaced,
//!   never followed, and a reader never sees half a file;
//! - `--check` reads only regular files, and no more bytes than the expected contents.

use candor_schema::diagnostic::visible;
use candor_schema::emit::OutputFile;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

fn shown(p: &Path) -> String {
    visible(&p.display().to_string()).into_owned()
}

/// Refuses an output folder that would let generated files overwrite the project, and any
/// symbolic link on the way to it (see the module docs). `schemas` is the schema folder.
pub fn check_out_dir(out: &Path, schemas: &Path) -> Result<(), String> {
    refuse_links_on_path(out)?;
    let out_abs = resolve(out)?;
    let schemas_abs = schemas
        .canonicalize()
        .map_err(|e| format!("cannot resolve `{}`: {e}", shown(schemas)))?;
    let refuse = |why: &str| {
        Err(format!(
            "refusing to write into `{}`: {why}; choose a folder of its own, such as `docs/telemetry` or `target/schema`",
            shown(out)
        ))
    };
    if out_abs.parent().is_none() {
        return refuse("it is the root of the file system");
    }
    if out_abs == schemas_abs {
        return refuse("it is the schema folder");
    }
    if schemas_abs
        .parent()
        .is_some_and(|project| project.starts_with(&out_abs))
    {
        return refuse(
            "it holds the schema folder's parent, so generated files could overwrite the project",
        );
    }
    Ok(())
}

/// `path` made absolute without following anything that does not exist yet: the existing
/// part is canonicalized, the rest appended (it may not contain `..`).
fn resolve(path: &Path) -> Result<PathBuf, String> {
    let absolute = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()
            .map_err(|e| format!("cannot read the current folder: {e}"))?
            .join(path)
    };
    let mut existing = absolute.as_path();
    let mut rest = Vec::new();
    loop {
        match existing.canonicalize() {
            Ok(c) => {
                let mut out = c;
                for part in rest.iter().rev() {
                    out.push(part);
                }
                return Ok(out);
            }
            Err(_) => {
                let (Some(parent), Some(name)) = (existing.parent(), existing.file_name()) else {
                    return Err(format!("cannot resolve `{}`", shown(path)));
                };
                rest.push(name.to_os_string());
                existing = parent;
            }
        }
    }
}

/// Every component of a relative `path` (the part a checkout controls) that exists must be a
/// real folder, not a link; of an absolute path, the last one (system folders such as `/tmp`
/// may be links, and were chosen by whoever typed the path).
fn refuse_links_on_path(path: &Path) -> Result<(), String> {
    if path.is_absolute() {
        return no_link(path);
    }
    let mut at = PathBuf::new();
    for part in path.components() {
        at.push(part);
        if matches!(part, Component::Normal(_)) {
            no_link(&at)?;
        }
    }
    Ok(())
}

fn no_link(path: &Path) -> Result<(), String> {
    match fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(format!(
            "refusing to write through `{}`: it is a symbolic link",
            shown(path)
        )),
        _ => Ok(()),
    }
}

/// Creates `dir` and the folders below `out` leading to it, one level at a time, refusing a
/// link or a file where a folder belongs.
fn make_dirs(out: &Path, relative: &Path) -> Result<PathBuf, String> {
    fs::create_dir_all(out).map_err(|e| format!("cannot create `{}`: {e}", shown(out)))?;
    no_link(out)?;
    let mut at = out.to_path_buf();
    for part in relative.components() {
        let Component::Normal(name) = part else {
            return Err(format!(
                "generated path `{}` is not a plain relative path",
                shown(relative)
            ));
        };
        at.push(name);
        match fs::symlink_metadata(&at) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "refusing to write through `{}`: it is a symbolic link",
                    shown(&at)
                ))
            }
            Ok(_) => {
                return Err(format!(
                    "cannot create folder `{}`: a file is in the way",
                    shown(&at)
                ))
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::create_dir(&at).map_err(|e| format!("cannot create `{}`: {e}", shown(&at)))?
            }
            Err(e) => return Err(format!("cannot create `{}`: {e}", shown(&at))),
        }
    }
    Ok(at)
}

/// Writes `contents` to `path` through a fresh temporary file in the same folder and a rename,
/// so that a link at `path` is replaced rather than followed.
pub fn write_file(path: &Path, contents: &[u8]) -> Result<(), String> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .ok_or_else(|| format!("`{}` names no file", shown(path)))?;
    let temp = dir.join(format!(
        ".{}.candor-{}-{}.tmp",
        name.to_string_lossy(),
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| -> io::Result<()> {
        // `create_new` fails on anything already there, a planted link included.
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(contents)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&temp);
        format!("cannot write `{}`: {e}", shown(path))
    })
}

/// Writes generated files below `out` (see the module docs for what is refused).
pub fn write_all(out: &Path, schemas: &Path, files: &[OutputFile]) -> Result<(), String> {
    check_out_dir(out, schemas)?;
    for f in files {
        let relative = Path::new(&f.path);
        let dir = make_dirs(out, relative.parent().unwrap_or(Path::new("")))?;
        let name = relative
            .file_name()
            .ok_or_else(|| format!("generated path `{}` names no file", f.path))?;
        write_file(&dir.join(name), f.contents.as_bytes())?;
    }
    Ok(())
}

/// Whether `path` is a regular file (not a link, a FIFO or a device) holding exactly
/// `expected`. Reads at most one byte more than `expected`, so neither `/dev/zero` behind a
/// link nor a huge file can stall the check.
pub fn holds_exactly(path: &Path, expected: &[u8]) -> bool {
    let Ok(meta) = fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.file_type().is_file() || meta.len() != expected.len() as u64 {
        return false;
    }
    let Ok(file) = File::open(path) else {
        return false;
    };
    let mut bytes = Vec::with_capacity(expected.len());
    file.take(expected.len() as u64 + 1)
        .read_to_end(&mut bytes)
        .is_ok()
        && bytes == expected
}
