//! The documents a client sends, written here and nowhere else: the batch envelope
//! (`candor.batch/1`, opened, filled with event objects and closed in one function), the
//! deletion request (`candor.deletion/1`) and the metrics document (`candor.metrics/1`, one
//! consent category's aggregates over one interval). Their JSON Schemas are `runtime/wire/*.schema.json`
//! and `docs/wire-format.md` describes them key by key.
//!
//! Deliberately minimal: app name/version, OS family, optional anonymous installation id,
//! minute-resolution times. Nothing else about the machine.

use crate::batch::Batch;
use crate::clock::format_minute;
use crate::encode::write_escaped;

/// Format tag of a batch document.
pub(crate) const BATCH_FORMAT: &str = candor_core::wire::BATCH_FORMAT;
/// Format tag of a deletion-request document.
pub(crate) const DELETION_FORMAT: &str = candor_core::wire::DELETION_FORMAT;

/// Format tag of a metrics document.
pub(crate) const METRICS_FORMAT: &str = candor_core::wire::METRICS_FORMAT;

/// Bytes an event adds to a batch document beyond its stored tail: `{"id":"<32 hex>",` and
/// the comma before the next event.
pub(crate) const EVENT_OVERHEAD: usize = 7 + 32 + 2 + 1;

/// Lowercase hex of `bytes` appended to `buf`.
pub(crate) fn push_hex(buf: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let start = buf.len();
    buf.resize(start + bytes.len() * 2, 0);
    for (out, &b) in buf[start..].chunks_exact_mut(2).zip(bytes) {
        out[0] = HEX[(b >> 4) as usize];
        out[1] = HEX[(b & 0xf) as usize];
    }
}

/// Identity of the sending app, pre-rendered as the JSON `"app"` object.
#[derive(Clone, Debug)]
pub(crate) struct AppInfo {
    json: Vec<u8>,
}

impl AppInfo {
    pub(crate) fn new(name: &str, version: &str) -> Self {
        let mut json = Vec::with_capacity(64);
        json.extend_from_slice(b"{\"name\":\"");
        write_escaped(&mut json, name);
        json.extend_from_slice(b"\",\"version\":\"");
        write_escaped(&mut json, version);
        json.extend_from_slice(b"\",\"os\":\"");
        // OS family only ("linux", "macos", "windows", ...): no release, no arch.
        write_escaped(&mut json, std::env::consts::OS);
        json.extend_from_slice(b"\"}");
        AppInfo { json }
    }

    /// Replaces `buf` with the complete batch document carrying every event of `batch`.
    pub(crate) fn batch(
        &self,
        buf: &mut Vec<u8>,
        install_id: Option<&str>,
        sent_minute: u32,
        batch: &Batch,
    ) {
        buf.clear();
        buf.extend_from_slice(b"{\"format\":\"");
        buf.extend_from_slice(BATCH_FORMAT.as_bytes());
        buf.extend_from_slice(b"\",\"app\":");
        buf.extend_from_slice(&self.json);
        if let Some(id) = install_id {
            buf.extend_from_slice(b",\"install_id\":\"");
            write_escaped(buf, id);
            buf.push(b'"');
        }
        buf.extend_from_slice(b",\"sent_at\":\"");
        buf.extend_from_slice(&format_minute(sent_minute));
        buf.extend_from_slice(b"\",\"events\":[");
        write_events(buf, batch);
        buf.extend_from_slice(b"]}");
    }

    /// Replaces `buf` with the complete metrics document `id` of one consent category: the
    /// interval from `start` to `end` (minutes; `start` on the interval grid), sent at
    /// `sent`, and the metric objects `entries` (comma-separated, written by the metric
    /// types).
    pub(crate) fn metrics(
        &self,
        buf: &mut Vec<u8>,
        id: &str,
        install_id: Option<&str>,
        consent: &str,
        (start, end, sent_minute): (u32, u32, u32),
        entries: &[u8],
    ) {
        buf.clear();
        buf.extend_from_slice(b"{\"format\":\"");
        buf.extend_from_slice(METRICS_FORMAT.as_bytes());
        buf.extend_from_slice(b"\",\"id\":\"");
        write_escaped(buf, id);
        buf.extend_from_slice(b"\",\"app\":");
        buf.extend_from_slice(&self.json);
        if let Some(id) = install_id {
            buf.extend_from_slice(b",\"install_id\":\"");
            write_escaped(buf, id);
            buf.push(b'"');
        }
        buf.extend_from_slice(b",\"consent\":\"");
        write_escaped(buf, consent);
        buf.extend_from_slice(b"\",\"start\":\"");
        buf.extend_from_slice(&format_minute(start));
        buf.extend_from_slice(b"\",\"end\":\"");
        buf.extend_from_slice(&format_minute(end));
        buf.extend_from_slice(b"\",\"sent_at\":\"");
        buf.extend_from_slice(&format_minute(sent_minute));
        buf.extend_from_slice(b"\",\"metrics\":[");
        buf.extend_from_slice(entries);
        buf.extend_from_slice(b"]}");
    }

    /// A complete deletion-request document.
    pub(crate) fn deletion(
        &self,
        install_id: &str,
        categories: &[&str],
        sent_minute: u32,
    ) -> Vec<u8> {
        let mut buf = Vec::with_capacity(160);
        buf.extend_from_slice(b"{\"format\":\"");
        buf.extend_from_slice(DELETION_FORMAT.as_bytes());
        buf.extend_from_slice(b"\",\"app\":");
        buf.extend_from_slice(&self.json);
        buf.extend_from_slice(b",\"install_id\":\"");
        write_escaped(&mut buf, install_id);
        buf.extend_from_slice(b"\",\"categories\":[");
        for (i, c) in categories.iter().enumerate() {
            if i > 0 {
                buf.push(b',');
            }
            buf.push(b'"');
            write_escaped(&mut buf, c);
            buf.push(b'"');
        }
        buf.extend_from_slice(b"],\"sent_at\":\"");
        buf.extend_from_slice(&format_minute(sent_minute));
        buf.extend_from_slice(b"\"}");
        buf
    }
}

/// The comma-separated event objects of `batch`: `{"id":"<hex>",` then the tail `track()`
/// encoded (name, version, time, fields, closing brace).
pub(crate) fn write_events(out: &mut Vec<u8>, batch: &Batch) {
    for (i, e) in batch.entries().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"id\":\"");
        push_hex(out, e.id);
        out.extend_from_slice(b"\",");
        out.extend_from_slice(e.tail);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::Meta;
    use std::time::Instant;

    fn batch(n: u8) -> Batch {
        let mut b = Batch::new(1, Instant::now());
        for i in 0..n {
            b.push(
                Meta {
                    bit: 1,
                    retention_days: 30,
                    minute: 7,
                },
                &[i; 16],
                br#""name":"a.b","version":1,"time":"1970-01-01T00:07Z","fields":{"n":1}}"#,
            );
        }
        b
    }

    #[test]
    fn batch_document_is_one_json_object_with_the_events_in_order() {
        let app = AppInfo::new("w\"allet", "1.0");
        let mut buf = b"stale".to_vec();
        app.batch(&mut buf, Some("ab"), 1, &batch(3));
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["format"], BATCH_FORMAT);
        assert_eq!(v["app"]["name"], "w\"allet");
        assert_eq!(v["install_id"], "ab");
        assert_eq!(v["sent_at"], "1970-01-01T00:01Z");
        let ids: Vec<&str> = v["events"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, ["00".repeat(16), "01".repeat(16), "02".repeat(16)]);
        // The size estimate the batch keeps is what the events take in the document.
        let b = batch(3);
        let mut events = Vec::new();
        write_events(&mut events, &b);
        assert_eq!(b.json_bytes, events.len() + 1);
        app.batch(&mut buf, None, 1, &b);
        let v: serde_json::Value = serde_json::from_slice(&buf).unwrap();
        assert!(v.get("install_id").is_none());
    }

    #[test]
    fn deletion_document() {
        let app = AppInfo::new("w", "1");
        let doc = app.deletion("0123", &["usage", "performance"], 0);
        let v: serde_json::Value = serde_json::from_slice(&doc).unwrap();
        assert_eq!(v["format"], DELETION_FORMAT);
        assert_eq!(v["install_id"], "0123");
        assert_eq!(v["categories"], serde_json::json!(["usage", "performance"]));
        assert_eq!(v["sent_at"], "1970-01-01T00:00Z");
    }
}
