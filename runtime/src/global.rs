//! The process-wide client used by [`Event::track`](crate::Event::track).
//!
//! Installing is optional: libraries can call `MyEvent{..}.track()` without
//! knowing whether the app set telemetry up. With no client installed the
//! mask below stays zero and tracking costs one relaxed atomic load.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::OnceLock;

use crate::{Client, Event};

/// Consent mask of the installed global client (0 when none is installed).
/// Mirrored here so the disabled path never has to reach the client.
pub(crate) static GLOBAL_MASK: AtomicU8 = AtomicU8::new(0);

pub(crate) static GLOBAL: OnceLock<Client> = OnceLock::new();

/// Tracks `event` on the global client, if one is installed and the
/// event's category is consented to.
#[inline]
pub(crate) fn track<E: Event>(event: E) {
    if GLOBAL_MASK.load(Ordering::Relaxed) & E::CONSENT.bit() == 0 {
        return;
    }
    if let Some(client) = GLOBAL.get() {
        client.track(&event);
    }
}
