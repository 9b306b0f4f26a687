//! Tracking plans for teams that send candor events to Segment or Mixpanel, so the same
//! definitions (names, descriptions, owners, field types and bounds) show in the vendor's tools
//! and the vendor flags anything else.
//!
//! - **Segment Protocols**: `segment/tracking-plan-rules.json`, the request body of the Segment
//!   Public API v1 "Replace Rules in Tracking Plan" call
//!   (`PUT /tracking-plans/{trackingPlanId}/rules`, `ReplaceRulesInTrackingPlanV1Input`): one
//!   `TRACK` rule per event version, `key` the event name, `version` the candor version (what
//!   the Segment encoder sends as `context.protocols.event_version`), `jsonSchema` a draft-07
//!   schema of the call whose `properties` are the event's fields.
//! - **Mixpanel Lexicon**: `mixpanel/lexicon-schemas.json`, the request body of the Lexicon
//!   Schemas API "Create/Replace Multiple" call (`POST /api/app/projects/{projectId}/schemas`):
//!   one `event` entry per event name (Lexicon has no versions: the latest version is
//!   described), properties under the names the Mixpanel encoder sends (see
//!   `candor_interop::vendor::mixpanel::property_for_field`), tags for the namespace and
//!   consent category, the event's owners as contacts.
//!
//! `pii` fields are never listed; both plans refuse unlisted properties where the vendor allows
//! (`additionalProperties: false` for Segment; Mixpanel's own `$` properties make Lexicon
//! schemas open).

use super::{to_pretty, OutputFile};
use crate::ir::{Event, Field, FieldType, Registry};
use candor_interop::vendor::mixpanel::property_for_field;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// JSON Schema dialect both vendors document.
pub const DRAFT_07: &str = "http://json-schema.org/draft-07/schema#";

/// Which plan to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Plan {
    /// Segment Protocols (Public API v1 rules).
    Segment,
    /// Mixpanel Lexicon (Schemas API entries).
    Mixpanel,
}

/// The plan's file.
pub fn emit(registry: &Registry, plan: Plan) -> OutputFile {
    match plan {
        Plan::Segment => OutputFile {
            path: "segment/tracking-plan-rules.json".into(),
            contents: to_pretty(&segment(registry)),
        },
        Plan::Mixpanel => OutputFile {
            path: "mixpanel/lexicon-schemas.json".into(),
            contents: to_pretty(&mixpanel(registry)),
        },
    }
}

/// `{"rules": [...]}` for Segment's Public API.
pub fn segment(registry: &Registry) -> Value {
    let rules: Vec<Value> = registry
        .events()
        .map(|e| {
            let (properties, required) = properties(e, |f| f.name.clone());
            json!({
                "type": "TRACK",
                "key": e.full_name,
                "version": e.version,
                "jsonSchema": {
                    "$schema": DRAFT_07,
                    "description": e.description,
                    "type": "object",
                    "properties": {
                        "context": {},
                        "traits": {},
                        "properties": {
                            "type": "object",
                            "properties": properties,
                            "required": required,
                            "additionalProperties": false,
                        },
                    },
                    "required": ["properties"],
                },
            })
        })
        .collect();
    json!({ "rules": rules })
}

/// `{"entries": [...]}` for Mixpanel's Lexicon Schemas API.
pub fn mixpanel(registry: &Registry) -> Value {
    // The latest version of each event name, in declaration order of first appearance.
    let mut latest: BTreeMap<&str, &Event> = BTreeMap::new();
    let mut order = Vec::new();
    for e in registry.events() {
        match latest.get(e.full_name.as_str()) {
            Some(seen) if seen.version >= e.version => {}
            Some(_) => {
                latest.insert(&e.full_name, e);
            }
            None => {
                order.push(e.full_name.as_str());
                latest.insert(&e.full_name, e);
            }
        }
    }
    let entries: Vec<Value> = order
        .into_iter()
        .map(|name| {
            let e = latest[name];
            let (mut properties, required) =
                properties(e, |f| property_for_field(&f.name).into_owned());
            properties.insert(
                "candor_app".into(),
                json!({"type": "string", "description": "The app that sent the event (candor app name)."}),
            );
            properties.insert(
                "candor_event_version".into(),
                json!({"type": "integer", "description": "Schema version of the event (candor version)."}),
            );
            json!({
                "entityType": "event",
                "name": e.full_name,
                "schemaJson": {
                    "$schema": DRAFT_07,
                    "description": format!("{} Purpose: {}", e.description, e.purpose),
                    "properties": properties,
                    "required": required,
                    "additionalProperties": true,
                    "metadata": {
                        "com.mixpanel": {
                            "tags": [e.namespace, format!("consent:{}", e.consent.as_str())],
                            "contacts": e.owners,
                            "hidden": false,
                            "dropped": false,
                        }
                    },
                },
            })
        })
        .collect();
    json!({ "entries": entries })
}

/// The collected fields as draft-07 properties under `name(field)`, and the required names.
fn properties(event: &Event, name: impl Fn(&Field) -> String) -> (Map<String, Value>, Vec<Value>) {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in event.collected_fields() {
        props.insert(name(f), field_schema(f));
        if !f.optional {
            required.push(Value::from(name(f)));
        }
    }
    (props, required)
}

fn field_schema(field: &Field) -> Value {
    let mut s = Map::new();
    let mut put = |k: &str, v: Value| {
        s.insert(k.to_string(), v);
    };
    match &field.ty {
        FieldType::Bool => put("type", json!("boolean")),
        FieldType::Integer { min, max, buckets } => {
            put("type", json!("integer"));
            range(
                &mut put,
                buckets.as_ref().map(|b| json!(b)),
                min.map(|v| json!(v)),
                max.map(|v| json!(v)),
            );
        }
        FieldType::Float { min, max, buckets } => {
            put("type", json!("number"));
            range(
                &mut put,
                buckets.as_ref().map(|b| json!(b)),
                min.map(|v| json!(v)),
                max.map(|v| json!(v)),
            );
        }
        FieldType::Duration { max, buckets, .. } | FieldType::Count { max, buckets } => {
            put("type", json!("integer"));
            range(
                &mut put,
                buckets.as_ref().map(|b| json!(b)),
                Some(json!(0)),
                max.map(|v| json!(v)),
            );
        }
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
                // Never anchored around a pattern that is not one expression (see json_schema).
                match crate::pattern::anchored_checked(p, crate::pattern::Spelling::JsonSchema) {
                    Ok(anchored) => put("pattern", json!(anchored)),
                    Err(_) => return Value::Bool(false),
                }
            }
        }
    }
    let unit = match &field.ty {
        FieldType::Duration { unit, .. } => format!(" (whole {})", unit.as_str()),
        _ => String::new(),
    };
    put(
        "description",
        json!(format!(
            "{}{unit}{}",
            field.description,
            super::randomized_note(field)
        )),
    );
    Value::Object(s)
}

fn range(
    put: &mut impl FnMut(&str, Value),
    buckets: Option<Value>,
    min: Option<Value>,
    max: Option<Value>,
) {
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
