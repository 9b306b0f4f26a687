//! Checks across files: a namespace or event declared twice.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::Namespace;

/// Reports namespaces declared in several files and the events they repeat. Returns the
/// namespaces with later duplicates removed, so one mistake does not cascade.
pub(crate) fn duplicates(namespaces: Vec<Namespace>, out: &mut Vec<Diagnostic>) -> Vec<Namespace> {
    let mut kept: Vec<Namespace> = Vec::with_capacity(namespaces.len());
    for ns in namespaces {
        let Some(first) = kept.iter().find(|k| k.name == ns.name) else {
            kept.push(ns);
            continue;
        };
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
        for event in &ns.events {
            if let Some(prev) = first.events.iter().find(|e| e.name == event.name) {
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
