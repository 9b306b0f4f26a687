//! JSON Schema (draft 2020-12) for one metric version: the exact shape of one element of a
//! `candor.metrics/1` document's `metrics` array (see `docs/wire-format.md`), so a server can
//! hold what it receives to what was declared: the type, the unit, the buckets, the closed
//! list of labels, the bounds of a quantity.

use super::json_schema::DRAFT;
use super::{to_pretty, OutputFile};
use crate::ir::{Metric, MetricKind, Registry};
use serde_json::{json, Map, Value};

/// The file name of a metric version's schema.
pub fn file_name(metric: &Metric) -> String {
    format!(
        "metrics/{}.v{}.schema.json",
        metric.full_name, metric.version
    )
}

/// One schema file per metric version.
pub fn all(registry: &Registry) -> Vec<OutputFile> {
    registry
        .metrics()
        .map(|m| OutputFile {
            path: file_name(m),
            contents: to_pretty(&metric_schema(m)),
        })
        .collect()
}

const U64_MAX: u64 = u64::MAX;

/// The schema of one metric object.
pub fn metric_schema(m: &Metric) -> Value {
    let count = json!({ "type": "integer", "minimum": 0, "maximum": U64_MAX });
    let mut properties = Map::new();
    properties.insert("name".into(), json!({ "const": m.full_name }));
    properties.insert("version".into(), json!({ "const": m.version }));
    properties.insert(
        "type".into(),
        json!({ "const": m.kind.metric_type().as_str() }),
    );
    let mut required = vec!["name", "version", "type"];
    match &m.kind {
        MetricKind::Counter => {
            properties.insert("value".into(), count.clone());
            required.push("value");
        }
        MetricKind::LabeledCounter { labels } => {
            let mut each = Map::new();
            for l in labels {
                each.insert(l.clone(), count.clone());
            }
            properties.insert(
                "values".into(),
                json!({
                    "type": "object",
                    "minProperties": 1,
                    "properties": each,
                    "additionalProperties": false
                }),
            );
            required.push("values");
        }
        MetricKind::Distribution { unit, buckets } => {
            properties.insert("unit".into(), json!({ "const": unit.as_str() }));
            properties.insert("buckets".into(), json!({ "const": buckets }));
            properties.insert(
                "counts".into(),
                json!({
                    "type": "array",
                    "items": count,
                    "minItems": buckets.len(),
                    "maxItems": buckets.len()
                }),
            );
            properties.insert("sum".into(), count.clone());
            required.extend(["unit", "buckets", "counts", "sum"]);
        }
        MetricKind::Quantity { unit, min, max } => {
            properties.insert("unit".into(), json!({ "const": unit.as_str() }));
            properties.insert(
                "value".into(),
                json!({
                    "type": "integer",
                    "minimum": min.unwrap_or(0),
                    "maximum": max.unwrap_or(U64_MAX - 1)
                }),
            );
            required.extend(["unit", "value"]);
        }
    }
    json!({
        "$schema": DRAFT,
        "$id": format!("urn:candor:metric:{}:v{}", m.full_name, m.version),
        "title": format!("{} v{}", m.full_name, m.version),
        "description": m.description,
        "x-candor-consent": m.consent.as_str(),
        "x-candor-fingerprint": m.fingerprint,
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false
    })
}
