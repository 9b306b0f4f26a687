//! What `#[derive(Event)]` shows when its schema folder has errors: the compiler's own
//! diagnostics with `file:line:col` in the folder's spelling. The trybuild snapshot of that
//! message (`tests/ui/broken_schemas/`) cannot show it, because trybuild normalizes locations
//! away; this checks the text the derive puts into `compile_error!`.

use candor_schema::derive_support::{load_cached_with, resolve_dir};
use candor_schema::{Date, Options};
use std::path::Path;
use std::time::Duration;

#[test]
fn schema_errors_surface_with_file_line_and_column() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = resolve_dir(&repo, Some("tests/fixtures/broken"), None);
    let options = Options {
        today: Some(Date::parse("2026-11-22").unwrap()),
        ..Default::default()
    };
    let loaded = load_cached_with(&dir, &options, Duration::ZERO).expect("folder is readable");
    assert!(loaded.registry().is_none());
    let message = loaded.errors().expect("the folder has errors");
    assert!(
        message.contains("error[unknown-type]: unknown type `boolean`")
            && message.contains("--> tests/fixtures/broken/shop.yaml:15:15"),
        "{message}"
    );
    assert!(
        message.contains("error[unknown-class]")
            && message.contains("--> tests/fixtures/broken/shop.yaml:20:16"),
        "{message}"
    );
    assert!(message.contains("did you mean `bool`?"), "{message}");
    // Paths are shown as written, never as this machine's absolute path.
    assert!(!message.contains(&*repo.to_string_lossy()), "{message}");
}
