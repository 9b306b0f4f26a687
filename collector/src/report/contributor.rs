//! Who counts as one contributor for the k-anonymity floor.
//!
//! - An event stored with an `install_id` belongs to that installation: the floor then counts
//!   installations, which is what "k people" means as closely as an anonymous store can.
//! - Without one (the default: apps send no identifier), nothing in the store ties two events
//!   to one device. The report then counts *sources*: distinct (app name, app version, OS,
//!   UTC minute) combinations. Events of one device in one minute share a source, so a burst
//!   from one device counts once, however many events it holds; several devices on the same
//!   version and OS in the same minute also count once, so the count of people is never
//!   overstated within a minute. What it does not guarantee: one device active in k different
//!   minutes counts as k sources (see docs/aggregates.md).
//! - A metrics document's entries belong to its installation likewise, or, without one, to the
//!   source (app name, app version, OS, the interval's start minute): every document one
//!   device sends for one interval (one per consent category, plus those a `flush` sends
//!   early) counts once. An event and a metrics document that share app, version, OS and
//!   minute are one source, which can only undercount.

use std::collections::HashMap;

use crate::minute;
use crate::store::{StoredEvent, StoredMetric};

/// What the contributors of a report were.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Every event had an `install_id` (or there were none).
    Installs,
    /// No event had one.
    Sources,
    /// Some had one.
    Mixed,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Installs => "install",
            Unit::Sources => "source",
            Unit::Mixed => "install_or_source",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Install(String),
    Source {
        app: String,
        version: String,
        os: String,
        minute: i64,
    },
}

/// Interns contributor keys as small numbers.
#[derive(Debug, Default)]
pub struct Contributors {
    ids: HashMap<Key, u32>,
    installs: bool,
    sources: bool,
}

impl Contributors {
    /// The contributor of a stored event.
    pub fn of(&mut self, e: &StoredEvent) -> u32 {
        self.intern(
            e.install_id.as_ref(),
            [&e.app_name, &e.app_version, &e.app_os],
            &e.time,
        )
    }

    /// The contributor of a stored metrics entry: the same rule, with the interval's start as
    /// its minute.
    pub fn of_metric(&mut self, m: &StoredMetric) -> u32 {
        self.intern(
            m.install_id.as_ref(),
            [&m.app_name, &m.app_version, &m.app_os],
            &m.start,
        )
    }

    /// The installation when there is one, else the source (app, version, OS) at `minute`.
    fn intern(
        &mut self,
        install_id: Option<&String>,
        [app, version, os]: [&String; 3],
        minute: &str,
    ) -> u32 {
        let key = match install_id {
            Some(id) => {
                self.installs = true;
                Key::Install(id.clone())
            }
            None => {
                self.sources = true;
                Key::Source {
                    app: app.clone(),
                    version: version.clone(),
                    os: os.clone(),
                    minute: minute::parse(minute).unwrap_or(i64::MIN),
                }
            }
        };
        let next = self.ids.len() as u32;
        *self.ids.entry(key).or_insert(next)
    }

    pub fn unit(&self) -> Unit {
        match (self.installs, self.sources) {
            (_, false) => Unit::Installs,
            (false, true) => Unit::Sources,
            (true, true) => Unit::Mixed,
        }
    }
}
