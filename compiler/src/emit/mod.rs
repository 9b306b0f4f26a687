//! Emitters: everything candor writes out of a [`Registry`](crate::ir::Registry). Each emitter
//! returns `(relative path, contents)` pairs and never touches the disk, so output is easy to
//! test and byte-identical for the same input.

pub mod iglu;
pub mod json_schema;
pub mod registry;
pub mod tracking_plan;

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    /// Path relative to the output folder, `/`-separated.
    pub path: String,
    pub contents: String,
}

/// Pretty JSON with a final newline: the form every emitted JSON file takes.
pub(crate) fn to_pretty(value: &impl serde::Serialize) -> String {
    let mut s = serde_json::to_string_pretty(value).expect("emitted values serialize");
    s.push('\n');
    s
}
