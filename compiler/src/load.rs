//! Finding and reading schema files: every `*.yaml`/`*.yml` below a folder, skipping hidden
//! entries, in byte order of their relative paths so every machine compiles them the same way.

use crate::source::{SourceFile, SourceMap};
use std::fmt;
use std::path::{Path, PathBuf};

/// The schema folder could not be read at all (as opposed to a problem inside a file).
#[derive(Debug)]
pub struct LoadError {
    pub path: PathBuf,
    pub error: std::io::Error,
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot read `{}`: {}", self.path.display(), self.error)
    }
}

impl std::error::Error for LoadError {}

/// The schema files below `dir`, relative paths with `/`, sorted.
pub fn schema_files(dir: &Path) -> Result<Vec<(String, PathBuf)>, LoadError> {
    let mut out = Vec::new();
    walk(dir, "", &mut out)?;
    out.sort();
    Ok(out)
}

fn walk(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) -> Result<(), LoadError> {
    let err = |error| LoadError {
        path: dir.to_path_buf(),
        error,
    };
    for entry in std::fs::read_dir(dir).map_err(err)? {
        let entry = entry.map_err(err)?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let path = entry.path();
        let rel = format!("{prefix}{name}");
        let kind = entry.file_type().map_err(err)?;
        if kind.is_dir() || (kind.is_symlink() && path.is_dir()) {
            walk(&path, &format!("{rel}/"), out)?;
        } else if name.ends_with(".yaml") || name.ends_with(".yml") {
            out.push((rel, path));
        }
    }
    Ok(())
}

/// Reads every schema file below `dir`. A file that is not UTF-8 is an error for the whole load,
/// since no position inside it could be reported.
pub fn load_dir(dir: &Path) -> Result<SourceMap, LoadError> {
    let mut map = SourceMap::default();
    for (relative, path) in schema_files(dir)? {
        let text = std::fs::read_to_string(&path).map_err(|error| LoadError {
            path: path.clone(),
            error,
        })?;
        map.add(SourceFile {
            display: path.display().to_string(),
            relative,
            path,
            text,
        });
    }
    Ok(map)
}
