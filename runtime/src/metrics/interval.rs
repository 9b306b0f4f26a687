//! The sender's side of metrics: when an interval ends (or a flush or shutdown asks), take
//! the registered metrics' values and hand one document per consent category to the
//! pipeline; once a day, re-open or close the gates for expiry.

use std::time::{Duration, Instant};

use crate::client::{lock, Shared, State};

/// Minutes in a day.
const DAY: u32 = 24 * 60;

/// The current interval, on a grid of whole minutes aligned to the Unix epoch (so a one-hour
/// interval starts on the hour, UTC).
pub(crate) struct Interval {
    step: u32,
    start: u32,
    flush_seen: u64,
    day: u32,
}

impl Interval {
    pub(crate) fn new(len: Duration, now_min: u32) -> Interval {
        let step = u32::try_from(len.as_secs() / 60).unwrap_or(u32::MAX).max(1);
        Interval {
            step,
            start: align(now_min, step),
            flush_seen: 0,
            day: now_min / DAY,
        }
    }

    /// Called by the sender on every turn, with the pipeline lock held.
    pub(crate) fn tick(&mut self, s: &Shared, st: &mut State, now: Instant, now_min: u32) {
        let day = now_min / DAY;
        if day != self.day {
            self.day = day;
            s.refresh_metric_gates();
        }
        let due = now_min >= self.start.saturating_add(self.step);
        let asked = st.flush_gen != self.flush_seen || st.stop;
        if !due && !asked {
            return;
        }
        self.flush_seen = st.flush_gen;
        st.flush_taken = st.flush_gen;
        // After a long sleep (a suspended machine) the document covers every interval
        // missed, up to the last boundary.
        let end = if due {
            align(now_min, self.step)
        } else {
            now_min
        };
        let taken = {
            let mut reg = lock(&s.metrics);
            if reg.is_empty() {
                Vec::new()
            } else {
                reg.snapshot(st.pipe.choice())
            }
        };
        for t in taken {
            // Without OS randomness there is no id to send it under; dropped like an event
            // that could get no id.
            if let Some(id) = crate::ids::new_id_hex() {
                st.pipe.push_metrics(id, t, self.start, end, now);
            }
        }
        if due {
            self.start = align(now_min, self.step);
        }
    }
}

fn align(minute: u32, step: u32) -> u32 {
    minute - minute % step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_sit_on_the_grid() {
        let i = Interval::new(Duration::from_secs(3600), 24 * 60 * 3 + 125);
        assert_eq!((i.step, i.start), (60, 24 * 60 * 3 + 120));
        let i = Interval::new(Duration::from_millis(10), 7);
        assert_eq!((i.step, i.start), (1, 7));
    }
}
