//! JSON Schema (draft 2020-12) for one event version: the exact shape of one element of a
//! batch's `events` array (see `docs/wire-format.md`). A server can validate what it receives
//! against it; `pii` fields are present as `false` schemas, so a payload carrying one is
//! rejected even by a validator that ignores `additionalProperties`. The wire's `id` and `time`
//! patterns and the anchoring of field patterns come from `candor_core`, like those of the
//! runtime's wire schemas.

use super::{to_pretty, OutputFile};
use crate::ir::{Event, Field, FieldType, Registry};
use crate::pattern::{anchored_checked, Spelling};
use candor_core::wire::{ID_PATTERN, MINUTE_PATTERN};
use serde_json::{json, Map, Value};

pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The file name of an event version's schema.
pub fn file_name(event: &Event) -> String {
    format!("events/{}.v{}.schema.json", event.full_name, event.version)
}

/// One schema file per event version.
pub fn all(registry: &Registry) -> Vec<OutputFile> {
    registry
        .events()
        .map(|e| OutputFile {
            path: file_name(e),
            contents: to_pretty(&event_schema(e)),
        })
        .collect()
}

/// The schema of one event as a JSON value.
pub fn event_schema(event: &Event) -> Value {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for field in &event.fields {
        if field.class.is_collectable() {
            properties.insert(field.name.clone(), field_schema(field));
            if !field.optional {
                required.push(Value::from(field.name.clone()));
            }
        } else {
            properties.insert(field.name.clone(), Value::Bool(false));
        }
    }
    json!({
        "$schema": DRAFT,
        "$id": format!("urn:candor:event:{}:v{}", event.full_name, event.version),
        "title": format!("{} v{}", event.full_name, event.version),
        "description": event.description,
        "x-candor-consent": event.consent.as_str(),
        "x-candor-fingerprint": event.fingerprint,
        "type": "object",
        "properties": {
            "id": { "type": "string", "pattern": ID_PATTERN },
            "name": { "const": event.full_name },
            "version": { "const": event.version },
            "time": { "type": "string", "pattern": MINUTE_PATTERN },
            "fields": {
                "type": "object",
                "properties": properties,
                "required": required,
                "additionalProperties": false
            }
        },
        "required": ["id", "name", "version", "time", "fields"],
        "additionalProperties": false
    })
}

fn field_schema(field: &Field) -> Value {
    let mut s = Map::new();
    let mut put = |k: &str, v: Value| {
        s.insert(k.to_string(), v);
    };
    match &field.ty {
        FieldType::Bool => put("type", json!("boolean")),
        FieldType::Integer { min, max, buckets } => numeric(
            &mut put,
            "integer",
            min.map(|v| json!(v)),
            max.map(|v| json!(v)),
            buckets.as_ref().map(|b| json!(b)),
        ),
        FieldType::Float { min, max, buckets } => numeric(
            &mut put,
            "number",
            min.map(|v| json!(v)),
            max.map(|v| json!(v)),
            buckets.as_ref().map(|b| json!(b)),
        ),
        FieldType::Enum { values } => {
            put("type", json!("string"));
            put("enum", json!(values));
        }
        FieldType::String {
            values,
            max_len,
            pattern,
        } => {
            put("type", json!("string"));
            if let Some(v) = values {
                put("enum", json!(v));
            }
            if let Some(n) = max_len {
                put("maxLength", json!(n));
            }
            if let Some(p) = pattern {
                // A registry from the compiler only holds patterns that pass `check`; an IR
                // built by hand may not. Anchored around, such a pattern would accept more than
                // whole values, so the field accepts nothing instead.
                match anchored_checked(p, Spelling::JsonSchema) {
                    Ok(anchored) => put("pattern", json!(anchored)),
                    Err(_) => return Value::Bool(false),
                }
            }
        }
        FieldType::Duration { unit, max, buckets } => {
            put("x-candor-unit", json!(unit.as_str()));
            numeric(
                &mut put,
                "integer",
                Some(json!(0)),
                max.map(|v| json!(v)),
                buckets.as_ref().map(|b| json!(b)),
            );
        }
        FieldType::Count { max, buckets } => numeric(
            &mut put,
            "integer",
            Some(json!(0)),
            max.map(|v| json!(v)),
            buckets.as_ref().map(|b| json!(b)),
        ),
    }
    put("description", json!(field.description));
    put("x-candor-class", json!(field.class.as_str()));
    // An annotation only: a randomised value is still one of the field's values, so validation
    // is unchanged, but a reader of the schema learns the value may not be the true one.
    if let Some(rr) = field.randomized_response() {
        put(
            "x-candor-randomized-response",
            json!({
                "epsilon": rr.epsilon(),
                "keep_probability": rr.keep_probability(),
            }),
        );
    }
    Value::Object(s)
}

/// A number: a bucketed one may only be one of its bounds (values are rounded down to them
/// before they leave the device), any other lies in its declared range.
fn numeric(
    put: &mut impl FnMut(&str, Value),
    ty: &str,
    min: Option<Value>,
    max: Option<Value>,
    buckets: Option<Value>,
) {
    put("type", json!(ty));
    match buckets {
        Some(b) => put("enum", b),
        None => {
            if let Some(v) = min {
                put("minimum", v);
            }
            if let Some(v) = max {
                put("maximum", v);
            }
        }
    }
}
