//! `candor diff` on git revisions: BASE is read with `git ls-tree`/`git cat-file` into memory
//! and compiled by the same compiler, as of the day it was committed. Needs the `git` binary.

#[path = "golden/support.rs"]
mod support;

use candor_schema::diff::{self, git, Failure};
use candor_schema::{compile_dir, compile_sources, Date, Options};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A throwaway repository under the system temp folder, removed on drop.
struct Repo(PathBuf);

impl Repo {
    fn new(name: &str) -> Repo {
        let dir = std::env::temp_dir().join(format!("candor-diff-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schemas/nested")).unwrap();
        let repo = Repo(dir);
        repo.git(&["init", "-q"]);
        repo
    }

    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .current_dir(&self.0)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.org",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .env("GIT_AUTHOR_DATE", "2026-10-05T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2026-10-05T12:00:00Z")
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    fn write(&self, rel: &str, text: &str) {
        std::fs::write(self.0.join(rel), text).unwrap();
    }

    fn schemas(&self) -> PathBuf {
        self.0.join("schemas")
    }
}

impl Drop for Repo {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn read(name: &str) -> String {
    std::fs::read_to_string(support::golden_dir().join("diff").join(name)).unwrap()
}

#[test]
fn base_revision_is_read_from_git_like_a_folder() {
    let repo = Repo::new("read");
    repo.write("schemas/nested/shop.yaml", &read("base.yaml"));
    repo.write("schemas/.hidden.yaml", "not: a schema");
    repo.write("schemas/notes.txt", "ignored");
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "base"]);
    // The working tree moves on; the revision must still give the committed text.
    repo.write("schemas/nested/shop.yaml", &read("head.yaml"));

    let sources = git::load_at(&repo.schemas(), "HEAD").unwrap();
    let files: Vec<_> = sources.files().map(|(_, f)| f.relative.clone()).collect();
    assert_eq!(files, ["nested/shop.yaml"]);
    assert!(sources
        .files()
        .next()
        .unwrap()
        .1
        .display
        .starts_with("HEAD:"));
    assert_eq!(
        git::commit_date(&repo.schemas(), "HEAD").unwrap(),
        Date::parse("2026-10-05").unwrap()
    );

    let base = compile_sources(sources, &support::options())
        .registry
        .expect("base compiles");
    let head = compile_dir(&repo.schemas(), &support::options())
        .unwrap()
        .registry
        .expect("head compiles");
    let r = diff::diff("HEAD:schemas", &base, "schemas", &head);
    assert!(r
        .failures
        .iter()
        .any(|f| matches!(f, Failure::ClassRaisedWithoutReview { .. })));
    assert!(r
        .failures
        .iter()
        .any(|f| matches!(f, Failure::RandomizationChangedWithoutReview { .. })));
    assert_eq!(r.events.len(), 4);
}

#[test]
fn base_is_compiled_as_of_its_commit_date() {
    // An event that has expired by "today" but was valid when BASE was committed.
    let repo = Repo::new("expired");
    let expiring = read("base.yaml").replace("expires: 2027-06-30", "expires: 2026-10-31");
    repo.write("schemas/shop.yaml", &expiring);
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "base"]);
    let sources = git::load_at(&repo.schemas(), "HEAD").unwrap();
    let later = Options {
        today: Date::parse("2026-11-20"),
        ..Default::default()
    };
    assert!(
        compile_sources(sources.clone(), &later).registry.is_none(),
        "expired today"
    );
    let then = Options {
        today: Some(git::commit_date(&repo.schemas(), "HEAD").unwrap()),
        ..Default::default()
    };
    assert!(
        compile_sources(sources, &then).registry.is_some(),
        "valid on its commit day"
    );
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let repo = Repo::new("unknown");
    repo.write("schemas/shop.yaml", &read("base.yaml"));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "base"]);
    let err = git::load_at(&repo.schemas(), "no-such-branch").unwrap_err();
    assert!(err.contains("no-such-branch"), "{err}");
    let err = git::load_at(&repo.schemas(), "--output=/tmp/x").unwrap_err();
    assert!(err.contains("not a git revision"), "{err}");
    let err = git::load_at(Path::new("/nonexistent/schemas"), "HEAD").unwrap_err();
    assert!(err.contains("/nonexistent/schemas"), "{err}");
}

/// A bare repository's files planted in the schema folder (as a pull request can add them)
/// must not become the repository BASE is read from.
#[test]
fn a_planted_bare_repository_is_never_used() {
    let repo = Repo::new("planted");
    repo.write("schemas/shop.yaml", &read("base.yaml"));
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "base"]);
    // `git init --bare` into the schema folder gives it HEAD, config, objects/ and refs/.
    repo.git(&["init", "-q", "--bare", "schemas"]);
    assert!(repo.schemas().join("HEAD").is_file());
    repo.write("schemas/shop.yaml", &read("head.yaml"));

    let located = git::Repository::locate(&repo.schemas()).unwrap();
    assert_eq!(located.work_tree, repo.0.canonicalize().unwrap());
    assert_eq!(located.prefix, "schemas/");
    let sources = git::load_at(&repo.schemas(), "HEAD").expect("BASE from the real repository");
    let text = &sources.files().next().unwrap().1.text;
    assert_eq!(text, &read("base.yaml"));

    // With no real repository around, the plant is refused rather than used.
    let lone = std::env::temp_dir().join(format!("candor-diff-lone-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&lone);
    std::fs::create_dir_all(&lone).unwrap();
    let status = Command::new("git")
        .args(["init", "-q", "--bare"])
        .arg(&lone)
        .status()
        .unwrap();
    assert!(status.success());
    let err = git::load_at(&lone, "HEAD").unwrap_err();
    assert!(err.contains("not inside a git work tree"), "{err}");
    let _ = std::fs::remove_dir_all(&lone);
}

/// A schema file committed as a symbolic link is refused at BASE too, as in a folder.
#[cfg(unix)]
#[test]
fn a_committed_symbolic_link_is_refused() {
    let repo = Repo::new("link");
    repo.write("schemas/shop.yaml", &read("base.yaml"));
    std::os::unix::fs::symlink("/etc/passwd", repo.schemas().join("leak.yaml")).unwrap();
    repo.git(&["add", "."]);
    repo.git(&["commit", "-q", "-m", "base"]);
    let err = git::load_at(&repo.schemas(), "HEAD").unwrap_err();
    assert!(err.contains("symbolic link"), "{err}");
}
