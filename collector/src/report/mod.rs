//! `candor report`: the public "what we learned" page, built from a store's events and the
//! schemas, with a k-anonymity floor on every number.
//!
//! - [`build`] reads the stored events in a period and computes a [`Report`]: per event the
//!   count per day (or week), per published field the distribution of its values
//!   ([`aggregate`]).
//! - [`metrics`]: the same for stored metrics entries: per metric its total per period and
//!   its labels, buckets or value ranges.
//! - [`contributor`]: who counts as one contributor for the floor.
//! - [`floor`]: which cells may be published (primary and complementary suppression).
//! - [`scale`]: the rows of a field's distribution.
//! - [`json`], [`csv`], [`html`] (+ [`chart`]): the three renderings of one [`Report`].
//!
//! Output is a pure function of the stored events, the schemas and [`Options`]: no clock, no
//! randomness, a fixed order everywhere, so the same store gives byte-identical files.
//! See docs/aggregates.md.

pub mod aggregate;
pub mod chart;
pub mod contributor;
pub mod csv;
pub mod floor;
pub mod html;
pub mod json;
pub mod metrics;
pub mod scale;

use candor_schema::ir::{Field, PrivacyClass, Registry};
use candor_schema::Date;

pub use candor_core::randomized_response::{Estimate, Z_95};

use crate::store::{Store, StoreError, StoredEvent, StoredMetric};
pub use contributor::Unit;
use floor::Cell;
pub use metrics::MetricReport;

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
    /// on which at least `k` contributors sent events (so the period's ends reveal no fewer).
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
    /// Published metrics, in declaration order.
    pub metrics: Vec<MetricReport>,
    /// Metrics left out of the report, and why.
    pub withheld_metrics: Vec<(String, PrivacyClass, &'static str)>,
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
    /// ε of the field's randomized response, when its schema declares one: its rows then carry
    /// estimates ([`Row::estimate`]).
    pub epsilon: Option<f64>,
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
    /// For a field randomised on the device (randomized response): the unbiased estimate of
    /// the true count and its standard error, published instead of the randomised count.
    pub estimate: Option<Estimate>,
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
        PrivacyClass::Sensitive => Some("sensitive, and its schema does not mark it publish: true"),
        PrivacyClass::Pii => Some("never collected"),
    }
}

/// Reads the events of `store` in the period and computes the report, one stored event at a
/// time (memory grows with the number of distinct contributors per cell, not with the store);
/// then its metrics entries likewise.
pub fn build(
    registry: &Registry,
    store: &mut dyn Store,
    options: &Options,
) -> Result<Report, StoreError> {
    let mut agg = aggregate::Aggregator::new(registry, options);
    store.scan_events(options.from, options.to, &mut |e| agg.add(&e))?;
    store.scan_metrics(options.from, options.to, &mut |m| agg.add_metric(&m))?;
    Ok(agg.finish())
}

/// Computes the report from stored events (what [`build`] does with what it reads).
pub fn compute(registry: &Registry, rows: &[StoredEvent], options: &Options) -> Report {
    compute_with_metrics(registry, rows, &[], options)
}

/// Computes the report from stored events and metrics entries.
pub fn compute_with_metrics(
    registry: &Registry,
    rows: &[StoredEvent],
    metrics: &[StoredMetric],
    options: &Options,
) -> Report {
    let mut agg = aggregate::Aggregator::new(registry, options);
    for r in rows {
        agg.add(r);
    }
    for m in metrics {
        agg.add_metric(m);
    }
    agg.finish()
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
