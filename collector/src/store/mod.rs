//! Where checked events and metrics entries go: the [`Store`] interface, shared by SQLite (embedded, the default)
//! and ClickHouse (many collectors, one cluster), and the `--store` address that picks one.
//!
//! Both keep the same promises: a batch is durable when `write` returns, an id (a metrics
//! document's id) is stored once,
//! rows leave at their retention, a deletion request removes an installation's rows, and
//! nothing about the connection (address, headers) exists to be written in the first place.
//! SQLite also keeps the relay's forwarding queue ([`ForwardQueue`]), under the same
//! promises: an entry leaves with its event's retention or deletion.

pub mod clickhouse;
pub mod sqlite;

use std::fmt;

use candor_schema::ir::Consent;

use crate::schemas::Schemas;
use crate::validate::Checked;

/// A store failure: the batch is not stored and the client is told to retry (503).
#[derive(Debug, Clone)]
pub struct StoreError {
    pub message: String,
}

impl StoreError {
    pub fn new(message: impl Into<String>) -> Self {
        StoreError {
            message: message.into(),
        }
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for StoreError {}

/// A stored event, read back (inspection and tests).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredEvent {
    /// 32 lowercase hex digits.
    pub id: String,
    pub event: String,
    pub version: u32,
    /// `YYYY-MM-DDTHH:MMZ`.
    pub time: String,
    pub category: String,
    pub retention_days: u32,
    /// `YYYY-MM-DD`: the first day on which the row must be gone.
    pub delete_on: String,
    pub app_name: String,
    pub app_version: String,
    pub app_os: String,
    pub install_id: Option<String>,
    /// The `fields` JSON object.
    pub fields: String,
}

/// A stored metrics entry, read back (the report, inspection and tests).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StoredMetric {
    /// The document's id, 32 lowercase hex digits.
    pub doc: String,
    pub metric: String,
    pub version: u32,
    /// `counter`, `labeled_counter`, `distribution` or `quantity`.
    pub kind: String,
    pub category: String,
    pub retention_days: u32,
    /// `YYYY-MM-DD`: the first day on which the row must be gone.
    pub delete_on: String,
    /// The interval, `YYYY-MM-DDTHH:MMZ`.
    pub start: String,
    pub end: String,
    pub app_name: String,
    pub app_version: String,
    pub app_os: String,
    pub install_id: Option<String>,
    /// The entry's numbers as canonical JSON (`validate::metrics::MetricRow::value`).
    pub value: String,
}

/// One quarantine counter.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct QuarantineCount {
    /// `YYYY-MM-DD` of receipt.
    pub day: String,
    pub reason: String,
    /// The event's name, empty when the schemas do not know it.
    pub event: String,
    /// The field's name, empty when the problem is not a declared field.
    pub field: String,
    pub count: u64,
}

/// What a sweep removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// Rows removed (SQLite), or daily partitions dropped (ClickHouse).
    pub removed: u64,
}

/// One entry of the forwarding queue: its position, and the event it names (`None` when the
/// event is gone; the store removes an entry with its event, so a reader only meets this if
/// something else removed the row).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Queued {
    /// The entry's place in the queue: increasing with arrival, never reused.
    pub pos: i64,
    pub event: Option<StoredEvent>,
}

/// The durable queue the relay forwards from (`candor collect --forward`): every event the
/// store accepted while forwarding is on, in the order it arrived, until the vendor has taken
/// it. Used from the forwarder's own thread, beside the writer: a vendor outage holds this
/// queue up, never the store.
pub trait ForwardQueue: Send {
    /// Up to `max` entries from the head, in order.
    fn next(&mut self, max: usize) -> Result<Vec<Queued>, StoreError>;
    /// Removes entries by position: their events were delivered or refused for good, or are
    /// gone.
    fn done(&mut self, positions: &[i64]) -> Result<(), StoreError>;
    /// Entries waiting.
    fn depth(&mut self) -> Result<u64, StoreError>;
}

/// A place to keep events. Methods are called from one writer thread at a time.
pub trait Store: Send {
    /// Prepares this store to be the one that writes (`candor collect` calls it before it
    /// serves): SQLite takes its file's writer lock and loads the ids it holds. A store that
    /// only reads or sweeps never calls it.
    fn claim(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Stores the accepted rows and quarantine counts of several batches, all or nothing;
    /// durable when it returns `Ok`. Ids already stored are skipped.
    fn write(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError>;
    /// Deletes every event and metrics entry of `install_id` in `categories`, and counts the request on `day`
    /// (days since the epoch). The request itself is kept only as that count.
    fn delete_install(
        &mut self,
        install_id: &[u8; 16],
        categories: &[Consent],
        day: i64,
    ) -> Result<(), StoreError>;
    /// Removes every row (events and metrics) whose `delete_on` is `today` or earlier.
    fn sweep(&mut self, today: i64) -> Result<Swept, StoreError>;
    /// Whether the store answers.
    fn ping(&mut self) -> Result<(), StoreError>;
    /// Every stored event, deduplicated (reads the whole table: for inspection and tests).
    fn events(&mut self) -> Result<Vec<StoredEvent>, StoreError>;
    /// Calls `f` with every stored event (deduplicated, in no particular order) whose UTC day is
    /// within `from ..= to` (days since the epoch; `None`: unbounded), without holding them all:
    /// what `candor report` reads. The default reads [`events`](Self::events) and filters.
    fn scan_events(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredEvent),
    ) -> Result<(), StoreError> {
        for e in self.events()? {
            let day = crate::minute::parse(&e.time).map(crate::minute::day_of);
            if day.is_some_and(|d| from.is_none_or(|a| d >= a) && to.is_none_or(|b| d <= b)) {
                f(e);
            }
        }
        Ok(())
    }
    /// Every stored metrics entry, deduplicated, ordered by start, metric and document.
    fn metrics(&mut self) -> Result<Vec<StoredMetric>, StoreError> {
        let mut out = Vec::new();
        self.scan_metrics(None, None, &mut |m| out.push(m))?;
        Ok(out)
    }
    /// Calls `f` with every stored metrics entry (deduplicated, ordered by start, metric and
    /// document) whose interval starts on a UTC day within `from ..= to` (days since the
    /// epoch; `None`: unbounded): what `candor report` reads.
    fn scan_metrics(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredMetric),
    ) -> Result<(), StoreError>;
    /// Every quarantine counter.
    fn quarantine(&mut self) -> Result<Vec<QuarantineCount>, StoreError>;
    /// Deletion requests per day of receipt (`YYYY-MM-DD`, count).
    fn deletion_requests(&mut self) -> Result<Vec<(String, u64)>, StoreError>;
    /// Waits until deletions already accepted have taken effect (ClickHouse applies them
    /// asynchronously; SQLite has nothing to wait for).
    fn settle(&mut self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Turns forwarding on: from now on every newly stored event also enters the forwarding
    /// queue, in the same transaction; returns the queue, to be read from another thread.
    /// Only SQLite keeps one.
    fn forwarding(&mut self) -> Result<Box<dyn ForwardQueue>, StoreError> {
        Err(StoreError::new(
            "forwarding keeps its queue in the store, and only the SQLite store has one: use \
             `--store sqlite:PATH` with `--forward`",
        ))
    }
}

/// How SQLite makes a commit durable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SqliteSync {
    /// `synchronous=NORMAL` in WAL mode: a commit survives a crash of the process (SIGKILL
    /// included); an OS crash or power loss may lose the last commits.
    #[default]
    Normal,
    /// `synchronous=FULL`: every commit is fsynced, surviving an OS crash too.
    Full,
}

/// A `--store` address.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreSpec {
    /// `sqlite:PATH`.
    Sqlite(std::path::PathBuf),
    /// `clickhouse:http://HOST:PORT/DB`.
    ClickHouse(clickhouse::Address),
}

impl StoreSpec {
    /// Parses `sqlite:PATH` or `clickhouse:http://HOST:PORT/DB`.
    pub fn parse(s: &str) -> Result<StoreSpec, String> {
        if let Some(path) = s.strip_prefix("sqlite:") {
            if path.is_empty() {
                return Err("`sqlite:` needs a file path, e.g. `sqlite:telemetry.sqlite`".into());
            }
            return Ok(StoreSpec::Sqlite(path.into()));
        }
        if let Some(url) = s.strip_prefix("clickhouse:") {
            return clickhouse::Address::parse(url).map(StoreSpec::ClickHouse);
        }
        Err(format!(
            "unknown store `{s}`: use `sqlite:PATH` or `clickhouse:http://HOST:8123/DB`"
        ))
    }

    /// Opens the store, creating or migrating its tables.
    pub fn open(&self, sync: SqliteSync) -> Result<Box<dyn Store>, StoreError> {
        Ok(match self {
            StoreSpec::Sqlite(path) => Box::new(sqlite::SqliteStore::open(path, sync)?),
            StoreSpec::ClickHouse(addr) => {
                Box::new(clickhouse::ClickHouseStore::open(addr.clone())?)
            }
        })
    }
}

/// A quarantine counter's key: day of receipt, reason, event name, field name.
pub(crate) type QuarantineKey<'s> = (i64, &'static str, &'s str, &'s str);

/// The counts of several batches per [`QuarantineKey`], names resolved.
pub(crate) fn quarantine_counts<'s>(
    schemas: &'s Schemas,
    batches: &[&Checked],
) -> Vec<(QuarantineKey<'s>, u64)> {
    let mut counts: std::collections::BTreeMap<_, u64> = std::collections::BTreeMap::new();
    for b in batches {
        for r in &b.refused {
            let spec = r.event.map(|i| schemas.event(i));
            let event = spec.map_or("", |s| s.name.as_str());
            let field = match (spec, r.field) {
                (Some(s), Some(f)) => s.fields[f as usize].name.as_str(),
                _ => "",
            };
            *counts
                .entry((b.day, r.reason.as_str(), event, field))
                .or_default() += 1;
        }
        // A metric's name goes in the `event` column (events and metrics share one namespace
        // of names); there is no field.
        for r in b.metrics.iter().flat_map(|m| &m.refused) {
            let metric = r.metric.map_or("", |i| schemas.metric(i).name.as_str());
            *counts
                .entry((b.day, r.reason.as_str(), metric, ""))
                .or_default() += 1;
        }
    }
    counts.into_iter().collect()
}
