//! Walks two registries side by side and lists what differs, event by event and field by field.
//! What each difference means (bump, privacy) is decided in [`super::rules`].

use super::rules::change;
use super::{Bump, Change, ChangeKind, EventReport, Status};
use crate::ir::{Consent, Event, Expiry, Field, FieldType, PrivacyClass, Registry};
use std::collections::BTreeMap;
use std::fmt::Display;

/// Changes to the folder as a whole.
pub(super) fn registries(base: &Registry, head: &Registry) -> Vec<Change> {
    let mut out = Vec::new();
    let (b, h) = (&base.policy, &head.policy);
    let limits = [
        (
            "max_retention_days",
            b.max_retention_days,
            h.max_retention_days,
        ),
        ("max_expiry_days", b.max_expiry_days, h.max_expiry_days),
        ("max_string_len", b.max_string_len, h.max_string_len),
    ];
    for (key, from, to) in limits {
        if from != to {
            let kind = ChangeKind::PolicyChanged {
                key,
                from: from.to_string(),
                to: to.to_string(),
                loosened: to > from,
            };
            out.push(change(None, kind, false));
        }
    }
    if b.extra_personal_words != h.extra_personal_words {
        let removed = b
            .extra_personal_words
            .iter()
            .any(|w| !h.extra_personal_words.contains(w));
        let kind = ChangeKind::PolicyChanged {
            key: "extra_personal_words",
            from: b.extra_personal_words.join(", "),
            to: h.extra_personal_words.join(", "),
            loosened: removed,
        };
        out.push(change(None, kind, false));
    }
    for consent in Consent::ALL {
        let used = |r: &Registry| {
            r.events().any(|e| e.consent == consent) || r.metrics().any(|m| m.consent == consent)
        };
        if used(head) && !used(base) {
            out.push(change(
                None,
                ChangeKind::NewConsentCategory { consent },
                false,
            ));
        }
    }
    out
}

/// Every event with at least one change, sorted by full name.
pub(super) fn events(base: &Registry, head: &Registry) -> Vec<EventReport> {
    let mut pairs: BTreeMap<&str, (Option<&Event>, Option<&Event>)> = BTreeMap::new();
    for e in base.events() {
        pairs.entry(&e.full_name).or_default().0 = Some(e);
    }
    for e in head.events() {
        pairs.entry(&e.full_name).or_default().1 = Some(e);
    }
    pairs
        .into_iter()
        .filter_map(|(name, pair)| {
            let (status, changes) = match pair {
                (None, Some(h)) => (Status::Added, added_event(h)),
                (Some(_), None) => (
                    Status::Removed,
                    vec![change(None, ChangeKind::EventRemoved, false)],
                ),
                (Some(b), Some(h)) => (Status::Changed, changed_event(b, h)),
                (None, None) => return None,
            };
            if changes.is_empty() {
                return None;
            }
            let (b, h) = pair;
            let base_version = b.map(|e| e.version);
            let head_version = h.map(|e| e.version);
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

fn added_event(h: &Event) -> Vec<Change> {
    let mut out = vec![change(None, ChangeKind::EventAdded, false)];
    for f in h
        .fields
        .iter()
        .filter(|f| f.class == PrivacyClass::Sensitive)
    {
        out.push(change(Some(&f.name), ChangeKind::NewSensitiveField, false));
    }
    out
}

fn changed_event(b: &Event, h: &Event) -> Vec<Change> {
    let mut out = Vec::new();
    let mut event = |kind| out.push(change(None, kind, false));
    declared_changes(&Declared::of_event(b), &Declared::of_event(h), &mut event);
    for bf in &b.fields {
        match h.field(&bf.name) {
            None => out.push(change(
                Some(&bf.name),
                ChangeKind::FieldRemoved { class: bf.class },
                bf.class.is_collectable(),
            )),
            Some(hf) => changed_field(bf, hf, &mut out),
        }
    }
    for hf in h.fields.iter().filter(|f| b.field(&f.name).is_none()) {
        out.push(change(
            Some(&hf.name),
            ChangeKind::FieldAdded {
                class: hf.class,
                optional: hf.optional,
            },
            hf.class.is_collectable(),
        ));
        if hf.class == PrivacyClass::Sensitive {
            out.push(change(Some(&hf.name), ChangeKind::NewSensitiveField, false));
        }
        let randomized: Vec<String> = h
            .fields
            .iter()
            .filter(|f| f.name != hf.name && super::rules::epsilon(f).is_some())
            .map(|f| f.name.clone())
            .collect();
        if hf.class.is_collectable()
            && super::rules::epsilon(hf).is_none()
            && !randomized.is_empty()
        {
            out.push(change(
                Some(&hf.name),
                ChangeKind::PlainFieldBesideRandomized { randomized },
                false,
            ));
        }
    }
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

/// The keys events and metrics share, borrowed from either, so both are compared by one rule.
pub(super) struct Declared<'a> {
    pub description: &'a str,
    pub purpose: &'a str,
    pub owners: &'a [String],
    pub consent: Consent,
    pub retention_days: u32,
    pub expires: &'a Expiry,
}

impl<'a> Declared<'a> {
    fn of_event(e: &'a Event) -> Declared<'a> {
        Declared {
            description: &e.description,
            purpose: &e.purpose,
            owners: &e.owners,
            consent: e.consent,
            retention_days: e.retention_days,
            expires: &e.expires,
        }
    }
}

/// The changes to the shared keys, in the order a report lists them.
pub(super) fn declared_changes(
    b: &Declared<'_>,
    h: &Declared<'_>,
    push: &mut dyn FnMut(ChangeKind),
) {
    if b.description != h.description {
        push(ChangeKind::DescriptionChanged);
    }
    if b.purpose != h.purpose {
        push(ChangeKind::PurposeChanged);
    }
    if b.owners != h.owners {
        push(ChangeKind::OwnersChanged {
            from: b.owners.to_vec(),
            to: h.owners.to_vec(),
        });
    }
    if b.consent != h.consent {
        push(ChangeKind::ConsentChanged {
            from: b.consent,
            to: h.consent,
        });
    }
    if b.retention_days != h.retention_days {
        push(ChangeKind::RetentionChanged {
            from: b.retention_days,
            to: h.retention_days,
        });
    }
    if let (Expiry::Never { .. }, Expiry::Never { .. }) = (b.expires, h.expires) {
        if b.expires != h.expires {
            push(ChangeKind::ExpiryJustificationChanged);
        }
    } else if b.expires != h.expires {
        let later = match (b.expires, h.expires) {
            (Expiry::On { date: from }, Expiry::On { date: to }) => to > from,
            (Expiry::On { .. }, Expiry::Never { .. }) => true,
            (Expiry::Never { .. }, _) => false,
        };
        push(ChangeKind::ExpiryChanged {
            from: expiry_text(b.expires),
            to: expiry_text(h.expires),
            later,
        });
    }
}

fn expiry_text(e: &Expiry) -> String {
    match e {
        Expiry::On { date } => date.to_string(),
        Expiry::Never { .. } => "never".to_string(),
    }
}

fn changed_field(b: &Field, h: &Field, out: &mut Vec<Change>) {
    let name = Some(b.name.as_str());
    // A field classed `pii` on both sides is never in a payload, so its shape needs no bump.
    let on_wire = b.class.is_collectable() || h.class.is_collectable();
    if b.ty.name() != h.ty.name() {
        add(
            out,
            name,
            ChangeKind::TypeChanged {
                from: b.ty.name(),
                to: h.ty.name(),
            },
            on_wire,
        );
    } else {
        for kind in constraints(&b.ty, &h.ty) {
            add(out, name, kind, on_wire);
        }
    }
    if b.optional != h.optional {
        add(
            out,
            name,
            ChangeKind::OptionalityChanged {
                optional: h.optional,
            },
            on_wire,
        );
    }
    if b.class != h.class {
        let review = (h.review != b.review).then(|| h.review.clone()).flatten();
        add(
            out,
            name,
            ChangeKind::ClassChanged {
                from: b.class,
                to: h.class,
                review,
            },
            on_wire,
        );
        if !b.class.is_collectable() {
            // It starts being sent: to consumers that is a new field.
            if let Some(last) = out.last_mut() {
                last.impact = if h.optional {
                    Bump::Additive
                } else {
                    Bump::Breaking
                };
            }
        }
    }
    let (from, to) = (super::rules::epsilon(b), super::rules::epsilon(h));
    if from != to && h.class.is_collectable() {
        let review = (h.review != b.review).then(|| h.review.clone()).flatten();
        add(
            out,
            name,
            ChangeKind::RandomizationChanged { from, to, review },
            false,
        );
    }
    match (&b.justification, &h.justification) {
        (Some(_), None) => add(out, name, ChangeKind::JustificationRemoved, false),
        (Some(x), Some(y)) if x != y => add(out, name, ChangeKind::JustificationChanged, false),
        _ => {}
    }
    if b.publish != h.publish {
        let published = h.publish;
        add(
            out,
            name,
            ChangeKind::PublicationChanged { published },
            false,
        );
    }
    for a in &h.allow {
        if !b.allow.iter().any(|x| x.lint == a.lint) {
            add(
                out,
                name,
                ChangeKind::LintAllowed {
                    lint: a.lint.clone(),
                    reason: a.reason.clone(),
                },
                false,
            );
        }
    }
    for a in &b.allow {
        if !h.allow.iter().any(|x| x.lint == a.lint) {
            add(
                out,
                name,
                ChangeKind::AllowRemoved {
                    lint: a.lint.clone(),
                },
                false,
            );
        }
    }
    if b.description != h.description {
        add(out, name, ChangeKind::FieldDescriptionChanged, false);
    }
}

fn add(out: &mut Vec<Change>, field: Option<&str>, kind: ChangeKind, in_payload: bool) {
    out.push(change(field, kind, in_payload));
}

/// Differences between two types of the same kind.
fn constraints(b: &FieldType, h: &FieldType) -> Vec<ChangeKind> {
    let mut out = Vec::new();
    match (b, h) {
        (FieldType::Enum { values: x }, FieldType::Enum { values: y }) => values(x, y, &mut out),
        (
            FieldType::String {
                values: bv,
                max_len: bl,
                pattern: bp,
            },
            FieldType::String {
                values: hv,
                max_len: hl,
                pattern: hp,
            },
        ) => {
            match (bv, hv) {
                (Some(x), Some(y)) => values(x, y, &mut out),
                (None, None) => {}
                _ => out.push(ChangeKind::ConstraintChanged {
                    constraint: "values",
                    from: list_or_none(bv),
                    to: list_or_none(hv),
                    widened: hv.is_none() && hl.is_some(),
                }),
            }
            bound(&mut out, "max_len", bl, hl, Wider::Higher);
            if bp != hp {
                out.push(ChangeKind::ConstraintChanged {
                    constraint: "pattern",
                    from: opt(bp),
                    to: opt(hp),
                    widened: false,
                });
            }
        }
        (
            FieldType::Integer {
                min: a,
                max: b,
                buckets: c,
            },
            FieldType::Integer {
                min: x,
                max: y,
                buckets: z,
            },
        ) => {
            bound(&mut out, "min", a, x, Wider::Lower);
            bound(&mut out, "max", b, y, Wider::Higher);
            buckets(&mut out, c, z);
        }
        (
            FieldType::Float {
                min: a,
                max: b,
                buckets: c,
            },
            FieldType::Float {
                min: x,
                max: y,
                buckets: z,
            },
        ) => {
            bound(&mut out, "min", a, x, Wider::Lower);
            bound(&mut out, "max", b, y, Wider::Higher);
            buckets(&mut out, c, z);
        }
        (
            FieldType::Duration {
                unit: u,
                max: b,
                buckets: c,
            },
            FieldType::Duration {
                unit: v,
                max: y,
                buckets: z,
            },
        ) => {
            if u != v {
                out.push(ChangeKind::ConstraintChanged {
                    constraint: "unit",
                    from: u.as_str().to_string(),
                    to: v.as_str().to_string(),
                    widened: false,
                });
            }
            bound(&mut out, "max", b, y, Wider::Higher);
            buckets(&mut out, c, z);
        }
        (FieldType::Count { max: b, buckets: c }, FieldType::Count { max: y, buckets: z }) => {
            bound(&mut out, "max", b, y, Wider::Higher);
            buckets(&mut out, c, z);
        }
        _ => {}
    }
    out
}

fn values(b: &[String], h: &[String], out: &mut Vec<ChangeKind>) {
    let added: Vec<String> = h.iter().filter(|v| !b.contains(v)).cloned().collect();
    let removed: Vec<String> = b.iter().filter(|v| !h.contains(v)).cloned().collect();
    if !removed.is_empty() {
        out.push(ChangeKind::ValuesRemoved { values: removed });
    }
    if !added.is_empty() {
        out.push(ChangeKind::ValuesAdded { values: added });
    }
}

/// Which direction of a bound lets more values through.
#[derive(Clone, Copy)]
enum Wider {
    Higher,
    Lower,
}

fn bound<T: PartialOrd + Display>(
    out: &mut Vec<ChangeKind>,
    constraint: &'static str,
    b: &Option<T>,
    h: &Option<T>,
    wider: Wider,
) {
    let widened = match (b, h) {
        (Some(x), Some(y)) if x == y => return,
        (None, None) => return,
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(x), Some(y)) => match wider {
            Wider::Higher => y > x,
            Wider::Lower => y < x,
        },
    };
    out.push(ChangeKind::ConstraintChanged {
        constraint,
        from: opt(b),
        to: opt(h),
        widened,
    });
}

/// Buckets change what a sent value means, so any change to them is breaking.
fn buckets<T: PartialEq + Display>(
    out: &mut Vec<ChangeKind>,
    b: &Option<Vec<T>>,
    h: &Option<Vec<T>>,
) {
    if b != h {
        let text = |v: &Option<Vec<T>>| match v {
            Some(v) => v.iter().map(T::to_string).collect::<Vec<_>>().join(", "),
            None => "none".to_string(),
        };
        out.push(ChangeKind::ConstraintChanged {
            constraint: "buckets",
            from: text(b),
            to: text(h),
            widened: false,
        });
    }
}

fn opt<T: Display>(v: &Option<T>) -> String {
    v.as_ref().map_or_else(|| "none".to_string(), T::to_string)
}

fn list_or_none(v: &Option<Vec<String>>) -> String {
    v.as_ref()
        .map_or_else(|| "none".to_string(), |v| v.join(", "))
}
