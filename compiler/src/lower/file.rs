//! Whole files: a namespace file (`namespace`, `owners`, `defaults`, `events`) or the project
//! policy file `candor.yaml`.

use super::event::{self, Env, Inherited};
use super::metric;
use super::{as_map, check_keys, integer, keyword, missing, string_list, text, Ctxt};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Namespace, Policy};
use crate::source::{FileId, Span};
use crate::yaml::Node;

const KEYS: [&str; 6] = [
    "namespace",
    "description",
    "owners",
    "defaults",
    "events",
    "metrics",
];
const DEFAULT_KEYS: [&str; 3] = ["consent", "retention_days", "expires"];
const POLICY_KEYS: [&str; 4] = [
    "max_retention_days",
    "max_expiry_days",
    "max_string_len",
    "extra_personal_words",
];

/// Lowers one namespace file. `root` is `None` for an empty file.
pub(crate) fn lower_namespace(
    cx: &mut Ctxt,
    root: Option<&Node<'_>>,
    file: FileId,
    relative: &str,
    env: &Env<'_>,
) -> Option<Namespace> {
    let what = "a schema file";
    let Some(root) = root else {
        cx.push(
            Diagnostic::error(
                Code::MissingKey,
                Span::file_start(file),
                "the schema file is empty",
            )
            .with_help("start it with `namespace: <name>`, `description: ...` and `events:`"),
        );
        return None;
    };
    let map = as_map(cx, root, what, Code::DuplicateKey)?;
    check_keys(cx, &map, what, &KEYS, |_| None);
    let top = root.span;
    let at = Span {
        end: top.start,
        ..top
    };

    let mut name_ok = true;
    let name_span = map.get("namespace").map(|e| e.value.span).unwrap_or(at);
    let name = match map.get("namespace") {
        Some(e) => {
            let n = text(cx, e, what);
            if let Some(n) = &n {
                name_ok = super::names::check(cx, n, e.value.span, "namespace");
            }
            n
        }
        None => {
            missing(cx, at, "the schema file", "namespace", "wallet");
            None
        }
    };
    let description = match map.get("description") {
        Some(e) => text(cx, e, what),
        None => {
            missing(
                cx,
                at,
                "the schema file",
                "description",
                "<what this group of events is about>",
            );
            None
        }
    };
    let owners = map.get("owners").map(|e| event::owners(cx, e));
    let mut inherited = Inherited {
        owners_invalid: matches!(owners, Some(None)),
        owners: owners.flatten(),
        ..Inherited::default()
    };
    let defaults_map = map
        .get("defaults")
        .and_then(|e| as_map(cx, e.value, "`defaults`", Code::DuplicateKey));
    if let Some(d) = &defaults_map {
        check_keys(cx, d, "`defaults`", &DEFAULT_KEYS, |_| None);
        if let Some(e) = d.get("consent") {
            inherited.consent = keyword(
                cx,
                e,
                Code::UnknownConsent,
                "consent category",
                &event::consents(),
            )
            .map(|c| (c, e.value.span));
            inherited.consent_invalid = inherited.consent.is_none();
        }
        inherited.retention_days = d
            .get("retention_days")
            .map(|e| event::retention(cx, e, env.policy));
        inherited.expires = d.get("expires");
    }

    let ns_name = name.as_deref().unwrap_or("?");
    let mut events = Vec::new();
    let mut ok = name.is_some() && name_ok;
    // A file may declare events, metrics or both; `events` is required only without metrics.
    let metrics_entry = map.get("metrics");
    let mut event_names: Vec<(String, Span)> = Vec::new();
    match map.get("events") {
        Some(e) => {
            if let Some(emap) = as_map(cx, e.value, "`events`", Code::DuplicateEvent) {
                if emap.entries.is_empty() && metrics_entry.is_none() {
                    cx.push(
                        Diagnostic::warning(
                            Code::NoEvents,
                            e.key_span,
                            "this file declares no events",
                        )
                        .with_help("add events under `events:` or delete the file"),
                    );
                }
                for ev in &emap.entries {
                    event_names.push((ev.key.to_string(), ev.key_span));
                    match event::lower(cx, ev, ns_name, &inherited, env) {
                        Some(event) => events.push(event),
                        None => ok = false,
                    }
                }
            } else {
                ok = false;
            }
        }
        None if metrics_entry.is_some() => {}
        None => {
            missing(cx, at, "the schema file", "events", "{ ... }");
            ok = false;
        }
    }
    let mut metrics = Vec::new();
    if let Some(e) = metrics_entry {
        if let Some(mmap) = as_map(cx, e.value, "`metrics`", Code::DuplicateMetric) {
            if mmap.entries.is_empty() && events.is_empty() {
                cx.push(
                    Diagnostic::warning(
                        Code::NoEvents,
                        e.key_span,
                        "this file declares no events and no metrics",
                    )
                    .with_help("add metrics under `metrics:` or delete the file"),
                );
            }
            for m in &mmap.entries {
                if let Some((_, ev_span)) = event_names.iter().find(|(n, _)| n == m.key) {
                    ok = false;
                    cx.push(
                        Diagnostic::error(
                            Code::DuplicateMetric,
                            m.key_span,
                            format!("metric `{ns_name}.{}` has the name of an event of the same namespace", m.key),
                        )
                        .with_related(*ev_span, "the event is declared here")
                        .with_help("give the metric its own name: events and metrics share the namespace's names"),
                    );
                }
                match metric::lower(cx, m, ns_name, &inherited, env) {
                    Some(metric) => metrics.push(metric),
                    None => ok = false,
                }
            }
        } else {
            ok = false;
        }
    }
    let description = description?;
    ok.then(|| Namespace {
        name: ns_name.to_string(),
        description,
        file: relative.to_string(),
        events,
        metrics,
        span: name_span,
    })
}

/// Lowers `candor.yaml`. Problems are reported and the defaults kept for whatever was wrong, so
/// the namespace files are still checked in the same run.
pub(crate) fn lower_policy(cx: &mut Ctxt, root: Option<&Node<'_>>) -> Policy {
    let mut policy = Policy::default();
    let Some(root) = root else { return policy };
    let what = "the policy file";
    let Some(map) = as_map(cx, root, what, Code::DuplicateKey) else {
        return policy;
    };
    check_keys(cx, &map, what, &POLICY_KEYS, |_| None);
    if let Some(e) = map.get("max_retention_days") {
        policy.max_retention_days =
            integer(cx, e, 1..=36_500).map_or(policy.max_retention_days, |v| v as u32);
    }
    if let Some(e) = map.get("max_expiry_days") {
        policy.max_expiry_days =
            integer(cx, e, 1..=36_500).map_or(policy.max_expiry_days, |v| v as u32);
    }
    if let Some(e) = map.get("max_string_len") {
        policy.max_string_len =
            integer(cx, e, 1..=4096).map_or(policy.max_string_len, |v| v as u32);
    }
    if let Some(e) = map.get("extra_personal_words") {
        for (w, span) in string_list(cx, e).unwrap_or_default() {
            if super::names::check(cx, w, span, "personal word") {
                policy.extra_personal_words.push(w.to_string());
            }
        }
    }
    policy
}
