//! `registry.json`: the whole IR as JSON, plus its own JSON Schema (generated with schemars from
//! the IR types and checked in, tested to be what they generate, so the documentation of the
//! format cannot drift from the code).

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
///
/// It is generated from the IR types with schemars (`generate_registry_schema`, feature
/// `registry-schema`) and checked in beside this file, so that neither an app (through the
/// derive) nor the CLI compiles schemars; `compiler/tests/json_schema.rs` fails whenever the
/// checked-in text differs from what the IR types generate, so it cannot drift from the code.
pub fn registry_schema() -> OutputFile {
    OutputFile {
        path: REGISTRY_SCHEMA_FILE.to_string(),
        contents: REGISTRY_SCHEMA.to_string(),
    }
}

/// The checked-in output of `generate_registry_schema`.
const REGISTRY_SCHEMA: &str = include_str!("registry.schema.json");

/// The JSON Schema of `registry.json`, generated from the IR types.
#[cfg(feature = "registry-schema")]
pub fn generate_registry_schema() -> String {
    // The serialize contract: `registry.json` is output, and fields skipped when empty (such as
    // a field's `allow`) must not be required, or the file would fail its own schema.
    let schema = schemars::generate::SchemaSettings::draft2020_12()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<Registry>();
    to_pretty(&schema)
}
