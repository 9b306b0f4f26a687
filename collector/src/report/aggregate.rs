//! From stored events to the report's tables, one event at a time: per event a tally per day,
//! per published field a tally per row of its [`Scale`]; then periods, rows and the floor.
//!
//! Each tally holds its events' count and the set of their contributors, so memory grows with
//! the contributors per cell, not with the number of events.

use std::collections::{BTreeMap, HashMap};

use candor_schema::ir::{Event, Field, PrivacyClass, Registry};
use serde_json::Value;

use super::contributor::Contributors;
use super::floor::{self, Tally};
use super::scale::{self, Scale};
use super::{
    withheld_because, EventReport, FieldReport, Options, Period, Report, Row, RowKind, Span,
    MAX_DAILY_SPAN,
};
use crate::minute;
use crate::store::StoredEvent;

struct FieldAcc<'r> {
    field: &'r Field,
    scale: Scale,
    fixed: Vec<Tally>,
    observed: HashMap<String, Tally>,
    not_set: Tally,
}

struct EventAcc<'r> {
    event: &'r Event,
    total: Tally,
    by_day: BTreeMap<i64, Tally>,
    fields: Vec<FieldAcc<'r>>,
    withheld: Vec<(String, PrivacyClass, &'static str)>,
}

/// Accumulates stored events into a report.
pub struct Aggregator<'r> {
    options: Options,
    events: Vec<EventAcc<'r>>,
    by_name: HashMap<&'r str, usize>,
    contributors: Contributors,
    first: Option<i64>,
    last: Option<i64>,
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
                let scale = Scale::of(&f.ty);
                fields.push(FieldAcc {
                    field: f,
                    fixed: vec![Tally::default(); scale.rows()],
                    scale,
                    observed: HashMap::new(),
                    not_set: Tally::default(),
                });
            }
            by_name.insert(e.full_name.as_str(), events.len());
            events.push(EventAcc {
                event: e,
                total: Tally::default(),
                by_day: BTreeMap::new(),
                fields,
                withheld,
            });
        }
        Aggregator {
            options: options.clone(),
            events,
            by_name,
            contributors: Contributors::default(),
            first: None,
            last: None,
        }
    }

    /// Counts one stored event (events outside the period, or of an event the schemas no longer
    /// declare, count nowhere; the days with events still set the default period).
    pub fn add(&mut self, row: &StoredEvent) {
        let Some(day) = minute::parse(&row.time).map(minute::day_of) else {
            return;
        };
        if self.options.from.is_some_and(|f| day < f) || self.options.to.is_some_and(|t| day > t) {
            return;
        }
        self.first = Some(self.first.map_or(day, |d| d.min(day)));
        self.last = Some(self.last.map_or(day, |d| d.max(day)));
        let Some(&i) = self.by_name.get(row.event.as_str()) else {
            return;
        };
        let who = self.contributors.of(row);
        let acc = &mut self.events[i];
        acc.total.add(who);
        acc.by_day.entry(day).or_default().add(who);
        let fields: Option<serde_json::Map<String, Value>> = (row.version == acc.event.version)
            .then(|| serde_json::from_str(&row.fields).ok())
            .flatten();
        for f in &mut acc.fields {
            let v = fields.as_ref().and_then(|m| m.get(&f.field.name));
            match (v, &f.scale) {
                (Some(Value::String(s)), Scale::Observed) => {
                    f.observed.entry(s.clone()).or_default().add(who);
                }
                (Some(v), _) => match f.scale.row(v) {
                    Some(r) => f.fixed[r].add(who),
                    None => f.not_set.add(who),
                },
                (None, _) => f.not_set.add(who),
            }
        }
    }

    /// The report: periods, every table, the floor applied.
    pub fn finish(self) -> Report {
        let k = self.options.k;
        let range = match (
            self.options.from.or(self.first),
            self.options.to.or(self.last),
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
                let mut per = vec![Tally::default(); periods.len()];
                for (day, t) in &acc.by_day {
                    let p = periods.partition_point(|s| s.last < *day);
                    per[p].merge(t);
                }
                let (total, per_period) = floor::apply(k, &acc.total, &per);
                let fields = acc
                    .fields
                    .into_iter()
                    .map(|f| field_report(f, &acc.total, k))
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
        Report {
            title: self.options.title.clone(),
            docs_url: self.options.docs_url.clone(),
            k,
            range,
            period,
            periods,
            unit,
            events,
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

fn field_report(acc: FieldAcc<'_>, total: &Tally, k: u32) -> FieldReport {
    let f = acc.field;
    let unit = scale::unit(&f.ty);
    // Labels and tallies, in the order they are shown.
    let mut table: Vec<(String, RowKind, Tally)> = Vec::new();
    match &acc.scale {
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
    FieldReport {
        name: f.name.clone(),
        description: f.description.clone(),
        class: f.class,
        sensitive_published: f.class == PrivacyClass::Sensitive && f.publish,
        ty: f.ty.name(),
        scale: match acc.scale {
            Scale::Labels(_) => "values",
            Scale::Buckets { .. } => "buckets",
            Scale::Ranges { .. } => "ranges",
            Scale::Observed => "observed",
        },
        rows: table
            .into_iter()
            .zip(cells)
            .map(|((label, kind, _), cell)| Row { label, kind, cell })
            .collect(),
    }
}
