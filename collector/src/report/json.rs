//! The report as JSON (`candor.report/1`): the same numbers as the page, for programs.
//!
//! A withheld cell has `"count": null` and says why (`fewer_than_k` or `complementary`); a
//! published one has its count. Keys are written in a fixed order. Metrics follow the events
//! (`metrics`: per metric its total and count per period, in its `measure`, and its rows;
//! `withheld_metrics`: the metrics left out, and why).

use serde_json::{json, Map, Value};

use super::floor::Cell;
use super::{Report, RowKind, FORMAT};
use candor_schema::Date;

fn cell(c: Cell) -> Map<String, Value> {
    let mut m = Map::new();
    match c {
        Cell::Shown(n) => {
            m.insert("count".into(), json!(n));
        }
        Cell::Hidden(why) => {
            m.insert("count".into(), Value::Null);
            m.insert("withheld".into(), json!(why.as_str()));
        }
    }
    m
}

/// Writes one object with its keys in the order given (serde_json's map sorts them).
fn object(w: &mut String, entries: &[(&str, String)]) {
    w.push('{');
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            w.push(',');
        }
        w.push_str(&Value::String((*k).into()).to_string());
        w.push(':');
        w.push_str(v);
    }
    w.push('}');
}

/// A float with two decimals (estimates are not exact counts; more digits would be noise).
fn num(v: f64) -> String {
    format!("{v:.2}")
}

fn s(v: &str) -> String {
    Value::String(v.into()).to_string()
}

fn list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(","))
}

fn cell_entries(c: Cell) -> Vec<(&'static str, String)> {
    cell(c)
        .into_iter()
        .map(|(k, v)| {
            (
                if k == "count" { "count" } else { "withheld" },
                v.to_string(),
            )
        })
        .collect()
}

/// The JSON file, one line per event, ending in a newline.
pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let range = match r.range {
        Some(span) => {
            let mut o = String::new();
            object(
                &mut o,
                &[
                    ("from", s(&Date::from_days(span.first).to_string())),
                    ("to", s(&Date::from_days(span.last).to_string())),
                ],
            );
            o
        }
        None => "null".into(),
    };
    let periods = list(r.periods.iter().map(|p| {
        let mut o = String::new();
        object(
            &mut o,
            &[
                ("first", s(&Date::from_days(p.first).to_string())),
                ("last", s(&Date::from_days(p.last).to_string())),
            ],
        );
        o
    }));
    let events: Vec<String> = r
        .events
        .iter()
        .map(|e| {
            let mut total = cell_entries(e.total);
            let mut entries = vec![
                ("event", s(&e.name)),
                ("version", e.version.to_string()),
                ("docs", s(&format!("{}#{}", r.docs_url, e.name))),
            ];
            entries.append(&mut total);
            entries.push((
                "per_period",
                list(e.per_period.iter().zip(&r.periods).map(|(c, p)| {
                    let mut o = String::new();
                    let mut en = vec![("period", s(&Date::from_days(p.first).to_string()))];
                    en.extend(cell_entries(*c));
                    object(&mut o, &en);
                    o
                })),
            ));
            entries.push((
                "fields",
                list(e.fields.iter().map(|f| {
                    let mut o = String::new();
                    object(
                        &mut o,
                        &[
                            ("field", s(&f.name)),
                            ("class", s(f.class.as_str())),
                            ("type", s(f.ty)),
                            (
                                "randomized_response_epsilon",
                                f.epsilon.map_or("null".into(), num),
                            ),
                            ("scale", s(f.scale)),
                            (
                                "rows",
                                list(f.rows.iter().map(|row| {
                                    let mut o = String::new();
                                    let mut en = vec![
                                        ("value", s(&row.label)),
                                        (
                                            "kind",
                                            s(match row.kind {
                                                RowKind::Value => "value",
                                                RowKind::Other => "other_values",
                                                RowKind::NotSet => "not_set",
                                            }),
                                        ),
                                    ];
                                    match row.estimate {
                                        // A randomised field: the estimate of the true count,
                                        // never the randomised count as if it were true.
                                        Some(e) => {
                                            let (lo, hi) = e.interval(super::Z_95);
                                            en.push(("estimate", num(e.count)));
                                            en.push(("std_error", num(e.std_error)));
                                            en.push(("ci95", format!("[{},{}]", num(lo), num(hi))));
                                        }
                                        None if f.epsilon.is_some()
                                            && row.kind == RowKind::Value =>
                                        {
                                            en.extend(
                                                cell_entries(row.cell)
                                                    .into_iter()
                                                    .filter(|(k, _)| *k != "count"),
                                            );
                                            en.push(("estimate", "null".into()));
                                        }
                                        None => en.extend(cell_entries(row.cell)),
                                    }
                                    object(&mut o, &en);
                                    o
                                })),
                            ),
                        ],
                    );
                    o
                })),
            ));
            entries.push((
                "withheld_fields",
                list(e.withheld_fields.iter().map(|(name, class, why)| {
                    let mut o = String::new();
                    object(
                        &mut o,
                        &[
                            ("field", s(name)),
                            ("class", s(class.as_str())),
                            ("why", s(why)),
                        ],
                    );
                    o
                })),
            ));
            let mut o = String::new();
            object(&mut o, &entries);
            o
        })
        .collect();
    let mut head = String::new();
    object(
        &mut head,
        &[
            ("format", s(FORMAT)),
            ("title", s(&r.title)),
            ("k", r.k.to_string()),
            ("contributor", s(r.unit.as_str())),
            ("range", range),
            ("period", s(r.period.as_str())),
            ("periods", periods),
            ("events", "@EVENTS@".into()),
            ("metrics", "@METRICS@".into()),
            (
                "withheld_metrics",
                list(r.withheld_metrics.iter().map(|(name, class, why)| {
                    let mut o = String::new();
                    object(
                        &mut o,
                        &[
                            ("metric", s(name)),
                            ("class", s(class.as_str())),
                            ("why", s(why)),
                        ],
                    );
                    o
                })),
            ),
        ],
    );
    let lines = |items: Vec<String>| {
        if items.is_empty() {
            "[]".to_string()
        } else {
            format!("[\n{}\n]", items.join(",\n"))
        }
    };
    let metrics: Vec<String> = r.metrics.iter().map(|m| metric(r, m)).collect();
    out.push_str(
        &head
            .replacen(
                "\"events\":@EVENTS@",
                &format!("\"events\":{}", lines(events)),
                1,
            )
            .replacen(
                "\"metrics\":@METRICS@",
                &format!("\"metrics\":{}", lines(metrics)),
                1,
            ),
    );
    out.push('\n');
    out
}

/// One metric's object, on one line.
fn metric(r: &Report, m: &super::MetricReport) -> String {
    let mut entries = vec![
        ("metric", s(&m.name)),
        ("version", m.version.to_string()),
        ("type", s(m.ty)),
        ("class", s(m.class.as_str())),
        ("unit", m.unit.map_or("null".into(), s)),
        ("measure", s(m.measure)),
        ("docs", s(&format!("{}#{}", r.docs_url, m.name))),
    ];
    entries.extend(cell_entries(m.total));
    entries.push((
        "per_period",
        list(m.per_period.iter().zip(&r.periods).map(|(c, p)| {
            let mut o = String::new();
            let mut en = vec![("period", s(&Date::from_days(p.first).to_string()))];
            en.extend(cell_entries(*c));
            object(&mut o, &en);
            o
        })),
    ));
    entries.push(("scale", s(m.scale)));
    entries.push((
        "rows",
        list(m.rows.iter().map(|row| {
            let mut o = String::new();
            let mut en = vec![("value", s(&row.label))];
            en.extend(cell_entries(row.cell));
            object(&mut o, &en);
            o
        })),
    ));
    let mut o = String::new();
    object(&mut o, &entries);
    o
}
