//! The report as CSV (RFC 4180): one row per published or withheld number, for spreadsheets.
//!
//! Columns: `table` (`event_total`, `event_per_period`, `field`, and for metrics
//! `metric_total`, `metric_per_period`, `metric_row`, whose `event` column holds the metric's
//! name and whose `kind` is the metric's measure), `event`, `field`, `kind`
//! (`value`, `other_values`, `not_set` for field rows), `key` (the period's first day, or the
//! field's value), `count` (empty when withheld), `withheld` (`fewer_than_k`, `complementary`,
//! or empty), and for a field randomised on the device `estimate` and `std_error` (the count
//! column is then empty: the randomised count is not a true count).

use super::floor::Cell;
use super::{Estimate, Report, RowKind};
use candor_schema::Date;

/// Quotes a value when it holds a comma, quote or line break; a leading `=`, `+`, `-` or `@`
/// is prefixed with `'` so a spreadsheet never runs a cell as a formula.
fn field(v: &str) -> String {
    let v = if v.starts_with(['=', '+', '-', '@']) {
        format!("'{v}")
    } else {
        v.to_string()
    };
    if v.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v
    }
}

fn line(out: &mut String, cols: [&str; 5], c: Cell, est: Option<&Estimate>, randomised: bool) {
    let (count, why) = match c {
        Cell::Shown(_) if randomised => (String::new(), ""),
        Cell::Shown(n) => (n.to_string(), ""),
        Cell::Hidden(w) => (String::new(), w.as_str()),
    };
    let (e, se) = est.map_or((String::new(), String::new()), |e| {
        (format!("{:.2}", e.count), format!("{:.2}", e.std_error))
    });
    for col in cols {
        out.push_str(&field(col));
        out.push(',');
    }
    out.push_str(&format!("{count},{why},{e},{se}\r\n"));
}

pub fn render(r: &Report) -> String {
    let mut out = String::from("table,event,field,kind,key,count,withheld,estimate,std_error\r\n");
    for e in &r.events {
        line(
            &mut out,
            ["event_total", &e.name, "", "", ""],
            e.total,
            None,
            false,
        );
        for (p, c) in r.periods.iter().zip(&e.per_period) {
            let key = Date::from_days(p.first).to_string();
            line(
                &mut out,
                ["event_per_period", &e.name, "", "", &key],
                *c,
                None,
                false,
            );
        }
        for f in &e.fields {
            for row in &f.rows {
                let kind = match row.kind {
                    RowKind::Value => "value",
                    RowKind::Other => "other_values",
                    RowKind::NotSet => "not_set",
                };
                let randomised = f.epsilon.is_some() && row.kind == RowKind::Value;
                line(
                    &mut out,
                    ["field", &e.name, &f.name, kind, &row.label],
                    row.cell,
                    row.estimate.as_ref(),
                    randomised,
                );
            }
        }
    }
    for m in &r.metrics {
        line(
            &mut out,
            ["metric_total", &m.name, "", m.measure, ""],
            m.total,
            None,
            false,
        );
        for (p, c) in r.periods.iter().zip(&m.per_period) {
            let key = Date::from_days(p.first).to_string();
            line(
                &mut out,
                ["metric_per_period", &m.name, "", m.measure, &key],
                *c,
                None,
                false,
            );
        }
        for row in &m.rows {
            line(
                &mut out,
                ["metric_row", &m.name, "", m.measure, &row.label],
                row.cell,
                None,
                false,
            );
        }
    }
    out
}
