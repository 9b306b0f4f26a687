//! The one reader of `candor.batch/1` (see `docs/wire-format.md`): strict and zero-copy, used
//! by the vendor encoders (the runtime's sinks and the collector's relay) and by the
//! collector's ingest alike, so that what a batch is has one definition.
//!
//! Strict because documents come from the network: every key is known and appears once, every
//! value has its wire type and pattern (the wire format's JSON Schema,
//! `runtime/wire/batch.schema.json`), and a refusal names a rule and a byte offset, never a
//! value from the document (a refused value can be exactly the personal data a schema
//! forbids). Key order is free, as in any JSON object.
//!
//! The envelope and every event's `id`, `name`, `version` and `time` are read the same way for
//! every reader; what differs is how much of `fields` is judged here:
//! - [`Batch::read`] (the encoders) also requires flat fields with candor names, each once,
//!   holding strings, finite numbers or booleans: a vendor must never receive more than
//!   candor's rules allow (no `$`-prefixed vendor property such as PostHog's `$set` rides
//!   along), and the whole document is refused otherwise.
//! - [`Batch::read_envelope`] (the collector) checks only that `fields` is a JSON object and
//!   keeps its text ([`RawFields`]), as the wire schema says: whether an event's fields fit its
//!   schema is judged per event against the registry, so that one bad event is quarantined
//!   rather than its whole batch refused. [`RawFields::members`] walks the object.
//!
//! Zero-copy because the runtime's sinks encode every batch they send: values stay slices of
//! the input and are copied once, into the vendor's body.

use crate::ids::Id;
use crate::json::{JsonStr, ReadError, Scanner};
use crate::time::Minute;

/// The `format` of the only document this module reads.
pub const BATCH_FORMAT: &str = candor_core::wire::BATCH_FORMAT;

/// Longest field or namespace/event name segment the schema language allows.
pub const MAX_NAME_LEN: usize = candor_core::names::MAX_NAME_LEN;

/// A read `candor.batch/1` document; `F` is how each event's `fields` were read ([`Fields`]
/// by [`Batch::read`], [`RawFields`] by [`Batch::read_envelope`]).
#[derive(Clone, Debug)]
pub struct Batch<'a, F = Fields<'a>> {
    /// The sending app.
    pub app: App<'a>,
    /// The anonymous installation id, present only if the app enabled it.
    pub install_id: Option<Id>,
    /// The minute the document was built.
    pub sent_at: Minute<'a>,
    /// One or more events, in document order.
    pub events: Vec<Event<'a, F>>,
}

/// A batch whose events' `fields` are kept as text, for per-event judgement.
pub type Envelope<'a> = Batch<'a, RawFields<'a>>;

/// The `app` object.
#[derive(Clone, Copy, Debug)]
pub struct App<'a> {
    /// `app.name` (never empty).
    pub name: JsonStr<'a>,
    /// `app.version`.
    pub version: JsonStr<'a>,
    /// `app.os`: an OS family such as `linux` (`[a-z0-9_]+`).
    pub os: &'a str,
}

/// One element of `events`.
#[derive(Clone, Debug)]
pub struct Event<'a, F = Fields<'a>> {
    /// The event's id, stable across resends.
    pub id: Id,
    /// Dotted schema name, e.g. `wallet.transaction_signed`.
    pub name: &'a str,
    /// Schema version.
    pub version: u32,
    /// The minute `track()` was called.
    pub time: Minute<'a>,
    /// The `fields` object.
    pub fields: F,
}

/// The `fields` object: flat, candor-named keys, each once.
#[derive(Clone, Debug)]
pub struct Fields<'a> {
    /// The object's text exactly as in the document, `{` to `}`.
    pub raw: &'a str,
    /// The members, in document order.
    pub entries: Vec<(&'a str, Value<'a>)>,
}

/// A `fields` object known to be well-formed JSON, members not yet judged.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RawFields<'a> {
    /// Private: only a reader makes one, so [`RawFields::members`] walks checked text.
    raw: &'a str,
}

/// Deepest nesting a value inside `fields` may have before the document is refused: no
/// field value nests at all, so this only bounds the reader's work on hostile input.
const MAX_FIELDS_DEPTH: usize = 64;

impl<'a> RawFields<'a> {
    /// Reads `text` as one JSON object (spaces around it allowed) and nothing else.
    pub fn read(text: &'a str) -> Result<RawFields<'a>, ReadError> {
        let mut s = Scanner::new(text);
        let fields = read_raw_fields(&mut s)?;
        s.end()?;
        Ok(fields)
    }

    /// The object's text exactly as in the document, `{` to `}`.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// The members in document order, keys and values as slices of the text.
    pub fn members(&self) -> Members<'a> {
        let mut s = Scanner::new(self.raw);
        // The text is an object already checked whole: its `{` is there.
        let _ = s.expect(b'{', "expected an object");
        Members { s, first: true }
    }
}

/// A member's value in a `fields` object, as JSON has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Member<'a> {
    /// A string.
    Str(JsonStr<'a>),
    /// A number as written, and whether it has a fraction or exponent.
    Number(&'a str, bool),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// An array or an object (never a field value).
    Nested,
}

/// The members of a [`RawFields`] object: `(key, value)` in document order.
#[derive(Clone, Debug)]
pub struct Members<'a> {
    s: Scanner<'a>,
    first: bool,
}

impl<'a> Iterator for Members<'a> {
    type Item = (JsonStr<'a>, Member<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        // The object was read whole once already, so none of the steps below can fail; if one
        // did, the walk would end early rather than yield anything unread.
        let s = &mut self.s;
        match s.peek()? {
            b'}' => return None,
            b',' if !self.first => s.expect(b',', "").ok()?,
            _ if self.first => {}
            _ => return None,
        }
        self.first = false;
        let key = s.string().ok()?;
        s.expect(b':', "").ok()?;
        Some((key, member(s, MAX_FIELDS_DEPTH).ok()?))
    }
}

/// Reads any one value as a [`Member`], skipping (but checking) a nested one.
fn member<'a>(s: &mut Scanner<'a>, depth: usize) -> Result<Member<'a>, ReadError> {
    Ok(match s.peek() {
        Some(b'"') => Member::Str(s.string()?),
        Some(b't' | b'f') => Member::Bool(s.boolean()?),
        Some(b'-' | b'0'..=b'9') => {
            let (text, float) = s.number()?;
            Member::Number(text, float)
        }
        Some(b'n') => {
            s.skip_value(0)?;
            Member::Null
        }
        Some(b'[' | b'{') => {
            s.skip_value(depth)?;
            Member::Nested
        }
        _ => return Err(s.error("expected a value")),
    })
}

/// A field value: what candor's field types encode to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Value<'a> {
    /// A string.
    Str(JsonStr<'a>),
    /// A whole number, as written; fits `i64` or `u64`.
    Int(&'a str),
    /// A number with a fraction or exponent, as written; finite as an `f64`.
    Float(&'a str),
    /// `true` or `false`.
    Bool(bool),
}

impl Value<'_> {
    /// The JSON text of the value, ready to copy into another document.
    pub fn json(&self) -> std::borrow::Cow<'_, str> {
        match self {
            Value::Str(s) => format!("\"{}\"", s.raw()).into(),
            Value::Int(t) | Value::Float(t) => (*t).into(),
            Value::Bool(true) => "true".into(),
            Value::Bool(false) => "false".into(),
        }
    }
}

/// Whether `name` is a candor name: lowercase ASCII letters, digits and `_`, starting with a
/// letter, no `__`, not ending with `_`, at most [`MAX_NAME_LEN`] characters (the schema
/// language's rule, `candor_core::names`).
pub fn is_candor_name(name: &str) -> bool {
    candor_core::names::is_name(name)
}

/// Whether `name` matches the wire's event-name pattern
/// `^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$` (`candor_core::wire`).
pub fn is_event_name(name: &str) -> bool {
    candor_core::wire::is_event_name(name)
}

impl<'a> Batch<'a> {
    /// Reads one `candor.batch/1` document (uncompressed JSON), fields judged as the encoders
    /// need them (see the module comment).
    pub fn read(doc: &'a [u8]) -> Result<Batch<'a>, ReadError> {
        read_with(doc, read_fields)
    }

    /// Reads one `candor.batch/1` document (uncompressed JSON), each event's `fields` only
    /// required to be a JSON object (see the module comment).
    pub fn read_envelope(doc: &'a [u8]) -> Result<Envelope<'a>, ReadError> {
        read_with(doc, read_raw_fields)
    }
}

/// The value of the top-level `format` key of a JSON object, if it is a string and every
/// member before it is well-formed; `None` otherwise. For a reader of several document kinds
/// to pick one without reading the document twice: writers put `format` first.
pub fn format_of(text: &str) -> Option<&str> {
    let mut s = Scanner::new(text);
    s.expect(b'{', "").ok()?;
    loop {
        let key = s.string().ok()?;
        s.expect(b':', "").ok()?;
        if key.raw() == "format" {
            return s.string().ok().map(|f| f.raw());
        }
        s.skip_value(MAX_FIELDS_DEPTH).ok()?;
        s.expect(b',', "").ok()?;
    }
}

fn read_with<'a, F>(
    doc: &'a [u8],
    fields: fn(&mut Scanner<'a>) -> Result<F, ReadError>,
) -> Result<Batch<'a, F>, ReadError> {
    let text = std::str::from_utf8(doc).map_err(|e| ReadError {
        offset: e.valid_up_to(),
        reason: "document is not UTF-8",
    })?;
    let mut s = Scanner::new(text);
    let mut format = false;
    let mut app = None;
    let mut install_id = None;
    let mut sent_at = None;
    let mut events = None;
    s.object(|s, key, at| {
        let dup = ReadError {
            offset: at,
            reason: "a key appears twice",
        };
        match key.raw() {
            "format" => {
                if std::mem::replace(&mut format, true) {
                    return Err(dup);
                }
                if s.string()?.raw() != BATCH_FORMAT {
                    return Err(s.error("format is not candor.batch/1"));
                }
            }
            "app" => {
                if app.replace(read_app(s)?).is_some() {
                    return Err(dup);
                }
            }
            "install_id" => {
                let id = Id::parse_hex(s.string()?.raw())
                    .ok_or_else(|| s.error("install_id is not 32 lowercase hex digits"))?;
                if install_id.replace(id).is_some() {
                    return Err(dup);
                }
            }
            "sent_at" => {
                let m = read_minute(s, "sent_at is not a UTC minute")?;
                if sent_at.replace(m).is_some() {
                    return Err(dup);
                }
            }
            "events" => {
                if events.is_some() {
                    return Err(dup);
                }
                let mut list = Vec::new();
                s.array(|s| {
                    list.push(read_event(s, fields)?);
                    Ok(())
                })?;
                if list.is_empty() {
                    return Err(s.error("events is empty"));
                }
                events = Some(list);
            }
            _ => {
                return Err(ReadError {
                    offset: at,
                    reason: "unknown key in the batch",
                })
            }
        }
        Ok(())
    })?;
    s.end()?;
    let missing = |reason| ReadError { offset: 0, reason };
    if !format {
        return Err(missing("format is missing"));
    }
    Ok(Batch {
        app: app.ok_or_else(|| missing("app is missing"))?,
        install_id,
        sent_at: sent_at.ok_or_else(|| missing("sent_at is missing"))?,
        events: events.ok_or_else(|| missing("events is missing"))?,
    })
}

fn read_minute<'a>(s: &mut Scanner<'a>, reason: &'static str) -> Result<Minute<'a>, ReadError> {
    let at = {
        s.skip_ws();
        s.pos()
    };
    let raw = s.string()?;
    Minute::parse(raw.raw()).ok_or(ReadError { offset: at, reason })
}

fn read_app<'a>(s: &mut Scanner<'a>) -> Result<App<'a>, ReadError> {
    let (mut name, mut version, mut os) = (None, None, None);
    s.object(|s, key, at| {
        let slot = match key.raw() {
            "name" => &mut name,
            "version" => &mut version,
            "os" => &mut os,
            _ => {
                return Err(ReadError {
                    offset: at,
                    reason: "unknown key in app",
                })
            }
        };
        if slot.replace(s.string()?).is_some() {
            return Err(ReadError {
                offset: at,
                reason: "a key appears twice in app",
            });
        }
        Ok(())
    })?;
    let err = |reason| ReadError {
        offset: s.pos(),
        reason,
    };
    let name = name.ok_or_else(|| err("app.name is missing"))?;
    if name.raw().is_empty() {
        return Err(err("app.name is empty"));
    }
    let os = os.ok_or_else(|| err("app.os is missing"))?.raw();
    if os.is_empty()
        || !os
            .bytes()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
    {
        return Err(err("app.os is not an OS family name"));
    }
    Ok(App {
        name,
        version: version.ok_or_else(|| err("app.version is missing"))?,
        os,
    })
}

fn read_event<'a, F>(
    s: &mut Scanner<'a>,
    read_fields: fn(&mut Scanner<'a>) -> Result<F, ReadError>,
) -> Result<Event<'a, F>, ReadError> {
    let (mut id, mut name, mut version, mut time, mut fields) = (None, None, None, None, None);
    s.object(|s, key, at| {
        let dup = ReadError {
            offset: at,
            reason: "a key appears twice in an event",
        };
        match key.raw() {
            "id" => {
                let v = Id::parse_hex(s.string()?.raw())
                    .ok_or_else(|| s.error("event id is not 32 lowercase hex digits"))?;
                if id.replace(v).is_some() {
                    return Err(dup);
                }
            }
            "name" => {
                let v = s.string()?.raw();
                if !is_event_name(v) {
                    return Err(s.error("event name is not a dotted schema name"));
                }
                if name.replace(v).is_some() {
                    return Err(dup);
                }
            }
            "version" => {
                let (text, float) = s.number()?;
                let v = (!float)
                    .then(|| text.parse::<u32>().ok())
                    .flatten()
                    .ok_or_else(|| s.error("event version is not an integer in 0..=4294967295"))?;
                if version.replace(v).is_some() {
                    return Err(dup);
                }
            }
            "time" => {
                let v = read_minute(s, "event time is not a UTC minute")?;
                if time.replace(v).is_some() {
                    return Err(dup);
                }
            }
            "fields" => {
                let v = read_fields(s)?;
                if fields.replace(v).is_some() {
                    return Err(dup);
                }
            }
            _ => {
                return Err(ReadError {
                    offset: at,
                    reason: "unknown key in an event",
                })
            }
        }
        Ok(())
    })?;
    let err = |reason| ReadError {
        offset: s.pos(),
        reason,
    };
    Ok(Event {
        id: id.ok_or_else(|| err("event id is missing"))?,
        name: name.ok_or_else(|| err("event name is missing"))?,
        version: version.ok_or_else(|| err("event version is missing"))?,
        time: time.ok_or_else(|| err("event time is missing"))?,
        fields: fields.ok_or_else(|| err("event fields are missing"))?,
    })
}

/// `fields` as any JSON object, kept as text.
fn read_raw_fields<'a>(s: &mut Scanner<'a>) -> Result<RawFields<'a>, ReadError> {
    s.skip_ws();
    let start = s.pos();
    if s.peek() != Some(b'{') {
        return Err(s.error("event fields are not an object"));
    }
    s.skip_value(MAX_FIELDS_DEPTH)?;
    Ok(RawFields {
        raw: s.slice_from(start),
    })
}

/// `fields` as the encoders need them: flat, candor names, each once.
fn read_fields<'a>(s: &mut Scanner<'a>) -> Result<Fields<'a>, ReadError> {
    s.skip_ws();
    let start = s.pos();
    let mut entries: Vec<(&'a str, Value<'a>)> = Vec::new();
    s.object(|s, key, at| {
        let name = key.raw();
        if !is_candor_name(name) {
            return Err(ReadError {
                offset: at,
                reason: "field name is not a candor name",
            });
        }
        // Events have a few dozen fields at most; a linear look-up beats hashing here.
        if entries.iter().any(|(k, _)| *k == name) {
            return Err(ReadError {
                offset: at,
                reason: "a field appears twice",
            });
        }
        let value = match s.peek() {
            Some(b'"') => Value::Str(s.string()?),
            Some(b't' | b'f') => Value::Bool(s.boolean()?),
            Some(b'-' | b'0'..=b'9') => {
                let (text, float) = s.number()?;
                if float {
                    if !text.parse::<f64>().is_ok_and(f64::is_finite) {
                        return Err(s.error("number is not a finite f64"));
                    }
                    Value::Float(text)
                } else {
                    if text.parse::<i64>().is_err() && text.parse::<u64>().is_err() {
                        return Err(s.error("integer is outside the 64-bit range"));
                    }
                    Value::Int(text)
                }
            }
            Some(b'n') => return Err(s.error("null is not a field value (omit the field)")),
            _ => return Err(s.error("field value is not a string, number or boolean")),
        };
        entries.push((name, value));
        Ok(())
    })?;
    Ok(Fields {
        raw: s.slice_from(start),
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = r#"{"format":"candor.batch/1",
 "app":{"name":"wordstat","version":"0.1.0","os":"linux"},
 "install_id":"5a0e00000000000000000000000000ff",
 "sent_at":"2026-11-22T12:34Z",
 "events":[
   {"id":"9f1c0a6b2d4e48f1a3b5c7d9e0f21436","name":"wallet.transaction_signed","version":1,
    "time":"2026-11-22T12:33Z","fields":{"network":"ethereum","amount_usd":100,"ratio":0.5,"hw":true}}
 ]}"#;

    #[test]
    fn reads_the_documented_example() {
        let b = Batch::read(DOC.as_bytes()).unwrap();
        assert_eq!(b.app.name.raw(), "wordstat");
        assert_eq!(b.app.os, "linux");
        assert_eq!(
            b.install_id.unwrap().hex(),
            "5a0e00000000000000000000000000ff"
        );
        assert_eq!(b.sent_at.as_str(), "2026-11-22T12:34Z");
        let e = &b.events[0];
        assert_eq!(e.name, "wallet.transaction_signed");
        assert_eq!(e.version, 1);
        assert_eq!(
            e.fields.raw,
            r#"{"network":"ethereum","amount_usd":100,"ratio":0.5,"hw":true}"#
        );
        let kinds: Vec<_> = e.fields.entries.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(kinds[1], ("amount_usd", Value::Int("100")));
        assert_eq!(kinds[2], ("ratio", Value::Float("0.5")));
        assert_eq!(kinds[3], ("hw", Value::Bool(true)));
    }

    fn refused(doc: &str) -> &'static str {
        match Batch::read(doc.as_bytes()) {
            Ok(_) => panic!("accepted: {doc}"),
            Err(e) => e.reason,
        }
    }

    #[test]
    fn refuses_everything_the_wire_schema_refuses() {
        let swap = |from: &str, to: &str| DOC.replacen(from, to, 1);
        assert_eq!(
            refused(&swap("candor.batch/1", "candor.batch/2")),
            "format is not candor.batch/1"
        );
        assert_eq!(
            refused(&swap("\"sent_at\"", "\"extra\":1,\"sent_at\"")),
            "unknown key in the batch"
        );
        assert_eq!(
            refused(&swap("\"os\":\"linux\"", "\"os\":\"Linux 6.1\"")),
            "app.os is not an OS family name"
        );
        assert_eq!(
            refused(&swap("\"name\":\"wordstat\"", "\"name\":\"\"")),
            "app.name is empty"
        );
        assert_eq!(
            refused(&swap("5a0e", "5A0E")),
            "install_id is not 32 lowercase hex digits"
        );
        assert_eq!(
            refused(&swap("12:34Z", "12:34:56Z")),
            "sent_at is not a UTC minute"
        );
        assert_eq!(
            refused(&swap("\"version\":1", "\"version\":1.0")),
            "event version is not an integer in 0..=4294967295"
        );
        assert_eq!(
            refused(&swap("\"version\":1", "\"version\":4294967296")),
            "event version is not an integer in 0..=4294967295"
        );
        assert_eq!(
            refused(&swap("\"version\":1", "\"version\":-1")),
            "event version is not an integer in 0..=4294967295"
        );
        assert_eq!(
            refused(&swap("wallet.transaction_signed", "Wallet.x")),
            "event name is not a dotted schema name"
        );
        assert_eq!(
            refused(&swap("wallet.transaction_signed", "wallet..x")),
            "event name is not a dotted schema name"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"hw\":null")),
            "null is not a field value (omit the field)"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"hw\":[1]")),
            "field value is not a string, number or boolean"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"hw\":{\"a\":1}")),
            "field value is not a string, number or boolean"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"$set\":true")),
            "field name is not a candor name"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"_ip\":true")),
            "field name is not a candor name"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"network\":\"x\"")),
            "a field appears twice"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"hw\":1e999")),
            "number is not a finite f64"
        );
        assert_eq!(
            refused(&swap("\"hw\":true", "\"hw\":123456789012345678901")),
            "integer is outside the 64-bit range"
        );
        assert_eq!(
            refused(&swap("\"ratio\":0.5", "\"ratio\":.5")),
            "field value is not a string, number or boolean"
        );
        assert_eq!(
            refused(&swap("\"time\":\"2026-11-22T12:33Z\",", "")),
            "event time is missing"
        );
        assert_eq!(
            refused(&swap(
                "\"id\":\"9f1c",
                "\"id\":\"9f1c0a6b2d4e48f1a3b5c7d9e0f21436\",\"id\":\"9f1c"
            )),
            "a key appears twice in an event"
        );
        assert_eq!(
            refused(&swap("\"format\":\"candor.batch/1\",", "")),
            "format is missing"
        );
        assert_eq!(
            refused(&format!("{DOC} x")),
            "unexpected data after the document"
        );
        let empty = DOC.split("\"events\"").next().unwrap().to_string() + "\"events\":[]}";
        assert_eq!(refused(&empty), "events is empty");
    }

    #[test]
    fn refuses_a_key_twice_at_the_top() {
        let doc = DOC.replacen(
            "\"sent_at\"",
            "\"sent_at\":\"2026-11-22T12:34Z\",\"sent_at\"",
            1,
        );
        assert_eq!(refused(&doc), "a key appears twice");
    }

    #[test]
    fn accepts_any_key_order_and_whitespace() {
        let doc = r#"  { "events" : [ { "fields" : { } , "time":"2026-01-01T00:00Z", "version" : 0,
            "name":"a", "id":"00000000000000000000000000000000" } ],
            "sent_at":"2026-01-01T00:01Z", "app":{"os":"macos","version":"","name":"x"},
            "format":"candor.batch/1" }  "#;
        let b = Batch::read(doc.as_bytes()).unwrap();
        assert!(b.install_id.is_none());
        assert_eq!(b.events[0].fields.raw, "{ }");
        assert!(b.events[0].fields.entries.is_empty());
    }

    #[test]
    fn the_envelope_reader_refuses_what_the_strict_one_does_outside_fields() {
        // Every refusal of the strict reader that is not about a member of `fields` is the
        // envelope reader's too, with the same reason.
        let swap = |from: &str, to: &str| DOC.replacen(from, to, 1);
        for doc in [
            swap("candor.batch/1", "candor.batch/2"),
            swap("\"sent_at\"", "\"extra\":1,\"sent_at\""),
            swap("\"os\":\"linux\"", "\"os\":\"Linux 6.1\""),
            swap("5a0e", "5A0E"),
            swap("\"version\":1", "\"version\":-1"),
            swap("wallet.transaction_signed", "wallet..x"),
            swap("\"time\":\"2026-11-22T12:33Z\",", ""),
            format!("{DOC} x"),
        ] {
            let strict = Batch::read(doc.as_bytes()).unwrap_err();
            let envelope = Batch::read_envelope(doc.as_bytes()).unwrap_err();
            assert_eq!(strict, envelope, "{doc}");
        }
        for not_object in ["[]", "1", "\"x\"", "null"] {
            let doc = swap("\"fields\":{", &format!("\"fields\":{not_object},\"f\":{{"));
            assert!(Batch::read_envelope(doc.as_bytes()).is_err(), "{doc}");
        }
        let doc = swap("\"fields\":{", "\"fields\":[");
        assert!(Batch::read_envelope(doc.as_bytes()).is_err());
    }

    #[test]
    fn the_envelope_reader_leaves_fields_to_the_schema() {
        // What only a schema can judge (names, nesting, null, a key twice) is kept as text.
        let doc = DOC.replacen(
            "\"hw\":true",
            "\"hw\":null,\"$set\":{\"a\":[1,{}]},\"network\":\"x\",\"big\":1e999",
            1,
        );
        assert!(Batch::read(doc.as_bytes()).is_err());
        let b = Batch::read_envelope(doc.as_bytes()).unwrap();
        let e = &b.events[0];
        assert_eq!(e.id.hex(), "9f1c0a6b2d4e48f1a3b5c7d9e0f21436");
        assert_eq!(e.time.as_str(), "2026-11-22T12:33Z");
        let members: Vec<_> = e.fields.members().map(|(k, v)| (k.raw(), v)).collect();
        assert_eq!(members.len(), 7);
        assert_eq!(members[1], ("amount_usd", Member::Number("100", false)));
        assert_eq!(members[2], ("ratio", Member::Number("0.5", true)));
        assert_eq!(members[3], ("hw", Member::Null));
        assert_eq!(members[4], ("$set", Member::Nested));
        assert_eq!(members[5].0, "network");
        assert_eq!(members[6], ("big", Member::Number("1e999", true)));
        // Broken JSON inside fields is still refused whole, and deep nesting is bounded.
        for bad in [
            "{\"a\":}",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{\"a\":nul}",
            "{\"a\":\"\\x\"}",
        ] {
            let doc = DOC.replacen(
                "{\"network\":\"ethereum\"",
                &format!("{bad},\"z\":{{\"n\":0"),
                1,
            );
            assert!(Batch::read_envelope(doc.as_bytes()).is_err(), "{doc}");
            assert!(RawFields::read(bad).is_err(), "{bad}");
        }
        let deep = format!("{{\"a\":{}1{}}}", "[".repeat(100), "]".repeat(100));
        assert!(RawFields::read(&deep).is_err());
        assert_eq!(RawFields::read(" {} ").unwrap().members().count(), 0);
    }

    #[test]
    fn the_format_is_found_wherever_it_is() {
        assert_eq!(format_of(DOC), Some(BATCH_FORMAT));
        let last = r#"{"app":{"x":[1,{"y":null}]},"events":[],"format":"candor.deletion/1"}"#;
        assert_eq!(format_of(last), Some("candor.deletion/1"));
        for none in [
            "",
            "[]",
            "{}",
            r#"{"format":1}"#,
            r#"{"a":tru,"format":"x"}"#,
        ] {
            assert_eq!(format_of(none), None, "{none}");
        }
    }

    #[test]
    fn names() {
        for ok in ["a", "network", "a1_b2", &"x".repeat(40)] {
            assert!(is_candor_name(ok), "{ok}");
        }
        for bad in [
            "",
            "A",
            "1a",
            "_a",
            "a_",
            "a__b",
            "a-b",
            "a.b",
            "$ip",
            &"x".repeat(41),
        ] {
            assert!(!is_candor_name(bad), "{bad}");
        }
        for ok in ["a", "a.b", "a.b.c", "wallet.transaction_signed"] {
            assert!(is_event_name(ok));
        }
        for bad in ["", ".a", "a.", "a..b", "A.b", "a.1b", "a-b"] {
            assert!(!is_event_name(bad), "{bad}");
        }
    }
}
