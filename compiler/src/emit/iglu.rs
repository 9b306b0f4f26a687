//! Iglu self-describing JSON Schemas, one per event version, for teams that send candor events
//! to Snowplow: the files a Snowplow team uploads to its Iglu registry
//! (`igluctl static push OUT/iglu …`), so the pipeline validates every event it receives.
//!
//! Each schema describes the `data` of the self-describing event candor's Snowplow encoder
//! sends, that is the event's `fields` object, under the key `candor_interop` computes
//! (`iglu:VENDOR.NAMESPACE/EVENT/jsonschema/VERSION-0-0`): one encoder and one emitter, never
//! two spellings of a name. Written for Iglu's meta-schema (draft 4) and igluctl's lint rules:
//! a root object with `properties`, every property typed and described, strings bounded,
//! numbers with `minimum` and `maximum`, optional properties nullable, no other properties.
//! `pii` fields are left out, and `additionalProperties: false` refuses them.

use super::{to_pretty, OutputFile};
use crate::ir::{Event, Field, FieldType, Registry};
use candor_interop::vendor::snowplow::{iglu_key, is_iglu_vendor};
use serde_json::{json, Map, Value};

/// The meta-schema every Iglu schema declares.
pub const META_SCHEMA: &str =
    "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#";

/// Folder, under the output folder, that is laid out as an Iglu static registry.
pub const DIR: &str = "iglu";

/// Why an Iglu vendor was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadVendor(pub String);

impl std::fmt::Display for BadVendor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` is not an Iglu vendor: use letters, digits, `-`, `_` and `.`, e.g. `com.example`",
            self.0
        )
    }
}

impl std::error::Error for BadVendor {}

/// Refuses what is not an Iglu vendor (`[a-zA-Z0-9-_.]+`).
pub fn check_vendor(vendor: &str) -> Result<(), BadVendor> {
    if is_iglu_vendor(vendor) {
        Ok(())
    } else {
        Err(BadVendor(vendor.to_string()))
    }
}

/// One schema file per event version, at `iglu/schemas/VENDOR.NAMESPACE/EVENT/jsonschema/N-0-0`.
pub fn all(registry: &Registry, vendor: &str) -> Result<Vec<OutputFile>, BadVendor> {
    check_vendor(vendor)?;
    Ok(registry
        .events()
        .map(|e| {
            let key = iglu_key(vendor, &e.full_name, e.version);
            OutputFile {
                path: format!("{DIR}/{}", key.registry_path()),
                contents: to_pretty(&event_schema(e, vendor)),
            }
        })
        .collect())
}

/// The self-describing schema of one event version.
pub fn event_schema(event: &Event, vendor: &str) -> Value {
    let key = iglu_key(vendor, &event.full_name, event.version);
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in event.collected_fields() {
        properties.insert(field.name.clone(), field_schema(field));
        if !field.optional {
            required.push(Value::from(field.name.clone()));
        }
    }
    let mut schema = json!({
        "$schema": META_SCHEMA,
        "description": format!("{} (candor event {} v{})", event.description, event.full_name, event.version),
        "self": {
            "vendor": key.vendor,
            "name": key.name,
            "format": "jsonschema",
            "version": key.version(),
        },
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    // Draft 4 (Iglu's meta-schema) requires `required` to list at least one name, so an event
    // whose fields are all optional, or that has none, leaves it out.
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

fn field_schema(field: &Field) -> Value {
    let mut s = Map::new();
    let ty = match &field.ty {
        FieldType::Bool => "boolean",
        FieldType::Integer { min, max, buckets } => {
            bounded(
                &mut s,
                buckets
                    .as_ref()
                    .map(|b| b.iter().map(|&v| json!(v)).collect()),
                json!(min.unwrap_or(i64::MIN)),
                json!(max.unwrap_or(i64::MAX)),
            );
            "integer"
        }
        FieldType::Float { min, max, buckets } => {
            bounded(
                &mut s,
                buckets
                    .as_ref()
                    .map(|b| b.iter().map(|&v| json!(v)).collect()),
                json!(min.unwrap_or(f64::MIN)),
                json!(max.unwrap_or(f64::MAX)),
            );
            "number"
        }
        FieldType::Duration { max, buckets, .. } | FieldType::Count { max, buckets } => {
            bounded(
                &mut s,
                buckets
                    .as_ref()
                    .map(|b| b.iter().map(|&v| json!(v)).collect()),
                json!(0),
                json!(max.unwrap_or(u64::MAX)),
            );
            "integer"
        }
        FieldType::Enum { values } => {
            s.insert("enum".into(), json!(values));
            "string"
        }
        FieldType::String {
            values,
            max_len,
            pattern,
        } => {
            if let Some(v) = values {
                s.insert("enum".into(), json!(v));
            }
            if let Some(n) = max_len {
                s.insert("maxLength".into(), json!(n));
            }
            if let Some(p) = pattern {
                // Never anchored around a pattern that is not one expression (see json_schema).
                match crate::pattern::anchored_checked(p, crate::pattern::Spelling::JsonSchema) {
                    Ok(anchored) => s.insert("pattern".into(), json!(anchored)),
                    Err(_) => return Value::Bool(false),
                };
            }
            "string"
        }
    };
    if field.optional {
        // igluctl's `optionalNull`: an optional property also admits null (warehouse loaders
        // then make a nullable column). candor itself omits absent fields.
        s.insert("type".into(), json!([ty, "null"]));
        if let Some(Value::Array(values)) = s.get_mut("enum") {
            values.push(Value::Null);
        }
    } else {
        s.insert("type".into(), json!(ty));
    }
    let unit = match &field.ty {
        FieldType::Duration { unit, .. } => format!(" (whole {})", unit.as_str()),
        _ => String::new(),
    };
    s.insert(
        "description".into(),
        json!(format!(
            "{}{unit}{}",
            field.description,
            super::randomized_note(field)
        )),
    );
    Value::Object(s)
}

/// A number: one of its bucket bounds (values are rounded down to them before they leave the
/// device) or anything in its range; bounds are always written, as igluctl asks.
fn bounded(s: &mut Map<String, Value>, buckets: Option<Vec<Value>>, min: Value, max: Value) {
    match buckets {
        Some(b) => {
            let (lo, hi) = (b.first().cloned(), b.last().cloned());
            s.insert("enum".into(), Value::Array(b));
            s.insert("minimum".into(), lo.unwrap_or(min));
            s.insert("maximum".into(), hi.unwrap_or(max));
        }
        None => {
            s.insert("minimum".into(), min);
            s.insert("maximum".into(), max);
        }
    }
}
