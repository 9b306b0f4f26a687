//! `candor schema --iglu VENDOR --tracking-plan segment|mixpanel`, through the real binary:
//! the files land where Iglu registries and the vendors' APIs expect them, a bad vendor is a
//! usage error (exit 2) that writes nothing, and without the flags nothing more is written.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn candor(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_candor"))
        .args(args)
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
        .env("NO_COLOR", "1")
        .output()
        .expect("run candor")
}

fn out_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files(dir: &Path) -> Vec<String> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, base, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn iglu_schemas_and_tracking_plans_are_written() {
    let out = out_dir("vendors");
    let o = candor(&[
        "schema",
        "schemas",
        "--out",
        out.to_str().unwrap(),
        "--today",
        "2026-11-22",
        "--iglu",
        "com.example",
        "--tracking-plan",
        "segment",
        "--tracking-plan",
        "mixpanel",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let written = files(&out);
    assert!(
        written.contains(
            &"iglu/schemas/com.example.wallet/transaction_signed/jsonschema/1-0-0".to_string()
        ),
        "{written:?}"
    );
    assert!(written.contains(&"segment/tracking-plan-rules.json".to_string()));
    assert!(written.contains(&"mixpanel/lexicon-schemas.json".to_string()));
    let iglu = written.iter().filter(|f| f.starts_with("iglu/")).count();
    let events = written.iter().filter(|f| f.starts_with("events/")).count();
    assert_eq!(iglu, events, "one Iglu schema per event version");
    let rules: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(out.join("segment/tracking-plan-rules.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(rules["rules"].as_array().unwrap().len(), events);
}

#[test]
fn without_the_flags_nothing_more_is_written() {
    let out = out_dir("plain");
    let o = candor(&[
        "schema",
        "schemas",
        "--out",
        out.to_str().unwrap(),
        "--today",
        "2026-11-22",
    ]);
    assert_eq!(o.status.code(), Some(0));
    // One JSON Schema per event and per metric version, and the registry: nothing else.
    let written = files(&out);
    assert!(written.iter().all(|f| f.starts_with("events/")
        || f.starts_with("metrics/")
        || f.starts_with("registry")));
    assert!(written
        .iter()
        .any(|f| f == "metrics/node.sync_time.v1.schema.json"));
}

#[test]
fn a_bad_vendor_is_a_usage_error_and_writes_nothing() {
    for bad in ["com/example", "", "com example"] {
        let out = out_dir("bad-vendor");
        let o = candor(&[
            "schema",
            "schemas",
            "--out",
            out.to_str().unwrap(),
            "--iglu",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("is not an Iglu vendor"),
            "{bad:?}"
        );
        assert!(!out.exists());
    }
    let out = out_dir("bad-plan");
    let o = candor(&[
        "schema",
        "schemas",
        "--out",
        out.to_str().unwrap(),
        "--tracking-plan",
        "amplitude",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
}
