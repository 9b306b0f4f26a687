//! The review rules: which version bump a change needs, which changes are privacy changes, how
//! each is worded, and which situations fail the check. Written down in `docs/transparency.md`.

use super::{Bump, Change, ChangeKind, EventReport, Failure, Status};
use crate::docs::markdown::code_literal as c;
use crate::ir::{PrivacyClass, Registry};

/// A change with its impact, privacy flag and wording. `in_payload`: the field concerned is
/// sent on at least one side (a field classed `pii` on both sides never is, so reshaping it
/// needs no bump).
pub fn change(field: Option<&str>, kind: ChangeKind, in_payload: bool) -> Change {
    let text = text(field, &kind);
    Change {
        field: field.map(str::to_string),
        impact: impact(&kind, in_payload),
        privacy: is_privacy(&kind),
        text,
        kind,
    }
}

/// The bump a change needs on its own.
pub fn impact(kind: &ChangeKind, in_payload: bool) -> Bump {
    use ChangeKind as K;
    let shape = |b: Bump| if in_payload { b } else { Bump::None };
    match kind {
        K::ConsentChanged { .. } => Bump::Breaking,
        K::FieldAdded { optional: true, .. } => shape(Bump::Additive),
        K::FieldAdded {
            optional: false, ..
        } => shape(Bump::Breaking),
        K::FieldRemoved { .. }
        | K::TypeChanged { .. }
        | K::ValuesRemoved { .. }
        | K::OptionalityChanged { .. } => shape(Bump::Breaking),
        K::ValuesAdded { .. } | K::LabelsAdded { .. } => shape(Bump::Additive),
        K::MetricTypeChanged { .. } | K::LabelsRemoved { .. } => shape(Bump::Breaking),
        K::ConstraintChanged { widened: true, .. } => shape(Bump::Additive),
        K::ConstraintChanged { widened: false, .. } => shape(Bump::Breaking),
        // Stops being sent: to consumers the field is removed.
        K::ClassChanged {
            to: PrivacyClass::Pii,
            ..
        } => shape(Bump::Breaking),
        K::ClassChanged { .. }
        | K::EventAdded
        | K::EventRemoved
        | K::VersionChanged { .. }
        | K::DescriptionChanged
        | K::PurposeChanged
        | K::OwnersChanged { .. }
        | K::RetentionChanged { .. }
        | K::ExpiryChanged { .. }
        | K::ExpiryJustificationChanged
        | K::NewConsentCategory { .. }
        | K::PolicyChanged { .. }
        | K::NewSensitiveField
        | K::JustificationRemoved
        | K::JustificationChanged
        | K::PublicationChanged { .. }
        | K::LintAllowed { .. }
        | K::AllowRemoved { .. }
        | K::RandomizationChanged { .. }
        | K::PlainFieldBesideRandomized { .. }
        | K::FieldDescriptionChanged
        | K::MetricAdded
        | K::MetricRemoved
        | K::NewSensitiveMetric => Bump::None,
    }
}

/// Whether a privacy reviewer must look at the change: it lets more personal data out, keeps
/// it longer, collects it for another reason or under another consent, or weakens a safeguard.
pub fn is_privacy(kind: &ChangeKind) -> bool {
    use ChangeKind as K;
    match kind {
        K::ClassChanged { from, to, .. } => to > from,
        K::RetentionChanged { from, to } => to > from,
        K::ExpiryChanged { later, .. } => *later,
        K::PolicyChanged { loosened, .. } => *loosened,
        K::RandomizationChanged { from, to, .. } => needs_review(*from, *to),
        K::PublicationChanged { published } => *published,
        K::NewSensitiveField
        | K::PlainFieldBesideRandomized { .. }
        | K::NewSensitiveMetric
        | K::ExpiryJustificationChanged
        | K::NewConsentCategory { .. }
        | K::ConsentChanged { .. }
        | K::PurposeChanged
        | K::JustificationRemoved
        | K::JustificationChanged
        | K::LintAllowed { .. } => true,
        K::EventAdded
        | K::EventRemoved
        | K::VersionChanged { .. }
        | K::DescriptionChanged
        | K::OwnersChanged { .. }
        | K::FieldAdded { .. }
        | K::FieldRemoved { .. }
        | K::TypeChanged { .. }
        | K::ValuesAdded { .. }
        | K::ValuesRemoved { .. }
        | K::ConstraintChanged { .. }
        | K::OptionalityChanged { .. }
        | K::AllowRemoved { .. }
        | K::FieldDescriptionChanged
        | K::MetricAdded
        | K::MetricRemoved
        | K::MetricTypeChanged { .. }
        | K::LabelsAdded { .. }
        | K::LabelsRemoved { .. } => false,
    }
}

/// Whether going from ε `from` to ε `to` (`None`: not randomised) needs a privacy reviewer's
/// note: the randomisation is removed, or ε changed either way. A raised ε keeps the true value
/// more often (weaker protection); a lowered one protects more but changes what every published
/// estimate means (wider intervals, a different mechanism the transparency page described),
/// so it is reviewed too. Adding randomisation to a field needs no note.
pub fn needs_review(from: Option<f64>, to: Option<f64>) -> bool {
    match (from, to) {
        (Some(_), None) => true,
        (Some(a), Some(b)) => a != b,
        (None, _) => false,
    }
}

fn list(values: &[String]) -> String {
    values.iter().map(|v| c(v)).collect::<Vec<_>>().join(", ")
}

/// One Markdown sentence for a change.
pub fn text(field: Option<&str>, kind: &ChangeKind) -> String {
    use ChangeKind as K;
    let f = field.map(c).unwrap_or_default();
    match kind {
        K::EventAdded => "new event".to_string(),
        K::EventRemoved => "event removed".to_string(),
        K::VersionChanged { from, to } => {
            format!("version changed from {from} to {to}, nothing else")
        }
        K::DescriptionChanged => "description reworded".to_string(),
        K::PurposeChanged => {
            "purpose changed: check that consent given for the old purpose covers the new one"
                .to_string()
        }
        K::OwnersChanged { from, to } => {
            format!("owners changed from {} to {}", list(from), list(to))
        }
        K::ConsentChanged { from, to } => format!(
            "consent category changed from {} to {}",
            c(from.as_str()),
            c(to.as_str())
        ),
        K::RetentionChanged { from, to } if to > from => {
            format!("kept longer: retention raised from {from} to {to} days")
        }
        K::RetentionChanged { from, to } => format!("retention lowered from {from} to {to} days"),
        K::ExpiryChanged {
            from,
            to,
            later: true,
        } => format!("collected longer: expiry moved from {from} to {to}"),
        K::ExpiryChanged { from, to, .. } => format!("expiry moved from {from} to {to}"),
        K::ExpiryJustificationChanged => {
            "still never expires, for a newly written reason".to_string()
        }
        K::NewConsentCategory { consent } => format!(
            "new consent category: data is now collected under {}, which no event used before",
            c(consent.as_str())
        ),
        K::PolicyChanged {
            key,
            from,
            to,
            loosened,
        } => format!(
            "policy {} changed from {} to {}{}",
            c(key),
            if from.is_empty() { "nothing" } else { from },
            if to.is_empty() { "nothing" } else { to },
            if *loosened { " (looser)" } else { "" }
        ),
        K::FieldAdded { class, optional } => format!(
            "field {f} added ({}, {})",
            c(class.as_str()),
            if *optional { "optional" } else { "required" }
        ),
        K::FieldRemoved { class } => format!("field {f} removed (was {})", c(class.as_str())),
        K::NewSensitiveField => format!("new `sensitive` field {f}"),
        K::TypeChanged { from, to } => format!("field {f} retyped from {} to {}", c(from), c(to)),
        K::ValuesAdded { values } => format!("field {f} allows new values {}", list(values)),
        K::ValuesRemoved { values } => {
            format!("field {f} no longer allows {} (narrowed)", list(values))
        }
        K::ConstraintChanged {
            constraint,
            from,
            to,
            widened,
        } => format!(
            "{}{} changed from {} to {}{}",
            if field.is_some() {
                format!("field {f}: ")
            } else {
                String::new()
            },
            c(constraint),
            c(from),
            c(to),
            if *widened { " (wider)" } else { "" }
        ),
        K::OptionalityChanged { optional: true } => format!("field {f} is now optional"),
        K::OptionalityChanged { optional: false } => format!("field {f} is now required"),
        K::ClassChanged { from, to, review } => {
            let verb = if to > from { "raised" } else { "lowered" };
            let note = match review {
                Some(r) => format!("; review note: {}", crate::docs::markdown::text(r)),
                None => String::new(),
            };
            format!(
                "{} class {verb} from {} to {}{note}",
                if field.is_some() {
                    format!("field {f}")
                } else {
                    "privacy".to_string()
                },
                c(from.as_str()),
                c(to.as_str())
            )
        }
        K::RandomizationChanged { from, to, review } => {
            let note = match review {
                Some(r) => format!("; review note: {}", crate::docs::markdown::text(r)),
                None => String::new(),
            };
            let what = match (from, to) {
                (None, Some(e)) => {
                    format!("field {f} is now randomised on the device (randomized response, ε = {e})")
                }
                (Some(e), None) => format!(
                    "field {f} is no longer randomised on the device (was ε = {e}): its true value is sent"
                ),
                (Some(a), Some(b)) if b > a => format!(
                    "field {f} randomized response weakened: ε raised from {a} to {b}, so the true value is sent more often"
                ),
                (Some(a), Some(b)) => format!(
                    "field {f} randomized response strengthened: ε lowered from {a} to {b}"
                ),
                (None, None) => format!("field {f} randomized response unchanged"),
            };
            format!("{what}{note}")
        }
        K::PlainFieldBesideRandomized { randomized } => format!(
            "field {f} is sent as it is, beside the randomised {}: check that it cannot reveal what they hide",
            list(randomized)
        ),
        K::JustificationRemoved => format!("field {f} lost its justification"),
        K::JustificationChanged => format!("field {f} has a new justification"),
        K::PublicationChanged { published: true } if field.is_none() => {
            "this sensitive metric is now published: its numbers go into the public aggregate report"
                .to_string()
        }
        K::PublicationChanged { published: false } if field.is_none() => {
            "this sensitive metric is no longer published in the aggregate report".to_string()
        }
        K::PublicationChanged { published: true } => format!(
            "sensitive field {f} is now published: its counts go into the public aggregate report"
        ),
        K::PublicationChanged { published: false } => {
            format!("sensitive field {f} is no longer published in the aggregate report")
        }
        K::LintAllowed { lint, reason } => format!(
            "field {f} switches off the {} check: {}",
            c(lint),
            crate::docs::markdown::text(reason)
        ),
        K::AllowRemoved { lint } => {
            format!("field {f} no longer switches off the {} check", c(lint))
        }
        K::FieldDescriptionChanged => format!("field {f} description reworded"),
        K::MetricAdded => "new metric".to_string(),
        K::MetricRemoved => "metric removed".to_string(),
        K::NewSensitiveMetric => "new `sensitive` metric".to_string(),
        K::MetricTypeChanged { from, to } => {
            format!("metric retyped from {} to {}", c(from), c(to))
        }
        K::LabelsAdded { labels } => format!("new labels {}", list(labels)),
        K::LabelsRemoved { labels } => format!("labels {} removed (narrowed)", list(labels)),
    }
}

/// What must fail the check: an event that needed a new version and kept its old one, a
/// version going backwards, a class raised without a new `review` note.
pub fn failures(base: &Registry, head: &Registry, events: &[EventReport]) -> Vec<Failure> {
    let mut out = Vec::new();
    for e in events.iter().filter(|e| e.status == Status::Changed) {
        let (Some(b), Some(h)) = (e.base_version, e.head_version) else {
            continue;
        };
        if h < b {
            out.push(Failure::VersionDecreased {
                event: e.event.clone(),
                base_version: b,
                head_version: h,
            });
        } else if h == b && e.required_bump > Bump::None {
            out.push(Failure::VersionNotBumped {
                event: e.event.clone(),
                needed: e.required_bump,
                base_version: b,
                head_version: h,
            });
        }
    }
    for e in events {
        let (Some(be), Some(he)) = (base.event(&e.event), head.event(&e.event)) else {
            continue;
        };
        for hf in &he.fields {
            let Some(bf) = be.field(&hf.name) else {
                continue;
            };
            // The note must be new: one written for an earlier raise does not cover this one.
            let reviewed = hf.review.is_some() && hf.review != bf.review;
            if hf.class > bf.class && !reviewed {
                out.push(Failure::ClassRaisedWithoutReview {
                    event: e.event.clone(),
                    field: hf.name.clone(),
                    from: bf.class,
                    to: hf.class,
                });
            }
            // Randomisation removed or its ε changed on a field that is sent: the same rule as a
            // raised class.
            let (from, to) = (epsilon(bf), epsilon(hf));
            if let Some(from) = from.filter(|_| needs_review(from, to) && hf.class.is_collectable())
            {
                if !reviewed {
                    out.push(Failure::RandomizationChangedWithoutReview {
                        event: e.event.clone(),
                        field: hf.name.clone(),
                        from,
                        to,
                    });
                }
            }
        }
    }
    out
}

/// The ε a field declares, if it is randomised.
pub fn epsilon(f: &crate::ir::Field) -> Option<f64> {
    f.privacy
        .as_ref()?
        .randomized_response
        .as_ref()
        .map(|r| r.epsilon)
}

/// The failures of metrics: the same version rules as events, and a class raised without a
/// new `review` note.
pub fn metric_failures(base: &Registry, head: &Registry, metrics: &[EventReport]) -> Vec<Failure> {
    let mut out = Vec::new();
    for m in metrics.iter().filter(|m| m.status == Status::Changed) {
        let (Some(b), Some(h)) = (m.base_version, m.head_version) else {
            continue;
        };
        if h < b {
            out.push(Failure::VersionDecreased {
                event: m.event.clone(),
                base_version: b,
                head_version: h,
            });
        } else if h == b && m.required_bump > Bump::None {
            out.push(Failure::VersionNotBumped {
                event: m.event.clone(),
                needed: m.required_bump,
                base_version: b,
                head_version: h,
            });
        }
        if let (Some(bm), Some(hm)) = (base.metric(&m.event), head.metric(&m.event)) {
            let reviewed = hm.review.is_some() && hm.review != bm.review;
            if hm.class > bm.class && !reviewed {
                out.push(Failure::MetricClassRaisedWithoutReview {
                    metric: m.event.clone(),
                    from: bm.class,
                    to: hm.class,
                });
            }
        }
    }
    out
}

/// One Markdown sentence for a failure, saying how to fix it.
pub fn failure_text(f: &Failure) -> String {
    match f {
        Failure::VersionNotBumped { event, needed, base_version, .. } => format!(
            "{} has {} changes but keeps version {base_version}: set `version: {}`",
            c(event),
            match needed {
                Bump::Breaking => "breaking",
                _ => "additive",
            },
            base_version + 1
        ),
        Failure::VersionDecreased { event, base_version, head_version } => format!(
            "{} goes from version {base_version} back to {head_version}: versions only go up, set `version: {}`",
            c(event),
            base_version + 1
        ),
        Failure::ClassRaisedWithoutReview { event, field, from, to } => format!(
            "{} field {} is raised from {} to {} without a new `review` note: a privacy reviewer must add `review: \"<why this is acceptable>\"` to the field",
            c(event),
            c(field),
            c(from.as_str()),
            c(to.as_str())
        ),
        Failure::RandomizationChangedWithoutReview { event, field, from, to } => format!(
            "{} field {} {} without a new `review` note: a privacy reviewer must add `review: \"<why this is acceptable>\"` to the field",
            c(event),
            c(field),
            match to {
                Some(to) if to > from => format!("raises its randomized response ε from {from} to {to} (the true value is sent more often)"),
                Some(to) => format!("lowers its randomized response ε from {from} to {to} (every published estimate of it changes meaning)"),
                None => format!("drops its randomized response (ε = {from}) and sends the true value"),
            }
        ),
        Failure::MetricClassRaisedWithoutReview { metric, from, to } => format!(
            "metric {} is raised from {} to {} without a new `review` note: a privacy reviewer must add `review: \"<why this is acceptable>\"` to the metric",
            c(metric),
            c(from.as_str()),
            c(to.as_str())
        ),
    }
}
