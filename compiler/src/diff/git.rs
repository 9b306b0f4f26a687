//! Reading a schema folder as it was at a git revision, into an in-memory [`SourceMap`], so
//! BASE is compiled by the same compiler as HEAD. Runs the `git` command line; no network.

use crate::date::Date;
use crate::source::{SourceFile, SourceMap};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The schema files below `dir` at `rev`, in the same order [`crate::load::load_dir`] uses.
/// `dir` is a folder in the working tree of the repository (it is where git is run). Each file
/// is displayed as `REV:path` in diagnostics.
pub fn load_at(dir: &Path, rev: &str) -> Result<SourceMap, String> {
    if rev.starts_with('-') {
        return Err(format!("`{rev}` is not a git revision"));
    }
    let listing = git(dir, &["ls-tree", "-r", "-z", rev, "--", "."])?;
    let mut files: Vec<(String, String)> = Vec::new();
    for entry in listing.split('\0').filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> TAB <path>`, path relative to `dir`.
        let Some((meta, path)) = entry.split_once('\t') else {
            continue;
        };
        let mut parts = meta.split(' ');
        let (Some(_mode), Some(kind), Some(object)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let hidden = path.split('/').any(|s| s.starts_with('.'));
        let schema = path.ends_with(".yaml") || path.ends_with(".yml");
        if kind == "blob" && schema && !hidden {
            files.push((path.to_string(), object.to_string()));
        }
    }
    files.sort();
    let mut map = SourceMap::default();
    for (relative, object) in files {
        let text = git(dir, &["cat-file", "blob", &object])?;
        map.add(SourceFile {
            display: format!("{rev}:{}", dir.join(&relative).display()),
            path: PathBuf::from(&relative),
            relative,
            text,
        });
    }
    Ok(map)
}

/// The committer date of `rev`: the day the revision was current, which is the `today` its
/// schemas passed `candor check` against (so events that expired since do not break the diff).
pub fn commit_date(dir: &Path, rev: &str) -> Result<Date, String> {
    let out = git(dir, &["show", "-s", "--format=%cs", rev, "--"])?;
    let day = out.trim();
    Date::parse(day).ok_or_else(|| format!("git gave `{day}` as the date of `{rev}`"))
}

fn git(dir: &Path, args: &[&str]) -> Result<String, String> {
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .map_err(|e| format!("cannot run git: {e} (is git installed?)"))?;
    if !output.status.success() {
        return Err(format!(
            "`git {}` in `{}` failed: {}",
            args.join(" "),
            dir.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        ));
    }
    String::from_utf8(output.stdout)
        .map_err(|_| format!("`git {}` printed text that is not UTF-8", args.join(" ")))
}
