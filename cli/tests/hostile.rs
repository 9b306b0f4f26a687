//! The real `candor` binary on folders an attacker prepared, as in CI on a pull request from
//! anyone: it must not read outside the schema folder, not hang, not crash, not let file names
//! or schema text drive the terminal, not write through planted links, and `diff --git` must
//! not be redirected to a planted repository. Every run has a deadline; a run that misses it
//! is killed and fails the test (a hang, not a slow machine: the deadlines are generous).
#![cfg(unix)]

use std::io::Read;
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Generous: each run below takes well under a second; only a hang gets near this.
const DEADLINE: Duration = Duration::from_secs(60);

/// A secret the child's environment holds; no output may ever contain it.
const SECRET: &str = "candor-probe-secret-6f1d";

/// Runs candor in `cwd` and kills it at the deadline.
fn candor(args: &[&str], cwd: &Path) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .current_dir(cwd)
        .env("CANDOR_PROBE", SECRET)
        .env("SOURCE_DATE_EPOCH", "1795305600") // 2026-11-22
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("candor runs");
    // Drained while it runs: a child writing more than a pipe holds would otherwise wait for
    // us while we wait for it.
    let drain = |mut pipe: Box<dyn Read + Send>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            let _ = pipe.read_to_end(&mut buf);
            buf
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("piped")));
    let stderr = drain(Box::new(child.stderr.take().expect("piped")));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waitable") {
            break status;
        }
        if started.elapsed() > DEADLINE {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "candor {args:?} did not finish within {DEADLINE:?}\nstderr: {}",
                String::from_utf8_lossy(&stderr.join().unwrap_or_default())
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = Output {
        status,
        stdout: stdout.join().expect("read stdout"),
        stderr: stderr.join().expect("read stderr"),
    };
    let all = [&out.stdout[..], &out.stderr[..]].concat();
    assert!(
        !String::from_utf8_lossy(&all).contains(SECRET),
        "candor {args:?} printed its environment"
    );
    assert!(
        !all.iter().any(|b| *b == 0x1b || *b == 0x07),
        "candor {args:?} printed a raw escape or bell:\n{}",
        String::from_utf8_lossy(&all)
    );
    out
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scratch folder with a `schemas/` holding one clean schema, removed on drop.
struct Scratch(PathBuf);

const GOOD: &str = "namespace: app\ndescription: App events.\nowners: [team@example.org]\nevents:\n  opened:\n    description: The app was opened.\n    purpose: Count launches.\n    version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-06-30\n";

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("candor-hostile-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("schemas")).unwrap();
        std::fs::write(dir.join("schemas/app.yaml"), GOOD).unwrap();
        Scratch(dir)
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.0.join(rel)
    }

    fn write(&self, rel: &str, text: &str) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }

    fn check(&self) -> Output {
        candor(&["check", "schemas", "--color", "never"], &self.0)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Exit code 2 with `needle` in the message.
fn refused(o: &Output, needle: &str) {
    let e = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains(needle), "expected `{needle}` in:\n{e}");
}

#[test]
fn links_out_of_the_folder_are_never_followed() {
    let s = Scratch::new("links");
    s.write("outside/secret.yaml", &format!("namespace: {SECRET}\n"));
    symlink(s.path("outside/secret.yaml"), s.path("schemas/leak.yaml")).unwrap();
    refused(&s.check(), "symbolic link");
    std::fs::remove_file(s.path("schemas/leak.yaml")).unwrap();

    // The CI environment, through /proc.
    symlink("/proc/self/environ", s.path("schemas/env.yaml")).unwrap();
    refused(&s.check(), "symbolic link");
    std::fs::remove_file(s.path("schemas/env.yaml")).unwrap();

    // A folder of schemas elsewhere, and a link with another name pointing at a schema file.
    symlink(s.path("outside"), s.path("schemas/shared")).unwrap();
    refused(&s.check(), "to a folder");
    std::fs::remove_file(s.path("schemas/shared")).unwrap();

    symlink(s.path("outside/secret.yaml"), s.path("schemas/notes.txt")).unwrap();
    let o = s.check();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn link_loops_and_fan_outs_end_with_an_error_at_once() {
    let s = Scratch::new("loops");
    symlink("b", s.path("schemas/a")).unwrap();
    symlink("a", s.path("schemas/b")).unwrap();
    refused(&s.check(), "does not resolve");
    std::fs::remove_file(s.path("schemas/a")).unwrap();
    std::fs::remove_file(s.path("schemas/b")).unwrap();

    // Each level links twice to the one above: followed, the walk would be exponential.
    for i in 0..30 {
        let dir = s.path(&format!("schemas/fan/{}", "d/".repeat(i)));
        std::fs::create_dir_all(&dir).unwrap();
        symlink("..", dir.join("x")).unwrap();
        symlink("..", dir.join("y")).unwrap();
    }
    refused(&s.check(), "to a folder");
}

#[test]
fn fifos_devices_and_sockets_are_refused_without_blocking() {
    let s = Scratch::new("special");
    let fifo = s.path("schemas/pipe.yaml");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs");
    assert!(made.success());
    refused(&s.check(), "named pipe");
    std::fs::remove_file(&fifo).unwrap();

    symlink("/dev/zero", s.path("schemas/zero.yaml")).unwrap();
    refused(&s.check(), "symbolic link");
    std::fs::remove_file(s.path("schemas/zero.yaml")).unwrap();

    let socket = std::os::unix::net::UnixListener::bind(s.path("schemas/s.yaml")).unwrap();
    refused(&s.check(), "socket");
    drop(socket);
    std::fs::remove_file(s.path("schemas/s.yaml")).unwrap();

    // A FIFO with another name is not a schema file and is never opened.
    let made = Command::new("mkfifo")
        .arg(s.path("schemas/notes"))
        .status()
        .unwrap();
    assert!(made.success());
    let o = s.check();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn size_count_and_depth_are_bounded() {
    let s = Scratch::new("size");
    // Sparse: 300 MiB on paper, no disk used, and refused before a byte is read.
    let f = std::fs::File::create(s.path("schemas/huge.yaml")).unwrap();
    f.set_len(300 << 20).unwrap();
    refused(&s.check(), "above the limit");
    std::fs::remove_file(s.path("schemas/huge.yaml")).unwrap();

    for i in 0..3 {
        let f = std::fs::File::create(s.path(&format!("schemas/big{i}.yaml"))).unwrap();
        f.set_len(200 << 20).unwrap();
    }
    refused(&s.check(), "add up to more than");
    for i in 0..3 {
        std::fs::remove_file(s.path(&format!("schemas/big{i}.yaml"))).unwrap();
    }

    let deep = format!("schemas/{}x.yaml", "d/".repeat(40));
    s.write(&deep, GOOD);
    refused(&s.check(), "levels below the schema folder");
}

#[test]
fn deep_nesting_is_a_diagnostic_on_every_thread_not_a_crash() {
    let s = Scratch::new("deep");
    let flow = format!("namespace: {}{}\n", "[".repeat(5000), "]".repeat(5000));
    let block = format!("namespace: x\nevents:\n  {}x\n", "- ".repeat(5000));
    let map = (0..5000).fold(String::new(), |mut acc, i| {
        acc.push_str(&" ".repeat(i));
        acc.push_str("k:\n");
        acc
    });
    // Enough files that several worker threads lower them.
    for i in 0..12 {
        let text = [&flow, &block, &map][i % 3];
        s.write(&format!("schemas/deep{i:02}.yaml"), text);
    }
    let o = s.check();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert_eq!(e.matches("nested more than 64 levels").count(), 12, "{e}");
    assert!(e.contains("deep00.yaml:1:"), "{e}");
}

#[test]
fn escape_sequences_in_names_keys_and_values_are_shown_not_obeyed() {
    let s = Scratch::new("escapes");
    let evil = "namespace: app2\ndescription: \"Title\\e]0;pwned\\a\\e[2J\"\nowners: [\"team\\e[31m@example.org\"]\nevents:\n  opened\u{1b}[8m:\n    description: x\n";
    s.write("schemas/\u{1b}[31mred\u{7}.yaml", evil);
    let o = candor(&["check", "schemas", "--color", "never"], &s.0);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(e.contains(r"schemas/\u{1b}[31mred\u{7}.yaml:2:14"), "{e}");
    assert!(e.contains(r"opened\u{1b}[8m"), "{e}");
    assert!(e.contains("error[control-character]"), "{e}");

    let o = candor(&["check", "schemas", "--format", "json"], &s.0);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let diagnostics = report["diagnostics"].as_array().unwrap();
    assert!(diagnostics
        .iter()
        .all(|d| d["file"] == r"schemas/\u{1b}[31mred\u{7}.yaml"));
    assert!(diagnostics.iter().any(|d| d["code"] == "control-character"));
    let text = serde_json::to_string(&report).unwrap();
    assert!(
        !text.contains('\u{1b}') && !text.contains("\\u001b"),
        "{text}"
    );
    // A file name that cannot even be loaded is shown escaped too.
    std::fs::remove_file(s.path("schemas/\u{1b}[31mred\u{7}.yaml")).unwrap();
    symlink("/dev/zero", s.path("schemas/\u{1b}[2Jz.yaml")).unwrap();
    refused(&s.check(), r"\u{1b}[2Jz.yaml");
}

#[test]
fn writes_never_go_through_planted_links() {
    let s = Scratch::new("writes");
    s.write("victim.txt", "do not touch");
    std::fs::create_dir_all(s.path("site")).unwrap();
    symlink(s.path("victim.txt"), s.path("site/index.html")).unwrap();
    let o = candor(&["docs", "schemas", "--out", "site"], &s.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(s.path("victim.txt")).unwrap(),
        "do not touch"
    );
    let written = std::fs::symlink_metadata(s.path("site/index.html")).unwrap();
    assert!(written.file_type().is_file(), "the link was replaced");

    std::fs::create_dir_all(s.path("out")).unwrap();
    symlink(s.path("victim.txt"), s.path("out/registry.json")).unwrap();
    let o = candor(&["schema", "schemas", "--out", "out"], &s.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(s.path("victim.txt")).unwrap(),
        "do not touch"
    );
    assert!(std::fs::symlink_metadata(s.path("out/registry.json"))
        .unwrap()
        .file_type()
        .is_file());

    // A planted link as a folder on the way.
    std::fs::create_dir_all(s.path("elsewhere")).unwrap();
    symlink(s.path("elsewhere"), s.path("out2")).unwrap();
    refused(
        &candor(&["schema", "schemas", "--out", "out2"], &s.0),
        "symbolic link",
    );
    std::fs::create_dir_all(s.path("out3")).unwrap();
    symlink(s.path("elsewhere"), s.path("out3/events")).unwrap();
    refused(
        &candor(&["schema", "schemas", "--out", "out3"], &s.0),
        "symbolic link",
    );
    assert_eq!(std::fs::read_dir(s.path("elsewhere")).unwrap().count(), 0);

    // `--json-out` through a link.
    let o = candor(
        &[
            "diff",
            "schemas",
            "schemas",
            "--json-out",
            "site/index.html",
        ],
        &s.0,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        std::fs::read_to_string(s.path("victim.txt")).unwrap(),
        "do not touch"
    );
}

#[test]
fn output_folders_that_hold_the_project_are_refused() {
    let s = Scratch::new("outdirs");
    for out in [".", "/", "schemas", "..", "schemas/.."] {
        let o = candor(&["docs", "schemas", "--out", out], &s.0);
        refused(&o, "refusing to write");
    }
    assert!(!s.path("README.md").exists());
    assert!(!s.path("schemas/index.html").exists());
    // Below the schema folder or beside it is fine.
    let o = candor(&["docs", "schemas", "--out", "schemas/site"], &s.0);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn docs_check_reads_no_special_file() {
    let s = Scratch::new("docs-check");
    std::fs::create_dir_all(s.path("site")).unwrap();
    symlink("/dev/zero", s.path("site/index.html")).unwrap();
    let made = Command::new("mkfifo")
        .arg(s.path("site/README.md"))
        .status()
        .unwrap();
    assert!(made.success());
    let o = candor(&["docs", "schemas", "--out", "site", "--check"], &s.0);
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{e}");
    assert!(
        e.contains("stale:") && e.contains("index.html") && e.contains("README.md"),
        "{e}"
    );
}

fn git(cwd: &Path, args: &[&str]) {
    let o = Command::new("git")
        .current_dir(cwd)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-10-05T12:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-10-05T12:00:00Z")
        .output()
        .expect("git runs");
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn golden(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../compiler/tests/golden/diff")
            .join(name),
    )
    .unwrap()
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// The pull request raises a field's privacy class without a review note, and plants a bare
/// repository in `schemas/` whose `main` already holds the raised class, so a git that looked
/// there would see no change.
#[test]
fn diff_git_cannot_be_redirected_by_a_planted_repository() {
    let s = Scratch::new("diff-spoof");
    std::fs::remove_file(s.path("schemas/app.yaml")).unwrap();
    s.write("schemas/shop.yaml", &golden("base.yaml"));
    git(&s.0, &["init", "-q"]);
    git(&s.0, &["add", "."]);
    git(&s.0, &["commit", "-q", "-m", "base"]);

    // The attacker's repository: HEAD's schema at the top of its tree, on `main`.
    let evil = s.path("evil");
    std::fs::create_dir_all(&evil).unwrap();
    std::fs::write(evil.join("shop.yaml"), golden("head.yaml")).unwrap();
    git(&evil, &["init", "-q"]);
    git(&evil, &["add", "."]);
    git(&evil, &["commit", "-q", "-m", "spoof"]);
    git(&s.0, &["clone", "-q", "--bare", "evil", "evil.git"]);
    std::fs::remove_dir_all(&evil).unwrap();
    copy_dir(&s.path("evil.git"), &s.path("schemas"));
    std::fs::remove_dir_all(s.path("evil.git")).unwrap();
    s.write("schemas/shop.yaml", &golden("head.yaml"));
    assert!(s.path("schemas/HEAD").is_file() && s.path("schemas/objects").is_dir());

    for args in [
        &["diff", "--git", "main"][..],
        &["diff", "--git", "main", "--format", "json"][..],
    ] {
        let o = candor(args, &s.0);
        let out = String::from_utf8_lossy(&o.stdout);
        assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
        assert!(
            out.contains("class_raised_without_review") || out.contains("raised"),
            "{out}"
        );
    }
    // Also from inside the schema folder, with an inherited GIT_DIR pointing at the plant.
    let o = Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(["diff", "--git", "main", "--schemas", "."])
        .current_dir(s.path("schemas"))
        .env("GIT_DIR", s.path("schemas"))
        .env("SOURCE_DATE_EPOCH", "1795305600")
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        stderr(&o)
    );
}
