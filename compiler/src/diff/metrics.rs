//! Walks the metrics of two registries side by side. Shared keys (description, purpose,
//! owners, consent, retention, expiry, class) are judged by the same rules as events'; what
//! only metrics have — type, unit, buckets, labels, a quantity's bounds — gets its own kinds.
//! A new or changed bucket list or unit is breaking (the counts mean other ranges); new labels
//! are additive, removed ones breaking.

use super::compare::{declared_changes, Declared};
use super::rules::change;
use super::{Bump, Change, ChangeKind, EventReport, Status};
use crate::ir::{Metric, MetricKind, PrivacyClass, Registry};
use std::collections::BTreeMap;

/// Every metric with at least one change, sorted by full name.
pub(super) fn metrics(base: &Registry, head: &Registry) -> Vec<EventReport> {
    let mut pairs: BTreeMap<&str, (Option<&Metric>, Option<&Metric>)> = BTreeMap::new();
    for m in base.metrics() {
        pairs.entry(&m.full_name).or_default().0 = Some(m);
    }
    for m in head.metrics() {
        pairs.entry(&m.full_name).or_default().1 = Some(m);
    }
    pairs
        .into_iter()
        .filter_map(|(name, pair)| {
            let (status, changes) = match pair {
                (None, Some(h)) => {
                    let mut out = vec![change(None, ChangeKind::MetricAdded, false)];
                    if h.class == PrivacyClass::Sensitive {
                        out.push(change(None, ChangeKind::NewSensitiveMetric, false));
                    }
                    (Status::Added, out)
                }
                (Some(_), None) => (
                    Status::Removed,
                    vec![change(None, ChangeKind::MetricRemoved, false)],
                ),
                (Some(b), Some(h)) => (Status::Changed, changed(b, h)),
                (None, None) => return None,
            };
            if changes.is_empty() {
                return None;
            }
            let (b, h) = pair;
            let (base_version, head_version) = (b.map(|m| m.version), h.map(|m| m.version));
            Some(EventReport {
                event: name.to_string(),
                status,
                base_version,
                head_version,
                required_bump: changes.iter().map(|c| c.impact).max().unwrap_or(Bump::None),
                bumped: matches!((base_version, head_version), (Some(b), Some(h)) if h > b),
                changes,
            })
        })
        .collect()
}

/// The keys a metric shares with events, for the shared rule.
fn declared(m: &Metric) -> Declared<'_> {
    Declared {
        description: &m.description,
        purpose: &m.purpose,
        owners: &m.owners,
        consent: m.consent,
        retention_days: m.retention_days,
        expires: &m.expires,
    }
}

fn changed(b: &Metric, h: &Metric) -> Vec<Change> {
    let mut out = Vec::new();
    let mut push = |kind| out.push(change(None, kind, true));
    declared_changes(&declared(b), &declared(h), &mut push);
    if b.class != h.class {
        let review = (h.review != b.review).then(|| h.review.clone()).flatten();
        push(ChangeKind::ClassChanged {
            from: b.class,
            to: h.class,
            review,
        });
    }
    if b.publish != h.publish {
        push(ChangeKind::PublicationChanged {
            published: h.publish,
        });
    }
    kind_changes(&b.kind, &h.kind, &mut push);
    if out.is_empty() && b.version != h.version {
        out.push(change(
            None,
            ChangeKind::VersionChanged {
                from: b.version,
                to: h.version,
            },
            false,
        ));
    }
    out
}

fn list<T: ToString>(v: &[T]) -> String {
    let items: Vec<String> = v.iter().map(ToString::to_string).collect();
    format!("[{}]", items.join(", "))
}

fn kind_changes(b: &MetricKind, h: &MetricKind, push: &mut impl FnMut(ChangeKind)) {
    let (bt, ht) = (b.metric_type(), h.metric_type());
    if bt != ht {
        push(ChangeKind::MetricTypeChanged {
            from: bt.as_str(),
            to: ht.as_str(),
        });
        return;
    }
    if let (Some(bu), Some(hu)) = (b.unit(), h.unit()) {
        if bu != hu {
            push(ChangeKind::ConstraintChanged {
                constraint: "unit",
                from: bu.as_str().to_string(),
                to: hu.as_str().to_string(),
                widened: false,
            });
        }
    }
    match (b, h) {
        (MetricKind::LabeledCounter { labels: x }, MetricKind::LabeledCounter { labels: y }) => {
            let added: Vec<String> = y.iter().filter(|l| !x.contains(l)).cloned().collect();
            let removed: Vec<String> = x.iter().filter(|l| !y.contains(l)).cloned().collect();
            if !added.is_empty() {
                push(ChangeKind::LabelsAdded { labels: added });
            }
            if !removed.is_empty() {
                push(ChangeKind::LabelsRemoved { labels: removed });
            }
        }
        (
            MetricKind::Distribution { buckets: x, .. },
            MetricKind::Distribution { buckets: y, .. },
        ) if x != y => push(ChangeKind::ConstraintChanged {
            constraint: "buckets",
            from: list(x),
            to: list(y),
            widened: false,
        }),
        (
            MetricKind::Quantity {
                min: bmin,
                max: bmax,
                ..
            },
            MetricKind::Quantity {
                min: hmin,
                max: hmax,
                ..
            },
        ) => {
            let show = |v: &Option<u64>| v.map_or("none".to_string(), |v| v.to_string());
            if bmin != hmin {
                push(ChangeKind::ConstraintChanged {
                    constraint: "min",
                    from: show(bmin),
                    to: show(hmin),
                    widened: hmin.unwrap_or(0) <= bmin.unwrap_or(0),
                });
            }
            if bmax != hmax {
                push(ChangeKind::ConstraintChanged {
                    constraint: "max",
                    from: show(bmax),
                    to: show(hmax),
                    widened: hmax.unwrap_or(u64::MAX) >= bmax.unwrap_or(u64::MAX),
                });
            }
        }
        _ => {}
    }
}
