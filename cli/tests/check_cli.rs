//! The `candor check` and `candor schema` contract, through the real binary: exit codes
//! (0 clean, 1 problems, 2 usage or I/O), JSON output, `--deny-warnings`, and written files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn candor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .current_dir(repo())
        .env_remove("SOURCE_DATE_EPOCH")
        .env("NO_COLOR", "1")
        .output()
        .expect("run candor")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh folder under the target dir holding the given files.
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    for (rel, text) in files {
        let path = dir.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

const GOOD: &str = "namespace: app\ndescription: App events.\nowners: [team@example.org]\nevents:\n  opened:\n    description: The app was opened.\n    purpose: Count launches.\n    version: 1\n    consent: usage\n    retention_days: 30\n    expires: 2027-01-10\n";

#[test]
fn example_schemas_are_clean() {
    let out = candor(&["check", "schemas", "--today", "2026-11-22"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("ok: no problems found"), "{stderr}");
}

#[test]
fn errors_exit_1_with_located_messages() {
    let dir = folder(
        "errors",
        &[("app.yaml", &GOOD.replace("consent: usage", "consent: usag"))],
    );
    let out = candor(&["check", dir.to_str().unwrap(), "--today", "2026-11-22"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[unknown-consent]"), "{stderr}");
    assert!(stderr.contains("app.yaml:9:14"), "{stderr}");
    assert!(stderr.contains("did you mean `usage`?"), "{stderr}");
    assert!(
        !stderr.contains('\x1b'),
        "no colour when not on a terminal: {stderr}"
    );
}

#[test]
fn json_format_for_ci() {
    let dir = folder(
        "json",
        &[("app.yaml", &GOOD.replace("version: 1", "version: 0"))],
    );
    let out = candor(&[
        "check",
        dir.to_str().unwrap(),
        "--format",
        "json",
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    assert_eq!(report["errors"], 1);
    let d = &report["diagnostics"][0];
    assert_eq!(d["code"], "invalid-value");
    assert_eq!(d["severity"], "error");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(8), Some(14))
    );
}

#[test]
fn warnings_fail_only_with_deny_warnings() {
    // Expires 2027-01-10: within 30 days of the given today, so `expires-soon`.
    let dir = folder("warn", &[("app.yaml", GOOD)]);
    let path = dir.to_str().unwrap();
    let lenient = candor(&["check", path, "--today", "2026-12-20"]);
    assert_eq!(
        lenient.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&lenient.stderr)
    );
    assert!(String::from_utf8_lossy(&lenient.stderr).contains("warning[expires-soon]"));
    let strict = candor(&["check", path, "--today", "2026-12-20", "--deny-warnings"]);
    assert_eq!(strict.status.code(), Some(1));
}

#[test]
fn today_comes_from_source_date_epoch() {
    let dir = folder("epoch", &[("app.yaml", GOOD)]);
    let run = |epoch: &str| {
        Command::new(env!("CARGO_BIN_EXE_candor"))
            .args(["check", dir.to_str().unwrap()])
            .env("SOURCE_DATE_EPOCH", epoch)
            .output()
            .unwrap()
    };
    // 2026-11-22 → clean; 2027-02-01 → the event has expired.
    assert_eq!(run("1795305600").status.code(), Some(0));
    let expired = run("1801440000");
    assert_eq!(expired.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&expired.stderr).contains("error[expired]"));
}

#[test]
fn usage_and_io_errors_exit_2() {
    let missing = candor(&["check", "no/such/folder"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("does not exist"));
    assert_eq!(candor(&["check", "--format", "xml"]).status.code(), Some(2));
    assert_eq!(
        candor(&["check", "--today", "tomorrow"]).status.code(),
        Some(2)
    );
    assert_eq!(candor(&["frobnicate"]).status.code(), Some(2));
}

#[test]
fn schema_writes_one_file_per_event_and_the_registry() {
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("schema-out");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = candor(&[
        "schema",
        "schemas",
        "--out",
        out_dir.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let registry: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("registry.json")).unwrap())
            .unwrap();
    assert_eq!(registry["format"], "candor.registry/1");
    let events: usize = registry["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["events"].as_array().unwrap().len())
        .sum();
    let files = std::fs::read_dir(out_dir.join("events")).unwrap().count();
    assert_eq!(files, events);
    assert!(out_dir
        .join("events/wallet.transaction_signed.v1.schema.json")
        .is_file());
    assert!(out_dir.join("registry.schema.json").is_file());
}

#[test]
fn schema_refuses_to_write_from_broken_schemas() {
    let dir = folder("broken", &[("app.yaml", "namespace: [")]);
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-out");
    let _ = std::fs::remove_dir_all(&out_dir);
    let out = candor(&[
        "schema",
        dir.to_str().unwrap(),
        "--out",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("error[yaml-syntax]"));
    assert!(!out_dir.exists());
}

/// The derive builds against an expired schema (`tests/ui/expired`), so that an old release
/// can be rebuilt; `candor check` in CI keeps failing on the same folder, by the real clock.
#[test]
fn check_fails_on_the_expired_schema_the_derive_still_builds() {
    let out = candor(&["check", "tests/fixtures/expired"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("error[expired]"), "{stderr}");
    assert!(stderr.contains("expired on 2020-06-30"), "{stderr}");
}
