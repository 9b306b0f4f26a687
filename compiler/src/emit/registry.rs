//! `registry.json`: the whole IR as JSON, plus its own JSON Schema (generated with schemars from
//! the IR types, so the documentation of the format cannot drift from the code).

use super::{to_pretty, OutputFile};
use crate::ir::Registry;

pub const REGISTRY_FILE: &str = "registry.json";
pub const REGISTRY_SCHEMA_FILE: &str = "registry.schema.json";

/// `registry.json`.
pub fn registry_json(registry: &Registry) -> OutputFile {
    OutputFile {
        path: REGISTRY_FILE.to_string(),
        contents: to_pretty(registry),
    }
}

/// The JSON Schema that `registry.json` follows.
pub fn registry_schema() -> OutputFile {
    // The serialize contract: `registry.json` is output, and fields skipped when empty (such as
    // a field's `allow`) must not be required, or the file would fail its own schema.
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Registry>();
    OutputFile {
        path: REGISTRY_SCHEMA_FILE.to_string(),
        contents: to_pretty(&schema),
    }
}
