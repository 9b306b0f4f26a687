//! Snapshot tests of rendered diagnostics: the human text (with and without colour) and the
//! `--format json` document, compared byte for byte with files checked in under
//! `compiler/tests/snapshots/`.
//!
//! After an intended change to the output, regenerate them and review the diff:
//!
//! ```sh
//! UPDATE_SNAPSHOTS=1 cargo test -p candor-schema --test snapshots
//! git diff compiler/tests/snapshots/
//! ```
//!
//! Also here: the exit semantics `candor check` builds on (errors → no registry; warnings
//! alone → a registry), checked through the library.

use candor_schema::diagnostic::Color;
use candor_schema::{compile_sources, Compilation, Date, Options, SourceMap};
use std::path::{Path, PathBuf};

fn snapshot_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots")
}

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    }
}

/// Compiles in-memory files under stable relative names, so the snapshots hold no local paths.
fn compile(files: &[(&str, &str)]) -> Compilation {
    let mut sources = SourceMap::default();
    for (name, text) in files {
        sources.add_text(name, text);
    }
    compile_sources(sources, &options())
}

fn input(name: &str) -> String {
    std::fs::read_to_string(snapshot_dir().join(name)).expect("snapshot input exists")
}

/// Compares `actual` with the checked-in snapshot `name`, or rewrites it with `UPDATE_SNAPSHOTS=1`.
fn check_snapshot(name: &str, actual: &str) {
    let path = snapshot_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).expect("snapshot written");
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing snapshot {}; run with UPDATE_SNAPSHOTS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let first_difference = expected
            .lines()
            .zip(actual.lines())
            .position(|(e, a)| e != a)
            .map_or_else(
                || "one output is a prefix of the other".to_string(),
                |i| {
                    format!(
                        "line {}:\n  snapshot: {:?}\n  actual:   {:?}",
                        i + 1,
                        expected.lines().nth(i).unwrap_or_default(),
                        actual.lines().nth(i).unwrap_or_default()
                    )
                },
            );
        panic!(
            "{name} differs from the snapshot at {first_difference}\n\
             full output:\n{actual}\n\
             If the change is intended, rerun with UPDATE_SNAPSHOTS=1 and review the diff."
        );
    }
}

fn multi_error() -> Compilation {
    compile(&[("schemas/wallet.yaml", &input("multi_error.yaml"))])
}

#[test]
fn human_rendering_of_a_multi_error_file() {
    let c = multi_error();
    assert!(
        c.error_count() >= 10,
        "the input should exercise many codes"
    );
    check_snapshot("multi_error.human.txt", &c.render(Color::Never));
}

#[test]
fn coloured_rendering_of_a_multi_error_file() {
    let c = multi_error();
    let coloured = c.render(Color::Always);
    assert!(coloured.contains("\x1b[1;31merror[unknown-class]\x1b[0m"));
    check_snapshot("multi_error.color.txt", &coloured);
}

#[test]
fn json_rendering_of_a_multi_error_file() {
    let c = multi_error();
    let json = c.render_json();
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    assert_eq!(parsed["errors"], c.error_count());
    assert_eq!(parsed["warnings"], c.warning_count());
    assert_eq!(
        parsed["diagnostics"].as_array().map(Vec::len),
        Some(c.diagnostics.len())
    );
    check_snapshot("multi_error.json", &json);
}

#[test]
fn rendering_across_files_shows_the_related_location() {
    let first = "namespace: app\ndescription: First.\nowners: [a@example.org]\nevents: {}\n";
    let second = "namespace: app\ndescription: Second.\nowners: [a@example.org]\nevents: {}\n";
    let c = compile(&[("schemas/a.yaml", first), ("schemas/b.yaml", second)]);
    let text = c.render(Color::Never);
    assert!(text.contains("::: schemas/a.yaml:1:12"), "{text}");
    check_snapshot("duplicate_namespace.human.txt", &text);
    // CI tools reading `--format json` get the first definition too.
    let json = c.render_json();
    let parsed: serde_json::Value = serde_json::from_str(&json).expect("valid JSON");
    let duplicate = parsed["diagnostics"]
        .as_array()
        .and_then(|d| d.iter().find(|d| d["code"] == "duplicate-namespace"))
        .expect("the duplicate is reported");
    let related = &duplicate["related"];
    assert_eq!(related["file"], "schemas/a.yaml", "{json}");
    assert_eq!(
        (&related["line"], &related["column"]),
        (&1.into(), &12.into())
    );
    check_snapshot("duplicate_namespace.json", &json);
}

#[test]
fn a_clean_folder_renders_a_single_ok_line() {
    let c = compile(&[(
        "schemas/ok.yaml",
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus/valid/001-minimal.yaml"),
        )
        .expect("valid corpus case"),
    )]);
    assert_eq!(c.render(Color::Never), "ok: no problems found\n");
    assert_eq!(
        c.render_json(),
        "{\n  \"errors\": 0,\n  \"warnings\": 0,\n  \"diagnostics\": []\n}\n"
    );
}

#[test]
fn errors_withhold_the_registry_and_warnings_do_not() {
    let errors = multi_error();
    assert!(errors.error_count() > 0);
    assert!(
        errors.registry.is_none(),
        "no registry from a schema with errors"
    );

    let warnings_only = compile(&[(
        "schemas/soon.yaml",
        &input("multi_error.yaml")
            .lines()
            .take(11)
            .chain([
                "    expires: 2026-12-01",
                "    fields:",
                "      retries:",
                "        type: count",
                "        class: technical",
                "        description: Retries.",
            ])
            .collect::<Vec<_>>()
            .join("\n"),
    )]);
    assert_eq!(
        warnings_only.error_count(),
        0,
        "{}",
        warnings_only.render(Color::Never)
    );
    assert_eq!(warnings_only.warning_count(), 1);
    assert!(
        warnings_only.registry.is_some(),
        "warnings alone still build the registry"
    );
    assert!(warnings_only
        .render(Color::Never)
        .ends_with("passed with warnings: 0 errors, 1 warning\n"));
}

#[test]
fn every_diagnostic_is_located_inside_its_file_and_sorted() {
    let c = multi_error();
    let text = input("multi_error.yaml");
    let lines: Vec<&str> = text.lines().collect();
    for d in &c.diagnostics {
        let line = lines
            .get(d.span.start.line as usize - 1)
            .unwrap_or_else(|| panic!("{d:?} points past the end of the file"));
        assert!(
            (d.span.start.col as usize) <= line.chars().count(),
            "{d:?} points past the end of its line"
        );
    }
    let positions: Vec<_> = c.diagnostics.iter().map(|d| d.span.start).collect();
    let mut sorted = positions.clone();
    sorted.sort();
    assert_eq!(positions, sorted, "diagnostics come in file order");
}
