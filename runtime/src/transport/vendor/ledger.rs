//! What a sink remembers between attempts at one batch: which of its events the vendor has
//! already taken or refused for good.
//!
//! A batch may become several vendor requests. When one of them must be retried, the runtime
//! resends the whole batch document; vendor ids (from candor's event ids) make resending an
//! accepted event harmless, but it would still cost a request and, for an event the vendor
//! refused for good, break the vendor's rule not to resend refusals. So the sink records each
//! finished event here and leaves it out of the next attempt, and when the batch is finished it
//! reports how many of its events were refused.
//!
//! Memory only: after a restart a partly delivered batch is sent whole again, which the vendor
//! ids make idempotent. The runtime sends one batch at a time and retries it until it is
//! finished, so a batch that shares no event with the ledger means the earlier one was
//! dropped (retention, opt-out, pending bound): the ledger is then forgotten. It is also
//! forgotten, at worst costing idempotent resends, if it ever holds more than [`Ledger::MAX`].

use std::collections::HashMap;

use candor_interop::ids::Id;

/// What became of one event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    Delivered,
    Refused,
}

#[derive(Debug, Default)]
pub(crate) struct Ledger {
    done: HashMap<Id, Outcome>,
}

impl Ledger {
    /// Most events remembered (far above the runtime's default 500 per batch).
    pub(crate) const MAX: usize = 1 << 16;

    /// Starts an attempt at the batch with events `ids`: forgets everything if the batch
    /// shares nothing with what is remembered.
    pub(crate) fn begin(&mut self, ids: &[Id]) {
        if self.done.len() > Self::MAX || !ids.iter().any(|id| self.done.contains_key(id)) {
            self.done.clear();
        }
    }

    pub(crate) fn outcome(&self, id: &Id) -> Option<Outcome> {
        self.done.get(id).copied()
    }

    pub(crate) fn record(&mut self, id: Id, outcome: Outcome) {
        self.done.insert(id, outcome);
    }

    /// The batch with events `ids` is finished: forgets them and returns how many were
    /// (delivered, refused). Every id must have been recorded.
    pub(crate) fn finish(&mut self, ids: &[Id]) -> (usize, usize) {
        let (mut delivered, mut refused) = (0, 0);
        for id in ids {
            match self.done.remove(id) {
                Some(Outcome::Delivered) => delivered += 1,
                Some(Outcome::Refused) | None => refused += 1,
            }
        }
        (delivered, refused)
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.done.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u8) -> Id {
        Id::from_bytes([n; 16])
    }

    #[test]
    fn remembers_within_a_batch_and_forgets_a_batch_that_is_gone() {
        let mut l = Ledger::default();
        l.begin(&[id(1), id(2), id(3)]);
        l.record(id(1), Outcome::Delivered);
        l.record(id(2), Outcome::Refused);
        // The same batch again (a retry), or a half of it (a split): remembered.
        l.begin(&[id(2), id(3)]);
        assert_eq!(l.outcome(&id(2)), Some(Outcome::Refused));
        assert_eq!(l.outcome(&id(1)), Some(Outcome::Delivered));
        l.record(id(3), Outcome::Delivered);
        assert_eq!(l.finish(&[id(2), id(3)]), (1, 1));
        assert_eq!(l.len(), 1, "the other half is still remembered");
        // A batch that shares nothing: the old one was dropped by the runtime.
        l.begin(&[id(9)]);
        assert_eq!(l.len(), 0);
        assert_eq!(l.outcome(&id(1)), None);
    }

    #[test]
    fn is_bounded() {
        let mut l = Ledger::default();
        let ids: Vec<Id> = (0..=Ledger::MAX as u32)
            .map(|n| {
                let mut b = [0u8; 16];
                b[..4].copy_from_slice(&n.to_le_bytes());
                Id::from_bytes(b)
            })
            .collect();
        l.begin(&ids);
        for id in &ids {
            l.record(*id, Outcome::Delivered);
        }
        l.begin(&ids);
        assert_eq!(
            l.len(),
            0,
            "over the bound: forgotten, at worst idempotent resends"
        );
    }
}
