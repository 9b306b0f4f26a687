//! `candor report`: the public "what we learned" page, built from a store's events and the
//! schemas, with a k-anonymity floor on every number.
//!
//! - [`build`] reads the stored events in a period and computes a [`Report`]: per event the
//!   count per day (or week), per published field the distribution of its values.
//! - [`contributor`]: who counts as one contributor for the floor.
//! - [`floor`]: which cells may be published (primary and complementary suppression).
//! - [`scale`]: the rows of a field's distribution.
//! - [`json`], [`csv`], [`html`] (+ [`chart`]): the three renderings of one [`Report`].
//!
//! Output is a pure function of the stored events, the schemas and [`Options`]: no clock, no
//! randomness, a fixed order everywhere, so the same store gives byte-identical files.
//! See docs/aggregates.md.

pub mod chart;
pub mod contributor;
pub mod csv;
pub mod floor;
pub mod html;
pub mod json;
pub mod scale;

use std::collections::{BTreeMap, HashMap};

use candor_schema::ir::{Event, Field, PrivacyClass, Registry};
use candor_schema::Date;
use serde_json::Value;

use crate::minute;
use crate::store::{Store, StoreError, StoredEvent};
pub use contributor::Unit;
use floor::{Cell, Tally};
use scale::Scale;

/// The HTML page, relative to the output folder.
pub const HTML_FILE: &str = "report.html";
/// The same numbers as JSON.
pub const JSON_FILE: &str = "report.json";
/// The same numbers as CSV.
pub const CSV_FILE: &str = "report.csv";
/// `format` of the JSON file.
pub const FORMAT: &str = "candor.report/1";
/// Default k: the threshold public releases such as Apple's differential-privacy reports use.
pub const DEFAULT_K: u32 = 5;
/// Spans up to this many days are reported per day, longer ones per week.
pub const MAX_DAILY_SPAN: i64 = 31;

/// What a report is built with.
#[derive(Clone, Debug)]
pub struct Options {
    /// The floor: a cell fewer than `k` contributors produced is not shown.
    pub k: u32,
    /// First and last day (inclusive, days since the epoch). Default: the first and last day
    /// with a stored event.
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// The page title.
    pub title: String,
    /// Where the transparency page is, relative to the report (event links append `#name`).
    pub docs_url: String,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            k: DEFAULT_K,
            from: None,
            to: None,
            title: "What we learned".into(),
            docs_url: "index.html".into(),
        }
    }
}

/// Day or week.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Period {
    Day,
    Week,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Period::Day => "day",
            Period::Week => "week",
        }
    }
}

/// One day or week of the report: its first and last day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Span {
    pub first: i64,
    pub last: i64,
}

impl Span {
    pub fn label(&self) -> String {
        if self.first == self.last {
            Date::from_days(self.first).to_string()
        } else {
            format!(
                "{} to {}",
                Date::from_days(self.first),
                Date::from_days(self.last)
            )
        }
    }
}

/// The computed report.
#[derive(Clone, Debug)]
pub struct Report {
    pub title: String,
    pub docs_url: String,
    pub k: u32,
    /// `None` when there is nothing in the store to report on and no period was given.
    pub range: Option<Span>,
    pub period: Period,
    pub periods: Vec<Span>,
    /// Who the floor counted.
    pub unit: Unit,
    pub events: Vec<EventReport>,
}

/// One event's numbers.
#[derive(Clone, Debug)]
pub struct EventReport {
    /// `namespace.name`.
    pub name: String,
    pub version: u32,
    pub description: String,
    pub total: Cell,
    /// One per [`Report::periods`].
    pub per_period: Vec<Cell>,
    pub fields: Vec<FieldReport>,
    /// Collected fields left out of the report, and why.
    pub withheld_fields: Vec<(String, PrivacyClass, &'static str)>,
}

/// One field's distribution.
#[derive(Clone, Debug)]
pub struct FieldReport {
    pub name: String,
    pub description: String,
    pub class: PrivacyClass,
    /// `true` for a `sensitive` field its schema marks `publish: true`.
    pub sensitive_published: bool,
    /// `bool`, `enum`, … as the schema spells it.
    pub ty: &'static str,
    /// How the rows were made: `values`, `buckets`, `ranges`, `observed`.
    pub scale: &'static str,
    pub rows: Vec<Row>,
}

/// One row of a distribution.
#[derive(Clone, Debug)]
pub struct Row {
    pub label: String,
    pub kind: RowKind,
    pub cell: Cell,
}

/// What a row stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RowKind {
    /// A value, bucket or range.
    Value,
    /// Observed values each from fewer than k contributors, together.
    Other,
    /// Events without the field (optional and absent, or stored under another version).
    NotSet,
}

/// Why a field is left out of the report, or `None` when it is published: `technical` and
/// `interaction` fields are, `sensitive` ones only when their schema says `publish: true`,
/// `pii` never (it is never collected).
pub fn withheld_because(field: &Field) -> Option<&'static str> {
    match field.class {
        PrivacyClass::Technical | PrivacyClass::Interaction => None,
        PrivacyClass::Sensitive if field.publish => None,
        PrivacyClass::Sensitive => {
            Some("sensitive, and its schema does not mark it `publish: true`")
        }
        PrivacyClass::Pii => Some("never collected"),
    }
}

/// Reads the events of `store` and computes the report.
pub fn build(
    registry: &Registry,
    store: &mut dyn Store,
    options: &Options,
) -> Result<Report, StoreError> {
    let rows = store.events()?;
    Ok(compute(registry, &rows, options))
}

/// Computes the report from stored events (what [`build`] does after reading them).
pub fn compute(registry: &Registry, rows: &[StoredEvent], options: &Options) -> Report {
    let days: Vec<Option<i64>> = rows
        .iter()
        .map(|r| minute::parse(&r.time).map(minute::day_of))
        .collect();
    let seen = || days.iter().flatten().copied();
    let range = match (options.from.or(seen().min()), options.to.or(seen().max())) {
        (Some(first), Some(last)) if first <= last => Some(Span { first, last }),
        _ => None,
    };
    let (period, periods) = periods(range);
    let mut contributors = contributor::Contributors::default();
    let mut per_event: BTreeMap<&str, Vec<(usize, i64)>> = BTreeMap::new();
    if let Some(span) = range {
        for (i, (r, day)) in rows.iter().zip(&days).enumerate() {
            let Some(day) = *day else { continue };
            if day < span.first || day > span.last {
                continue;
            }
            per_event
                .entry(r.event.as_str())
                .or_default()
                .push((i, day));
        }
    }
    let events = registry
        .events()
        .map(|e| {
            let mine = per_event.get(e.full_name.as_str()).map_or(&[][..], |v| v);
            event_report(e, rows, mine, &periods, options.k, &mut contributors)
        })
        .collect();
    Report {
        title: options.title.clone(),
        docs_url: options.docs_url.clone(),
        k: options.k,
        range,
        period,
        periods,
        unit: contributors.unit(),
        events,
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

fn event_report(
    e: &Event,
    rows: &[StoredEvent],
    mine: &[(usize, i64)],
    periods: &[Span],
    k: u32,
    contributors: &mut contributor::Contributors,
) -> EventReport {
    let who: Vec<u32> = mine
        .iter()
        .map(|&(i, _)| contributors.of(&rows[i]))
        .collect();
    let mut total = Tally::default();
    let mut by_period = vec![Tally::default(); periods.len()];
    for (&(_, day), &c) in mine.iter().zip(&who) {
        total.add(c);
        let p = periods.partition_point(|s| s.last < day);
        by_period[p].add(c);
    }
    let (total_cell, per_period) = floor::apply(k, &total, &by_period);

    let mut fields = Vec::new();
    let mut withheld_fields = Vec::new();
    let parsed: Vec<Option<serde_json::Map<String, Value>>> = mine
        .iter()
        .map(|&(i, _)| {
            let r = &rows[i];
            (r.version == e.version)
                .then(|| serde_json::from_str(&r.fields).ok())
                .flatten()
        })
        .collect();
    for f in e.collected_fields() {
        if let Some(why) = withheld_because(f) {
            withheld_fields.push((f.name.clone(), f.class, why));
            continue;
        }
        fields.push(field_report(f, &parsed, &who, &total, k));
    }
    EventReport {
        name: e.full_name.clone(),
        version: e.version,
        description: e.description.clone(),
        total: total_cell,
        per_period,
        fields,
        withheld_fields,
    }
}

fn field_report(
    f: &Field,
    parsed: &[Option<serde_json::Map<String, Value>>],
    who: &[u32],
    total: &Tally,
    k: u32,
) -> FieldReport {
    let scale = Scale::of(&f.ty);
    let unit = scale::unit(&f.ty);
    let mut fixed = vec![Tally::default(); scale.rows()];
    let mut observed: HashMap<String, Tally> = HashMap::new();
    let mut not_set = Tally::default();
    for (p, &c) in parsed.iter().zip(who) {
        let v = p.as_ref().and_then(|m| m.get(&f.name));
        match (v, &scale) {
            (Some(Value::String(s)), Scale::Observed) => {
                observed.entry(s.clone()).or_default().add(c);
            }
            (Some(v), _) => match scale.row(v) {
                Some(i) => fixed[i].add(c),
                None => not_set.add(c),
            },
            (None, _) => not_set.add(c),
        }
    }
    // Labels and tallies, in the order they are shown.
    let mut table: Vec<(String, RowKind, Tally)> = Vec::new();
    match &scale {
        Scale::Observed => {
            let mut seen: Vec<(String, Tally)> = observed.into_iter().collect();
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
        _ => {
            let mut lo = 0;
            let mut hi = fixed.len();
            if scale.trims_empty_ends() {
                while lo < hi && fixed[lo].count == 0 {
                    lo += 1;
                }
                while hi > lo && fixed[hi - 1].count == 0 {
                    hi -= 1;
                }
            }
            for (i, t) in fixed.into_iter().enumerate().take(hi).skip(lo) {
                table.push((scale.label(i, unit), RowKind::Value, t));
            }
        }
    }
    if f.optional || not_set.count > 0 {
        table.push(("not set".into(), RowKind::NotSet, not_set));
    }
    let tallies: Vec<Tally> = table.iter().map(|(_, _, t)| t.clone()).collect();
    let (_, cells) = floor::apply(k, total, &tallies);
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
        rows: table
            .into_iter()
            .zip(cells)
            .map(|((label, kind, _), cell)| Row { label, kind, cell })
            .collect(),
    }
}

/// Writes the three files into `dir` (created if missing).
pub fn write(report: &Report, dir: &std::path::Path) -> std::io::Result<Vec<std::path::PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for (name, contents) in [
        (HTML_FILE, html::render(report)),
        (JSON_FILE, json::render(report)),
        (CSV_FILE, csv::render(report)),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, contents)?;
        written.push(path);
    }
    Ok(written)
}
