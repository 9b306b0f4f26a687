//! Checks of a `candor.metrics/1` document's entries against the registry's metrics.
//!
//! The document's envelope was checked while reading it (`wire`); here each entry is checked
//! on its own, and **one bad entry quarantines only itself**: the others of the document are
//! stored. An entry is an independent aggregate of one metric (the runtime adds each up on
//! its own), so a metric whose declaration changed, or a label an older build still sends,
//! must not cost the operator every other metric of the interval. The interval (`start`,
//! `end`) belongs to the whole document, so a document that is too old, from the future or
//! ends before it starts has every entry refused, each counted under its metric.
//!
//! What is stored per entry is a canonical JSON text of its numbers only (no unit, buckets or
//! label order from the sender: those come from the schema), so nothing a sender chooses
//! beyond the checked numbers reaches the store.

use std::fmt::Write as _;

use candor_schema::ir::{Consent, MetricKind};

use super::{delete_on, Now, Reason};
use crate::schemas::{MetricSpec, Schemas};
use crate::wire::{MetricValue, Metrics, WireMetric};

/// One accepted entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetricRow {
    /// Index into [`Schemas::metrics`].
    pub metric: u32,
    /// The entry's numbers as canonical JSON: `{"value":N}` (counter, quantity),
    /// `{"values":{"label":N,…}}` in declared label order, `{"counts":[…],"sum":N}`.
    pub value: String,
}

/// One refused entry: the reason and, when the schemas know it, the metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MetricRefusal {
    pub reason: Reason,
    pub metric: Option<u32>,
}

/// A metrics document after its entries were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckedMetrics {
    /// The document's id: a document is stored once.
    pub id: [u8; 16],
    pub consent: Consent,
    /// Minutes since the epoch.
    pub start: i64,
    pub end: i64,
    pub rows: Vec<MetricRow>,
    pub refused: Vec<MetricRefusal>,
}

/// Checks every entry of a metrics document; the app and installation go into `out` as for
/// a batch.
pub fn check(schemas: &Schemas, doc: &Metrics<'_>, now: Now) -> super::Checked {
    let mut checked = CheckedMetrics {
        id: doc.id,
        consent: doc.consent,
        start: doc.start,
        end: doc.end,
        rows: Vec::with_capacity(doc.metrics.len()),
        refused: Vec::new(),
    };
    let mut seen: Vec<u32> = Vec::with_capacity(doc.metrics.len());
    for m in &doc.metrics {
        match check_entry(schemas, doc, m, now, &mut seen) {
            Ok(row) => checked.rows.push(row),
            Err(r) => checked.refused.push(r),
        }
    }
    super::Checked {
        app_name: doc.app.name.clone().into_owned(),
        app_version: doc.app.version.clone().into_owned(),
        app_os: doc.app.os.clone().into_owned(),
        install_id: doc.install_id,
        rows: Vec::new(),
        text: String::new(),
        refused: Vec::new(),
        day: now.today(),
        metrics: Some(Box::new(checked)),
    }
}

fn check_entry(
    schemas: &Schemas,
    doc: &Metrics<'_>,
    m: &WireMetric<'_>,
    now: Now,
    seen: &mut Vec<u32>,
) -> Result<MetricRow, MetricRefusal> {
    let Some(index) = schemas.find_metric(&m.name) else {
        return Err(MetricRefusal {
            reason: Reason::UnknownMetric,
            metric: None,
        });
    };
    let refuse = |reason| MetricRefusal {
        reason,
        metric: Some(index),
    };
    let spec = schemas.metric(index);
    if spec.version != m.version {
        return Err(refuse(Reason::UnknownVersion));
    }
    if seen.contains(&index) {
        return Err(refuse(Reason::DuplicateMetric));
    }
    seen.push(index);
    let today = now.today();
    if spec.last_day.is_some_and(|last| today > last) {
        return Err(refuse(Reason::MetricExpired));
    }
    if spec.consent != doc.consent {
        return Err(refuse(Reason::WrongCategory));
    }
    if doc.end < doc.start {
        return Err(refuse(Reason::BadInterval));
    }
    if delete_on(doc.start, spec.retention_days) <= today {
        return Err(refuse(Reason::TooOld));
    }
    if doc.end > now.minute + now.skew_minutes {
        return Err(refuse(Reason::FromFuture));
    }
    let value = value_of(spec, &m.value).map_err(refuse)?;
    Ok(MetricRow {
        metric: index,
        value,
    })
}

/// The canonical value of an entry that fits `spec`, or why it does not.
fn value_of(spec: &MetricSpec, value: &MetricValue<'_>) -> Result<String, Reason> {
    let mut out = String::with_capacity(32);
    match (&spec.kind, value) {
        (MetricKind::Counter, MetricValue::Counter(n)) => {
            let _ = write!(out, r#"{{"value":{n}}}"#);
        }
        (MetricKind::LabeledCounter { labels }, MetricValue::Labeled { values, more }) => {
            // More than the most any metric declares: at least one is outside the list (or
            // repeated); only the first were kept while reading.
            if *more > 0 {
                return Err(Reason::UndeclaredLabel);
            }
            // Per declared label, the count sent (labels are at most 32: a scan is cheapest).
            let mut counts: Vec<Option<u64>> = vec![None; labels.len()];
            for (label, n) in values {
                let i = labels
                    .iter()
                    .position(|l| l == label)
                    .ok_or(Reason::UndeclaredLabel)?;
                if counts[i].replace(*n).is_some() {
                    return Err(Reason::DuplicateLabel);
                }
            }
            out.push_str(r#"{"values":{"#);
            let mut first = true;
            for (label, n) in labels.iter().zip(&counts) {
                if let Some(n) = n {
                    if !first {
                        out.push(',');
                    }
                    first = false;
                    // Declared labels are snake_case: nothing to escape.
                    let _ = write!(out, r#""{label}":{n}"#);
                }
            }
            out.push_str("}}");
        }
        (
            MetricKind::Distribution { unit, buckets },
            MetricValue::Distribution {
                unit: sent_unit,
                buckets: sent_buckets,
                counts,
                sum,
            },
        ) => {
            if unit != sent_unit {
                return Err(Reason::WrongUnit);
            }
            if buckets != sent_buckets {
                return Err(Reason::WrongBuckets);
            }
            if counts.len() != buckets.len() {
                return Err(Reason::WrongCounts);
            }
            out.push_str(r#"{"counts":["#);
            for (i, n) in counts.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                let _ = write!(out, "{n}");
            }
            let _ = write!(out, r#"],"sum":{sum}}}"#);
        }
        (
            MetricKind::Quantity { unit, min, max },
            MetricValue::Quantity {
                unit: sent_unit,
                value,
            },
        ) => {
            if unit != sent_unit {
                return Err(Reason::WrongUnit);
            }
            // The runtime clamps to the declared bounds, so a value outside them was not set
            // through a declared quantity.
            if min.is_some_and(|m| *value < m) || max.is_some_and(|m| *value > m) {
                return Err(Reason::OutOfRange);
            }
            let _ = write!(out, r#"{{"value":{value}}}"#);
        }
        _ => return Err(Reason::WrongMetricType),
    }
    Ok(out)
}
