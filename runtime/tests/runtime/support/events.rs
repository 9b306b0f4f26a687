//! Hand-written `Event` impls standing in for derived ones (the runtime's tests cannot use
//! the derive without a schema folder). Also included by `tests/allocations.rs`.
#![allow(dead_code)]

use candor::__private::StrCheck;
use candor::{Consent, Event, EventMeta};
use candor::{EncodeError, FieldWriter};

/// Usage event with the shape `#[derive(Event)]` generates.
pub struct Clicked {
    pub button: &'static str,
    pub count: u64,
    pub seq: u64,
}

impl Event for Clicked {
    const META: EventMeta = EventMeta {
        name: "app.button_clicked",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        fingerprint: "0123456789abcdef",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.enum_value("button", self.button);
        w.u64("count", self.count);
        w.u64("seq", self.seq);
        w.end();
        Ok(())
    }
}

/// Diagnostics event with a free-text field (scanned).
pub struct Failed {
    pub reason: String,
}

impl Event for Failed {
    const META: EventMeta = EventMeta {
        name: "app.operation_failed",
        version: 2,
        consent: Consent::Diagnostics,
        retention_days: 30,
        fingerprint: "fedcba9876543210",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.str("reason", &self.reason, &StrCheck::new(Some(300), None))?;
        w.end();
        Ok(())
    }
}
