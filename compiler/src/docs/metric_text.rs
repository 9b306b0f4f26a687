//! What the transparency page says about a metric, in words shared by the Markdown and the
//! HTML page: what kind of number it is, in which unit, and what exactly is sent.

use crate::ir::{Expiry, Metric, MetricKind, PrivacyClass};

/// The metric's type as a reader should understand it.
pub fn kind(m: &Metric) -> &'static str {
    match m.kind {
        MetricKind::Counter => "count",
        MetricKind::LabeledCounter { .. } => "count per reason",
        MetricKind::Distribution { .. } => "distribution",
        MetricKind::Quantity { .. } => "last value",
    }
}

/// The unit in words, if the metric has one.
pub fn unit(m: &Metric) -> Option<&'static str> {
    m.kind.unit().map(|u| u.plural())
}

/// What one interval's document carries for the metric; `code` renders a literal.
pub fn sent(m: &Metric, code: &dyn Fn(&str) -> String) -> String {
    match &m.kind {
        MetricKind::Counter => "how many times it happened in the interval".to_string(),
        MetricKind::LabeledCounter { labels } => {
            let labels: Vec<String> = labels.iter().map(|l| code(l)).collect();
            format!(
                "how many times it happened in the interval, for each of: {}",
                labels.join(", ")
            )
        }
        MetricKind::Distribution { unit, buckets } => {
            let bounds: Vec<String> = buckets.iter().map(|b| code(&b.to_string())).collect();
            format!(
                "how many values fell in each range starting at {} {}, and their sum; never a \
                 single value",
                bounds.join(", "),
                unit.plural()
            )
        }
        MetricKind::Quantity { unit, min, max } => {
            let mut s = format!("the last value set in the interval, in {}", unit.plural());
            match (min, max) {
                (Some(lo), Some(hi)) => s.push_str(&format!(", kept between {lo} and {hi}")),
                (None, Some(hi)) => s.push_str(&format!(", at most {hi}")),
                (Some(lo), None) => s.push_str(&format!(", at least {lo}")),
                (None, None) => {}
            }
            s
        }
    }
}

/// When collection of a metric stops.
pub fn expiry(m: &Metric) -> String {
    match &m.expires {
        Expiry::On { date } => format!("until {date}"),
        Expiry::Never { .. } => "no end date".to_string(),
    }
}

/// The justification for a metric that never expires.
pub fn expiry_justification(m: &Metric) -> Option<&str> {
    match &m.expires {
        Expiry::On { .. } => None,
        Expiry::Never { justification } => Some(justification),
    }
}

/// What the public aggregate report does with a `sensitive` metric: `None` for the other
/// classes (always published).
pub fn publication(m: &Metric) -> Option<&'static str> {
    (m.class == PrivacyClass::Sensitive).then_some(if m.publish {
        "It is sensitive, and its schema lets the app publish its totals in the public aggregate \
         report, shown only where enough people contributed."
    } else {
        "It is sensitive, so its numbers are never in the public aggregate report."
    })
}

/// Why the section exists, in one paragraph.
pub const INTRO: &str = "Metrics are numbers added up on the device: counts, ranges of timings \
    and sizes, and last values. Once per interval (an hour unless the app says otherwise) the \
    app sends one summary per category you allowed, with the interval's start rounded to the \
    hour; single occurrences are never sent.";
