//! Golden-file comparison shared by the `docs_*` and `diff_*` tests.
//!
//! `check(name, actual)` compares byte for byte with `tests/golden/<name>`. To accept new
//! output after a deliberate change, run `UPDATE_GOLDEN=1 cargo test -p candor-schema --test
//! <test>` and review the diff of `tests/golden/` before committing.

#![allow(dead_code)] // each test binary uses a different subset

use candor_schema::{compile_dir, compile_str, Date, Options, Registry};
use std::path::{Path, PathBuf};

pub fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A fixed "today", so the tests keep passing as the calendar moves on.
pub fn options() -> Options {
    Options {
        today: Date::parse("2026-11-01"),
        ..Default::default()
    }
}

pub fn check(name: &str, actual: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read golden file {}: {e}\nrun `UPDATE_GOLDEN=1 cargo test -p candor-schema` to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
        panic!(
            "{} differs from the generated output, first at line {}:\n  golden:    {:?}\n  generated: {:?}\nif the change is intended, run `UPDATE_GOLDEN=1 cargo test -p candor-schema` and review the diff",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end of file>"),
            actual.lines().nth(line).unwrap_or("<end of file>"),
        );
    }
}

/// A copy of the example wallet schemas, frozen here so that editing `schemas/` does not change
/// these tests (the committed `docs/telemetry/` is checked against `schemas/` by
/// `.ci/docs-check.sh` instead).
pub fn wallet_fixture() -> PathBuf {
    golden_dir().join("docs/wallet")
}

pub fn compile_folder(dir: &Path) -> Registry {
    let c = compile_dir(dir, &options()).expect("schema folder readable");
    let rendered = c.render(candor_schema::diagnostic::Color::Never);
    c.registry
        .unwrap_or_else(|| panic!("{} does not compile:\n{rendered}", dir.display()))
}

/// Compiles one in-memory schema file (plus an optional policy), panicking with the rendered
/// diagnostics if it has errors.
pub fn compile_one(relative: &str, text: &str) -> Registry {
    let c = compile_str(relative, text, &options());
    let rendered = c.render(candor_schema::diagnostic::Color::Never);
    c.registry
        .unwrap_or_else(|| panic!("{relative} does not compile:\n{rendered}"))
}
