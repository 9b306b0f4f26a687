//! Per-event checks against the registry: what is stored, and why anything else is not.
//!
//! An event that fails is not stored; it is counted under one [`Reason`] (the first problem
//! found), its event and, where the problem is a field, that field. Only names that appear in
//! the schemas are ever recorded: an unknown event or an undeclared field is counted without
//! its name, because a name the schemas do not know is data from the sender, which may be
//! personal. Values are never recorded. The entries of a metrics document are checked in
//! [`metrics`], with the same reasons where they apply and the same quarantine.

use std::fmt;
use std::fmt::Write as _;

use candor_interop::batch::{Member, RawFields};

use crate::minute;
use crate::schemas::{EventSpec, Kind, Schemas};
use crate::wire::{Batch, WireEvent};

pub mod metrics;

/// Why an event was not stored. The strings are stable: they are the quarantine's `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Reason {
    /// No event of that name in the schemas.
    UnknownEvent,
    /// The event exists, but not in this version.
    UnknownVersion,
    /// The schema's `expires` date has passed: collection has stopped.
    EventExpired,
    /// Older than the event's retention: it would have to be deleted at once.
    TooOld,
    /// Later than the collector's clock plus the allowed skew.
    FromFuture,
    /// A key the schema does not declare.
    UndeclaredField,
    /// A field declared `pii`: declared only so that it can never be collected.
    PiiField,
    /// A field that is not optional is absent.
    MissingField,
    /// The same field twice in one event.
    DuplicateField,
    /// A JSON value of the wrong kind (`null` included).
    WrongType,
    /// Not one of an enum's (or a string's) `values`.
    NotInValues,
    /// A number that is not one of the field's bucket bounds.
    OffBucket,
    /// A number outside `min`/`max` (or negative where the type cannot be).
    OutOfRange,
    /// A string longer than `max_len` characters.
    TooLong,
    /// A string the field's pattern does not match as a whole.
    PatternMismatch,
    /// No metric of that name in the schemas.
    UnknownMetric,
    /// A metric whose `expires` date has passed.
    MetricExpired,
    /// A metric entry of another type than the metric's declared one.
    WrongMetricType,
    /// A metric entry in a document of another consent category than the metric's.
    WrongCategory,
    /// A label that is not in the labeled counter's closed list.
    UndeclaredLabel,
    /// The same label twice in one entry.
    DuplicateLabel,
    /// A unit other than the declared one.
    WrongUnit,
    /// Bucket bounds other than the declared ones.
    WrongBuckets,
    /// A `counts` array whose length is not the number of declared buckets.
    WrongCounts,
    /// The same metric twice in one document.
    DuplicateMetric,
    /// A document whose interval ends before it starts.
    BadInterval,
}

impl Reason {
    pub const ALL: [Reason; 26] = [
        Reason::UnknownEvent,
        Reason::UnknownVersion,
        Reason::EventExpired,
        Reason::TooOld,
        Reason::FromFuture,
        Reason::UndeclaredField,
        Reason::PiiField,
        Reason::MissingField,
        Reason::DuplicateField,
        Reason::WrongType,
        Reason::NotInValues,
        Reason::OffBucket,
        Reason::OutOfRange,
        Reason::TooLong,
        Reason::PatternMismatch,
        Reason::UnknownMetric,
        Reason::MetricExpired,
        Reason::WrongMetricType,
        Reason::WrongCategory,
        Reason::UndeclaredLabel,
        Reason::DuplicateLabel,
        Reason::WrongUnit,
        Reason::WrongBuckets,
        Reason::WrongCounts,
        Reason::DuplicateMetric,
        Reason::BadInterval,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Reason::UnknownEvent => "unknown_event",
            Reason::UnknownVersion => "unknown_version",
            Reason::EventExpired => "event_expired",
            Reason::TooOld => "too_old",
            Reason::FromFuture => "from_future",
            Reason::UndeclaredField => "undeclared_field",
            Reason::PiiField => "pii_field",
            Reason::MissingField => "missing_field",
            Reason::DuplicateField => "duplicate_field",
            Reason::WrongType => "wrong_type",
            Reason::NotInValues => "not_in_values",
            Reason::OffBucket => "off_bucket",
            Reason::OutOfRange => "out_of_range",
            Reason::TooLong => "too_long",
            Reason::PatternMismatch => "pattern_mismatch",
            Reason::UnknownMetric => "unknown_metric",
            Reason::MetricExpired => "metric_expired",
            Reason::WrongMetricType => "wrong_metric_type",
            Reason::WrongCategory => "wrong_category",
            Reason::UndeclaredLabel => "undeclared_label",
            Reason::DuplicateLabel => "duplicate_label",
            Reason::WrongUnit => "wrong_unit",
            Reason::WrongBuckets => "wrong_buckets",
            Reason::WrongCounts => "wrong_counts",
            Reason::DuplicateMetric => "duplicate_metric",
            Reason::BadInterval => "bad_interval",
        }
    }

    pub fn parse(s: &str) -> Option<Reason> {
        Reason::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One refused event: the reason, the event (index into [`Schemas`], when known) and the field
/// (index into the event's fields, when the problem is a declared field).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Refusal {
    pub reason: Reason,
    pub event: Option<u32>,
    pub field: Option<u16>,
}

/// An event that passed: what a store writes.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: [u8; 16],
    /// Index into [`Schemas`].
    pub event: u32,
    /// Minutes since the epoch.
    pub minute: i64,
    /// Byte range of the `fields` JSON in [`Checked::text`].
    pub fields: (u32, u32),
}

/// A batch after validation, owning everything a store needs (no borrow of the request body),
/// with one allocation per batch for all fields text rather than one per event.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    pub app_name: String,
    pub app_version: String,
    pub app_os: String,
    pub install_id: Option<[u8; 16]>,
    pub rows: Vec<Row>,
    /// Every accepted event's `fields` JSON, back to back.
    pub text: String,
    pub refused: Vec<Refusal>,
    /// The UTC day the batch was received (days since the epoch): quarantine counts are kept
    /// per day of receipt.
    pub day: i64,
    /// A metrics document's accepted entries and refusals (then `rows` is empty).
    pub metrics: Option<Box<metrics::CheckedMetrics>>,
}

impl Checked {
    /// The `fields` JSON of a row.
    pub fn fields(&self, row: &Row) -> &str {
        &self.text[row.fields.0 as usize..row.fields.1 as usize]
    }
}

/// The moment checks are made against.
#[derive(Clone, Copy, Debug)]
pub struct Now {
    /// Minutes since the epoch.
    pub minute: i64,
    /// How far (minutes) an event's time may be ahead of `minute`.
    pub skew_minutes: i64,
}

impl Now {
    pub fn today(&self) -> i64 {
        minute::day_of(self.minute)
    }
}

/// The first UTC day (days since the epoch) on which a row of `minute` with `retention_days`
/// must no longer exist: an event from day D is kept on days D … D+R−1.
pub fn delete_on(minute: i64, retention_days: u32) -> i64 {
    minute::day_of(minute) + i64::from(retention_days)
}

/// Validates every event of a batch.
pub fn check(schemas: &Schemas, batch: &Batch<'_>, now: Now) -> Checked {
    let mut out = Checked {
        app_name: batch.app.name.decode().into_owned(),
        app_version: batch.app.version.decode().into_owned(),
        app_os: batch.app.os.to_owned(),
        install_id: batch.install_id.map(|i| i.bytes()),
        rows: Vec::with_capacity(batch.events.len()),
        text: String::with_capacity(batch.events.iter().map(|e| e.fields.raw().len()).sum()),
        refused: Vec::new(),
        day: now.today(),
        metrics: None,
    };
    for e in &batch.events {
        let start = out.text.len();
        match check_event(schemas, e, now, &mut out.text) {
            Ok(event) => out.rows.push(Row {
                id: e.id.bytes(),
                event,
                minute: e.time.since_epoch(),
                fields: (start as u32, out.text.len() as u32),
            }),
            Err(r) => {
                out.text.truncate(start);
                out.refused.push(r);
            }
        }
    }
    out
}

/// Checks one event; `Ok` is its index into the schemas, and its fields have been appended
/// to `canonical` (see [`check_fields`]). After an `Err`, `canonical` may hold a partial object.
pub fn check_event(
    schemas: &Schemas,
    e: &WireEvent<'_>,
    now: Now,
    canonical: &mut String,
) -> Result<u32, Refusal> {
    let refuse = |reason, event, field| Refusal {
        reason,
        event,
        field,
    };
    let Some(index) = schemas.find(e.name) else {
        return Err(refuse(Reason::UnknownEvent, None, None));
    };
    let spec = schemas.event(index);
    let known = Some(index);
    if spec.version != e.version {
        return Err(refuse(Reason::UnknownVersion, known, None));
    }
    let today = now.today();
    if spec.last_day.is_some_and(|last| today > last) {
        return Err(refuse(Reason::EventExpired, known, None));
    }
    let time = e.time.since_epoch();
    if delete_on(time, spec.retention_days) <= today {
        return Err(refuse(Reason::TooOld, known, None));
    }
    if time > now.minute + now.skew_minutes {
        return Err(refuse(Reason::FromFuture, known, None));
    }
    check_members(spec, e.fields, canonical)
        .map_err(|(reason, field)| refuse(reason, known, field))?;
    Ok(index)
}

type FieldProblem = (Reason, Option<u16>);

/// Checks a `fields` object (valid JSON, already known to be an object) against `spec`, and
/// appends it to `canonical` in one spelling: no whitespace, field names as the schema writes
/// them, integers in decimal, floats in Rust's shortest round-trip form, strings with only the
/// escapes JSON requires. What is stored is then a function of the checked values alone:
/// whitespace, escapes and number spellings, which the schema does not constrain, cannot carry
/// anything into the store.
pub fn check_fields(
    spec: &EventSpec,
    json: &str,
    canonical: &mut String,
) -> Result<(), FieldProblem> {
    // Not an object: the batch reader refuses such an event before it gets here.
    let fields = RawFields::read(json).map_err(|_| (Reason::WrongType, None))?;
    check_members(spec, fields, canonical)
}

/// [`check_fields`] of an object the batch reader has already read.
fn check_members(
    spec: &EventSpec,
    fields: RawFields<'_>,
    out: &mut String,
) -> Result<(), FieldProblem> {
    let declared = &spec.fields;
    let mut seen = Seen::new(declared.len());
    out.push('{');
    let mut first = true;
    // Senders write fields in the schema's order, so the field after the last one found is
    // tried first.
    let mut next = 0;
    for (key, value) in fields.members() {
        let key = key.decode();
        let found = match declared.get(next) {
            Some(f) if f.name == key => Some(next),
            _ => declared.iter().position(|f| f.name == key),
        };
        let Some(i) = found else {
            return Err((Reason::UndeclaredField, None));
        };
        next = i + 1;
        let at = Some(i as u16);
        if !seen.mark(i) {
            return Err((Reason::DuplicateField, at));
        }
        let value = Scalar::of(value);
        check_value(&declared[i].kind, &value).map_err(|reason| (reason, at))?;
        if !first {
            out.push(',');
        }
        first = false;
        write_str(out, &declared[i].name);
        out.push(':');
        write_value(out, &declared[i].kind, &value);
    }
    out.push('}');
    if let Some(i) = (0..declared.len())
        .find(|&i| !seen.has(i) && !declared[i].optional && !matches!(declared[i].kind, Kind::Pii))
    {
        return Err((Reason::MissingField, Some(i as u16)));
    }
    Ok(())
}

/// Seen-field bookkeeping without allocating for events of up to 128 fields.
enum Seen {
    Small(u128),
    Large(Vec<bool>),
}

impl Seen {
    fn new(n: usize) -> Seen {
        if n <= 128 {
            Seen::Small(0)
        } else {
            Seen::Large(vec![false; n])
        }
    }
    /// Marks `i`; `false` if it was already marked.
    fn mark(&mut self, i: usize) -> bool {
        match self {
            Seen::Small(bits) => {
                let was = *bits & (1 << i) != 0;
                *bits |= 1 << i;
                !was
            }
            Seen::Large(v) => !std::mem::replace(&mut v[i], true),
        }
    }
    fn has(&self, i: usize) -> bool {
        match self {
            Seen::Small(bits) => *bits & (1 << i) != 0,
            Seen::Large(v) => v[i],
        }
    }
}

/// A field value, borrowed where the JSON allows.
#[derive(Debug)]
enum Scalar<'a> {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(std::borrow::Cow<'a, str>),
    /// `null`, an array or an object: never a field value.
    Other,
}

impl<'a> Scalar<'a> {
    /// A member's value as JSON means it: a whole number as `i64` or `u64` when it fits, else
    /// (beyond 64 bits) as the nearest `f64`, as a JSON number is commonly read; a
    /// number that is no finite `f64` is no value of any field type.
    fn of(m: Member<'a>) -> Scalar<'a> {
        match m {
            Member::Str(s) => Scalar::Str(s.decode()),
            Member::Bool(b) => Scalar::Bool(b),
            Member::Number(text, float) => {
                // As serde_json reads them: a negative whole number is an `i64`, any other a
                // `u64` (the kinds that check signs rely on it).
                if !float {
                    let whole = if text.starts_with('-') {
                        text.parse::<i64>().map(Scalar::Int).ok()
                    } else {
                        text.parse::<u64>().map(Scalar::Uint).ok()
                    };
                    if let Some(v) = whole {
                        return v;
                    }
                }
                match text.parse::<f64>() {
                    Ok(v) if v.is_finite() => Scalar::Float(v),
                    _ => Scalar::Other,
                }
            }
            Member::Null | Member::Nested => Scalar::Other,
        }
    }
}

/// A JSON string with only the escapes JSON requires (`"`, `\\`, control characters).
fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut rest = s;
    // Copy runs of bytes that need no escape whole; only the bytes that do are looked at.
    while let Some(at) = rest
        .bytes()
        .position(|b| b == b'"' || b == b'\\' || b < 0x20)
    {
        out.push_str(&rest[..at]);
        match rest.as_bytes()[at] {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            c => {
                let _ = write!(out, "\\u{:04x}", c);
            }
        }
        rest = &rest[at + 1..];
    }
    out.push_str(rest);
    out.push('"');
}

/// A checked value in its one spelling; a float field's value is always written as a float.
fn write_value(out: &mut String, kind: &Kind, value: &Scalar<'_>) {
    match (kind, value) {
        (Kind::Float { .. }, Scalar::Int(v)) => {
            let _ = write!(out, "{:?}", *v as f64);
        }
        (Kind::Float { .. }, Scalar::Uint(v)) => {
            let _ = write!(out, "{:?}", *v as f64);
        }
        (_, Scalar::Float(v)) => {
            let _ = write!(out, "{v:?}");
        }
        (_, Scalar::Int(v)) => {
            let _ = write!(out, "{v}");
        }
        (_, Scalar::Uint(v)) => {
            let _ = write!(out, "{v}");
        }
        (_, Scalar::Bool(b)) => out.push_str(if *b { "true" } else { "false" }),
        (_, Scalar::Str(s)) => write_str(out, s),
        // Never reached: `check_value` refuses every other kind first.
        (_, Scalar::Other) => out.push_str("null"),
    }
}

fn in_range<T: PartialOrd>(v: T, min: Option<T>, max: Option<T>) -> bool {
    min.is_none_or(|m| v >= m) && max.is_none_or(|m| v <= m)
}

fn check_value(kind: &Kind, value: &Scalar<'_>) -> Result<(), Reason> {
    match (kind, value) {
        (Kind::Pii, _) => Err(Reason::PiiField),
        (Kind::Bool, Scalar::Bool(_)) => Ok(()),
        (Kind::Integer { min, max, buckets }, Scalar::Int(_) | Scalar::Uint(_)) => {
            let v = match *value {
                Scalar::Int(v) => v,
                Scalar::Uint(v) => i64::try_from(v).map_err(|_| Reason::OutOfRange)?,
                _ => unreachable!("matched above"),
            };
            if !in_range(v, *min, *max) {
                return Err(Reason::OutOfRange);
            }
            match buckets {
                Some(b) if b.binary_search(&v).is_err() => Err(Reason::OffBucket),
                _ => Ok(()),
            }
        }
        (
            Kind::Float { min, max, buckets },
            Scalar::Int(_) | Scalar::Uint(_) | Scalar::Float(_),
        ) => {
            let v = match *value {
                Scalar::Int(v) => v as f64,
                Scalar::Uint(v) => v as f64,
                Scalar::Float(v) => v,
                _ => unreachable!("matched above"),
            };
            if !in_range(v, *min, *max) {
                return Err(Reason::OutOfRange);
            }
            match buckets {
                Some(b) if !b.contains(&v) => Err(Reason::OffBucket),
                _ => Ok(()),
            }
        }
        (Kind::Unsigned { .. }, Scalar::Int(_)) => Err(Reason::OutOfRange),
        (Kind::Unsigned { max, buckets }, Scalar::Uint(v)) => {
            if max.is_some_and(|m| *v > m) {
                return Err(Reason::OutOfRange);
            }
            match buckets {
                Some(b) if b.binary_search(v).is_err() => Err(Reason::OffBucket),
                _ => Ok(()),
            }
        }
        (Kind::OneOf(values), Scalar::Str(s)) => {
            if values.iter().any(|v| v == s) {
                Ok(())
            } else {
                Err(Reason::NotInValues)
            }
        }
        (Kind::Text { max_len, pattern }, Scalar::Str(s)) => {
            // Byte length bounds the character count from above.
            if let Some(max) = max_len.map(|m| m as usize) {
                if s.len() > max && s.chars().count() > max {
                    return Err(Reason::TooLong);
                }
            }
            match pattern {
                Some(p) if !p.is_match(s) => Err(Reason::PatternMismatch),
                _ => Ok(()),
            }
        }
        _ => Err(Reason::WrongType),
    }
}
