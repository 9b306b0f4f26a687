//! Reading a schema folder as it was at a git revision, into an in-memory [`SourceMap`], so
//! BASE is compiled by the same compiler as HEAD. Runs the `git` command line; no network.
//!
//! The working tree may be an untrusted pull request, and git finds its repository by looking
//! at the folder it runs in: a pull request that adds a bare repository's files (`HEAD`,
//! `objects/`, `refs/`) to the schema folder would make `git -C schemas` read BASE from there.
//! So the repository is located here, deliberately: the nearest folder at or above the schema
//! folder that holds a `.git` entry (git itself refuses to track a path named `.git`, so no
//! pull request can add one), confirmed by git with implicit bare repositories refused. Every
//! later command names that repository explicitly (`GIT_DIR`, `GIT_WORK_TREE`), with every
//! inherited `GIT_*` variable removed, the system configuration, hooks, fsmonitor, replace
//! objects and lazy fetches off. The same limits as for a folder apply to what is read
//! ([`Limits`]), and a schema file stored as a symbolic link is refused.

use crate::date::Date;
use crate::diagnostic::visible;
use crate::load::Limits;
use crate::source::{SourceFile, SourceMap};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The schema files below `dir` at `rev`, in the same order [`crate::load::load_dir`] uses.
/// `dir` is a folder in the working tree of a repository. Each file is displayed as
/// `REV:path` in diagnostics.
pub fn load_at(dir: &Path, rev: &str) -> Result<SourceMap, String> {
    load_at_with(dir, rev, &Limits::default())
}

/// [`load_at`] with explicit limits.
pub fn load_at_with(dir: &Path, rev: &str, limits: &Limits) -> Result<SourceMap, String> {
    check_rev(rev)?;
    let repo = Repository::locate(dir)?;
    let listing = repo.run(&repo.ls_tree_args(rev), None)?;
    let mut files: Vec<(String, String)> = Vec::new();
    let mut total: u64 = 0;
    for entry in listing.split(|b| *b == 0).filter(|e| !e.is_empty()) {
        // `<mode> SP <type> SP <object> SP+ <size> TAB <path>`, the path from the top.
        let Some(tab) = entry.iter().position(|b| *b == b'\t') else {
            continue;
        };
        let meta = String::from_utf8_lossy(&entry[..tab]);
        let full = String::from_utf8_lossy(&entry[tab + 1..]);
        let Some(path) = full.strip_prefix(repo.prefix.as_str()) else {
            continue;
        };
        let mut parts = meta.split_whitespace();
        let (Some(mode), Some(kind), Some(object), Some(size)) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let hidden = path.split('/').any(|s| s.starts_with('.'));
        let schema = path.ends_with(".yaml") || path.ends_with(".yml");
        if kind != "blob" || !schema || hidden {
            continue;
        }
        let shown = || format!("{rev}:{}", visible(&dir.join(path).display().to_string()));
        if mode == "120000" {
            return Err(format!(
                "`{}` is a symbolic link; candor reads only regular files inside the schema folder and never follows links",
                shown()
            ));
        }
        if path.matches('/').count() > limits.max_depth {
            return Err(format!(
                "`{}`: folders nest more than {} levels below the schema folder",
                shown(),
                limits.max_depth
            ));
        }
        let size: u64 = size.parse().unwrap_or(u64::MAX);
        if size > limits.max_file_bytes {
            return Err(format!(
                "`{}` is {size} bytes, above the limit of {} bytes for one schema file",
                shown(),
                limits.max_file_bytes
            ));
        }
        total += size;
        if total > limits.max_total_bytes {
            return Err(format!(
                "the schema files at `{rev}` add up to more than the limit of {} bytes",
                limits.max_total_bytes
            ));
        }
        if files.len() == limits.max_files {
            return Err(format!(
                "the schema folder at `{rev}` holds more than {} schema files",
                limits.max_files
            ));
        }
        files.push((path.to_string(), object.to_string()));
    }
    files.sort();
    let texts = repo.blobs(files.iter().map(|(_, object)| object.as_str()))?;
    let mut map = SourceMap::default();
    for ((relative, _), text) in files.into_iter().zip(texts) {
        let text = String::from_utf8(text).map_err(|_| {
            format!(
                "`{rev}:{}` is not UTF-8 text",
                visible(&dir.join(&relative).display().to_string())
            )
        })?;
        map.add(SourceFile::new(
            format!("{rev}:{}", dir.join(&relative).display()),
            relative.clone(),
            PathBuf::from(&relative),
            text,
        ));
    }
    Ok(map)
}

/// The committer date of `rev`: the day the revision was current, which is the `today` its
/// schemas passed `candor check` against (so events that expired since do not break the diff).
pub fn commit_date(dir: &Path, rev: &str) -> Result<Date, String> {
    check_rev(rev)?;
    let repo = Repository::locate(dir)?;
    let out = repo.run(&["show", "-s", "--format=%cs", rev, "--"], None)?;
    let out = String::from_utf8_lossy(&out);
    let day = out.trim();
    Date::parse(day).ok_or_else(|| format!("git gave `{}` as the date of `{rev}`", visible(day)))
}

fn check_rev(rev: &str) -> Result<(), String> {
    if rev.starts_with('-') || rev.is_empty() || rev.chars().any(|c| c.is_control()) {
        return Err(format!("`{}` is not a git revision", visible(rev)));
    }
    Ok(())
}

/// A repository found on purpose, and where the schema folder is inside its work tree.
#[derive(Debug)]
pub struct Repository {
    /// Absolute path of the repository's git directory.
    pub git_dir: PathBuf,
    /// Absolute path of the top of the work tree.
    pub work_tree: PathBuf,
    /// The schema folder relative to `work_tree`, `/`-separated with a final `/` (empty at the
    /// top).
    pub prefix: String,
}

impl Repository {
    /// The repository whose work tree holds `dir`: the nearest folder at or above `dir` with a
    /// `.git` entry, as git confirms it with implicit bare repositories refused.
    pub fn locate(dir: &Path) -> Result<Repository, String> {
        let shown = || visible(&dir.display().to_string()).into_owned();
        let canonical = dir
            .canonicalize()
            .map_err(|e| format!("cannot use schema folder `{}`: {e}", shown()))?;
        let root = canonical
            .ancestors()
            .find(|a| std::fs::symlink_metadata(a.join(".git")).is_ok())
            .ok_or_else(|| {
                format!(
                    "`{}` is not inside a git work tree (no `.git` in it or above it)",
                    shown()
                )
            })?
            .to_path_buf();
        let out = git_command(&root)
            .args(["rev-parse", "--absolute-git-dir", "--show-toplevel"])
            .env("GIT_CEILING_DIRECTORIES", root.parent().unwrap_or(&root))
            .output()
            .map_err(cannot_run)?;
        if !out.status.success() {
            return Err(format!(
                "git does not accept `{}` as a repository: {}",
                visible(&root.display().to_string()),
                visible(String::from_utf8_lossy(&out.stderr).trim())
            ));
        }
        let text = String::from_utf8_lossy(&out.stdout);
        let mut lines = text.lines();
        let (Some(git_dir), Some(top)) = (lines.next(), lines.next()) else {
            return Err("git did not name the repository".to_string());
        };
        let top = Path::new(top).canonicalize().map_err(|e| e.to_string())?;
        if top != root {
            return Err(format!(
                "git places the work tree at `{}`, not at `{}` where `.git` is",
                visible(&top.display().to_string()),
                visible(&root.display().to_string())
            ));
        }
        let mut prefix = String::new();
        for part in canonical
            .strip_prefix(&root)
            .map_err(|e| e.to_string())?
            .components()
        {
            prefix.push_str(&part.as_os_str().to_string_lossy());
            prefix.push('/');
        }
        Ok(Repository {
            git_dir: PathBuf::from(git_dir),
            work_tree: root,
            prefix,
        })
    }

    fn ls_tree_args<'a>(&'a self, rev: &'a str) -> Vec<&'a str> {
        let mut args = vec!["ls-tree", "-r", "-z", "--long", "--full-tree", rev, "--"];
        if !self.prefix.is_empty() {
            args.push(&self.prefix);
        }
        args
    }

    /// A git command bound to this repository and nothing else.
    fn command(&self) -> Command {
        let mut cmd = git_command(&self.work_tree);
        cmd.env("GIT_DIR", &self.git_dir)
            .env("GIT_WORK_TREE", &self.work_tree);
        cmd
    }

    fn run(&self, args: &[&str], stdin: Option<Vec<u8>>) -> Result<Vec<u8>, String> {
        let mut cmd = self.command();
        cmd.args(args)
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = cmd.spawn().map_err(cannot_run)?;
        // Written from another thread: git answers while it reads, and a full pipe in each
        // direction would block both sides.
        let writer = stdin.map(|input| {
            let mut pipe = child.stdin.take().expect("stdin is piped");
            std::thread::spawn(move || pipe.write_all(&input))
        });
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        let mut out_pipe = child.stdout.take().expect("stdout is piped");
        let mut err_pipe = child.stderr.take().expect("stderr is piped");
        let err_reader = std::thread::spawn(move || {
            let _ = err_pipe.read_to_end(&mut stderr);
            stderr
        });
        out_pipe
            .read_to_end(&mut stdout)
            .map_err(|e| format!("reading from git: {e}"))?;
        let stderr = err_reader.join().unwrap_or_default();
        if let Some(w) = writer {
            let _ = w.join();
        }
        let status = child.wait().map_err(cannot_run)?;
        if !status.success() {
            return Err(format!(
                "`git {}` in `{}` failed: {}",
                visible(&args.join(" ")),
                visible(&self.work_tree.display().to_string()),
                visible(String::from_utf8_lossy(&stderr).trim())
            ));
        }
        Ok(stdout)
    }

    /// The contents of blobs, in the order given, through one `git cat-file --batch`.
    fn blobs<'a>(&self, objects: impl Iterator<Item = &'a str>) -> Result<Vec<Vec<u8>>, String> {
        let mut input = Vec::new();
        let mut count = 0;
        for o in objects {
            input.extend_from_slice(o.as_bytes());
            input.push(b'\n');
            count += 1;
        }
        if count == 0 {
            return Ok(Vec::new());
        }
        let out = self.run(&["cat-file", "--batch"], Some(input))?;
        let mut blobs = Vec::with_capacity(count);
        let mut rest = &out[..];
        for _ in 0..count {
            // `<object> SP <type> SP <size> LF <contents> LF`
            let header_end = rest
                .iter()
                .position(|b| *b == b'\n')
                .ok_or("git cat-file ended early")?;
            let header = String::from_utf8_lossy(&rest[..header_end]);
            let mut parts = header.split(' ');
            let (Some(_), Some("blob"), Some(size)) = (parts.next(), parts.next(), parts.next())
            else {
                return Err(format!("git cat-file answered `{}`", visible(&header)));
            };
            let size: usize = size.parse().map_err(|_| "git cat-file gave no size")?;
            let body = rest
                .get(header_end + 1..header_end + 1 + size)
                .ok_or("git cat-file ended early")?;
            blobs.push(body.to_vec());
            rest = rest.get(header_end + 2 + size..).unwrap_or(&[]);
        }
        Ok(blobs)
    }
}

/// `git` with everything that could redirect or extend what it does switched off: inherited
/// `GIT_*` variables (a `GIT_DIR` or `GIT_CONFIG_*` in the CI environment), the system
/// configuration, implicit bare repositories, hooks, fsmonitor, replace objects, prompts and
/// fetches of missing objects from a promisor remote.
fn git_command(cwd: &Path) -> Command {
    let mut cmd = Command::new("git");
    let inherited: Vec<OsString> = std::env::vars_os()
        .map(|(k, _)| k)
        .filter(|k| k.to_string_lossy().starts_with("GIT_"))
        .collect();
    for k in inherited {
        cmd.env_remove(k);
    }
    cmd.current_dir(cwd)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_NO_REPLACE_OBJECTS", "1")
        .env("GIT_NO_LAZY_FETCH", "1")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("GIT_OPTIONAL_LOCKS", "0")
        .args([
            "--no-pager",
            "-c",
            "safe.bareRepository=explicit",
            "-c",
            "core.fsmonitor=false",
            "-c",
            "core.hooksPath=/dev/null",
        ]);
    cmd
}

fn cannot_run(e: std::io::Error) -> String {
    format!("cannot run git: {e} (is git installed?)")
}
