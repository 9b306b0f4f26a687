//! The plain-language summary at the top of the transparency page, computed once from the
//! registry so the Markdown and the HTML can only differ in markup.

use crate::ir::{Consent, Event, Field, PrivacyClass, Registry};

/// What one consent category covers.
#[derive(Debug)]
pub struct Category<'a> {
    pub consent: Consent,
    pub events: Vec<&'a Event>,
    /// Fields that may be sent, over all its events.
    pub collected_fields: usize,
    /// Collected fields per class, in class order, zero counts left out.
    pub by_class: Vec<(PrivacyClass, usize)>,
    /// Shortest and longest retention among its events.
    pub retention: (u32, u32),
}

/// A field declared `pii`: named in the docs precisely because it is never sent.
#[derive(Debug)]
pub struct NeverField<'a> {
    pub event: &'a Event,
    pub field: &'a Field,
}

/// Everything the summary says.
#[derive(Debug)]
pub struct Summary<'a> {
    /// Categories with at least one event, in [`Consent::ALL`] order.
    pub categories: Vec<Category<'a>>,
    /// Categories no event and no metric uses: nothing is collected under them.
    pub unused: Vec<Consent>,
    /// Categories that only metrics use (no event): listed apart, so the page never says that
    /// nothing is collected under them.
    pub metrics_only: Vec<Consent>,
    pub metric_count: usize,
    pub never: Vec<NeverField<'a>>,
    pub event_count: usize,
    pub max_retention_days: u32,
}

pub fn summarize(registry: &Registry) -> Summary<'_> {
    let mut categories = Vec::new();
    let mut unused = Vec::new();
    let mut metrics_only = Vec::new();
    for consent in Consent::ALL {
        let events: Vec<&Event> = registry.events().filter(|e| e.consent == consent).collect();
        if events.is_empty() {
            if registry.metrics().any(|m| m.consent == consent) {
                metrics_only.push(consent);
            } else {
                unused.push(consent);
            }
            continue;
        }
        let collected: Vec<&Field> = events.iter().flat_map(|e| e.collected_fields()).collect();
        let by_class = PrivacyClass::ALL
            .into_iter()
            .map(|c| (c, collected.iter().filter(|f| f.class == c).count()))
            .filter(|(_, n)| *n > 0)
            .collect();
        let retention = events.iter().map(|e| e.retention_days);
        let retention = (
            retention.clone().min().unwrap_or(0),
            retention.max().unwrap_or(0),
        );
        categories.push(Category {
            consent,
            collected_fields: collected.len(),
            by_class,
            retention,
            events,
        });
    }
    let never = registry
        .events()
        .flat_map(|event| {
            event
                .fields
                .iter()
                .filter(|f| !f.class.is_collectable())
                .map(move |field| NeverField { event, field })
        })
        .collect();
    Summary {
        categories,
        unused,
        metrics_only,
        metric_count: registry.metrics().count(),
        never,
        event_count: registry.events().count(),
        max_retention_days: registry.policy.max_retention_days,
    }
}

impl Category<'_> {
    /// "kept for 14 days" or "kept for 14 to 30 days".
    pub fn retention_text(&self) -> String {
        let (lo, hi) = self.retention;
        if lo == hi {
            format!("kept for {}", super::describe::days(hi))
        } else {
            format!("kept for {lo} to {}", super::describe::days(hi))
        }
    }
}
