//! From stored events to the report's tables, one event at a time: per event a tally per day,
//! per published field a tally per row of its [`Scale`]; then periods, rows and the floor.
//!
//! Each tally holds its events' count and the set of their contributors, so memory grows with
//! the contributors per cell, not with the number of events.

use std::collections::{BTreeMap, HashMap, HashSet};

use candor_schema::ir::{Event, Field, PrivacyClass, Registry};
use serde_json::Value;

use super::contributor::Contributors;
use super::floor::{self, Tally};
use super::metrics::{self as metric_report, MetricAcc};
use super::scale::{self, Scale};
use super::{
    withheld_because, EventReport, FieldReport, Options, Period, Report, Row, RowKind, Span,
    MAX_DAILY_SPAN,
};
use crate::minute;
use crate::store::{StoredEvent, StoredMetric};

struct FieldAcc<'r> {
    field: &'r Field,
    scale: Scale,
    /// Per UTC day, so that the period can be settled after the last event is read.
    by_day: BTreeMap<i64, FieldDay>,
}

#[derive(Default)]
struct FieldDay {
    fixed: Vec<Tally>,
    observed: HashMap<String, Tally>,
    not_set: Tally,
}

impl FieldDay {
    fn merge(&mut self, other: &FieldDay) {
        if self.fixed.len() < other.fixed.len() {
            self.fixed.resize(other.fixed.len(), Tally::default());
        }
        for (a, b) in self.fixed.iter_mut().zip(&other.fixed) {
            a.merge(b);
        }
        for (k, t) in &other.observed {
            self.observed.entry(k.clone()).or_default().merge(t);
        }
        self.not_set.merge(&other.not_set);
    }
}

struct EventAcc<'r> {
    event: &'r Event,
    by_day: BTreeMap<i64, Tally>,
    fields: Vec<FieldAcc<'r>>,
    withheld: Vec<(String, PrivacyClass, &'static str)>,
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for Aggregator<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Aggregator").finish_non_exhaustive()
    }
}

/// Accumulates stored events into a report.
pub struct Aggregator<'r> {
    options: Options,
    events: Vec<EventAcc<'r>>,
    by_name: HashMap<&'r str, usize>,
    metrics: Vec<MetricAcc<'r>>,
    metrics_by_name: HashMap<&'r str, usize>,
    withheld_metrics: Vec<(String, PrivacyClass, &'static str)>,
    contributors: Contributors,
    /// Everyone who sent an event or a metrics document, per UTC day: a default period starts and ends on days with
    /// at least k of them, so its ends say nothing about fewer.
    days: BTreeMap<i64, HashSet<u32>>,
}

impl<'r> Aggregator<'r> {
    pub fn new(registry: &'r Registry, options: &Options) -> Aggregator<'r> {
        let mut events = Vec::new();
        let mut by_name = HashMap::new();
        for e in registry.events() {
            let mut fields = Vec::new();
            let mut withheld = Vec::new();
            for f in e.collected_fields() {
                if let Some(why) = withheld_because(f) {
                    withheld.push((f.name.clone(), f.class, why));
                    continue;
                }
                fields.push(FieldAcc {
                    field: f,
                    scale: Scale::of(&f.ty),
                    by_day: BTreeMap::new(),
                });
            }
            by_name.insert(e.full_name.as_str(), events.len());
            events.push(EventAcc {
                event: e,
                by_day: BTreeMap::new(),
                fields,
                withheld,
            });
        }
        let mut metrics = Vec::new();
        let mut metrics_by_name = HashMap::new();
        let mut withheld_metrics = Vec::new();
        for m in registry.metrics() {
            if let Some(why) = metric_report::withheld_because(m) {
                withheld_metrics.push((m.full_name.clone(), m.class, why));
                continue;
            }
            metrics_by_name.insert(m.full_name.as_str(), metrics.len());
            metrics.push(MetricAcc::new(m));
        }
        Aggregator {
            options: options.clone(),
            events,
            by_name,
            metrics,
            metrics_by_name,
            withheld_metrics,
            contributors: Contributors::default(),
            days: BTreeMap::new(),
        }
    }

    /// Counts one stored event (events outside the period, or of an event the schemas no longer
    /// declare, count nowhere).
    pub fn add(&mut self, row: &StoredEvent) {
        let Some(day) = minute::parse(&row.time).map(minute::day_of) else {
            return;
        };
        if self.options.from.is_some_and(|f| day < f) || self.options.to.is_some_and(|t| day > t) {
            return;
        }
        let Some(&i) = self.by_name.get(row.event.as_str()) else {
            return;
        };
        let who = self.contributors.of(row);
        self.days.entry(day).or_default().insert(who);
        let acc = &mut self.events[i];
        acc.by_day.entry(day).or_default().add(who);
        let fields: Option<serde_json::Map<String, Value>> = (row.version == acc.event.version)
            .then(|| serde_json::from_str(&row.fields).ok())
            .flatten();
        for f in &mut acc.fields {
            let rows = f.scale.rows();
            let d = f.by_day.entry(day).or_insert_with(|| FieldDay {
                fixed: vec![Tally::default(); rows],
                ..FieldDay::default()
            });
            let v = fields.as_ref().and_then(|m| m.get(&f.field.name));
            match (v, &f.scale) {
                (Some(Value::String(s)), Scale::Observed) => {
                    d.observed.entry(s.clone()).or_default().add(who);
                }
                (Some(v), _) => match f.scale.row(v) {
                    Some(r) => d.fixed[r].add(who),
                    None => d.not_set.add(who),
                },
                (None, _) => d.not_set.add(who),
            }
        }
    }

    /// Counts one stored metrics entry on the day of its interval's start (entries outside the
    /// period, or of a metric the schemas no longer declare or do not publish, count nowhere;
    /// entries stored under another version still count for the period's ends, as an event's
    /// do).
    pub fn add_metric(&mut self, m: &StoredMetric) {
        let Some(day) = minute::parse(&m.start).map(minute::day_of) else {
            return;
        };
        if self.options.from.is_some_and(|f| day < f) || self.options.to.is_some_and(|t| day > t) {
            return;
        }
        let Some(&i) = self.metrics_by_name.get(m.metric.as_str()) else {
            return;
        };
        let who = self.contributors.of_metric(m);
        self.days.entry(day).or_default().insert(who);
        let acc = &mut self.metrics[i];
        if acc.version() != m.version {
            return;
        }
        if let Ok(value) = serde_json::from_str::<Value>(&m.value) {
            acc.add(day, who, &value);
        }
    }

    /// The report: periods, every table, the floor applied.
    pub fn finish(self) -> Report {
        let k = self.options.k;
        let busy = || {
            self.days
                .iter()
                .filter(|(_, who)| who.len() >= k as usize)
                .map(|(d, _)| *d)
        };
        let range = match (
            self.options.from.or_else(|| busy().next()),
            self.options.to.or_else(|| busy().next_back()),
        ) {
            (Some(first), Some(last)) if first <= last => Some(Span { first, last }),
            _ => None,
        };
        let (period, periods) = periods(range);
        let unit = self.contributors.unit();
        let events = self
            .events
            .into_iter()
            .map(|acc| {
                let within = |d: i64| range.is_some_and(|r| r.first <= d && d <= r.last);
                let mut per = vec![Tally::default(); periods.len()];
                let mut all = Tally::default();
                for (day, t) in acc.by_day.iter().filter(|(d, _)| within(**d)) {
                    let p = periods.partition_point(|s| s.last < *day);
                    per[p].merge(t);
                    all.merge(t);
                }
                let (total, per_period) = floor::apply(k, &all, &per);
                let fields = acc
                    .fields
                    .into_iter()
                    .map(|f| {
                        let mut sum = FieldDay {
                            fixed: vec![Tally::default(); f.scale.rows()],
                            ..FieldDay::default()
                        };
                        for (_, d) in f.by_day.iter().filter(|(d, _)| within(**d)) {
                            sum.merge(d);
                        }
                        field_report(f.field, f.scale, sum, &all, k)
                    })
                    .collect();
                EventReport {
                    name: acc.event.full_name.clone(),
                    version: acc.event.version,
                    description: acc.event.description.clone(),
                    total,
                    per_period,
                    fields,
                    withheld_fields: acc.withheld,
                }
            })
            .collect();
        let metrics = self
            .metrics
            .into_iter()
            .map(|m| m.finish(range, &periods, k))
            .collect();
        Report {
            title: self.options.title.clone(),
            docs_url: self.options.docs_url.clone(),
            k,
            range,
            period,
            periods,
            unit,
            events,
            metrics,
            withheld_metrics: self.withheld_metrics,
        }
    }
}

fn periods(range: Option<Span>) -> (Period, Vec<Span>) {
    let Some(r) = range else {
        return (Period::Day, Vec::new());
    };
    let (period, len) = if r.last - r.first < MAX_DAILY_SPAN {
        (Period::Day, 1)
    } else {
        (Period::Week, 7)
    };
    let mut out = Vec::new();
    let mut first = r.first;
    while first <= r.last {
        out.push(Span {
            first,
            last: (first + len - 1).min(r.last),
        });
        first += len;
    }
    (period, out)
}

fn field_report(f: &Field, scale: Scale, acc: FieldDay, total: &Tally, k: u32) -> FieldReport {
    let unit = scale::unit(&f.ty);
    // Labels and tallies, in the order they are shown.
    let mut table: Vec<(String, RowKind, Tally)> = Vec::new();
    match &scale {
        Scale::Observed => {
            let mut seen: Vec<(String, Tally)> = acc.observed.into_iter().collect();
            seen.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(&b.0)));
            let mut other = Tally::default();
            for (label, t) in seen {
                // A value fewer than k sent is not named at all: the value itself could say
                // who sent it. Such values are counted together as "other values".
                if t.who.len() < k as usize {
                    other.merge(&t);
                } else {
                    table.push((label, RowKind::Value, t));
                }
            }
            if other.count > 0 {
                table.push(("other values".into(), RowKind::Other, other));
            }
        }
        scale => {
            let mut lo = 0;
            let mut hi = acc.fixed.len();
            if scale.trims_empty_ends() {
                while lo < hi && acc.fixed[lo].count == 0 {
                    lo += 1;
                }
                while hi > lo && acc.fixed[hi - 1].count == 0 {
                    hi -= 1;
                }
            }
            for (i, t) in acc.fixed.into_iter().enumerate().take(hi).skip(lo) {
                table.push((scale.label(i, unit), RowKind::Value, t));
            }
        }
    }
    if f.optional || acc.not_set.count > 0 {
        table.push(("not set".into(), RowKind::NotSet, acc.not_set));
    }
    let tallies: Vec<Tally> = table.iter().map(|(_, _, t)| t.clone()).collect();
    let (_, cells) = floor::apply(k, total, &tallies);
    let estimates = estimates(f, &table);
    FieldReport {
        name: f.name.clone(),
        description: f.description.clone(),
        class: f.class,
        sensitive_published: f.class == PrivacyClass::Sensitive && f.publish,
        ty: f.ty.name(),
        scale: match scale {
            Scale::Labels(_) => "values",
            Scale::Buckets { .. } => "buckets",
            Scale::Ranges { .. } => "ranges",
            Scale::Observed => "observed",
        },
        epsilon: f.randomized_response().map(|rr| rr.epsilon()),
        rows: table
            .into_iter()
            .zip(cells)
            .enumerate()
            .map(|(i, ((label, kind, _), cell))| Row {
                label,
                kind,
                cell,
                // Only a shown row shows its estimate: the floor is decided on the reports.
                estimate: estimates
                    .as_ref()
                    .and_then(|e| e.get(i).copied().flatten())
                    .filter(|_| matches!(cell, floor::Cell::Shown(_))),
            })
            .collect(),
    }
}

/// For a field with randomized response: per row of `table`, the estimate of its true count
/// (`None` for the rows the device does not randomise: *not set*). The one call to the
/// estimator shared with the rest of candor (`candor_core::randomized_response`).
fn estimates(
    f: &Field,
    table: &[(String, RowKind, Tally)],
) -> Option<Vec<Option<super::Estimate>>> {
    let rr = f.randomized_response()?;
    let values: Vec<&Tally> = table
        .iter()
        .filter(|(_, kind, _)| *kind == RowKind::Value)
        .map(|(_, _, t)| t)
        .collect();
    if values.len() != rr.k() as usize {
        return None;
    }
    // The estimator's order is the field's categories' (`FieldType::category_labels`): the
    // declared order, except `bool`, which is `false`, `true` there and `true`, `false` here.
    let flip = matches!(f.ty, candor_schema::ir::FieldType::Bool);
    let order = |i: usize| if flip { values.len() - 1 - i } else { i };
    let reported: Vec<u64> = (0..values.len()).map(|i| values[order(i)].count).collect();
    let est = rr.estimate(&reported);
    let mut next = 0;
    Some(
        table
            .iter()
            .map(|(_, kind, _)| {
                (*kind == RowKind::Value).then(|| {
                    let e = est[order(next)];
                    next += 1;
                    e
                })
            })
            .collect(),
    )
}
