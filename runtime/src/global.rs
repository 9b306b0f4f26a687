//! The process-wide client used by [`Event::track`](crate::Event::track).
//!
//! Installing is optional: libraries can call `MyEvent{..}.track()` without
//! knowing whether the app set telemetry up. With no client installed the
//! mask below stays zero and tracking costs one relaxed atomic load.

use std::sync::atomic::{AtomicU8, Ordering};

use crate::Event;

/// Consent mask of the installed global client (0 when none is installed).
/// Duplicated here so the disabled path never has to reach the client.
pub(crate) static GLOBAL_MASK: AtomicU8 = AtomicU8::new(0);

/// Tracks `event` on the global client, if one is installed and the
/// event's category is consented to.
#[inline]
pub(crate) fn track<E: Event>(event: E) {
    if GLOBAL_MASK.load(Ordering::Relaxed) & E::CONSENT.bit() == 0 {
        return;
    }
    track_slow(event);
}

#[cold]
fn track_slow<E: Event>(event: E) {
    // No client can be installed yet in this version of the crate, so the
    // mask is always zero and this is unreachable in practice; dropping is
    // the safe behaviour.
    drop(event);
}
