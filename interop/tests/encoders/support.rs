//! Building candor batch documents for the tests, and reading what the encoders wrote.

use serde_json::{json, Value};

/// An event to put in a test batch.
pub struct Ev<'a> {
    pub id: &'a str,
    pub name: &'a str,
    pub version: u32,
    pub time: &'a str,
    pub fields: Value,
}

pub const ID_A: &str = "9f1c0a6b2d4e48f1a3b5c7d9e0f21436";
pub const ID_B: &str = "0123456789abcdef0123456789abcdef";
pub const INSTALL: &str = "5a0e1f2d3c4b5a69788796a5b4c3d2e1";

/// The wire document for `events`, as the runtime writes it (keys in wire order).
pub fn doc(install_id: Option<&str>, events: &[Ev<'_>]) -> Vec<u8> {
    let mut v = json!({
        "format": "candor.batch/1",
        "app": {"name": "wordstat", "version": "0.1.0", "os": "linux"},
    });
    if let Some(id) = install_id {
        v["install_id"] = json!(id);
    }
    v["sent_at"] = json!("2026-11-22T12:34Z");
    v["events"] = Value::Array(
        events
            .iter()
            .map(|e| {
                json!({"id": e.id, "name": e.name, "version": e.version, "time": e.time, "fields": e.fields})
            })
            .collect(),
    );
    serde_json::to_vec(&v).unwrap()
}

/// The two-event batch most tests use: every field type, once with and once without fields.
pub fn sample(install_id: Option<&str>) -> Vec<u8> {
    doc(
        install_id,
        &[
            Ev {
                id: ID_A,
                name: "wallet.transaction_signed",
                version: 2,
                time: "2026-11-22T12:33Z",
                fields: json!({"network": "mainnet", "confirm_ms": 1000, "ratio": 0.25,
                               "hardware_wallet": true, "note": "say \"hi\"\n"}),
            },
            Ev {
                id: ID_B,
                name: "app.started",
                version: 1,
                time: "2026-11-22T12:34Z",
                fields: json!({}),
            },
        ],
    )
}

/// Parses a body; panics with the text on failure.
pub fn parse(body: &[u8]) -> Value {
    serde_json::from_slice(body)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(body)))
}

/// Decodes `Basic base64(user:pass)`.
pub fn basic_user(header: &str) -> String {
    let b64 = header.strip_prefix("Basic ").expect("Basic credentials");
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut bits = 0u32;
    let mut n = 0;
    let mut out = Vec::new();
    for c in b64.bytes().filter(|&c| c != b'=') {
        let v = alphabet.iter().position(|&a| a == c).expect("base64") as u32;
        bits = bits << 6 | v;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((bits >> n) as u8);
        }
    }
    let s = String::from_utf8(out).unwrap();
    s.strip_suffix(':').expect("empty password").to_string()
}

/// The keys of a JSON object, in order.
pub fn keys(v: &Value) -> Vec<&str> {
    v.as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect()
}

/// Compares `actual` with the golden file `tests/golden/<name>`, or rewrites it with
/// `UPDATE_GOLDEN=1`.
pub fn golden(name: &str, actual: &str) {
    let path = format!("{}/tests/golden/{name}", env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(format!("{}/tests/golden", env!("CARGO_MANIFEST_DIR"))).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run with UPDATE_GOLDEN=1 to create it)"));
    assert_eq!(
        actual, expected,
        "{name} changed; review and run with UPDATE_GOLDEN=1"
    );
}

/// A request rendered for a golden file: path, headers, then the body's exact bytes.
pub fn render(req: &candor_interop::VendorRequest) -> String {
    let mut s = format!("POST {}\n", req.path);
    for (k, v) in &req.headers {
        s.push_str(&format!("{k}: {v}\n"));
    }
    s.push('\n');
    s.push_str(std::str::from_utf8(&req.body).unwrap());
    s.push('\n');
    s
}
