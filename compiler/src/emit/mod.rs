//! Emitters: everything candor writes out of a [`Registry`](crate::ir::Registry). Each emitter
//! returns `(relative path, contents)` pairs and never touches the disk, so output is easy to
//! test and byte-identical for the same input.

pub mod iglu;
pub mod json_schema;
pub mod metric_schema;
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

/// The sentence vendor exports append to a randomised field's description, so that an analyst
/// in the vendor's tool does not read its counts as true counts. Empty for other fields.
pub(crate) fn randomized_note(field: &crate::ir::Field) -> String {
    match field.randomized_response() {
        Some(rr) => format!(
            " Randomised on the device (randomized response, ε = {}): a value is the true one with probability {:.3}, so counts must be estimated (candor_core::randomized_response), never read as true counts.",
            rr.epsilon(),
            rr.keep_probability()
        ),
        None => String::new(),
    }
}
