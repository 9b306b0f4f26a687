//! Time as the wire carries it: whole UTC minutes since the Unix epoch, and their
//! `YYYY-MM-DDTHH:MMZ` text (both by `candor_core::date`). The sender reads the system clock here and publishes the minute;
//! everything else (the pipeline, `track()`) is handed a minute and never reads a clock.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where the runtime reads the current UTC minute: the system clock (the default), or, for
/// tests, a fixed or scripted minute ([`Config::clock`](crate::Config::clock)).
///
/// The clock is read by the sender thread (at most once per wake-up, and at every minute
/// boundary), at start and on consent changes; `track()` reads only the minute the sender
/// published. Replacing it therefore costs nothing per event.
#[derive(Clone, Default)]
pub struct Clock(Source);

#[derive(Clone, Default)]
enum Source {
    #[default]
    System,
    Fixed(u32),
    Custom(Arc<dyn Fn() -> u32 + Send + Sync>),
}

impl Clock {
    /// The system clock (UTC). The default.
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// Always `minute` (minutes since 1970-01-01T00:00Z). For tests of expiry and retention.
    pub fn fixed(minute: u32) -> Clock {
        Clock(Source::Fixed(minute))
    }

    /// Whatever `f` answers, read where the system clock would be. For tests that move time.
    pub fn from_fn(f: impl Fn() -> u32 + Send + Sync + 'static) -> Clock {
        Clock(Source::Custom(Arc::new(f)))
    }

    /// Minutes since the Unix epoch, now. A system clock before 1970 reads as 0.
    pub fn now_minute(&self) -> u32 {
        match &self.0 {
            Source::System => candor_core::date::now_minute(),
            Source::Fixed(m) => *m,
            Source::Custom(f) => f(),
        }
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            Source::System => f.write_str("Clock::system()"),
            Source::Fixed(m) => write!(f, "Clock::fixed({m})"),
            Source::Custom(_) => f.write_str("Clock::from_fn(..)"),
        }
    }
}

/// Time left until the next UTC minute boundary (never zero).
pub(crate) fn until_next_minute() -> Duration {
    let since = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let into = Duration::new(since.as_secs() % 60, since.subsec_nanos());
    (Duration::from_secs(60) - into).max(Duration::from_millis(1))
}

/// Formats a minute count as `YYYY-MM-DDTHH:MMZ` (17 bytes): the wire minute of
/// `candor_core::date`, which a collector parses back with the same module.
pub(crate) fn format_minute(minute: u32) -> [u8; 17] {
    candor_core::date::format_minute(minute)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_formatting() {
        assert_eq!(&format_minute(0), b"1970-01-01T00:00Z");
        // 2026-11-22T12:34Z
        let secs = 1_795_350_840u64;
        assert_eq!(&format_minute((secs / 60) as u32), b"2026-11-22T12:34Z");
        // Leap day.
        let leap = 1_709_208_000u64 / 60; // 2024-02-29T12:00Z
        assert_eq!(&format_minute(leap as u32), b"2024-02-29T12:00Z");
    }
}
