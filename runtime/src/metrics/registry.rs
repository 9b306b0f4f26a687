//! The metrics registered with one client: opening and closing their gates, clearing a
//! revoked category, and taking an interval's snapshot as one list of metric objects per
//! consent category.

use super::cell::{GateState, MetricCell};
use super::Metrics;
use crate::consent::Consent;

/// One consent category's share of a snapshot: the metric objects, comma-separated.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Taken {
    pub consent: Consent,
    /// `{...},{...}`: the `metrics` array's contents.
    pub entries: Vec<u8>,
    /// The shortest `retention_days` among the metrics in it.
    pub retention_days: u32,
}

/// See the module documentation.
#[derive(Default)]
pub(crate) struct Registry {
    cells: Vec<&'static dyn MetricCell>,
    scratch: Vec<u8>,
}

impl Registry {
    /// Adds the metrics of `set` that are not registered yet (registering a set twice is
    /// harmless). Returns how many were added.
    pub(crate) fn add(&mut self, set: &'static dyn Metrics) -> usize {
        let mut added = 0;
        for cell in set.cells() {
            if !self.cells.iter().any(|c| std::ptr::addr_eq(*c, cell)) {
                self.cells.push(cell);
                added += 1;
            }
        }
        added
    }

    /// Opens the gate of every metric whose category is in `gate` and that has not expired
    /// on `today` (days since 1970); marks the granted but expired ones, which count what
    /// they refuse; closes the others.
    pub(crate) fn refresh(&self, gate: u8, today: u32) {
        for c in &self.cells {
            let m = c.meta();
            c.set_gate(if gate & m.consent.bit() == 0 {
                GateState::Closed
            } else if today < m.expires_day {
                GateState::Open
            } else {
                GateState::Expired
            });
        }
    }

    /// Discards what the metrics of the categories in `bits` hold.
    pub(crate) fn clear(&mut self, bits: u8) {
        for c in &self.cells {
            if bits & c.meta().consent.bit() != 0 {
                self.scratch.clear();
                c.take(&mut self.scratch);
            }
        }
        self.scratch.clear();
    }

    /// Takes every metric's values (swapping them to zero). What belongs to a category that
    /// is not in `choice` is discarded; the rest is returned per category, in the order of
    /// [`Consent::ALL`], leaving out categories where nothing was recorded.
    pub(crate) fn snapshot(&mut self, choice: u8) -> Vec<Taken> {
        let mut out = Vec::new();
        for consent in Consent::ALL {
            let mut entries = Vec::new();
            let mut retention_days = u32::MAX;
            for c in self.cells.iter().filter(|c| c.meta().consent == consent) {
                if choice & consent.bit() == 0 {
                    self.scratch.clear();
                    c.take(&mut self.scratch);
                    continue;
                }
                let at = entries.len();
                if at > 0 {
                    entries.push(b',');
                }
                if c.take(&mut entries) {
                    retention_days = retention_days.min(c.meta().retention_days);
                } else {
                    entries.truncate(at);
                }
            }
            if !entries.is_empty() {
                out.push(Taken {
                    consent,
                    entries,
                    retention_days,
                });
            }
        }
        self.scratch.clear();
        out
    }

    /// Recordings refused because their metric had expired, since the last call.
    pub(crate) fn take_expired(&self) -> u64 {
        self.cells.iter().map(|c| c.take_expired()).sum()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }
}
