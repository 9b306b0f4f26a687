//! The one validated representation of a schema folder, consumed by the derive, the docs and
//! the JSON Schema emitter alike.
//!
//! A [`Registry`] only exists when the schemas have no errors, so consumers may rely on every
//! invariant the checker enforces (names are snake_case and unique, enums have values, strings
//! are bounded, ...). Spans are kept for messages but never serialized: `registry.json` must
//! not change when a comment moves a line.

use crate::date::Date;
use crate::source::Span;
use serde::Serialize;
use std::fmt;

pub use candor_core::randomized_response::RandomizedResponse;
pub use candor_core::types::YamlType;
pub use candor_core::{Consent, DurationUnit, MetricType, MetricUnit};

/// Version of the `registry.json` format. Bumped on any incompatible change.
pub const REGISTRY_FORMAT: &str = "candor.registry/1";

/// Every namespace of a schema folder, in file order, plus the policy they were checked against.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Registry {
    /// Always [`REGISTRY_FORMAT`].
    pub format: &'static str,
    pub policy: Policy,
    pub namespaces: Vec<Namespace>,
}

impl Registry {
    /// All events, namespace by namespace, in declaration order.
    pub fn events(&self) -> impl Iterator<Item = &Event> {
        self.namespaces.iter().flat_map(|n| n.events.iter())
    }

    /// All metrics, namespace by namespace, in declaration order.
    pub fn metrics(&self) -> impl Iterator<Item = &Metric> {
        self.namespaces.iter().flat_map(|n| n.metrics.iter())
    }

    /// Looks a metric up by its full name (`namespace.metric`).
    pub fn metric(&self, full_name: &str) -> Option<&Metric> {
        let (ns, name) = full_name.split_once('.')?;
        self.namespaces
            .iter()
            .find(|n| n.name == ns)?
            .metrics
            .iter()
            .find(|m| m.name == name)
    }

    /// Looks an event up by its full name (`namespace.event`).
    pub fn event(&self, full_name: &str) -> Option<&Event> {
        let (ns, name) = full_name.split_once('.')?;
        self.namespaces
            .iter()
            .find(|n| n.name == ns)?
            .events
            .iter()
            .find(|e| e.name == name)
    }
}

/// The limits a project sets in `schemas/candor.yaml`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Policy {
    /// Longest allowed `retention_days`. Default 30: the strictest deletion window among the
    /// promises candor is built for (MetaMask deletes individual data points after one month).
    pub max_retention_days: u32,
    /// How far ahead `expires` may be, in days. Default 730.
    pub max_expiry_days: u32,
    /// Longest `max_len` a string field may declare. Default 64.
    pub max_string_len: u32,
    /// Extra words (snake_case segments) the `personal-name` lint treats as personal data.
    pub extra_personal_words: Vec<String>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            max_retention_days: 30,
            max_expiry_days: 730,
            max_string_len: 64,
            extra_personal_words: Vec::new(),
        }
    }
}

/// One schema file: a namespace of events.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Namespace {
    pub name: String,
    pub description: String,
    /// The file it came from, relative to the schema folder, `/`-separated.
    pub file: String,
    pub events: Vec<Event>,
    /// Metrics aggregated on the device (`metrics:`), in declaration order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<Metric>,
    /// Where the `namespace:` value is written.
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
}

/// A declared event. Its identity on the wire is `full_name` + `version`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Event {
    /// `namespace.name`.
    pub full_name: String,
    pub namespace: String,
    pub name: String,
    pub description: String,
    pub purpose: String,
    pub version: u32,
    pub owners: Vec<String>,
    pub consent: Consent,
    pub retention_days: u32,
    pub expires: Expiry,
    pub fields: Vec<Field>,
    /// `error_report: true`: the runtime's panic hook fills this event in (its fields are
    /// checked to be `site`, `frames` and `frames_omitted`). Left out of the JSON when false,
    /// so fingerprints of other events do not change.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "registry-schema", schemars(default))]
    pub error_report: bool,
    /// 16 hex digits over everything above: changes whenever the reviewed contract changes.
    pub fingerprint: String,
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
}

impl Event {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// Fields that may be sent: everything below `pii`.
    pub fn collected_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.class.is_collectable())
    }
}

/// When an event stops being collected.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Expiry {
    On { date: Date },
    Never { justification: String },
}

/// Privacy classes in rising order of risk. `Ord` follows that order, so `a > b` means "more
/// personal".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum PrivacyClass {
    /// About the software or device: versions, OS family, errors, timings.
    Technical,
    /// How the person uses features.
    Interaction,
    /// Could narrow down who someone is or what they hold when combined; needs a justification.
    Sensitive,
    /// Identifies a person or their assets. Declared only to be listed as never collected.
    Pii,
}

impl PrivacyClass {
    pub const ALL: [PrivacyClass; 4] = [
        PrivacyClass::Technical,
        PrivacyClass::Interaction,
        PrivacyClass::Sensitive,
        PrivacyClass::Pii,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyClass::Technical => "technical",
            PrivacyClass::Interaction => "interaction",
            PrivacyClass::Sensitive => "sensitive",
            PrivacyClass::Pii => "pii",
        }
    }

    pub fn parse(s: &str) -> Option<PrivacyClass> {
        PrivacyClass::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// Whether a field of this class may ever leave the device.
    pub fn is_collectable(self) -> bool {
        self != PrivacyClass::Pii
    }
}

impl fmt::Display for PrivacyClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field of an event.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Field {
    pub name: String,
    pub description: String,
    #[serde(flatten)]
    pub ty: FieldType,
    pub class: PrivacyClass,
    /// Absent from a payload is allowed (`Option<_>` in Rust).
    pub optional: bool,
    /// Why a `sensitive` field is needed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// A reviewer's note accepting a raised privacy class (read by `candor diff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// Lints suppressed on this field, each with its written reason; shown in the public docs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Allow>,
    /// Local differential privacy applied on the device before the value is queued.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy: Option<FieldPrivacy>,
    /// `publish: true` on a `sensitive` field: its counts appear in the public aggregate report
    /// (`candor report`), which otherwise leaves sensitive fields out. Written only when set,
    /// so fingerprints of fields without it are unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub publish: bool,
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
    /// Where `class:` is written, so the derive can point at the line that classes a field.
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub class_span: Span,
}

impl Field {
    /// The randomized response mechanism of a field that declares one, over the field's
    /// [`categories`](FieldType::categories). A lowered field always has both (the checker
    /// refuses the declaration on a type without categories).
    pub fn randomized_response(&self) -> Option<RandomizedResponse> {
        let rr = self.privacy.as_ref()?.randomized_response.as_ref()?;
        let k = u32::try_from(self.ty.categories()?).ok()?;
        RandomizedResponse::new(rr.epsilon, k).ok()
    }
}

/// `privacy:` of a field: protections applied on the device, beyond coarsening.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct FieldPrivacy {
    /// k-ary randomized response: the device reports the true category with probability
    /// `p = e^ε/(e^ε+k−1)`, otherwise one of the other `k − 1` at random
    /// (`candor_core::randomized_response`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub randomized_response: Option<RandomizedResponseSpec>,
}

/// `randomized_response: { epsilon: E }` as declared.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct RandomizedResponseSpec {
    /// The privacy parameter ε, in `(0, 10]`: smaller is more private (and noisier).
    pub epsilon: f64,
    /// Where the ε value is written.
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
}

/// A suppressed lint and the reason written for it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Allow {
    pub lint: String,
    pub reason: String,
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
}

/// A field's type with the constraints that apply to it. Numeric `buckets` are strictly
/// increasing bounds: a value is sent as the largest bound not above it (values below the first
/// bound are sent as the first bound).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum FieldType {
    Bool,
    Integer {
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        buckets: Option<Vec<i64>>,
    },
    Float {
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        buckets: Option<Vec<f64>>,
    },
    Enum {
        values: Vec<String>,
    },
    /// Never free text: either `values`, or `max_len` with a whole-value `pattern` (both are
    /// absent only on `pii` fields, which are never sent).
    String {
        #[serde(skip_serializing_if = "Option::is_none")]
        values: Option<Vec<String>>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_len: Option<u32>,
        #[serde(skip_serializing_if = "Option::is_none")]
        pattern: Option<String>,
    },
    /// A non-negative whole number of `unit`s.
    Duration {
        unit: DurationUnit,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        buckets: Option<Vec<u64>>,
    },
    /// A non-negative count of things.
    Count {
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        buckets: Option<Vec<u64>>,
    },
}

impl FieldType {
    /// Which of the schema language's types this is.
    pub fn kind(&self) -> YamlType {
        match self {
            FieldType::Bool => YamlType::Bool,
            FieldType::Integer { .. } => YamlType::Integer,
            FieldType::Float { .. } => YamlType::Float,
            FieldType::Enum { .. } => YamlType::Enum,
            FieldType::String { .. } => YamlType::String,
            FieldType::Duration { .. } => YamlType::Duration,
            FieldType::Count { .. } => YamlType::Count,
        }
    }

    /// The YAML spelling of the type.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }

    /// How many values the field can take on the wire, when that is a closed set: `bool` 2, an
    /// `enum` or a `string` with `values` the number of values, a bucketed number the number of
    /// buckets. `None` for open-ended types. This is the `k` of randomized response, and
    /// [`category_labels`](Self::category_labels) lists the categories in the order its
    /// estimates use.
    pub fn categories(&self) -> Option<usize> {
        match self {
            FieldType::Bool => Some(2),
            FieldType::Enum { values }
            | FieldType::String {
                values: Some(values),
                ..
            } => Some(values.len()),
            FieldType::Integer {
                buckets: Some(b), ..
            } => Some(b.len()),
            FieldType::Float {
                buckets: Some(b), ..
            } => Some(b.len()),
            FieldType::Count {
                buckets: Some(b), ..
            }
            | FieldType::Duration {
                buckets: Some(b), ..
            } => Some(b.len()),
            _ => None,
        }
    }

    /// The categories as they are written in a wire document's JSON (`false`, `true`; `"a"`;
    /// `1000`; `0.5`), in the field's order: index `i` of the estimates of
    /// [`RandomizedResponse::estimate`] is `category_labels()[i]`. `None` like
    /// [`categories`](Self::categories).
    pub fn category_labels(&self) -> Option<Vec<String>> {
        let quoted = |v: &[String]| {
            v.iter()
                .map(|s| serde_json::to_string(s).expect("a string serializes"))
                .collect()
        };
        match self {
            FieldType::Bool => Some(vec!["false".into(), "true".into()]),
            FieldType::Enum { values }
            | FieldType::String {
                values: Some(values),
                ..
            } => Some(quoted(values)),
            FieldType::Integer {
                buckets: Some(b), ..
            } => Some(b.iter().map(i64::to_string).collect()),
            FieldType::Float {
                buckets: Some(b), ..
            } => Some(
                b.iter()
                    .map(|v| serde_json::to_string(v).expect("a finite float serializes"))
                    .collect(),
            ),
            FieldType::Count {
                buckets: Some(b), ..
            }
            | FieldType::Duration {
                buckets: Some(b), ..
            } => Some(b.iter().map(u64::to_string).collect()),
            _ => None,
        }
    }
}

/// A declared metric: aggregated on the device over an interval and sent in one
/// `candor.metrics/1` document per consent category. Its identity on the wire is `full_name` +
/// `version`, like an event's.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
pub struct Metric {
    /// `namespace.name`.
    pub full_name: String,
    pub namespace: String,
    pub name: String,
    pub description: String,
    pub purpose: String,
    pub version: u32,
    pub owners: Vec<String>,
    pub consent: Consent,
    pub retention_days: u32,
    pub expires: Expiry,
    /// Never `pii`: a metric is always sent when its consent holds.
    pub class: PrivacyClass,
    #[serde(flatten)]
    pub kind: MetricKind,
    /// Why a `sensitive` metric is needed (required for that class); published on the
    /// transparency page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// A reviewer's note accepting a raised privacy class (read by `candor diff`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub review: Option<String>,
    /// Lints suppressed on this metric, each with its written reason.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub allow: Vec<Allow>,
    /// `publish: true` on a `sensitive` metric: its numbers appear in the public aggregate
    /// report (`candor report`), which otherwise leaves sensitive metrics out. Written only
    /// when set, so fingerprints of metrics without it are unchanged.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub publish: bool,
    /// 16 hex digits over everything above.
    pub fingerprint: String,
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
    /// Where `type:` is written, so the derive can point at it.
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub type_span: Span,
}

/// A metric's type with what it needs: labels, buckets, unit, bounds.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "registry-schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum MetricKind {
    /// A count of occurrences.
    Counter,
    /// A count per label; `labels` is the closed list, snake_case, no duplicates.
    LabeledCounter { labels: Vec<String> },
    /// Values counted into `buckets` (strictly increasing lower bounds, at least two).
    Distribution { unit: MetricUnit, buckets: Vec<u64> },
    /// The last value set in the interval, clamped to `min`/`max` when set.
    Quantity {
        unit: MetricUnit,
        #[serde(skip_serializing_if = "Option::is_none")]
        min: Option<u64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max: Option<u64>,
    },
}

impl MetricKind {
    /// Which metric type this is.
    pub fn metric_type(&self) -> MetricType {
        match self {
            MetricKind::Counter => MetricType::Counter,
            MetricKind::LabeledCounter { .. } => MetricType::LabeledCounter,
            MetricKind::Distribution { .. } => MetricType::Distribution,
            MetricKind::Quantity { .. } => MetricType::Quantity,
        }
    }

    /// The unit values are in, for types that have one.
    pub fn unit(&self) -> Option<MetricUnit> {
        match self {
            MetricKind::Distribution { unit, .. } | MetricKind::Quantity { unit, .. } => {
                Some(*unit)
            }
            _ => None,
        }
    }
}
