//! The page's metrics section: per published metric its total, a chart and table per period,
//! and a chart and table of its labels, buckets or value ranges. Written only when the
//! schemas declare metrics, so a page of events alone is unchanged.

use std::fmt::Write as _;

use super::chart::{self, Mark};
use super::{cell_td, cell_text, escape, not_published, over_time, Series};
use crate::report::{MetricReport, Report};

fn anchor(metric: &str) -> String {
    format!("metric-{}", metric.replace('.', "-"))
}

/// The measure in words: "counted", "values recorded", "reports".
fn measure_words(m: &MetricReport) -> (&'static str, &'static str) {
    match m.measure {
        "values" => ("Values", "values recorded"),
        "reports" => ("Reports", "reports"),
        _ => ("Total", "counted"),
    }
}

pub(super) fn section(w: &mut String, r: &Report) {
    if r.metrics.is_empty() && r.withheld_metrics.is_empty() {
        return;
    }
    let _ = write!(
        w,
        "<section id=\"metrics\" aria-labelledby=\"metrics-h\">\n\
         <h2 id=\"metrics-h\">Metrics</h2>\n\
         <p>Numbers the app adds up on each device over an interval (an hour by default) and \
         sends as one summary per interval: counts, counts per reason, how long things took \
         and how many there were. No single occurrence ever left a device. The same rule \
         holds as for events: a number is shown only when at least {} contributors made it, \
         where a device's summaries of one interval count as one contributor (one installation, \
         when the app sends an installation number). A quantity (such as a number of peers) \
         is shown only as how many reports fell in each range, never as a device's value.</p>\n",
        r.k
    );
    for m in &r.metrics {
        metric_section(w, r, m);
    }
    not_published(w, &r.withheld_metrics);
    let _ = writeln!(w, "</section>");
}

fn metric_section(w: &mut String, r: &Report, m: &MetricReport) {
    let id = anchor(&m.name);
    let (what, words) = measure_words(m);
    let unit = m.unit.map_or(String::new(), |u| {
        format!(", in <code>{}</code>", escape(u))
    });
    let _ = write!(
        w,
        "<article class=\"report-event report-metric\" id=\"{id}\" aria-labelledby=\"{id}-h\">\n\
         <h3 id=\"{id}-h\"><code>{}</code> <span class=\"version\">version {}</span></h3>\n\
         <p>{} <a class=\"docs-link\" href=\"{}#{}\">What this metric sends, and why</a></p>\n\
         <p class=\"about\">{}{unit} · <span class=\"cls cls-{class}\">{class}</span>{published}</p>\n\
         <p class=\"total\">In the whole period: <strong>{}</strong> {words}</p>\n",
        escape(&m.name),
        m.version,
        escape(&m.description),
        escape(&r.docs_url),
        escape(&m.name),
        m.ty,
        cell_text(m.total, r.k),
        class = m.class.as_str(),
        published = if m.sensitive_published {
            " published by the schema's explicit choice"
        } else {
            ""
        },
    );
    if !r.periods.is_empty() {
        let series = Series {
            name: &m.name,
            per_period: &m.per_period,
            what,
            verb: format!("{words} of {}", m.name),
            caption: format!("{what} of <code>{}</code>", escape(&m.name)),
        };
        over_time(w, r, &series, &id);
    }
    if m.scale != "none" {
        rows(w, r, m, &id, what);
    }
    let _ = writeln!(w, "</article>");
}

fn rows(w: &mut String, r: &Report, m: &MetricReport, id: &str, what: &str) {
    let fid = format!("{id}-rows");
    let (heading, by) = match m.scale {
        "labels" => ("Label", "per label"),
        "buckets" => ("Bucket", "per bucket"),
        _ => ("Value range", "per value range"),
    };
    let _ = write!(
        w,
        "<section class=\"field\" id=\"{fid}\" aria-labelledby=\"{fid}-h\">\n\
         <h4 id=\"{fid}-h\">{what} {by}</h4>\n"
    );
    let marks: Vec<Mark<'_>> = m
        .rows
        .iter()
        .map(|row| Mark {
            label: &row.label,
            short: &row.label,
            cell: row.cell,
            muted: false,
            text: None,
        })
        .collect();
    let _ = write!(
        w,
        "<figure>\n{}\n</figure>\n",
        chart::bars(
            &format!("{fid}-chart"),
            &format!("{}: {} {by}", m.name, what.to_lowercase()),
            &format!(
                "Bars, one {}: {} in the whole period. The table next to it has every number.",
                by.trim_start_matches("per "),
                what.to_lowercase()
            ),
            &marks,
            m.total.shown(),
            r.k
        )
    );
    let _ = write!(
        w,
        "<table class=\"numbers\">\n<caption>{what} of <code>{}</code> {by}</caption>\n\
         <thead><tr><th scope=\"col\">{heading}</th><th scope=\"col\" class=\"num\">{what}</th></tr></thead>\n<tbody>\n",
        escape(&m.name)
    );
    for row in &m.rows {
        let label = if m.scale == "labels" {
            format!("<code>{}</code>", escape(&row.label))
        } else {
            escape(&row.label)
        };
        let _ = writeln!(
            w,
            "<tr><th scope=\"row\">{label}</th>{}</tr>",
            cell_td(row.cell, r.k)
        );
    }
    let _ = writeln!(w, "</tbody>\n</table>\n</section>");
}
