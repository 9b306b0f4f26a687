//! The registry as the collector checks against it: every event version with its fields'
//! constraints in a form that validates without allocating (patterns compiled once, names kept
//! for lookup), plus the retention, consent category and expiry each stored row carries; and
//! every metric version with what its entries in a `candor.metrics/1` document must match.

use std::collections::HashMap;

use candor_core::pattern::simple::{OwnedSteps, SimplePattern};
use candor_schema::ir::{
    Consent, Expiry, FieldType, MetricKind, PrivacyClass, RandomizedResponse, Registry,
};

use crate::keyed_hash::Keyed;

/// One event version as the collector checks it.
#[derive(Debug)]
pub struct EventSpec {
    /// `namespace.name`.
    pub name: String,
    pub version: u32,
    pub consent: Consent,
    pub retention_days: u32,
    /// Last UTC day (days since the epoch) on which the event may be collected.
    pub last_day: Option<i64>,
    /// Every declared field, `pii` ones included (their presence is refused).
    pub fields: Vec<FieldSpec>,
}

/// One metric version as the collector checks it.
#[derive(Debug)]
pub struct MetricSpec {
    /// `namespace.name`.
    pub name: String,
    pub version: u32,
    pub consent: Consent,
    pub retention_days: u32,
    /// Last UTC day (days since the epoch) on which the metric may be collected.
    pub last_day: Option<i64>,
    pub class: PrivacyClass,
    /// The type with its labels, unit, buckets and bounds.
    pub kind: MetricKind,
}

/// A declared field.
#[derive(Debug)]
pub struct FieldSpec {
    pub name: String,
    pub optional: bool,
    pub kind: Kind,
    /// The field's randomized response, when its schema declares one: what is stored is the
    /// randomised value the device sent (validated like any other, it is one of the field's
    /// values), and whoever reads the store back needs the mechanism to estimate true counts.
    pub randomized_response: Option<RandomizedResponse>,
}

/// What values a field accepts.
#[derive(Debug)]
pub enum Kind {
    /// Declared `pii`: never accepted.
    Pii,
    Bool,
    Integer {
        min: Option<i64>,
        max: Option<i64>,
        buckets: Option<Vec<i64>>,
    },
    Float {
        min: Option<f64>,
        max: Option<f64>,
        buckets: Option<Vec<f64>>,
    },
    /// `duration` and `count`: a non-negative whole number.
    Unsigned {
        max: Option<u64>,
        buckets: Option<Vec<u64>>,
    },
    /// `enum`, and `string` with `values`: one of these exactly.
    OneOf(Vec<String>),
    /// `string` with a length bound and a whole-value pattern.
    Text {
        max_len: Option<u32>,
        pattern: Option<Pattern>,
    },
}

/// A whole-value pattern: the regular expression, and, when the pattern has the common simple
/// shape (`[A-Z0-9_]+`), the byte walk that decides most values without running it.
#[derive(Debug)]
pub struct Pattern {
    regex: regex_lite::Regex,
    /// The walk's steps, and whether the walk alone decides (it refuses only what the
    /// expression refuses too).
    walk: Option<SimplePattern<OwnedSteps>>,
}

impl Pattern {
    /// Compiles `src` as the schema compiler does; `None` if it does not compile.
    pub fn new(src: &str) -> Option<Pattern> {
        let regex = candor_core::pattern::compile(src).ok()?;
        let walk = SimplePattern::parse(src);
        Some(Pattern { regex, walk })
    }

    /// Whether `value` matches as a whole. A walk that consumes the value proves a match; a
    /// walk that fails decides only when it is exact, and the expression decides otherwise.
    pub fn is_match(&self, value: &str) -> bool {
        if let Some(walk) = &self.walk {
            if walk.proves(value) {
                return true;
            }
            if walk.exact {
                return false;
            }
        }
        self.regex.is_match(value)
    }

    /// The expression alone (tests compare the walk with it).
    pub fn regex(&self) -> &regex_lite::Regex {
        &self.regex
    }
}

/// The registry's events by name.
#[derive(Debug)]
pub struct Schemas {
    events: Vec<EventSpec>,
    by_name: HashMap<String, u32, Keyed>,
    metrics: Vec<MetricSpec>,
    metrics_by_name: HashMap<String, u32, Keyed>,
}

/// A pattern in the registry that does not compile (the schema compiler refuses these, so this
/// means a registry built by other means).
#[derive(Debug)]
pub struct BadPattern {
    pub event: String,
    pub field: String,
}

impl std::fmt::Display for BadPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "the pattern of `{}.{}` does not compile",
            self.event, self.field
        )
    }
}

impl std::error::Error for BadPattern {}

impl Schemas {
    /// Prepares a compiled registry for validation.
    pub fn new(registry: &Registry) -> Result<Schemas, BadPattern> {
        let mut events = Vec::new();
        let mut by_name = HashMap::with_hasher(Keyed::default());
        for e in registry.events() {
            let mut fields = Vec::with_capacity(e.fields.len());
            for f in &e.fields {
                let kind = if !f.class.is_collectable() {
                    Kind::Pii
                } else {
                    kind_of(&f.ty).map_err(|()| BadPattern {
                        event: e.full_name.clone(),
                        field: f.name.clone(),
                    })?
                };
                fields.push(FieldSpec {
                    name: f.name.clone(),
                    optional: f.optional,
                    kind,
                    randomized_response: f.randomized_response(),
                });
            }
            by_name.insert(e.full_name.clone(), events.len() as u32);
            events.push(EventSpec {
                name: e.full_name.clone(),
                version: e.version,
                consent: e.consent,
                retention_days: e.retention_days,
                last_day: match &e.expires {
                    Expiry::On { date } => Some(date.to_days()),
                    Expiry::Never { .. } => None,
                },
                fields,
            });
        }
        let mut metrics = Vec::new();
        let mut metrics_by_name = HashMap::with_hasher(Keyed::default());
        for m in registry.metrics() {
            metrics_by_name.insert(m.full_name.clone(), metrics.len() as u32);
            metrics.push(MetricSpec {
                name: m.full_name.clone(),
                version: m.version,
                consent: m.consent,
                retention_days: m.retention_days,
                last_day: match &m.expires {
                    Expiry::On { date } => Some(date.to_days()),
                    Expiry::Never { .. } => None,
                },
                class: m.class,
                kind: m.kind.clone(),
            });
        }
        Ok(Schemas {
            events,
            by_name,
            metrics,
            metrics_by_name,
        })
    }

    /// The index of a metric by its full name.
    pub fn find_metric(&self, name: &str) -> Option<u32> {
        self.metrics_by_name.get(name).copied()
    }

    pub fn metric(&self, index: u32) -> &MetricSpec {
        &self.metrics[index as usize]
    }

    pub fn metrics(&self) -> &[MetricSpec] {
        &self.metrics
    }

    /// The index of an event by its full name.
    pub fn find(&self, name: &str) -> Option<u32> {
        self.by_name.get(name).copied()
    }

    pub fn event(&self, index: u32) -> &EventSpec {
        &self.events[index as usize]
    }

    pub fn events(&self) -> &[EventSpec] {
        &self.events
    }
}

fn kind_of(ty: &FieldType) -> Result<Kind, ()> {
    Ok(match ty {
        FieldType::Bool => Kind::Bool,
        FieldType::Integer { min, max, buckets } => Kind::Integer {
            min: *min,
            max: *max,
            buckets: buckets.clone(),
        },
        FieldType::Float { min, max, buckets } => Kind::Float {
            min: *min,
            max: *max,
            buckets: buckets.clone(),
        },
        FieldType::Duration { max, buckets, .. } | FieldType::Count { max, buckets } => {
            Kind::Unsigned {
                max: *max,
                buckets: buckets.clone(),
            }
        }
        FieldType::Enum { values } => Kind::OneOf(values.clone()),
        FieldType::String {
            values: Some(values),
            ..
        } => Kind::OneOf(values.clone()),
        FieldType::String {
            values: None,
            max_len,
            pattern,
        } => Kind::Text {
            max_len: *max_len,
            pattern: match pattern.as_deref() {
                Some(src) => Some(Pattern::new(src).ok_or(())?),
                None => None,
            },
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_randomised_field_keeps_its_declaration_and_validates_as_its_values() {
        let yaml = [
            "namespace: s",
            "description: d",
            "owners: [o@example.org]",
            "defaults: { consent: usage, retention_days: 30, expires: 2027-06-30 }",
            "events:",
            "  e:",
            "    description: d",
            "    purpose: p",
            "    version: 1",
            "    fields:",
            "      a:",
            "        type: enum",
            "        values: [x, y, z]",
            "        class: interaction",
            "        description: d",
            "        privacy: { randomized_response: { epsilon: 1.5 } }",
            "      b: { type: bool, class: interaction, description: d }",
        ]
        .join("\n");
        let compiled = candor_schema::compile_str(
            "s.yaml",
            &yaml,
            &candor_schema::Options {
                today: candor_schema::Date::parse("2026-11-22"),
                ..Default::default()
            },
        );
        let registry = compiled.registry.expect("compiles");
        let schemas = Schemas::new(&registry).unwrap();
        let e = schemas.event(schemas.find("s.e").unwrap());
        let rr = e.fields[0].randomized_response.expect("kept");
        assert_eq!((rr.epsilon(), rr.k()), (1.5, 3));
        assert!(matches!(&e.fields[0].kind, Kind::OneOf(v) if v.len() == 3));
        assert!(e.fields[1].randomized_response.is_none());
    }
}
