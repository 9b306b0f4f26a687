//! How a field's values become the rows of its distribution: declared categories (bool, enum,
//! strings with `values`), the schema's buckets, fixed ranges for numbers without buckets, and
//! observed values for pattern-checked strings.
//!
//! Every row set except the observed values comes from the schema alone, so the rows a report
//! shows never depend on what one person sent.

use candor_schema::ir::{DurationUnit, FieldType};
use serde_json::Value;

/// The rows of one field's distribution.
#[derive(Clone, Debug)]
pub enum Scale {
    /// One row per declared value (`bool`: `true`, `false`).
    Labels(Vec<String>),
    /// One row per lower bound; a value is one of the bounds (the device rounds it down).
    Buckets { bounds: Vec<f64>, integral: bool },
    /// Half-open ranges `[edges[i], edges[i+1])`, the last one closed. `open`: the edges are
    /// the fixed 1-2-5 series (no declared span), whose empty ends are left out.
    Ranges {
        edges: Vec<f64>,
        integral: bool,
        open: bool,
    },
    /// Strings checked by a pattern: the values seen, each a row.
    Observed,
}

impl Scale {
    /// The scale a field of this type is reported on.
    pub fn of(ty: &FieldType) -> Scale {
        match ty {
            FieldType::Bool => Scale::Labels(vec!["true".into(), "false".into()]),
            FieldType::Enum { values } => Scale::Labels(values.clone()),
            FieldType::String {
                values: Some(values),
                ..
            } => Scale::Labels(values.clone()),
            FieldType::String { values: None, .. } => Scale::Observed,
            FieldType::Integer { min, max, buckets } => numeric(
                buckets
                    .as_ref()
                    .map(|b| b.iter().map(|&v| v as f64).collect()),
                min.map(|v| v as f64),
                max.map(|v| v as f64),
                true,
            ),
            FieldType::Float { min, max, buckets } => numeric(buckets.clone(), *min, *max, false),
            FieldType::Duration { max, buckets, .. } | FieldType::Count { max, buckets } => {
                numeric(
                    buckets
                        .as_ref()
                        .map(|b| b.iter().map(|&v| v as f64).collect()),
                    Some(0.0),
                    max.map(|v| v as f64),
                    true,
                )
            }
        }
    }

    /// How many fixed rows there are (`Observed`: none until values are seen).
    pub fn rows(&self) -> usize {
        match self {
            Scale::Labels(l) => l.len(),
            Scale::Buckets { bounds, .. } => bounds.len(),
            Scale::Ranges { edges, .. } => edges.len() - 1,
            Scale::Observed => 0,
        }
    }

    /// The row of a stored value, or `None` when it has none on this scale (a stored value
    /// always has one; a value from an older schema version may not).
    pub fn row(&self, v: &Value) -> Option<usize> {
        match self {
            Scale::Labels(labels) => {
                let s = match v {
                    Value::Bool(b) => if *b { "true" } else { "false" }.to_string(),
                    Value::String(s) => s.clone(),
                    _ => return None,
                };
                labels.iter().position(|l| *l == s)
            }
            Scale::Buckets { bounds, .. } => {
                let x = v.as_f64()?;
                // The largest bound not above the value (values below the first are sent as it).
                Some(bounds.iter().rposition(|&b| b <= x).unwrap_or(0))
            }
            Scale::Ranges { edges, .. } => {
                let x = v.as_f64()?;
                let last = edges.len() - 2;
                if x < edges[0] || x > edges[last + 1] {
                    return None;
                }
                Some(edges[..=last].iter().rposition(|&e| e <= x).unwrap_or(0))
            }
            Scale::Observed => None,
        }
    }

    /// The label of fixed row `i`, in words, with `unit` after numbers.
    pub fn label(&self, i: usize, unit: &str) -> String {
        match self {
            Scale::Labels(l) => l[i].clone(),
            Scale::Buckets { bounds, integral } => {
                let lo = num(bounds[i], *integral);
                match bounds.get(i + 1) {
                    None => format!("{lo}{unit} or more"),
                    Some(&hi) if *integral && hi - bounds[i] == 1.0 => format!("{lo}{unit}"),
                    Some(&hi) if *integral => format!("{lo} to {}{unit}", num(hi - 1.0, true)),
                    Some(&hi) => format!("{lo} to under {}{unit}", num(hi, false)),
                }
            }
            Scale::Ranges {
                edges, integral, ..
            } => {
                let (lo, hi) = (edges[i], edges[i + 1]);
                let last = i + 2 == edges.len();
                if *integral {
                    let top = if last { hi } else { hi - 1.0 };
                    if top <= lo {
                        format!("{}{unit}", num(lo, true))
                    } else {
                        format!("{} to {}{unit}", num(lo, true), num(top, true))
                    }
                } else if last {
                    format!("{} to {}{unit}", num(lo, false), num(hi, false))
                } else {
                    format!("{} to under {}{unit}", num(lo, false), num(hi, false))
                }
            }
            Scale::Observed => String::new(),
        }
    }

    /// Whether rows with no events at the ends may be left out (ranges only: they come from a
    /// fixed series that spans every magnitude).
    pub fn trims_empty_ends(&self) -> bool {
        matches!(self, Scale::Ranges { open: true, .. })
    }
}

/// The unit written after a field's numbers.
pub fn unit(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Duration { unit, .. } => match unit {
            DurationUnit::Us => " µs",
            DurationUnit::Ms => " ms",
            DurationUnit::S => " s",
        },
        _ => "",
    }
}

fn numeric(buckets: Option<Vec<f64>>, min: Option<f64>, max: Option<f64>, integral: bool) -> Scale {
    if let Some(bounds) = buckets {
        return Scale::Buckets { bounds, integral };
    }
    if let (Some(lo), Some(hi)) = (min, max) {
        if hi > lo {
            // Ten equal ranges over the declared span (whole numbers: at least one wide).
            let mut edges = vec![lo];
            if integral {
                let width = ((hi - lo + 1.0) / 10.0).ceil().max(1.0);
                let mut e = lo + width;
                while e < hi {
                    edges.push(e);
                    e += width;
                }
            } else {
                // Each edge computed from the ends (not by adding up widths), rounded to nine
                // decimals, so `0.3` is not `0.30000000000000004`.
                for i in 1..10 {
                    let e = lo + (hi - lo) * f64::from(i) / 10.0;
                    edges.push((e * 1e9).round() / 1e9);
                }
            }
            edges.push(hi);
            return Scale::Ranges {
                edges,
                integral,
                open: false,
            };
        }
    }
    Scale::Ranges {
        edges: one_two_five(min.is_some_and(|m| m >= 0.0), integral),
        integral,
        open: true,
    }
}

/// Ranges on the 1-2-5 series every chart reader knows (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, …),
/// mirrored below zero unless values cannot be negative.
fn one_two_five(non_negative: bool, integral: bool) -> Vec<f64> {
    let smallest = if integral { 0 } else { -3 };
    let mut positive = Vec::new();
    for exp in smallest..=15 {
        for m in [1.0, 2.0, 5.0] {
            // Rounded so that 0.2 is 0.2, not 2 × 0.1 in binary.
            positive.push(((m * 10f64.powi(exp)) * 1e9).round() / 1e9);
        }
    }
    let mut edges: Vec<f64> = Vec::new();
    if !non_negative {
        edges.push(-1e18);
        edges.extend(positive.iter().rev().map(|v| -v));
    }
    edges.push(0.0);
    edges.extend(positive);
    edges.push(1e18);
    edges
}

/// A number as a reader expects it: whole numbers without a fraction, grouped by thousands.
pub fn num(v: f64, integral: bool) -> String {
    if v.abs() >= 1e17 {
        return if v < 0.0 {
            "−∞".into()
        } else {
            "∞".into()
        };
    }
    if integral || v.fract() == 0.0 {
        let n = v as i64;
        return group(n);
    }
    let s = format!("{v:.9}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.replace('-', "−")
}

/// `1234567` as `1,234,567`.
pub fn group(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 {
        format!("−{out}")
    } else {
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn buckets_take_the_bound_and_say_their_span() {
        let s = Scale::of(&FieldType::Duration {
            unit: DurationUnit::Ms,
            max: None,
            buckets: Some(vec![0, 100, 1000]),
        });
        assert_eq!(s.row(&json!(100)), Some(1));
        assert_eq!(s.label(0, " ms"), "0 to 99 ms");
        assert_eq!(s.label(2, " ms"), "1,000 ms or more");
    }

    #[test]
    fn declared_spans_split_in_ten_and_open_numbers_on_one_two_five() {
        let s = Scale::of(&FieldType::Integer {
            min: Some(0),
            max: Some(100),
            buckets: None,
        });
        assert_eq!(s.rows(), 10);
        assert_eq!(s.row(&json!(100)), Some(9));
        assert_eq!(s.row(&json!(0)), Some(0));
        assert_eq!(s.label(0, ""), "0 to 10");
        let c = Scale::of(&FieldType::Count {
            max: None,
            buckets: None,
        });
        assert_eq!(c.label(c.row(&json!(7)).unwrap(), ""), "5 to 9");
        assert_eq!(c.label(c.row(&json!(0)).unwrap(), ""), "0");
        let f = Scale::of(&FieldType::Float {
            min: None,
            max: None,
            buckets: None,
        });
        assert_eq!(f.label(f.row(&json!(-1.5)).unwrap(), ""), "−2 to under −1");
    }
}
