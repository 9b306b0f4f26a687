//! Shared helpers for candor's end-to-end tests (the test targets are declared in Cargo.toml):
//! encoding a derived event the way the runtime puts it on the wire, and looking up the JSON
//! Schema the compiler emits for it.
#![forbid(unsafe_code)]

use candor::{EncodeError, Event, FieldWriter};
use candor_schema::emit::json_schema;
use candor_schema::Options;
use std::path::{Path, PathBuf};

/// The README's example event, derived against the repository's real `schemas/` folder; shared
/// by the round-trip and through-the-client tests.
pub mod wallet {
    /// `network` of `wallet.transaction_signed`.
    #[derive(candor::EventEnum, Clone, Copy, Debug)]
    pub enum Network {
        Mainnet,
        Testnet,
        Other,
    }

    /// `fee_level` of `wallet.transaction_signed`.
    #[derive(candor::EventEnum, Clone, Copy, Debug)]
    pub enum FeeLevel {
        Low,
        Medium,
        High,
        Custom,
    }

    /// `wallet.transaction_signed`.
    #[derive(Debug, candor::Event)]
    #[event(name = "wallet.transaction_signed", schemas = "../schemas")]
    pub struct TransactionSigned {
        pub network: Network,
        pub confirm_ms: u64,
        pub hardware_wallet: Option<bool>,
        pub fee_level: FeeLevel,
    }
}

/// A fixed id and minute, valid for the wire format's `id` and `time` patterns.
pub const TEST_ID: &str = "0123456789abcdef0123456789abcdef";
pub const TEST_TIME: &str = "2026-11-22T12:34Z";

/// A folder below this crate, e.g. `fixtures/ui`.
pub fn crate_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The `fields` object of `event` as the derive encodes it.
pub fn encode_fields<E: Event>(event: &E) -> Result<String, EncodeError> {
    let mut buf = Vec::new();
    event.encode_fields(&mut FieldWriter::new(&mut buf))?;
    Ok(String::from_utf8(buf).expect("the encoder writes UTF-8"))
}

/// One whole wire event (`{"id","name","version","time","fields"}`) around `event`'s fields.
pub fn wire_event<E: Event>(event: &E) -> Result<serde_json::Value, EncodeError> {
    let fields = encode_fields(event)?;
    let text = format!(
        r#"{{"id":"{TEST_ID}","name":"{}","version":{},"time":"{TEST_TIME}","fields":{fields}}}"#,
        E::NAME,
        E::VERSION
    );
    Ok(serde_json::from_str(&text).expect("the encoder writes valid JSON"))
}

/// The JSON Schema the compiler emits for `full_name` in the schema folder `dir`.
pub fn event_schema(dir: &Path, full_name: &str) -> serde_json::Value {
    let compilation =
        candor_schema::compile_dir(dir, &Options::default()).expect("folder readable");
    let registry = compilation.registry.as_ref().unwrap_or_else(|| {
        panic!(
            "{}",
            compilation.render(candor_schema::diagnostic::Color::Never)
        )
    });
    let event = registry
        .event(full_name)
        .unwrap_or_else(|| panic!("no event {full_name}"));
    json_schema::event_schema(event)
}
