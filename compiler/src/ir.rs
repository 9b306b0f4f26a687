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

pub use candor_core::types::YamlType;
pub use candor_core::{Consent, DurationUnit};

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
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub span: Span,
    /// Where `class:` is written, so the derive can point at the line that classes a field.
    #[serde(skip)]
    #[cfg_attr(feature = "registry-schema", schemars(skip))]
    pub class_span: Span,
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
}
