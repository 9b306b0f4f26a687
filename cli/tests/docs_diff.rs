//! The `docs` and `diff` subcommands end to end: files written, exit codes 0/1/2, formats.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn candor(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .current_dir(cwd)
        .env("SOURCE_DATE_EPOCH", "1793491200") // 2026-11-01
        .env_remove("NO_COLOR")
        .output()
        .expect("candor runs")
}

fn golden(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../compiler/tests/golden")
        .join(rel)
}

/// A scratch folder, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("candor-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn with_schema(&self, side: &str, fixture: &str) -> String {
        let dir = self.0.join(side);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::copy(golden(&format!("diff/{fixture}")), dir.join("shop.yaml")).unwrap();
        side.to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn docs_writes_the_pages_and_check_detects_staleness() {
    let s = Scratch::new("docs");
    let schemas = golden("docs/wallet");
    let schemas = schemas.to_str().unwrap();
    let out = candor(&["docs", schemas, "--out", "site"], &s.0);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let html = std::fs::read_to_string(s.0.join("site/index.html")).unwrap();
    assert_eq!(
        html,
        std::fs::read_to_string(golden("docs/wallet-out/index.html")).unwrap()
    );
    assert!(s.0.join("site/README.md").is_file());

    let check = candor(&["docs", schemas, "--out", "site", "--check"], &s.0);
    assert_eq!(code(&check), 0, "{}", stderr(&check));
    std::fs::write(s.0.join("site/README.md"), "edited by hand\n").unwrap();
    let check = candor(&["docs", schemas, "--out", "site", "--check"], &s.0);
    assert_eq!(code(&check), 1);
    assert!(
        stderr(&check).contains("stale: site/README.md"),
        "{}",
        stderr(&check)
    );
    assert!(
        stderr(&check).contains("regenerate them with `candor docs"),
        "{}",
        stderr(&check)
    );

    let missing = candor(&["docs", "no-such-folder", "--out", "site"], &s.0);
    assert_eq!(code(&missing), 2);
    assert!(stderr(&missing).contains("schema folder `no-such-folder` does not exist"));
}

#[test]
fn docs_refuses_schemas_with_errors() {
    let s = Scratch::new("docs-bad");
    std::fs::create_dir_all(s.0.join("bad")).unwrap();
    std::fs::write(s.0.join("bad/x.yaml"), "namespace: x\nevents: {}\n").unwrap();
    let out = candor(&["docs", "bad", "--out", "site", "--color", "never"], &s.0);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("bad/x.yaml:"), "{}", stderr(&out));
    assert!(!s.0.join("site").exists(), "nothing written");
}

#[test]
fn diff_of_folders_fails_on_blocking_problems() {
    let s = Scratch::new("diff");
    let base = s.with_schema("base", "base.yaml");
    let head = s.with_schema("head", "head.yaml");
    let out = candor(&["diff", &base, &head], &s.0);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.starts_with("## Schema changes: `base` → `head`"), "{md}");
    assert!(md.contains("❌ **4 blocking problems**"), "{md}");

    let out = candor(
        &[
            "diff",
            &base,
            &head,
            "--format",
            "json",
            "--json-out",
            "r.json",
        ],
        &s.0,
    );
    assert_eq!(code(&out), 1);
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(stdout.contains("\"format\": \"candor.diff/1\""));
    assert_eq!(stdout, std::fs::read_to_string(s.0.join("r.json")).unwrap());

    let same = candor(&["diff", &base, &base], &s.0);
    assert_eq!(code(&same), 0);
    assert!(String::from_utf8(same.stdout)
        .unwrap()
        .contains("No changes"));
}

#[test]
fn diff_exit_codes_for_broken_sides_and_bad_usage() {
    let s = Scratch::new("diff-bad");
    let good = s.with_schema("good", "base.yaml");
    std::fs::create_dir_all(s.0.join("broken")).unwrap();
    std::fs::write(
        s.0.join("broken/shop.yaml"),
        "namespace: shop\nevents: [oops\n",
    )
    .unwrap();

    let out = candor(&["diff", "broken", &good, "--color", "never"], &s.0);
    assert_eq!(
        code(&out),
        2,
        "a BASE that does not compile cannot be compared"
    );
    assert!(
        stderr(&out).contains("BASE `broken` has schema errors"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("broken/shop.yaml:"),
        "diagnostics name the file: {}",
        stderr(&out)
    );

    let out = candor(&["diff", &good, "broken", "--color", "never"], &s.0);
    assert_eq!(code(&out), 1, "problems in the schemas under review");
    assert!(stderr(&out).contains("HEAD `broken` has schema errors"));

    let out = candor(&["diff", &good], &s.0);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("give two schema folders"));
}

#[test]
fn diff_against_a_git_revision() {
    let s = Scratch::new("diff-git");
    s.with_schema("schemas", "base.yaml");
    let git = |args: &[&str]| {
        let o = Command::new("git")
            .current_dir(&s.0)
            .args([
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@example.org",
                "-c",
                "commit.gpgsign=false",
            ])
            .args(args)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    };
    git(&["init", "-q"]);
    git(&["add", "."]);
    git(&["commit", "-q", "-m", "base"]);
    std::fs::copy(golden("diff/head.yaml"), s.0.join("schemas/shop.yaml")).unwrap();

    let out = candor(&["diff", "--git", "HEAD"], &s.0);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(
        md.starts_with("## Schema changes: `HEAD:schemas` → `schemas`"),
        "{md}"
    );

    git(&["commit", "-q", "-am", "head"]);
    let out = candor(&["diff", "--git", "HEAD~1", "HEAD"], &s.0);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let out = candor(&["diff", "--git", "HEAD", "HEAD"], &s.0);
    assert_eq!(code(&out), 0, "{}", stderr(&out));

    let out = candor(&["diff", "--git", "no-such-rev"], &s.0);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("no-such-rev"));
}

/// The committed `docs/telemetry/` must be what `candor docs schemas` generates today (the same
/// check `.ci/docs-check.sh` runs, here so that `cargo test` catches it too).
#[test]
fn committed_transparency_docs_are_up_to_date() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let out = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args([
            "docs",
            "schemas",
            "--out",
            "docs/telemetry",
            "--check",
            "--color",
            "never",
        ])
        .current_dir(&root)
        .output()
        .unwrap();
    assert_eq!(
        code(&out),
        0,
        "docs/telemetry is stale; run `cargo run -p candor-cli -- docs schemas --out docs/telemetry` and commit:\n{}",
        stderr(&out)
    );
}
