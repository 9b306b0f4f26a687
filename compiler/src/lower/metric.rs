//! One metric under `metrics:`: the keys it shares with events (description, purpose, version,
//! consent, retention, expiry, owners), its privacy class, and its type with what the type
//! needs (`labels`, `buckets` and `unit`, `unit` with optional `min`/`max`).

use super::event::{self, Env, Inherited};
use super::field::{allows, buckets, classes, no_duplicates, publish, whole_bound, U64};
use super::{as_map, integer, keyword, missing, string_list, text, Ctxt, Entry, Map};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Metric, MetricKind, MetricType, MetricUnit, PrivacyClass};
use crate::source::Span;
use candor_core::metric::{MAX_BUCKETS, MAX_LABELS};

const COMMON_KEYS: [&str; 14] = [
    "type",
    "class",
    "description",
    "purpose",
    "version",
    "consent",
    "retention_days",
    "expires",
    "expiry_justification",
    "owners",
    "justification",
    "review",
    "allow",
    "publish",
];

const METRIC: event::Declaration = event::Declaration {
    noun: "metric",
    description_example: "<what is counted, in plain words>",
    consent_example: "performance",
};

/// The keys each metric type adds.
fn type_keys(ty: MetricType) -> &'static [&'static str] {
    match ty {
        MetricType::Counter => &[],
        MetricType::LabeledCounter => &["labels"],
        MetricType::Distribution => &["unit", "buckets"],
        MetricType::Quantity => &["unit", "min", "max"],
    }
}

fn types() -> [(&'static str, MetricType); 4] {
    MetricType::ALL.map(|t| (t.as_str(), t))
}

fn units() -> [(&'static str, MetricUnit); 7] {
    MetricUnit::ALL.map(|u| (u.as_str(), u))
}

/// Lowers `name: { ... }` under `metrics:`.
pub(crate) fn lower(
    cx: &mut Ctxt,
    entry: &Entry<'_>,
    namespace: &str,
    inherited: &Inherited<'_>,
    env: &Env<'_>,
) -> Option<Metric> {
    let name = entry.key;
    let full_name = format!("{namespace}.{name}");
    let what = format!("metric `{full_name}`");
    let valid_name = super::names::check(cx, name, entry.key_span, "metric");
    let map = as_map(cx, entry.value, &what, Code::DuplicateKey)?;

    let ty = match map.get("type") {
        Some(e) => keyword(cx, e, Code::UnknownType, "metric type", &types()),
        None => {
            missing(cx, entry.key_span, &what, "type", "counter");
            None
        }
    };
    super::check_typed_keys(
        cx,
        &map,
        &what,
        ty,
        &super::TypedKeys {
            common: &COMMON_KEYS,
            all: &MetricType::ALL,
            type_keys,
            name: MetricType::as_str,
        },
        |owners, t| format!("it is only for {owners} metrics, and this one is a `{t}`"),
    );

    let event::Common {
        description,
        purpose,
        version,
        consent,
        retention_days,
        expires,
        owners,
    } = event::lower_common(cx, &map, entry, &what, inherited, env, &METRIC);

    let class_entry = map.get("class");
    let class = match class_entry {
        Some(e) => keyword(cx, e, Code::UnknownClass, "privacy class", &classes()),
        None => {
            cx.push(
                Diagnostic::error(Code::MissingKey, entry.key_span, format!("{what} is missing `class`"))
                    .with_help("every metric names its privacy class, there is no default: add `class: technical`, `interaction` or `sensitive`"),
            );
            None
        }
    };
    let mut class_ok = true;
    if let (Some(PrivacyClass::Pii), Some(e)) = (class, class_entry) {
        class_ok = false;
        cx.push(
            Diagnostic::error(Code::PiiMetric, e.value.span, format!("{what} is classed `pii`"))
                .with_help("a metric is sent whenever its consent holds, so it can never be `pii`: count something that does not identify anyone, or remove the metric"),
        );
    }
    let justification = map.get("justification").and_then(|e| text(cx, e, &what));
    let review = map.get("review").and_then(|e| text(cx, e, &what));
    let publish = publish(cx, &map, class, &what, "metric");
    let allow = map
        .get("allow")
        .map(|e| allows(cx, e, &what))
        .unwrap_or_default();
    if let (Some(PrivacyClass::Sensitive), None, Some(e)) = (class, &justification, class_entry) {
        cx.push(
            Diagnostic::error(Code::MissingJustification, e.value.span, format!("{what} is `sensitive` but has no `justification`"))
                .with_help("add `justification: <why this is needed and why a coarser metric will not do>`, or lower the class"),
        );
    }

    let (kind, labels_at) = match ty {
        Some(t) => lower_kind(cx, t, &map, &what, entry.key_span),
        None => (None, Vec::new()),
    };

    crate::lints::check_metric(
        &full_name,
        name,
        entry.key_span,
        &labels_at,
        class,
        consent,
        class_entry.map(|e| e.value.span),
        &allow,
        env.policy,
        &mut cx.diags,
    );

    let mut metric = Metric {
        full_name,
        namespace: namespace.to_string(),
        name: name.to_string(),
        description: description?,
        purpose: purpose?,
        version: version?,
        owners: owners?,
        consent: consent?,
        retention_days: retention_days?,
        expires: expires?,
        class: class?,
        kind: kind?,
        justification,
        review,
        allow,
        publish,
        fingerprint: String::new(),
        span: entry.key_span,
        type_span: map.get("type")?.value.span,
    };
    if !valid_name || !class_ok {
        return None;
    }
    metric.fingerprint = crate::fingerprint::of_metric(&metric);
    Some(metric)
}

/// The type-specific part; also returns each label with where it is written, for the lints.
fn lower_kind<'a>(
    cx: &mut Ctxt,
    ty: MetricType,
    map: &Map<'a>,
    what: &str,
    name_span: Span,
) -> (Option<MetricKind>, Vec<(&'a str, Span)>) {
    let unit = |cx: &mut Ctxt| match map.get("unit") {
        Some(e) => keyword(cx, e, Code::UnknownUnit, "metric unit", &units()),
        None => {
            missing(cx, name_span, what, "unit", "ms");
            None
        }
    };
    match ty {
        MetricType::Counter => (Some(MetricKind::Counter), Vec::new()),
        MetricType::LabeledCounter => {
            let Some(e) = map.get("labels") else {
                missing(cx, name_span, what, "labels", "[timeout, refused, other]");
                return (None, Vec::new());
            };
            let Some(labels) = string_list(cx, e) else {
                return (None, Vec::new());
            };
            if labels.is_empty() || labels.len() > MAX_LABELS {
                cx.push(
                    Diagnostic::error(
                        Code::InvalidValue,
                        e.value.span,
                        format!(
                            "`labels` lists {} labels; a labeled counter needs 1 to {MAX_LABELS}",
                            labels.len()
                        ),
                    )
                    .with_help(
                        "list the closed set of labels, e.g. `labels: [timeout, refused, other]`",
                    ),
                );
                return (None, labels);
            }
            let mut ok = true;
            for (l, span) in &labels {
                ok &= super::names::check(cx, l, *span, "label");
            }
            ok &= no_duplicates(cx, &labels);
            let kind = ok.then(|| MetricKind::LabeledCounter {
                labels: labels.iter().map(|(l, _)| l.to_string()).collect(),
            });
            (kind, labels)
        }
        MetricType::Distribution => {
            let unit = unit(cx);
            let buckets = match map.get("buckets") {
                Some(e) => {
                    let b = buckets(cx, map, None, None, |n| whole_bound(n, U64));
                    match b {
                        Some(b) if b.len() > MAX_BUCKETS => {
                            cx.push(
                                Diagnostic::error(Code::BadBuckets, e.value.span, format!("`buckets` lists {} bounds, more than the {MAX_BUCKETS} a distribution may have", b.len()))
                                    .with_help("merge neighbouring buckets: each one is a number in every document sent"),
                            );
                            None
                        }
                        b => b.map(|b| b.into_iter().map(|v| v as u64).collect::<Vec<u64>>()),
                    }
                }
                None => {
                    missing(cx, name_span, what, "buckets", "[0, 100, 1000, 10000]");
                    None
                }
            };
            let kind = match (unit, buckets) {
                (Some(unit), Some(buckets)) => Some(MetricKind::Distribution { unit, buckets }),
                _ => None,
            };
            (kind, Vec::new())
        }
        MetricType::Quantity => {
            let unit = unit(cx);
            let mut ok = true;
            let mut bound = |cx: &mut Ctxt, key: &str| {
                let e = map.get(key)?;
                let v = integer(cx, e, U64);
                ok &= v.is_some();
                v.map(|v| v as u64)
            };
            let min = bound(cx, "min");
            let max = bound(cx, "max");
            if let (Some(lo), Some(hi)) = (min, max) {
                if lo > hi {
                    ok = false;
                    let span = map.get("min").map(|e| e.value.span).unwrap_or(map.span);
                    cx.push(
                        Diagnostic::error(
                            Code::MinGreaterThanMax,
                            span,
                            format!("`min` ({lo}) is greater than `max` ({hi})"),
                        )
                        .with_help("swap them, or fix whichever is wrong"),
                    );
                }
            }
            let kind = unit
                .filter(|_| ok)
                .map(|unit| MetricKind::Quantity { unit, min, max });
            (kind, Vec::new())
        }
    }
}
