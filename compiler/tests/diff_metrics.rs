//! `candor diff` on metrics: each kind of change with its bump, privacy flag and failure.

#[path = "golden/support.rs"]
mod support;

use candor_schema::diff::{self, Bump, ChangeKind, Failure, Report, Status};
use candor_schema::ir::PrivacyClass;

const BASE: &str = r#"namespace: node
description: A node.
owners: [node@example.org]
defaults: { consent: performance, retention_days: 14, expires: 2027-06-30 }
metrics:
  blocks_synced:
    type: counter
    class: technical
    description: Blocks synced.
    purpose: Size batches.
    version: 1
  sync_errors:
    type: labeled_counter
    labels: [timeout, refused]
    class: technical
    description: Sync errors.
    purpose: Fix errors.
    version: 1
  sync_time:
    type: distribution
    unit: ms
    buckets: [0, 100, 1000]
    class: technical
    description: Sync time.
    purpose: Catch regressions.
    version: 1
  peers:
    type: quantity
    unit: count
    max: 64
    class: technical
    description: Peers.
    purpose: Bootstrap servers.
    version: 1
"#;

fn diff_with(edits: &[(&str, &str)]) -> Report {
    let mut head = BASE.to_string();
    for (from, to) in edits {
        assert_eq!(
            head.matches(from).count(),
            1,
            "edit `{from}` must match once"
        );
        head = head.replacen(from, to, 1);
    }
    let b = support::compile_one("node.yaml", BASE);
    let h = support::compile_one("node.yaml", &head);
    diff::diff("base", &b, "head", &h)
}

fn metric<'a>(r: &'a Report, name: &str) -> &'a diff::EventReport {
    r.metrics
        .iter()
        .find(|m| m.event == name)
        .unwrap_or_else(|| panic!("{name} not in report: {r:#?}"))
}

fn kinds(m: &diff::EventReport) -> Vec<&ChangeKind> {
    m.changes.iter().map(|c| &c.kind).collect()
}

#[test]
fn unchanged_metrics_report_nothing() {
    let r = diff_with(&[]);
    assert!(r.ok && r.metrics.is_empty());
    assert!(!r.to_json().contains("\"metrics\""), "absent when empty");
}

#[test]
fn a_new_metric_is_reported_and_a_sensitive_one_is_a_privacy_change() {
    let r = diff_with(&[(
        "metrics:\n",
        "metrics:\n  large_syncs:\n    type: counter\n    class: sensitive\n    justification: Rare.\n    description: Large syncs.\n    purpose: Limits.\n    version: 1\n",
    )]);
    let m = metric(&r, "node.large_syncs");
    assert_eq!(m.status, Status::Added);
    assert_eq!(
        kinds(m),
        [&ChangeKind::MetricAdded, &ChangeKind::NewSensitiveMetric]
    );
    assert!(r
        .privacy_changes()
        .any(|(n, _)| n == Some("node.large_syncs")));
    assert!(r.ok);
    assert!(r
        .to_markdown()
        .contains("### Metrics: 1 added, 0 removed, 0 changed"));
}

#[test]
fn a_removed_metric_is_reported() {
    let r = diff_with(&[(
        "  peers:\n    type: quantity\n    unit: count\n    max: 64\n    class: technical\n    description: Peers.\n    purpose: Bootstrap servers.\n    version: 1\n",
        "",
    )]);
    assert_eq!(metric(&r, "node.peers").status, Status::Removed);
}

#[test]
fn changed_buckets_are_breaking_and_fail_without_a_bump() {
    let r = diff_with(&[("buckets: [0, 100, 1000]", "buckets: [0, 50, 1000]")]);
    let m = metric(&r, "node.sync_time");
    assert_eq!(m.required_bump, Bump::Breaking);
    assert!(matches!(
        kinds(m)[..],
        [ChangeKind::ConstraintChanged {
            constraint: "buckets",
            widened: false,
            ..
        }]
    ));
    assert!(matches!(
        &r.failures[..],
        [Failure::VersionNotBumped { event, .. }] if event == "node.sync_time"
    ));
    let bumped = diff_with(&[
        ("buckets: [0, 100, 1000]", "buckets: [0, 50, 1000]"),
        (
            "purpose: Catch regressions.\n    version: 1",
            "purpose: Catch regressions.\n    version: 2",
        ),
    ]);
    assert!(bumped.ok, "{:?}", bumped.failures);
}

#[test]
fn labels_added_are_additive_and_removed_are_breaking() {
    let r = diff_with(&[(
        "labels: [timeout, refused]",
        "labels: [timeout, refused, other]",
    )]);
    let m = metric(&r, "node.sync_errors");
    assert_eq!(
        kinds(m),
        [&ChangeKind::LabelsAdded {
            labels: vec!["other".into()]
        }]
    );
    assert_eq!(m.required_bump, Bump::Additive);
    let r = diff_with(&[("labels: [timeout, refused]", "labels: [timeout]")]);
    let m = metric(&r, "node.sync_errors");
    assert_eq!(
        kinds(m),
        [&ChangeKind::LabelsRemoved {
            labels: vec!["refused".into()]
        }]
    );
    assert_eq!(m.required_bump, Bump::Breaking);
}

#[test]
fn a_retyped_metric_or_a_new_unit_is_breaking() {
    let r = diff_with(&[("type: counter", "type: quantity\n    unit: count")]);
    let m = metric(&r, "node.blocks_synced");
    assert!(matches!(
        kinds(m)[..],
        [ChangeKind::MetricTypeChanged {
            from: "counter",
            to: "quantity"
        }]
    ));
    assert_eq!(m.required_bump, Bump::Breaking);
    let r = diff_with(&[("unit: ms", "unit: us")]);
    assert_eq!(metric(&r, "node.sync_time").required_bump, Bump::Breaking);
}

#[test]
fn a_raised_class_needs_a_new_review_note() {
    let raise = (
        "class: technical\n    description: Peers.",
        "class: interaction\n    description: Peers.",
    );
    let r = diff_with(&[raise]);
    let m = metric(&r, "node.peers");
    assert!(m.changes.iter().any(|c| c.privacy
        && matches!(
            c.kind,
            ChangeKind::ClassChanged {
                from: PrivacyClass::Technical,
                to: PrivacyClass::Interaction,
                ..
            }
        )));
    assert!(r.failures.iter().any(|f| matches!(
        f,
        Failure::MetricClassRaisedWithoutReview { metric, .. } if metric == "node.peers"
    )));
    assert!(r.to_markdown().contains("without a new `review` note"));
    let reviewed = diff_with(&[(
        "class: technical\n    description: Peers.",
        "class: interaction\n    review: Counts only, no peer identity.\n    description: Peers.",
    )]);
    assert!(!reviewed
        .failures
        .iter()
        .any(|f| matches!(f, Failure::MetricClassRaisedWithoutReview { .. })));
}

#[test]
fn a_consent_change_is_a_privacy_change_and_breaking() {
    let r = diff_with(&[(
        "description: Blocks synced.",
        "description: Blocks synced.\n    consent: usage",
    )]);
    let m = metric(&r, "node.blocks_synced");
    assert!(m
        .changes
        .iter()
        .any(|c| c.privacy && matches!(c.kind, ChangeKind::ConsentChanged { .. })));
    assert_eq!(m.required_bump, Bump::Breaking);
}

#[test]
fn a_wider_quantity_is_additive() {
    let r = diff_with(&[("max: 64", "max: 128")]);
    assert_eq!(metric(&r, "node.peers").required_bump, Bump::Additive);
    let r = diff_with(&[("max: 64", "max: 32")]);
    assert_eq!(metric(&r, "node.peers").required_bump, Bump::Breaking);
}

#[test]
fn publishing_a_sensitive_metric_is_a_privacy_change() {
    let sensitive = (
        "class: technical\n    description: Peers.",
        "class: sensitive\n    justification: Coarse counts only.\n    review: Reviewed.\n    description: Peers.",
    );
    let published = (
        "class: technical\n    description: Peers.",
        "class: sensitive\n    justification: Coarse counts only.\n    review: Reviewed.\n    publish: true\n    description: Peers.",
    );
    let b = support::compile_one("node.yaml", &BASE.replacen(sensitive.0, sensitive.1, 1));
    let h = support::compile_one("node.yaml", &BASE.replacen(published.0, published.1, 1));
    assert!(b.metric("node.peers").is_some_and(|m| !m.publish));
    assert!(h.metric("node.peers").is_some_and(|m| m.publish));
    let r = diff::diff("base", &b, "head", &h);
    let m = metric(&r, "node.peers");
    assert!(
        m.changes
            .iter()
            .any(|c| c.privacy
                && matches!(c.kind, ChangeKind::PublicationChanged { published: true })),
        "{m:#?}"
    );
    assert!(r
        .to_markdown()
        .contains("this sensitive metric is now published"));
    // Taking it back out is reported too, and is not a privacy raise.
    let back = diff::diff("head", &h, "base", &b);
    let m = metric(&back, "node.peers");
    assert!(m.changes.iter().any(
        |c| !c.privacy && matches!(c.kind, ChangeKind::PublicationChanged { published: false })
    ));
}
