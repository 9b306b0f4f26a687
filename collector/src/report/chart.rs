//! Charts as inline SVG: columns over time for an event, horizontal bars for a field's values.
//!
//! Each chart is an `<svg role="img">` with a title and a description a screen reader reads;
//! the numbers themselves are in the table the page puts next to it. A withheld number is
//! drawn as a short hatched stub, so it reads as "something, not shown" without colour, and is
//! never drawn to any height that would hint at its size.

use std::fmt::Write as _;

use super::floor::{Cell, Withheld};
use super::html::escape;
use super::scale::group;

const W: f64 = 720.0;

/// One column or bar.
#[derive(Debug)]
pub struct Mark<'a> {
    pub label: &'a str,
    /// A short label for the axis (columns only).
    pub short: &'a str,
    pub cell: Cell,
    /// Drawn in grey: "not set", "other values".
    pub muted: bool,
    /// What the mark says instead of its count (an estimate with its interval).
    pub text: Option<String>,
}

/// A round step for an axis reaching `max`: 1, 2 or 5 times a power of ten, so that the axis
/// has at most four steps.
fn step(max: u64) -> u64 {
    let mut s = 1u64;
    loop {
        for m in [1u64, 2, 5] {
            let v = s * m;
            if max.div_ceil(v) <= 4 {
                return v;
            }
        }
        s *= 10;
    }
}

fn hatch(w: &mut String, id: &str) {
    let _ = write!(
        w,
        "<defs><pattern id=\"{id}-h\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#f1f1f1\"/>\
         <rect width=\"2.5\" height=\"6\" fill=\"#9a9a9a\"/></pattern></defs>"
    );
}

fn withheld_text(why: Withheld, k: u32) -> String {
    match why {
        Withheld::FewerThanK => format!("fewer than {k}"),
        Withheld::Complementary => "hidden to protect another number".into(),
    }
}

/// Columns over time.
pub fn columns(id: &str, title: &str, desc: &str, marks: &[Mark<'_>], k: u32) -> String {
    let (left, right, top, bottom) = (58.0, 12.0, 14.0, 40.0);
    let h = 230.0;
    let plot_w = W - left - right;
    let plot_h = h - top - bottom;
    let max = marks
        .iter()
        .filter_map(|m| m.cell.shown())
        .max()
        .unwrap_or(0);
    let step = step(max.max(1));
    let top_value = max.max(1).div_ceil(step) * step;
    let mut w = String::new();
    let _ = write!(
        w,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
    hatch(&mut w, id);
    // Grid lines and the value axis.
    let mut v = 0;
    while v <= top_value {
        let y = top + plot_h - plot_h * v as f64 / top_value as f64;
        let _ = write!(
            w,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            W - right,
            left - 6.0,
            y + 4.0,
            group(v as i64)
        );
        v += step;
    }
    let n = marks.len().max(1) as f64;
    let slot = plot_w / n;
    let bar = (slot * 0.72).max(1.0);
    let every = (marks.len() as f64 / 10.0).ceil().max(1.0) as usize;
    for (i, m) in marks.iter().enumerate() {
        let x = left + slot * i as f64 + (slot - bar) / 2.0;
        let base = top + plot_h;
        match m.cell {
            Cell::Shown(c) => {
                let bh = plot_h * c as f64 / top_value as f64;
                let _ = write!(
                    w,
                    "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"{bh:.1}\">\
                     <title>{}: {}</title></rect>",
                    base - bh,
                    escape(m.label),
                    group(c as i64)
                );
            }
            Cell::Hidden(_) => {
                let _ = write!(
                    w,
                    "<rect class=\"withheld\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar:.1}\" height=\"10\" \
                     fill=\"url(#{id}-h)\"><title>{}: {}</title></rect>",
                    base - 10.0,
                    escape(m.label),
                    escape(&tooltip(m.cell, k))
                );
            }
        }
        if i % every == 0 {
            let _ = write!(
                w,
                "<text class=\"axis\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                x + bar / 2.0,
                base + 16.0,
                escape(m.short)
            );
        }
    }
    let _ = write!(
        w,
        "<line class=\"baseline\" x1=\"{left}\" x2=\"{}\" y1=\"{:.1}\" y2=\"{:.1}\"/></svg>",
        W - right,
        top + plot_h,
        top + plot_h
    );
    w
}

/// Horizontal bars, one per value; `total` (when published) gives each bar its share.
pub fn bars(
    id: &str,
    title: &str,
    desc: &str,
    marks: &[Mark<'_>],
    total: Option<u64>,
    k: u32,
) -> String {
    let (label_w, value_w, row_h, pad) = (200.0, 190.0, 28.0, 6.0);
    let h = row_h * marks.len().max(1) as f64 + pad * 2.0;
    let plot_w = W - label_w - value_w;
    let max = marks
        .iter()
        .filter_map(|m| m.cell.shown())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut w = String::new();
    let _ = write!(
        w,
        "<svg class=\"chart\" viewBox=\"0 0 {W} {h}\" width=\"{W}\" height=\"{h}\" role=\"img\" \
         aria-labelledby=\"{id}-t {id}-d\"><title id=\"{id}-t\">{}</title><desc id=\"{id}-d\">{}</desc>",
        escape(title),
        escape(desc)
    );
    hatch(&mut w, id);
    for (i, m) in marks.iter().enumerate() {
        let y = pad + row_h * i as f64;
        let label: String = if m.label.chars().count() > 26 {
            m.label.chars().take(25).chain(['…']).collect()
        } else {
            m.label.to_string()
        };
        let _ = write!(
            w,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            label_w - 10.0,
            y + row_h / 2.0 + 5.0,
            escape(&label)
        );
        let (bar_w, class, fill, text) = match m.cell {
            Cell::Shown(c) if m.text.is_some() => (
                plot_w * c as f64 / max as f64,
                if m.muted { "bar muted" } else { "bar" },
                String::new(),
                m.text.clone().unwrap_or_default(),
            ),
            Cell::Shown(c) => {
                let share = total
                    .filter(|&t| t > 0 && c > 0)
                    .map(|t| format!(" · {}%", percent(c, t)))
                    .unwrap_or_default();
                (
                    plot_w * c as f64 / max as f64,
                    if m.muted { "bar muted" } else { "bar" },
                    String::new(),
                    format!("{}{share}", group(c as i64)),
                )
            }
            Cell::Hidden(why) => (
                18.0,
                "withheld",
                format!(" fill=\"url(#{id}-h)\""),
                withheld_text(why, k),
            ),
        };
        let _ = write!(
            w,
            "<rect class=\"{class}\" x=\"{label_w}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\"{fill}>\
             <title>{}: {}</title></rect>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            y + 4.0,
            bar_w.max(if m.cell.shown() == Some(0) { 0.0 } else { 1.5 }),
            row_h - 8.0,
            escape(m.label),
            escape(&m.text.clone().unwrap_or_else(|| tooltip(m.cell, k))),
            label_w + bar_w + 8.0,
            y + row_h / 2.0 + 5.0,
            escape(&text)
        );
    }
    let _ = write!(
        w,
        "<line class=\"baseline\" x1=\"{label_w}\" x2=\"{label_w}\" y1=\"{pad}\" y2=\"{:.1}\"/></svg>",
        h - pad
    );
    w
}

/// What a mark's tooltip says after its label: the number, as the table next to it has it.
fn tooltip(c: Cell, k: u32) -> String {
    match c {
        Cell::Shown(n) => group(n as i64),
        Cell::Hidden(why) => withheld_text(why, k),
    }
}

/// `part` of `whole` in percent, one decimal below 10 %, whole numbers above.
pub fn percent(part: u64, whole: u64) -> String {
    let p = part as f64 * 100.0 / whole as f64;
    if p > 0.0 && p < 10.0 {
        format!("{p:.1}")
    } else {
        format!("{p:.0}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn axis_steps_are_round() {
        assert_eq!(step(1), 1);
        assert_eq!(step(7), 2);
        assert_eq!(step(19), 5);
        assert_eq!(step(1234), 500);
    }
}
