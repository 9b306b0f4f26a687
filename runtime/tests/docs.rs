//! `docs/runtime.md` against the code: its `Config` table lists every field of `Config` with
//! the value `Config::new` sets, and its example is the crate's compiled doc example.

use std::path::Path;

fn read(rel: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// Splits `a: 1, b: X { c: 2 }, d: "e, f"` at top-level commas into (name, value) pairs.
fn top_level_fields(body: &str) -> Vec<(String, String)> {
    let mut parts = Vec::new();
    let (mut depth, mut in_str, mut start) = (0i32, false, 0);
    let bytes = body.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
            b'{' | b'(' | b'[' if !in_str => depth += 1,
            b'}' | b')' | b']' if !in_str => depth -= 1,
            b',' if !in_str && depth == 0 => {
                parts.push(&body[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&body[start..]);
    parts
        .iter()
        .map(|p| {
            let (k, v) = p.trim().split_once(": ").expect("name: value");
            (k.to_owned(), v.to_owned())
        })
        .collect()
}

#[test]
fn the_config_table_lists_every_field_with_its_default() {
    let cfg = candor::Config::new("app-name", "app-version");
    let debug = format!("{cfg:?}");
    let body = debug
        .strip_prefix("Config { ")
        .and_then(|b| b.strip_suffix(" }"))
        .expect("Config's Debug output");
    let actual = top_level_fields(body);

    let doc = read("docs/runtime.md");
    let section = doc
        .split("## Configuration\n")
        .nth(1)
        .expect("docs/runtime.md has a Configuration section");
    let section = section.split("\n## ").next().unwrap();
    let documented: Vec<(String, String)> = section
        .lines()
        .filter(|l| l.starts_with("| `"))
        .map(|l| {
            let cells: Vec<&str> = l.split(" | ").collect();
            let name = cells[0]
                .trim_start_matches("| ")
                .trim_matches('`')
                .to_owned();
            (name, cells[1].to_owned())
        })
        .collect();

    let names = |v: &[(String, String)]| v.iter().map(|(k, _)| k.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(&documented),
        names(&actual),
        "docs/runtime.md's Config table and the struct list different fields"
    );
    for ((name, cell), (_, value)) in documented.iter().zip(&actual) {
        match name.as_str() {
            "app_name" => assert_eq!(value, "\"app-name\""),
            "app_version" => assert_eq!(value, "\"app-version\""),
            _ => {
                // The first code span of the cell is the value exactly as `Debug` prints it.
                let shown = cell.split('`').nth(1).unwrap_or_else(|| {
                    panic!("`{name}`: the default cell has no code span: {cell}")
                });
                assert_eq!(
                    shown, value,
                    "`{name}`: documented {shown}, Config::new sets {value}"
                );
            }
        }
    }
}

/// The lines of the first fenced block after `opening` in `text`.
fn fenced_block(text: &str, opening: &str) -> Vec<String> {
    let start = text.find(opening).expect("block opening") + opening.len();
    let rest = &text[start..];
    let end = rest.find("```").expect("block end");
    rest[..end].lines().map(str::to_owned).collect()
}

#[test]
fn the_example_in_docs_is_the_compiled_doc_example() {
    let lib = read("runtime/src/lib.rs");
    let doc_comment: String = lib
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    // Lines starting with `# ` are hidden from the rendered docs; docs/runtime.md has none.
    let compiled: Vec<String> = fenced_block(&doc_comment, "```no_run\n")
        .into_iter()
        .filter(|l| !l.starts_with("# ") && l != "#")
        .collect();
    let shown = fenced_block(&read("docs/runtime.md"), "```rust\n");
    assert!(compiled.len() > 20, "the doc example is the full program");
    assert_eq!(
        shown, compiled,
        "docs/runtime.md's example differs from lib.rs's"
    );
}

mod wire_examples {
    use std::time::Duration;

    use candor::{Event, EventEnum, FieldWriter};

    #[derive(EventEnum, Clone, Copy)]
    #[allow(dead_code)]
    enum Network {
        Mainnet,
        Testnet,
        Other,
    }

    #[derive(EventEnum, Clone, Copy)]
    #[allow(dead_code)]
    enum FeeLevel {
        Low,
        Medium,
        High,
        Custom,
    }

    /// As in `runtime/examples/wallet.rs`.
    #[derive(Event)]
    #[event(name = "wallet.transaction_signed", schemas = "../schemas")]
    struct TransactionSigned {
        network: Network,
        confirm_ms: Duration,
        hardware_wallet: Option<bool>,
        fee_level: FeeLevel,
    }

    fn json_blocks(text: &str) -> Vec<serde_json::Value> {
        text.split("```json\n")
            .skip(1)
            .map(|b| serde_json::from_str(b.split("```").next().unwrap()).expect("valid JSON"))
            .collect()
    }

    fn validator(file: &str) -> jsonschema::Validator {
        let schema: serde_json::Value = serde_json::from_str(&super::read(file)).unwrap();
        jsonschema::validator_for(&schema).unwrap()
    }

    #[test]
    fn the_documents_in_wire_format_md_are_valid_and_match_the_schema_folder() {
        let blocks = json_blocks(&super::read("docs/wire-format.md"));
        let batch = blocks
            .iter()
            .find(|b| b["format"] == "candor.batch/1" && b.get("events").is_some())
            .expect("a batch example");
        let deletion = blocks
            .iter()
            .find(|b| b["format"] == "candor.deletion/1" && b.get("install_id").is_some())
            .expect("a deletion example");
        assert!(validator("runtime/wire/batch.schema.json").is_valid(batch));
        assert!(validator("runtime/wire/deletion.schema.json").is_valid(deletion));
        let metrics = blocks
            .iter()
            .find(|b| b["format"] == "candor.metrics/1" && b.get("metrics").is_some())
            .expect("a metrics example");
        assert!(validator("runtime/wire/metrics.schema.json").is_valid(metrics));

        let event = &batch["events"][0];
        assert_eq!(event["name"], TransactionSigned::NAME);
        assert_eq!(event["version"], TransactionSigned::VERSION);
        let mut fields = Vec::new();
        TransactionSigned {
            network: Network::Mainnet,
            confirm_ms: Duration::from_millis(3_420),
            hardware_wallet: Some(true),
            fee_level: FeeLevel::Medium,
        }
        .encode_fields(&mut FieldWriter::new(&mut fields))
        .unwrap();
        let encoded: serde_json::Value = serde_json::from_slice(&fields).unwrap();
        assert_eq!(event["fields"], encoded);
    }
}
