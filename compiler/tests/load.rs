//! Loading a schema folder: every `*.yaml`/`*.yml` below it, hidden entries skipped, in byte
//! order of the relative paths whatever order the file system returns; an unreadable folder or
//! a file that is not UTF-8 is a `LoadError` naming the path.

use candor_schema::load::{load_dir, schema_files};
use std::path::{Path, PathBuf};

fn fresh_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn write(dir: &Path, rel: &str, bytes: &[u8]) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("folders");
    std::fs::write(path, bytes).expect("file written");
}

#[test]
fn finds_schema_files_in_a_fixed_order_and_skips_the_rest() {
    let dir = fresh_dir("load-order");
    // Created out of order on purpose.
    for rel in [
        "sub/z/c.yaml",
        "b.yaml",
        "a.yml",
        "A.yaml",
        "sub/a.yaml",
        ".hidden/x.yaml",
        ".dot.yaml",
        "notes.txt",
        "b.yaml.bak",
    ] {
        write(&dir, rel, b"namespace: x\n");
    }
    let rels: Vec<String> = schema_files(&dir)
        .expect("readable")
        .into_iter()
        .map(|(rel, _)| rel)
        .collect();
    assert_eq!(
        rels,
        ["A.yaml", "a.yml", "b.yaml", "sub/a.yaml", "sub/z/c.yaml"]
    );
    let sources = load_dir(&dir).expect("loads");
    let loaded: Vec<&str> = sources.files().map(|(_, f)| f.relative.as_str()).collect();
    assert_eq!(loaded, rels);
}

#[test]
fn a_missing_folder_or_a_non_utf8_file_is_a_load_error_naming_the_path() {
    let missing = Path::new(env!("CARGO_TARGET_TMPDIR")).join("load-does-not-exist");
    let err = load_dir(&missing).expect_err("missing folder");
    assert!(err.to_string().contains("load-does-not-exist"), "{err}");

    let dir = fresh_dir("load-latin1");
    write(&dir, "ok.yaml", b"namespace: ok\n");
    write(&dir, "latin1.yaml", b"description: caf\xe9\n");
    let err = load_dir(&dir).expect_err("not UTF-8");
    assert!(err.path.ends_with("latin1.yaml"), "{err}");
}

/// Every limit is enforced with a message naming it, before memory or time can run away.
#[test]
fn each_limit_is_enforced_with_a_clear_error() {
    use candor_schema::load::{load_dir_with, Limits};
    let small = Limits {
        max_file_bytes: 100,
        max_total_bytes: 250,
        max_files: 3,
        max_depth: 2,
        max_entries: 20,
    };
    let check = |name: &str, files: &[(&str, usize)], needle: &str| {
        let dir = fresh_dir(name);
        for (rel, len) in files {
            write(&dir, rel, &vec![b'#'; *len]);
        }
        let err = load_dir_with(&dir, &small).expect_err(needle).to_string();
        assert!(err.contains(needle), "{name}: {err}");
    };
    check(
        "limit-file",
        &[("a.yaml", 101)],
        "above the limit of 100 bytes",
    );
    check(
        "limit-total",
        &[("a.yaml", 100), ("b.yaml", 100), ("c.yaml", 100)],
        "add up to more than the limit of 250 bytes",
    );
    check(
        "limit-count",
        &[("a.yaml", 1), ("b.yaml", 1), ("c.yaml", 1), ("d.yaml", 1)],
        "more than 3 schema files",
    );
    check("limit-depth", &[("a/b/c/x.yaml", 1)], "more than 2 levels");
    let many: Vec<(String, usize)> = (0..21).map(|i| (format!("n{i}.txt"), 1)).collect();
    let many: Vec<(&str, usize)> = many.iter().map(|(n, l)| (n.as_str(), *l)).collect();
    check("limit-entries", &many, "more than 20 entries");

    // At the limits exactly, everything loads.
    let dir = fresh_dir("limit-exact");
    write(&dir, "a/b/x.yaml", &[b'#'; 100]);
    write(&dir, "y.yaml", &[b'#'; 100]);
    let sources = load_dir_with(&dir, &small).expect("within every limit");
    assert_eq!(sources.len(), 2);
}
