//! Mirror tests: where a rule of `candor-core` must also exist as a copy — a constant table the
//! derive writes into generated code, a checked-in JSON Schema, a trait implemented by hand, a
//! table in the docs — these tests hold the copy to the original, so the two cannot drift
//! apart unnoticed.
//!
//! - `wire`: the runtime's checked-in wire schemas (and their copies in
//!   `docs/wire-format.md`) and the compiler's per-event schemas against `candor_core::wire`;
//! - `type_table`: the runtime's field-value traits (impls and messages) and `docs/derive.md`
//!   against `candor_core::types::RUST_TYPES`;
//! - `derived`: what `#[derive(Event)]`/`#[derive(EventEnum)]` write into generated code
//!   (`EventMeta`, pattern step tables, value lists, fingerprints, bucket bounds) against the
//!   compiler's registry and `candor_core`;
//! - `shared`: the types the compiler, the runtime and core share are the same types, and
//!   the runtime's JSON string escaping reads back as serde_json reads it.

mod derived;
mod shared;
mod type_table;
mod wire;

use std::path::{Path, PathBuf};

/// A file of the repository, from the root.
fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

/// The text of a repository file.
fn read(relative: &str) -> String {
    std::fs::read_to_string(repo_file(relative))
        .unwrap_or_else(|e| panic!("cannot read {relative}: {e}"))
}
