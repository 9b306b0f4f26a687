//! Reading the three documents a candor client sends (`candor.batch/1`, `candor.deletion/1`,
//! `candor.metrics/1`, described in docs/wire-format.md) straight from the request body.
//!
//! A batch is read by `candor_interop::batch`, the one reader of `candor.batch/1` (the vendor
//! encoders use it too), with each event's `fields` kept as text ([`Batch::read_envelope`]);
//! its refusals are that reader's, which name a rule and a byte offset only. Deletion requests
//! and metrics documents are read here.
//!
//! What is a document and what is not follows the wire format's JSON Schemas
//! (`runtime/wire/*.schema.json`): a body that fails them is not a batch and is refused whole.
//! Whether an event's fields fit its schema is decided later, per event (`validate`).
//!
//! Error messages go back to the sender, so none of them may repeat a value from the body (a
//! rejected value can be exactly the personal data the schema forbids). Every leaf is read with
//! `deserialize_any` and a visitor that overrides every `visit_*`, so serde's own "invalid type:
//! string \"...\"" messages, which quote the value, can never be produced; syntax errors from
//! serde_json name a position, never content.

use std::borrow::Cow;
use std::fmt;

use candor_schema::ir::Consent;
use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::minute;

/// Format tag of a batch.
pub const BATCH_FORMAT: &str = candor_core::wire::BATCH_FORMAT;
/// Format tag of a deletion request.
pub const DELETION_FORMAT: &str = candor_core::wire::DELETION_FORMAT;
/// Format tag of a metrics document.
pub const METRICS_FORMAT: &str = candor_core::wire::METRICS_FORMAT;

/// A document read from a request body.
#[derive(Debug)]
pub enum Document<'a> {
    Batch(Batch<'a>),
    Deletion(Deletion<'a>),
    Metrics(Metrics<'a>),
}

/// The sending app, as its envelope names it.
#[derive(Debug, Clone)]
pub struct App<'a> {
    pub name: Cow<'a, str>,
    pub version: Cow<'a, str>,
    pub os: Cow<'a, str>,
}

/// A `candor.batch/1` document, each event's `fields` kept as text.
pub type Batch<'a> = candor_interop::batch::Envelope<'a>;

/// One element of a batch's `events`.
pub type WireEvent<'a> = candor_interop::batch::Event<'a, candor_interop::batch::RawFields<'a>>;

/// A `candor.deletion/1` request.
#[derive(Debug)]
pub struct Deletion<'a> {
    pub app: App<'a>,
    pub install_id: [u8; 16],
    /// Distinct, at least one.
    pub categories: Vec<Consent>,
    pub sent_at: i64,
}

/// A `candor.metrics/1` document: one consent category's aggregates over one interval.
#[derive(Debug)]
pub struct Metrics<'a> {
    pub id: [u8; 16],
    pub app: App<'a>,
    pub install_id: Option<[u8; 16]>,
    pub consent: Consent,
    /// The interval's start, minutes since the epoch.
    pub start: i64,
    /// Where the snapshot was taken, minutes since the epoch.
    pub end: i64,
    pub sent_at: i64,
    /// At least one.
    pub metrics: Vec<WireMetric<'a>>,
}

/// Why a body is not a document. The message names a place and a rule, never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WireError {
    pub message: String,
}

impl fmt::Display for WireError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Reads a document from a request body (already decompressed).
pub fn parse(body: &[u8]) -> Result<Document<'_>, WireError> {
    let text = std::str::from_utf8(body).map_err(|e| WireError {
        message: format!("the body is not UTF-8 (at byte {})", e.valid_up_to()),
    })?;
    if candor_interop::batch::format_of(text) == Some(BATCH_FORMAT) {
        return candor_interop::Batch::read_envelope(body)
            .map(Document::Batch)
            .map_err(|e| WireError {
                message: e.to_string(),
            });
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let doc = DocSeed
        .deserialize(&mut de)
        .and_then(|doc| de.end().map(|()| doc))
        .map_err(|e| WireError {
            message: match e.classify() {
                serde_json::error::Category::Eof => {
                    format!(
                        "the JSON ends early (line {} column {})",
                        e.line(),
                        e.column()
                    )
                }
                // Syntax messages from serde_json are fixed texts with a position; data
                // messages are ours (see the module comment). Neither carries a value.
                _ => e.to_string(),
            },
        })?;
    Ok(doc)
}

/// Lowercase hex of 16 bytes (ids and installation ids, as on the wire).
pub fn hex16(bytes: &[u8; 16]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(32);
    for b in bytes {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 0xf) as usize] as char);
    }
    s
}

/// 32 lowercase hex digits to 16 bytes; anything else (upper case included) is `None`, as in
/// the wire format's pattern `^[0-9a-f]{32}$`.
pub fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    if !candor_core::wire::is_id(s) {
        return None;
    }
    let b = s.as_bytes();
    let nibble = |c: u8| match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 16];
    for (i, o) in out.iter_mut().enumerate() {
        *o = (nibble(b[2 * i])? << 4) | nibble(b[2 * i + 1])?;
    }
    Some(out)
}

fn is_os(os: &str) -> bool {
    candor_core::wire::is_os(os)
}

// ---------------------------------------------------------------------------------------------
// Leaves. Each visitor refuses every JSON kind but its own with a fixed message.

/// Implements the listed `visit_*` methods (of those serde_json's `deserialize_any` calls) as
/// a refusal with `self.what()`; a visitor lists every kind but the one it accepts.
macro_rules! refuse {
    ($($kind:ident),*) => { $(refuse!(@ $kind);)* };
    (@bool) => {
        fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@i64) => {
        fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@u64) => {
        fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@f64) => {
        fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Err(E::custom(self.what()))
        }
    };
    (@seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom(self.what()))
        }
    };
    (@map) => {
        fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<Self::Value, A::Error> {
            Err(de::Error::custom(self.what()))
        }
    };
}

/// A string; `what` says where, for the message.
struct Text {
    what: &'static str,
}

impl Text {
    fn what(&self) -> String {
        format!("`{}` must be a string", self.what)
    }
}

impl<'de> DeserializeSeed<'de> for Text {
    type Value = Cow<'de, str>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Text {
    type Value = Cow<'de, str>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
    refuse!(bool, i64, u64, f64, unit, seq, map);
}

/// A key of an object with a fixed set of keys: the index of the key in `keys`. An unknown key
/// is refused without repeating it.
struct Key {
    keys: &'static [&'static str],
    object: &'static str,
}

impl Key {
    fn what(&self) -> String {
        format!(
            "{} may only have the keys {}",
            self.object,
            self.keys
                .iter()
                .map(|k| format!("`{k}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

impl<'de> DeserializeSeed<'de> for Key {
    type Value = usize;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<usize, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = usize;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<usize, E> {
        self.keys
            .iter()
            .position(|k| *k == v)
            .ok_or_else(|| E::custom(self.what()))
    }
    refuse!(bool, i64, u64, f64, unit, seq, map);
}

/// Reads the keys of an object, refusing duplicates; `seen` is a bit per key.
fn next_key<'de, A: MapAccess<'de>>(
    map: &mut A,
    seen: &mut u32,
    keys: &'static [&'static str],
    object: &'static str,
) -> Result<Option<usize>, A::Error> {
    let Some(k) = map.next_key_seed(Key { keys, object })? else {
        return Ok(None);
    };
    if *seen & (1 << k) != 0 {
        return Err(de::Error::custom(format!(
            "{object} has the key `{}` twice",
            keys[k]
        )));
    }
    *seen |= 1 << k;
    Ok(Some(k))
}

fn missing<E: de::Error>(object: &str, key: &str) -> E {
    E::custom(format!("{object} lacks the required key `{key}`"))
}

fn minute_of<E: de::Error>(text: &str, what: &str) -> Result<i64, E> {
    minute::parse(text).ok_or_else(|| {
        E::custom(format!(
            "`{what}` must be a UTC minute in the form YYYY-MM-DDTHH:MMZ"
        ))
    })
}

fn hex_of<E: de::Error>(text: &str, what: &str) -> Result<[u8; 16], E> {
    parse_hex16(text).ok_or_else(|| E::custom(format!("`{what}` must be 32 lowercase hex digits")))
}

mod metrics;

pub use metrics::{MetricValue, WireMetric};

// ---------------------------------------------------------------------------------------------
// Objects.

struct AppSeed;

impl AppSeed {
    fn what(&self) -> &'static str {
        "`app` must be an object"
    }
}

const APP_KEYS: &[&str] = &["name", "version", "os"];

impl<'de> DeserializeSeed<'de> for AppSeed {
    type Value = App<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<App<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for AppSeed {
    type Value = App<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<App<'de>, A::Error> {
        let (mut name, mut version, mut os) = (None, None, None);
        let mut seen = 0;
        while let Some(k) = next_key(&mut map, &mut seen, APP_KEYS, "`app`")? {
            match k {
                0 => name = Some(map.next_value_seed(Text { what: "app.name" })?),
                1 => {
                    version = Some(map.next_value_seed(Text {
                        what: "app.version",
                    })?)
                }
                _ => os = Some(map.next_value_seed(Text { what: "app.os" })?),
            }
        }
        let name = name.ok_or_else(|| missing("`app`", "name"))?;
        let version = version.ok_or_else(|| missing("`app`", "version"))?;
        let os = os.ok_or_else(|| missing("`app`", "os"))?;
        if name.is_empty() {
            return Err(de::Error::custom("`app.name` must not be empty"));
        }
        if !is_os(&os) {
            return Err(de::Error::custom(
                "`app.os` must be an OS family such as `linux` (lowercase letters, digits, `_`)",
            ));
        }
        Ok(App { name, version, os })
    }
    refuse!(bool, i64, u64, f64, str, unit, seq);
}

struct CategoriesSeed;

impl CategoriesSeed {
    fn what(&self) -> &'static str {
        "`categories` must be an array of `usage`, `diagnostics`, `performance`"
    }
}

impl<'de> DeserializeSeed<'de> for CategoriesSeed {
    type Value = Vec<Consent>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CategoriesSeed {
    type Value = Vec<Consent>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out: Vec<Consent> = Vec::with_capacity(3);
        while let Some(t) = seq.next_element_seed(Text {
            what: "categories[]",
        })? {
            let c = Consent::from_name(&t).ok_or_else(|| de::Error::custom(self.what()))?;
            if out.contains(&c) {
                return Err(de::Error::custom("`categories` names a category twice"));
            }
            out.push(c);
        }
        Ok(out)
    }
    refuse!(bool, i64, u64, f64, str, unit, map);
}

/// Which document a body is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Batch,
    Deletion,
    Metrics,
}

struct FormatSeed;

impl FormatSeed {
    fn what(&self) -> &'static str {
        "`format` must be `candor.batch/1`, `candor.deletion/1` or `candor.metrics/1`"
    }
}

impl<'de> DeserializeSeed<'de> for FormatSeed {
    type Value = Format;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Format, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for FormatSeed {
    type Value = Format;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Format, E> {
        match v {
            BATCH_FORMAT => Ok(Format::Batch),
            DELETION_FORMAT => Ok(Format::Deletion),
            METRICS_FORMAT => Ok(Format::Metrics),
            _ => Err(E::custom(self.what())),
        }
    }
    refuse!(bool, i64, u64, f64, unit, seq, map);
}

struct DocSeed;

impl DocSeed {
    fn what(&self) -> &'static str {
        "the body must be a JSON object (a `candor.batch/1`, `candor.deletion/1` or \
         `candor.metrics/1` document)"
    }
}

const DOC_KEYS: &[&str] = &[
    "format",
    "app",
    "install_id",
    "sent_at",
    "events",
    "categories",
    "id",
    "consent",
    "start",
    "end",
    "metrics",
];

/// Which keys of [`DOC_KEYS`] each format has (bits), and which it requires.
fn doc_keys(format: Format) -> (u32, u32) {
    // `format`, `app` and `sent_at`: every document has them.
    const COMMON: u32 = 0b1011;
    match format {
        Format::Batch => (COMMON | 1 << 2 | 1 << 4, COMMON | 1 << 4),
        Format::Deletion => (COMMON | 1 << 2 | 1 << 5, COMMON | 1 << 2 | 1 << 5),
        Format::Metrics => (COMMON | 1 << 2 | 0b111_1100_0000, COMMON | 0b111_1100_0000),
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::Batch => BATCH_FORMAT,
        Format::Deletion => DELETION_FORMAT,
        Format::Metrics => METRICS_FORMAT,
    }
}

impl<'de> DeserializeSeed<'de> for DocSeed {
    type Value = Document<'de>;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Document<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DocSeed {
    type Value = Document<'de>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.what())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Document<'de>, A::Error> {
        const OBJ: &str = "the document";
        let (mut format, mut app, mut install_id, mut sent_at) = (None, None, None, None);
        let mut categories = None;
        let (mut id, mut consent, mut start, mut end, mut metrics) = (None, None, None, None, None);
        let mut seen = 0;
        while let Some(k) = next_key(&mut map, &mut seen, DOC_KEYS, OBJ)? {
            match k {
                0 => format = Some(map.next_value_seed(FormatSeed)?),
                1 => app = Some(map.next_value_seed(AppSeed)?),
                2 => {
                    let t = map.next_value_seed(Text { what: "install_id" })?;
                    install_id = Some(hex_of(&t, "install_id")?);
                }
                3 => {
                    let t = map.next_value_seed(Text { what: "sent_at" })?;
                    sent_at = Some(minute_of(&t, "sent_at")?);
                }
                // Only a batch has events; batches are read by `candor_interop::batch`.
                4 => {
                    map.next_value::<IgnoredAny>()?;
                }
                5 => categories = Some(map.next_value_seed(CategoriesSeed)?),
                6 => {
                    let t = map.next_value_seed(Text { what: "id" })?;
                    id = Some(hex_of(&t, "id")?);
                }
                7 => {
                    let t = map.next_value_seed(Text { what: "consent" })?;
                    consent = Some(Consent::from_name(&t).ok_or_else(|| {
                        de::Error::custom(
                            "`consent` must be `usage`, `diagnostics` or `performance`",
                        )
                    })?);
                }
                8 => {
                    let t = map.next_value_seed(Text { what: "start" })?;
                    start = Some(minute_of(&t, "start")?);
                }
                9 => {
                    let t = map.next_value_seed(Text { what: "end" })?;
                    end = Some(minute_of(&t, "end")?);
                }
                _ => metrics = Some(map.next_value_seed(metrics::MetricsSeed)?),
            }
        }
        let format = format.ok_or_else(|| missing(OBJ, "format"))?;
        let (allowed, required) = doc_keys(format);
        if let Some(k) = (0..DOC_KEYS.len()).find(|k| seen & !allowed & (1 << k) != 0) {
            return Err(de::Error::custom(format!(
                "a `{}` document has no key `{}`",
                format_name(format),
                DOC_KEYS[k]
            )));
        }
        if let Some(k) = (0..DOC_KEYS.len()).find(|k| !seen & required & (1 << k) != 0) {
            return Err(missing(OBJ, DOC_KEYS[k]));
        }
        // Every required key is present (checked just above).
        let (Some(app), Some(sent_at)) = (app, sent_at) else {
            return Err(missing(OBJ, "app"));
        };
        match format {
            // A body whose `format` is a batch's is read by `candor_interop::batch` unless
            // something before that key is not JSON, which fails above first.
            Format::Batch => Err(de::Error::custom(
                "a `candor.batch/1` document could not be read",
            )),
            Format::Deletion => {
                let categories = categories.unwrap_or_default();
                if categories.is_empty() {
                    return Err(de::Error::custom(
                        "`categories` must name at least one category",
                    ));
                }
                Ok(Document::Deletion(Deletion {
                    app,
                    install_id: install_id.ok_or_else(|| missing(OBJ, "install_id"))?,
                    categories,
                    sent_at,
                }))
            }
            Format::Metrics => {
                let metrics = metrics.unwrap_or_default();
                if metrics.is_empty() {
                    return Err(de::Error::custom("`metrics` must hold at least one metric"));
                }
                Ok(Document::Metrics(Metrics {
                    id: id.ok_or_else(|| missing(OBJ, "id"))?,
                    app,
                    install_id,
                    consent: consent.ok_or_else(|| missing(OBJ, "consent"))?,
                    start: start.ok_or_else(|| missing(OBJ, "start"))?,
                    end: end.ok_or_else(|| missing(OBJ, "end"))?,
                    sent_at,
                    metrics,
                }))
            }
        }
    }
    refuse!(bool, i64, u64, f64, str, unit, seq);
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "9f1c0a6b2d4e48f1a3b5c7d9e0f21436";

    fn batch_with(event: &str) -> String {
        format!(
            r#"{{"format":"candor.batch/1","app":{{"name":"w","version":"1","os":"linux"}},"sent_at":"2026-11-22T12:34Z","events":[{event}]}}"#
        )
    }

    #[test]
    fn reads_what_the_runtime_writes() {
        let body = batch_with(&format!(
            r#"{{"id":"{ID}","name":"wallet.transaction_signed","version":1,"time":"2026-11-22T12:33Z","fields":{{"network":"mainnet"}}}}"#
        ));
        let Document::Batch(b) = parse(body.as_bytes()).unwrap() else {
            panic!("a batch")
        };
        assert_eq!(b.events.len(), 1);
        assert_eq!(b.events[0].id.hex(), ID);
        assert_eq!(b.events[0].fields.raw(), r#"{"network":"mainnet"}"#);
        let del = r#"{"format":"candor.deletion/1","app":{"name":"w","version":"1","os":"linux"},"install_id":"5a0e0000000000000000000000000000","categories":["usage"],"sent_at":"2026-11-22T12:40Z"}"#;
        let Document::Deletion(d) = parse(del.as_bytes()).unwrap() else {
            panic!("a deletion")
        };
        assert_eq!(d.categories, vec![Consent::Usage]);
    }

    #[test]
    fn a_batch_is_read_by_the_one_batch_reader_wherever_its_format_key_is() {
        let event = format!(
            r#"{{"id":"{ID}","name":"a.b","version":1,"time":"2026-11-22T12:33Z","fields":{{"x":null,"$set":{{"a":[1]}},"x":2}}}}"#
        );
        // Fields only the schema can judge do not make the body less of a batch.
        let first = batch_with(&event);
        let Document::Batch(b) = parse(first.as_bytes()).unwrap() else {
            panic!("a batch")
        };
        assert_eq!(b.events[0].fields.members().count(), 3);
        // `format` last: still the batch reader, with its refusals.
        let last = first
            .replacen(r#""format":"candor.batch/1","#, "", 1)
            .replacen(r#""events""#, r#""format":"candor.batch/1","events""#, 1);
        assert!(matches!(parse(last.as_bytes()), Ok(Document::Batch(_))));
        let unknown = last.replacen(r#""sent_at""#, r#""user":"alice","sent_at""#, 1);
        let err = parse(unknown.as_bytes()).unwrap_err();
        assert!(
            err.message.starts_with("unknown key in the batch at byte "),
            "{err}"
        );
        assert!(!err.message.contains("alice") && !err.message.contains("user"));
        // Another document's keys with a batch's format, and a batch's with another's.
        let del = first.replacen(r#""events""#, r#""categories":["usage"],"events""#, 1);
        assert!(parse(del.as_bytes()).is_err());
        let not_batch = first.replacen("candor.batch/1", "candor.deletion/1", 1);
        assert!(parse(not_batch.as_bytes())
            .unwrap_err()
            .message
            .contains("has no key `events`"));
    }

    #[test]
    fn refusals_never_repeat_a_value() {
        let secret = "alice@example.org";
        let event = |id: &str, version: &str, time: &str, extra: &str| {
            batch_with(&format!(
                r#"{{"id":{id},"name":"a.b","version":{version},"time":{time},"fields":{{}}{extra}}}"#
            ))
        };
        let q = format!("\"{secret}\"");
        let bodies = [
            event(&q, "1", "\"2026-11-22T12:33Z\"", ""),
            event(&format!("\"{ID}\""), &q, "\"2026-11-22T12:33Z\"", ""),
            event(&format!("\"{ID}\""), "1", &q, ""),
            event(
                &format!("\"{ID}\""),
                "1",
                "\"2026-11-22T12:33Z\"",
                &format!(",{q}:1"),
            ),
            event(
                &format!("\"{ID}\""),
                "1",
                "\"2026-11-22T12:33Z\"",
                &format!(",\"x\":{q}"),
            ),
            batch_with(&q),
            format!(r#"{{"format":{q}}}"#),
            format!(r#"{{{q}:1}}"#),
            format!(r#"{{"format":"candor.batch/1","app":{{"name":"w","version":"1","os":{q}}}}}"#),
            format!(r#"{{"format":"candor.deletion/1","categories":[{q}]}}"#),
            format!(r#"{{"format":"candor.deletion/1","install_id":{q}}}"#),
            event("12345678901234567890123", "1", "1", ""),
            event(&format!("\"{ID}\""), "-77777", "\"2026-11-22T12:33Z\"", ""),
            event(
                &format!("\"{ID}\""),
                "9999999999",
                "\"2026-11-22T12:33Z\"",
                "",
            ),
            event(&format!("\"{ID}\""), "1.5e300", "\"2026-11-22T12:33Z\"", ""),
        ];
        for body in bodies {
            let err = parse(body.as_bytes()).unwrap_err();
            for leaked in [
                secret,
                "77777",
                "9999999999",
                "1.5e300",
                "12345678901234567890123",
            ] {
                assert!(!err.message.contains(leaked), "{body}\n  → {}", err.message);
            }
        }
    }

    #[test]
    fn the_wire_schema_rules_hold() {
        let ok_event = format!(
            r#"{{"id":"{ID}","name":"a.b","version":1,"time":"2026-11-22T12:33Z","fields":{{}}}}"#
        );
        assert!(parse(batch_with(&ok_event).as_bytes()).is_ok());
        let refused = [
            // empty events, an extra key, a key twice, fields not an object, upper-case id
            r#"{"format":"candor.batch/1","app":{"name":"w","version":"1","os":"linux"},"sent_at":"2026-11-22T12:34Z","events":[]}"#.to_string(),
            batch_with(&ok_event).replacen('{', r#"{"user":1,"#, 1),
            batch_with(&ok_event).replacen(r#""version":1"#, r#""version":1,"version":1"#, 1),
            batch_with(&ok_event.replace(r#""fields":{}"#, r#""fields":[]"#)),
            batch_with(&ok_event.replace(ID, &ID.to_uppercase())),
            batch_with(&ok_event.replace("a.b", "A.b")),
            batch_with(&ok_event.replace("a.b", "a..b")),
            batch_with(&ok_event.replace("12:33Z", "12:33:00Z")),
            batch_with(&ok_event).replace(r#""os":"linux""#, r#""os":"Linux 6.1""#),
            batch_with(&ok_event).replace(r#""name":"w""#, r#""name":"""#),
            batch_with(&ok_event) + " x",
            batch_with(&ok_event)[..40].to_string(),
            "[]".to_string(),
            "null".to_string(),
        ];
        for body in refused {
            assert!(parse(body.as_bytes()).is_err(), "{body}");
        }
        assert!(parse(b"\xff\xfe").unwrap_err().message.contains("UTF-8"));
    }
}
