//! Source files and positions: what a diagnostic points at.
//!
//! Every schema file is read once into a [`SourceMap`]; everything downstream refers to text by
//! [`Span`], so a message can always be rendered as `file:line:col` with the offending line.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Index of a file inside a [`SourceMap`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FileId(pub u32);

/// A position in a file. `line` and `col` are 1-based; `col` counts characters, not bytes, so
/// carets line up under non-ASCII text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

/// A range of text in one file, `start` inclusive, `end` exclusive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Span {
    pub file: FileId,
    pub start: Pos,
    pub end: Pos,
}

impl Span {
    /// A span covering the first character of a file: for problems with the file as a whole.
    pub fn file_start(file: FileId) -> Span {
        let p = Pos { line: 1, col: 1 };
        Span {
            file,
            start: p,
            end: Pos { line: 1, col: 2 },
        }
    }
}

/// One loaded file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as it should be shown to the user (the schema folder joined with the relative path).
    pub display: String,
    /// Path relative to the schema folder, with `/` separators: stable across machines.
    pub relative: String,
    pub path: PathBuf,
    pub text: String,
    /// Byte offset of the start of every line, built on the first [`SourceFile::line`] call:
    /// a file with thousands of diagnostics must not be scanned from the top for each one.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(display: String, relative: String, path: PathBuf, text: String) -> SourceFile {
        SourceFile {
            display,
            relative,
            path,
            text,
            line_starts: OnceLock::new(),
        }
    }

    /// The text of a 1-based line, without its line break.
    pub fn line(&self, line: u32) -> Option<&str> {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let i = line.checked_sub(1)? as usize;
        let start = *starts.get(i)?;
        let end = starts.get(i + 1).map_or(self.text.len(), |next| next - 1);
        let l = &self.text[start..end];
        Some(l.strip_suffix('\r').unwrap_or(l))
    }
}

/// All files of one compilation.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId((self.files.len() - 1) as u32)
    }

    /// Adds an in-memory file, as tests, fuzzers and the derive's error paths do.
    pub fn add_text(&mut self, relative: &str, text: &str) -> FileId {
        self.add(SourceFile::new(
            relative.to_string(),
            relative.to_string(),
            Path::new(relative).to_path_buf(),
            text.to_string(),
        ))
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    /// The file `id` names, if it belongs to this map.
    pub fn try_get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0 as usize)
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(i, f)| (FileId(i as u32), f))
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
