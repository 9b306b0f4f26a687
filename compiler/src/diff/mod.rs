//! `candor diff`: what a change to the schema folder does, for the reviewer of a pull request.
//!
//! Both sides are compiled by the same compiler into [`Registry`]s and compared here, never as
//! YAML text. The result, a [`Report`], lists every added, removed and changed event and field,
//! marks each privacy change, works out which version bump each event needs ([`rules`]) and
//! collects the [`Failure`]s that must fail CI. It renders as Markdown for a PR comment
//! ([`markdown`]) and as JSON ([`Report::to_json`]).

mod compare;
pub mod git;
pub mod markdown;
mod metrics;
pub mod rules;

use crate::ir::{Consent, PrivacyClass, Registry};
use serde::Serialize;

/// Version of the JSON report format. Bumped on any incompatible change.
pub const REPORT_FORMAT: &str = "candor.diff/1";

/// How an event's version must change because of a change. Ordered: the bump an event needs
/// is the largest over its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Bump {
    /// Wording, ownership, retention or other changes that leave every payload as it was.
    None,
    /// Payloads of the old version stay valid and keep their meaning; new ones carry more
    /// (a new optional field, a new enum value, a wider bound). The version must still go up,
    /// because each version's JSON Schema is closed and would reject the new payloads.
    Additive,
    /// Old and new payloads are not compatible or mean different things (a removed or retyped
    /// field, a narrowed enum or bound, new buckets, another consent category).
    Breaking,
}

/// Whether an event exists on one side only or on both.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Added,
    Removed,
    Changed,
}

/// One difference between BASE and HEAD.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ChangeKind {
    EventAdded,
    EventRemoved,
    /// Only reported for an event with no other change, so a lone bump or a version going
    /// backwards is still seen.
    VersionChanged {
        from: u32,
        to: u32,
    },
    DescriptionChanged,
    PurposeChanged,
    OwnersChanged {
        from: Vec<String>,
        to: Vec<String>,
    },
    ConsentChanged {
        from: Consent,
        to: Consent,
    },
    RetentionChanged {
        from: u32,
        to: u32,
    },
    /// `from`/`to` are a date or `never`.
    ExpiryChanged {
        from: String,
        to: String,
        later: bool,
    },
    /// The event still never expires, for a newly written reason.
    ExpiryJustificationChanged,
    /// HEAD collects under a consent category that no BASE event used.
    NewConsentCategory {
        consent: Consent,
    },
    /// A limit in `candor.yaml` changed; `loosened` when it now allows more.
    PolicyChanged {
        key: &'static str,
        from: String,
        to: String,
        loosened: bool,
    },
    FieldAdded {
        class: PrivacyClass,
        optional: bool,
    },
    FieldRemoved {
        class: PrivacyClass,
    },
    /// A `sensitive` field that BASE did not have (added, or in a new event).
    NewSensitiveField,
    TypeChanged {
        from: &'static str,
        to: &'static str,
    },
    ValuesAdded {
        values: Vec<String>,
    },
    ValuesRemoved {
        values: Vec<String>,
    },
    /// A bound, unit, pattern or bucket list changed; `widened` when every value allowed before
    /// is still allowed and means the same.
    ConstraintChanged {
        constraint: &'static str,
        from: String,
        to: String,
        widened: bool,
    },
    OptionalityChanged {
        optional: bool,
    },
    ClassChanged {
        from: PrivacyClass,
        to: PrivacyClass,
        #[serde(skip_serializing_if = "Option::is_none")]
        review: Option<String>,
    },
    /// Randomized response added, removed or its ε changed (`None`: not randomised). A changed
    /// ε (raised or lowered) or a removed randomisation needs a new `review` note.
    RandomizationChanged {
        from: Option<f64>,
        to: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        review: Option<String>,
    },
    /// A field added without randomized response to an event whose other fields are
    /// randomised: it could carry what they hide, without the noise.
    PlainFieldBesideRandomized {
        randomized: Vec<String>,
    },
    JustificationRemoved,
    JustificationChanged,
    /// A `sensitive` field's `publish` changed: `true` when its counts now go into the public
    /// aggregate report.
    PublicationChanged {
        published: bool,
    },
    /// A privacy lint newly switched off for this field.
    LintAllowed {
        lint: String,
        reason: String,
    },
    AllowRemoved {
        lint: String,
    },
    FieldDescriptionChanged,
    MetricAdded,
    MetricRemoved,
    /// A metric that is `sensitive` and that BASE did not have.
    NewSensitiveMetric,
    MetricTypeChanged {
        from: &'static str,
        to: &'static str,
    },
    LabelsAdded {
        labels: Vec<String>,
    },
    LabelsRemoved {
        labels: Vec<String>,
    },
}

/// A change with its consequences.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(flatten)]
    pub kind: ChangeKind,
    /// The bump this change needs on its own.
    pub impact: Bump,
    /// Whether a privacy reviewer must look at it.
    pub privacy: bool,
    /// One Markdown sentence saying what changed.
    pub text: String,
}

/// Everything that changed about one event.
#[derive(Debug, Clone, Serialize)]
pub struct EventReport {
    pub event: String,
    pub status: Status,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_version: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_version: Option<u32>,
    /// The largest impact over `changes`.
    pub required_bump: Bump,
    /// HEAD's version is above BASE's.
    pub bumped: bool,
    pub changes: Vec<Change>,
}

/// A problem that makes `candor diff` exit 1.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Failure {
    /// The event changed in a way that needs a new version, and HEAD kept the old one.
    VersionNotBumped {
        event: String,
        needed: Bump,
        base_version: u32,
        head_version: u32,
    },
    /// HEAD's version is lower than BASE's: two contracts would share a version.
    VersionDecreased {
        event: String,
        base_version: u32,
        head_version: u32,
    },
    /// A field moved to a higher privacy class without a new `review` note.
    ClassRaisedWithoutReview {
        event: String,
        field: String,
        from: PrivacyClass,
        to: PrivacyClass,
    },
    /// A field's randomized response had its ε changed (raised or lowered) or was removed
    /// without a new `review` note.
    RandomizationChangedWithoutReview {
        event: String,
        field: String,
        from: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        to: Option<f64>,
    },
    /// A metric moved to a higher privacy class without a new `review` note.
    MetricClassRaisedWithoutReview {
        metric: String,
        from: PrivacyClass,
        to: PrivacyClass,
    },
}

/// The whole comparison.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub format: &'static str,
    /// How BASE and HEAD were named on the command line.
    pub base: String,
    pub head: String,
    /// No failures.
    pub ok: bool,
    pub failures: Vec<Failure>,
    /// Changes to the folder as a whole: policy, consent categories.
    pub registry_changes: Vec<Change>,
    /// Events with at least one change, by full name.
    pub events: Vec<EventReport>,
    /// Metrics with at least one change, by full name (absent when none changed).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub metrics: Vec<EventReport>,
}

impl Report {
    /// Every change that needs a privacy reviewer, with the event it belongs to.
    pub fn privacy_changes(&self) -> impl Iterator<Item = (Option<&str>, &Change)> {
        let registry = self.registry_changes.iter().map(|c| (None, c));
        let events = self
            .events
            .iter()
            .chain(self.metrics.iter())
            .flat_map(|e| e.changes.iter().map(move |c| (Some(e.event.as_str()), c)));
        registry.chain(events).filter(|(_, c)| c.privacy)
    }

    /// The report as pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        crate::emit::to_pretty(self)
    }

    /// The report as Markdown for a pull-request comment.
    pub fn to_markdown(&self) -> String {
        markdown::render(self)
    }
}

/// Compares two compiled schema folders. `base` and `head` label the sides in the report.
pub fn diff(base_label: &str, base: &Registry, head_label: &str, head: &Registry) -> Report {
    let registry_changes = compare::registries(base, head);
    let events = compare::events(base, head);
    let metrics = metrics::metrics(base, head);
    let mut failures = rules::failures(base, head, &events);
    failures.extend(rules::metric_failures(base, head, &metrics));
    Report {
        format: REPORT_FORMAT,
        base: base_label.to_string(),
        head: head_label.to_string(),
        ok: failures.is_empty(),
        failures,
        registry_changes,
        events,
        metrics,
    }
}
