//! Checks across files: a namespace or event declared twice.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Namespace;
use std::collections::HashMap;

/// Reports namespaces declared in several files and the events they repeat. Returns the
/// namespaces with later duplicates removed, so one mistake does not cascade.
pub(crate) fn duplicates(namespaces: Vec<Namespace>, out: &mut Vec<Diagnostic>) -> Vec<Namespace> {
    let mut kept: Vec<Namespace> = Vec::with_capacity(namespaces.len());
    // By name, so a folder of 100,000 files is checked in linear time.
    let mut by_name: HashMap<String, usize> = HashMap::with_capacity(namespaces.len());
    for ns in namespaces {
        let Some(&at_first) = by_name.get(&ns.name) else {
            by_name.insert(ns.name.clone(), kept.len());
            kept.push(ns);
            continue;
        };
        let first = &kept[at_first];
        let (at, first_at) = (ns.span, first.span);
        out.push(
            Diagnostic::error(
                Code::DuplicateNamespace,
                at,
                format!("namespace `{}` is declared in `{}` and again in `{}`", ns.name, first.file, ns.file),
            )
            .with_related(first_at, "first declared in this file")
            .with_help("each namespace lives in exactly one file: merge the two files or rename one namespace"),
        );
        let first_events: HashMap<&str, &crate::ir::Event> =
            first.events.iter().map(|e| (e.name.as_str(), e)).collect();
        for event in &ns.events {
            if let Some(prev) = first_events.get(event.name.as_str()) {
                out.push(
                    Diagnostic::error(
                        Code::DuplicateEvent,
                        event.span,
                        format!("event `{}` is declared twice", event.full_name),
                    )
                    .with_related(prev.span, "first declared here")
                    .with_help("remove one of the two declarations"),
                );
            }
        }
    }
    kept
}
