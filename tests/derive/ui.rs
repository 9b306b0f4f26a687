//! trybuild UI tests of `#[derive(Event)]`, `#[derive(EventEnum)]` and `#[candor::personal]`.
//!
//! trybuild compiles the cases in its own project under the target directory, so a relative
//! `schemas = "..."` would be resolved from there. The cases therefore leave the folder out and
//! the driver names it through `CANDOR_SCHEMAS` (absolute), which the derive reads: one batch
//! against the valid fixtures, one against a folder with schema errors, one against a folder
//! whose pattern is not one expression on its own, one against a schema whose expiry has
//! passed (it must build), and one against an error report. trybuild replaces this crate's
//! absolute path with `$DIR` in the expected output, so the `.stderr` files hold no machine
//! paths.

use std::path::Path;

fn use_schemas(folder: &str) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(folder);
    // Edition 2021: `set_var` is safe; this test binary holds this one test, so no other
    // thread reads the environment meanwhile.
    std::env::set_var("CANDOR_SCHEMAS", dir);
}

#[test]
fn ui() {
    use_schemas("fixtures/ui");
    {
        let t = trybuild::TestCases::new();
        t.pass("ui/pass/*.rs");
        t.compile_fail("ui/fail/*.rs");
        // Runs on drop, while the variable still names the valid fixtures.
    }
    use_schemas("fixtures/broken");
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("ui/broken_schemas/*.rs");
    }
    use_schemas("fixtures/broken_pattern");
    {
        let t = trybuild::TestCases::new();
        t.compile_fail("ui/broken_pattern/*.rs");
    }
    // A schema whose `expires` has passed still builds (`candor check` fails on it:
    // `cli/tests/check_cli.rs`).
    use_schemas("fixtures/expired");
    {
        let t = trybuild::TestCases::new();
        t.pass("ui/expired/*.rs");
    }
    use_schemas("fixtures/error_report");
    let t = trybuild::TestCases::new();
    t.pass("ui/error_report/*.rs");
}
