//! The diff report as Markdown, written to be posted as a pull-request comment: failures first,
//! then privacy changes, then a table of events and their changes.

use super::rules::failure_text;
use super::{Bump, EventReport, Report, Status};
use crate::docs::markdown::code_literal as c;
use std::fmt::Write as _;

fn bump_name(b: Bump) -> &'static str {
    match b {
        Bump::None => "none",
        Bump::Additive => "additive",
        Bump::Breaking => "breaking",
    }
}

fn version(e: &EventReport) -> String {
    match (e.base_version, e.head_version) {
        (Some(b), Some(h)) if b == h => b.to_string(),
        (Some(b), Some(h)) => format!("{b} → {h}"),
        (Some(b), None) => format!("{b} → removed"),
        (None, Some(h)) => format!("new, {h}"),
        (None, None) => String::new(),
    }
}

fn verdict(e: &EventReport) -> &'static str {
    match (e.status, e.required_bump) {
        (Status::Added, _) | (Status::Removed, _) | (_, Bump::None) => "–",
        _ if e.bumped => "✅ bumped",
        _ => "❌ not bumped",
    }
}

pub fn render(r: &Report) -> String {
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(w, "## Schema changes: {} → {}\n", c(&r.base), c(&r.head));
    let privacy: Vec<_> = r.privacy_changes().collect();
    if r.failures.is_empty() {
        let _ = writeln!(w, "✅ **No blocking problems.**");
    } else {
        let _ = writeln!(
            w,
            "❌ **{} blocking problem{}** must be fixed before merging:\n",
            r.failures.len(),
            if r.failures.len() == 1 { "" } else { "s" }
        );
        for f in &r.failures {
            let _ = writeln!(w, "- {}", failure_text(f));
        }
    }
    let _ = writeln!(w);
    if r.events.is_empty() && r.registry_changes.is_empty() && r.metrics.is_empty() {
        let _ = writeln!(w, "No changes to events, fields or policy.");
        return out;
    }

    if privacy.is_empty() {
        let _ = writeln!(w, "### Privacy changes\n\nNone.\n");
    } else {
        let _ = writeln!(
            w,
            "### Privacy changes ({}): a privacy reviewer must approve these\n",
            privacy.len()
        );
        for (event, change) in privacy {
            match event {
                Some(e) => {
                    let _ = writeln!(w, "- 🔒 {}: {}", c(e), change.text);
                }
                None => {
                    let _ = writeln!(w, "- 🔒 {}", change.text);
                }
            }
        }
        let _ = writeln!(w);
    }

    if !r.events.is_empty() || !r.registry_changes.is_empty() {
        heading(w, "Events", &r.events);
        if !r.registry_changes.is_empty() {
            let _ = writeln!(w, "Whole folder:\n");
            for ch in &r.registry_changes {
                let _ = writeln!(w, "- {}", ch.text);
            }
            let _ = writeln!(w);
        }
        table_and_details(w, "Event", &r.events);
    }
    if !r.metrics.is_empty() {
        heading(w, "Metrics", &r.metrics);
        table_and_details(w, "Metric", &r.metrics);
    }
    out
}

/// `### Events: 1 added, 0 removed, 2 changed`.
fn heading(w: &mut String, what: &str, items: &[EventReport]) {
    let (added, removed, changed) = items.iter().fold((0, 0, 0), |(a, d, m), e| match e.status {
        Status::Added => (a + 1, d, m),
        Status::Removed => (a, d + 1, m),
        Status::Changed => (a, d, m + 1),
    });
    let _ = writeln!(
        w,
        "### {what}: {added} added, {removed} removed, {changed} changed\n"
    );
}

/// The table of `items` and, for each, its changes.
fn table_and_details(w: &mut String, noun: &str, items: &[EventReport]) {
    if !items.is_empty() {
        let _ = writeln!(
            w,
            "| {noun} | Status | Version | Bump needed | Version check |"
        );
        let _ = writeln!(w, "| --- | --- | --- | --- | --- |");
        for e in items {
            let status = match e.status {
                Status::Added => "added",
                Status::Removed => "removed",
                Status::Changed => "changed",
            };
            let _ = writeln!(
                w,
                "| {} | {status} | {} | {} | {} |",
                c(&e.event),
                version(e),
                bump_name(e.required_bump),
                verdict(e)
            );
        }
        let _ = writeln!(w);
    }
    for e in items {
        let _ = writeln!(w, "#### {}\n", c(&e.event));
        for ch in &e.changes {
            let mut tags = Vec::new();
            if ch.impact > Bump::None {
                tags.push(bump_name(ch.impact));
            }
            if ch.privacy {
                tags.push("privacy");
            }
            let tags = if tags.is_empty() {
                String::new()
            } else {
                format!(" _({})_", tags.join(", "))
            };
            let _ = writeln!(w, "- {}{tags}", ch.text);
        }
        let _ = writeln!(w);
    }
}
