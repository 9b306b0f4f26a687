//! Metrics on the report: from stored `candor.metrics/1` entries to per-metric tables under the
//! same floor as events ([`super::floor`]).
//!
//! Each published metric has two tables that share one total, as an event's days and an
//! event's field rows do:
//!
//! | type | what a cell adds up | per period | rows |
//! | --- | --- | --- | --- |
//! | `counter` | the counts sent | yes | — |
//! | `labeled_counter` | the counts sent | yes | one per declared label |
//! | `distribution` | the values recorded (the `counts`) | yes | one per declared bucket |
//! | `quantity` | the reports (one per document) | yes | value ranges: ten equal ranges over `min`…`max` when both are declared, else the 1-2-5 series without its empty ends |
//!
//! A quantity is never shown as a value: only how many reports fell in each range. A
//! distribution's `sum` is not published (one sum per table would be one more number to
//! difference against).
//!
//! The floor counts contributors, not documents: a cell's contributors are those whose
//! entries added something (a non-zero amount) to it ([`super::contributor`] for who one is).

use std::collections::BTreeMap;

use candor_core::metric::MetricUnit;
use candor_schema::ir::{FieldType, Metric, MetricKind, PrivacyClass};
use serde_json::Value;

use super::floor::{self, Cell, Tally};
use super::scale::Scale;
use super::{Row, RowKind, Span};

/// One metric's numbers.
#[derive(Clone, Debug)]
pub struct MetricReport {
    /// `namespace.name`.
    pub name: String,
    pub version: u32,
    pub description: String,
    pub class: PrivacyClass,
    /// A `sensitive` metric on the page because its schema says `publish: true`.
    pub sensitive_published: bool,
    /// `counter`, `labeled_counter`, `distribution`, `quantity`.
    pub ty: &'static str,
    /// The unit of a distribution's or quantity's values (`ms`, `count`, …).
    pub unit: Option<&'static str>,
    /// What the cells add up: `count` (counters), `values` (distributions), `reports`
    /// (quantities).
    pub measure: &'static str,
    pub total: Cell,
    /// One per [`super::Report::periods`].
    pub per_period: Vec<Cell>,
    /// How the rows were made: `labels`, `buckets`, `ranges`, or `none` (a counter).
    pub scale: &'static str,
    pub rows: Vec<Row>,
}

/// Whether a metric is on the page, or why not: `technical` and `interaction` metrics are;
/// `sensitive` ones only with `publish: true` in their schema, as for fields.
pub fn withheld_because(m: &Metric) -> Option<&'static str> {
    match m.class {
        PrivacyClass::Technical | PrivacyClass::Interaction => None,
        PrivacyClass::Sensitive if m.publish => None,
        PrivacyClass::Sensitive => Some("sensitive, and its schema does not choose to publish it"),
        PrivacyClass::Pii => Some("never collected"),
    }
}

/// What a cell counts, per metric type.
fn measure(kind: &MetricKind) -> &'static str {
    match kind {
        MetricKind::Counter | MetricKind::LabeledCounter { .. } => "count",
        MetricKind::Distribution { .. } => "values",
        MetricKind::Quantity { .. } => "reports",
    }
}

/// The unit written after a metric's numbers on the page.
pub fn unit_suffix(unit: Option<&str>) -> &'static str {
    match unit.and_then(MetricUnit::from_name) {
        Some(MetricUnit::Us) => " µs",
        Some(MetricUnit::Ms) => " ms",
        Some(MetricUnit::S) => " s",
        Some(MetricUnit::Bytes) => " bytes",
        Some(MetricUnit::Kib) => " KiB",
        Some(MetricUnit::Mib) => " MiB",
        Some(MetricUnit::Count) | None => "",
    }
}

/// The rows of a metric's second table.
fn scale_of(kind: &MetricKind) -> Option<Scale> {
    match kind {
        MetricKind::Counter => None,
        MetricKind::LabeledCounter { labels } => Some(Scale::Labels(labels.clone())),
        MetricKind::Distribution { buckets, .. } => Some(Scale::Buckets {
            bounds: buckets.iter().map(|&b| b as f64).collect(),
            integral: true,
        }),
        MetricKind::Quantity { min, max, .. } => {
            let int = |v: u64| i64::try_from(v).unwrap_or(i64::MAX);
            Some(Scale::of(&FieldType::Integer {
                min: Some(min.map_or(0, int)),
                max: max.map(int),
                buckets: None,
            }))
        }
    }
}

/// Adds `amount` to a tally; a contributor counts in a cell only if it added something.
fn add(t: &mut Tally, amount: u64, who: u32) {
    t.count = t.count.saturating_add(amount);
    if amount > 0 {
        t.who.insert(who);
    }
}

/// One metric's tallies while the store is read.
pub(super) struct MetricAcc<'r> {
    metric: &'r Metric,
    scale: Option<Scale>,
    /// Per UTC day of the interval's start: the total, and one tally per row.
    by_day: BTreeMap<i64, (Tally, Vec<Tally>)>,
}

impl<'r> MetricAcc<'r> {
    pub(super) fn new(metric: &'r Metric) -> MetricAcc<'r> {
        MetricAcc {
            metric,
            scale: scale_of(&metric.kind),
            by_day: BTreeMap::new(),
        }
    }

    /// The metric's version: entries of another one are not counted.
    pub(super) fn version(&self) -> u32 {
        self.metric.version
    }

    /// Counts one stored entry of this metric (its version and value already matched).
    pub(super) fn add(&mut self, day: i64, who: u32, value: &Value) {
        let rows = self.scale.as_ref().map_or(0, Scale::rows);
        let (total, cells) = self
            .by_day
            .entry(day)
            .or_insert_with(|| (Tally::default(), vec![Tally::default(); rows]));
        let n = |v: &Value| v.as_u64().unwrap_or(0);
        match &self.metric.kind {
            MetricKind::Counter => add(total, n(&value["value"]), who),
            MetricKind::LabeledCounter { labels } => {
                let Some(values) = value["values"].as_object() else {
                    return;
                };
                for (label, count) in values {
                    if let Some(i) = labels.iter().position(|l| l == label) {
                        add(&mut cells[i], n(count), who);
                        add(total, n(count), who);
                    }
                }
            }
            MetricKind::Distribution { .. } => {
                let Some(counts) = value["counts"].as_array() else {
                    return;
                };
                for (cell, count) in cells.iter_mut().zip(counts) {
                    add(cell, n(count), who);
                    add(total, n(count), who);
                }
            }
            MetricKind::Quantity { .. } => {
                let Some(scale) = &self.scale else { return };
                let v = &value["value"];
                if v.as_u64().is_none() {
                    return;
                }
                // Above the series' top edge (values near 2^64): the last range.
                let row = scale.row(v).unwrap_or(rows.saturating_sub(1));
                if let Some(cell) = cells.get_mut(row) {
                    add(cell, 1, who);
                    add(total, 1, who);
                }
            }
        }
    }

    /// The metric's report over `periods` (days outside `range` count nowhere).
    pub(super) fn finish(self, range: Option<Span>, periods: &[Span], k: u32) -> MetricReport {
        let within = |d: i64| range.is_some_and(|r| r.first <= d && d <= r.last);
        let rows = self.scale.as_ref().map_or(0, Scale::rows);
        let mut per = vec![Tally::default(); periods.len()];
        let mut all = Tally::default();
        let mut cells = vec![Tally::default(); rows];
        for (day, (t, c)) in self.by_day.iter().filter(|(d, _)| within(**d)) {
            let p = periods.partition_point(|s| s.last < *day);
            per[p].merge(t);
            all.merge(t);
            for (a, b) in cells.iter_mut().zip(c) {
                a.merge(b);
            }
        }
        let (total, per_period) = floor::apply(k, &all, &per);
        let unit = self.metric.kind.unit().map(MetricUnit::as_str);
        let mut table: Vec<(String, Tally)> = Vec::new();
        if let Some(scale) = &self.scale {
            let (mut lo, mut hi) = (0, cells.len());
            if scale.trims_empty_ends() {
                while lo < hi && cells[lo].count == 0 {
                    lo += 1;
                }
                while hi > lo && cells[hi - 1].count == 0 {
                    hi -= 1;
                }
            }
            for (i, t) in cells.into_iter().enumerate().take(hi).skip(lo) {
                table.push((scale.label(i, unit_suffix(unit)), t));
            }
        }
        let tallies: Vec<Tally> = table.iter().map(|(_, t)| t.clone()).collect();
        let (_, row_cells) = floor::apply(k, &all, &tallies);
        MetricReport {
            name: self.metric.full_name.clone(),
            version: self.metric.version,
            description: self.metric.description.clone(),
            class: self.metric.class,
            sensitive_published: self.metric.class == PrivacyClass::Sensitive
                && self.metric.publish,
            ty: self.metric.kind.metric_type().as_str(),
            unit,
            measure: measure(&self.metric.kind),
            total,
            per_period,
            scale: match &self.scale {
                None => "none",
                Some(Scale::Labels(_)) => "labels",
                Some(Scale::Buckets { .. }) => "buckets",
                Some(_) => "ranges",
            },
            rows: table
                .into_iter()
                .zip(row_cells)
                .map(|((label, _), cell)| Row {
                    label,
                    kind: RowKind::Value,
                    cell,
                    estimate: None,
                })
                .collect(),
        }
    }
}
