//! The SQLite store: one file, WAL journal, one transaction per group of batches, versioned
//! migrations (`PRAGMA user_version`).
//!
//! Durability: in WAL mode a commit appends to the `-wal` file before `COMMIT` returns; with
//! `synchronous=NORMAL` that append is not fsynced, which survives any crash of the process
//! (the data is in the OS page cache, SIGKILL included) but not an OS crash or power loss,
//! which can lose the last commits (never corrupt the database). `SqliteSync::Full` fsyncs
//! every commit for that case.
//!
//! Deleting is erasing: `secure_delete` zeroes the space deleted rows occupied, and after a
//! deletion request the WAL is checkpointed and truncated, so the old page images that still
//! held the rows are gone from both files.
//!
//! The relay's forwarding queue (`forward_queue`) lives here too: an entry per event stored
//! while forwarding is on, written in the same transaction as the event, removed in the same
//! transaction as the event by a sweep or a deletion request, and read and trimmed by the
//! forwarder on its own connection.

use std::path::Path;
use std::time::Duration;

use candor_schema::ir::Consent;
use rusqlite::{params, Connection, OptionalExtension};

use super::{
    quarantine_counts, ForwardQueue, QuarantineCount, Queued, SqliteSync, Store, StoreError,
    StoredEvent, Swept,
};
use crate::minute;
use crate::schemas::Schemas;
use crate::validate::{delete_on, Checked};
use crate::wire::hex16;

/// Schema migrations, in order; `PRAGMA user_version` is how many have been applied.
const MIGRATIONS: &[&str] = &[
    // 1: events, quarantine counters, deletion-request counters.
    "CREATE TABLE events (
        id             BLOB    NOT NULL UNIQUE,  -- 16 bytes, the event's random id
        event          TEXT    NOT NULL,         -- namespace.name
        version        INTEGER NOT NULL,
        time           TEXT    NOT NULL,         -- YYYY-MM-DDTHH:MMZ (UTC minute)
        category       TEXT    NOT NULL,         -- consent category
        retention_days INTEGER NOT NULL,
        delete_on      TEXT    NOT NULL,         -- YYYY-MM-DD: gone from this day on
        app_name       TEXT    NOT NULL,
        app_version    TEXT    NOT NULL,
        app_os         TEXT    NOT NULL,
        install_id     BLOB,                     -- 16 bytes, only if the app opted in
        fields         TEXT    NOT NULL          -- JSON object, checked against the schema
     );
     CREATE INDEX events_delete_on ON events (delete_on);
     CREATE INDEX events_install_id ON events (install_id) WHERE install_id IS NOT NULL;
     CREATE TABLE quarantine (
        day    TEXT    NOT NULL,
        reason TEXT    NOT NULL,
        event  TEXT    NOT NULL,
        field  TEXT    NOT NULL,
        count  INTEGER NOT NULL,
        PRIMARY KEY (day, reason, event, field)
     ) WITHOUT ROWID;
     CREATE TABLE deletion_requests (
        day      TEXT    NOT NULL PRIMARY KEY,
        requests INTEGER NOT NULL
     ) WITHOUT ROWID;",
    // 2: the relay's forwarding queue: events stored while forwarding is on, in commit order,
    // until the vendor took them. AUTOINCREMENT: a seq is never reused, so order holds even
    // after the newest entries were removed.
    "CREATE TABLE forward_queue (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id  BLOB    NOT NULL                      -- the queued event's id
     );
     CREATE INDEX forward_queue_id ON forward_queue (id);",
];

const ENQUEUE: &str = "INSERT INTO forward_queue (id) VALUES (?1)";

/// Queue entries of events about to be deleted go first, in the same transaction: an entry
/// never outlives its event, and erasing an event erases its place in the queue.
const UNQUEUE_INSTALL: &str = "DELETE FROM forward_queue WHERE id IN \
     (SELECT id FROM events WHERE install_id = ?1 AND category = ?2)";
const UNQUEUE_EXPIRED: &str =
    "DELETE FROM forward_queue WHERE id IN (SELECT id FROM events WHERE delete_on <= ?1)";

const INSERT_EVENT: &str = "INSERT OR IGNORE INTO events (id, event, version, time, category, \
     retention_days, delete_on, app_name, app_version, app_os, install_id, fields) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const UPSERT_QUARANTINE: &str = "INSERT INTO quarantine (day, reason, event, field, count) \
     VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (day, reason, event, field) DO UPDATE SET count = count + excluded.count";

/// How long a write waits for a lock held by another process (e.g. `candor sweep`) before the
/// batch is answered 503.
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// A SQLite database file.
pub struct SqliteStore {
    conn: Connection,
    path: std::path::PathBuf,
    sync: SqliteSync,
    /// Newly stored events also enter the forwarding queue.
    forward: bool,
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::new(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (or creates) the database and brings its tables to the current version.
    pub fn open(path: &Path, sync: SqliteSync) -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open(path)
            .map_err(|e| StoreError::new(format!("cannot open `{}`: {e}", path.display())))?;
        configure(&conn, sync)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
            sync,
            forward: false,
        })
    }
}

/// The settings every connection to the file uses.
fn configure(conn: &Connection, sync: SqliteSync) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(err)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::new(format!(
            "sqlite: the database cannot use WAL (journal_mode is `{mode}`)"
        )));
    }
    let sync = match sync {
        SqliteSync::Normal => "NORMAL",
        SqliteSync::Full => "FULL",
    };
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {sync}; PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY; \
         PRAGMA secure_delete = ON;"
    ))
    .map_err(err)
}

/// Applies the migrations the database has not seen, each in its own transaction.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let applied: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(err)?;
    if applied as usize > MIGRATIONS.len() {
        return Err(StoreError::new(format!(
            "sqlite: the database is at schema version {applied}, newer than this collector \
             knows ({}); use a newer candor",
            MIGRATIONS.len()
        )));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(applied as usize) {
        let tx = conn.transaction().map_err(err)?;
        tx.execute_batch(sql).map_err(err)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

impl Store for SqliteStore {
    fn write(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut insert = tx.prepare_cached(INSERT_EVENT).map_err(err)?;
            let mut enqueue = tx.prepare_cached(ENQUEUE).map_err(err)?;
            let (mut time, mut day) = ([0u8; 17], [0u8; 10]);
            // In id order: consecutive inserts then meet neighbouring pages of the unique id
            // index instead of random ones (fewer page visits per transaction).
            let mut order: Vec<(usize, &Checked, &crate::validate::Row)> = batches
                .iter()
                .flat_map(|b| b.rows.iter().map(move |r| (*b, r)))
                .enumerate()
                .map(|(at, (b, r))| (at, b, r))
                .collect();
            order.sort_unstable_by_key(|(_, _, r)| r.id);
            // Newly stored events, by arrival: the forwarding queue keeps the order they came.
            let mut fresh: Vec<(usize, [u8; 16])> = Vec::new();
            for (at, b, row) in order {
                let spec = schemas.event(row.event);
                let inserted = insert
                    .execute(params![
                        &row.id[..],
                        spec.name,
                        spec.version,
                        minute::format_into(row.minute, &mut time),
                        spec.consent.as_str(),
                        spec.retention_days,
                        minute::format_day_into(
                            delete_on(row.minute, spec.retention_days),
                            &mut day
                        ),
                        b.app_name,
                        b.app_version,
                        b.app_os,
                        b.install_id.as_ref().map(|i| &i[..]),
                        b.fields(row),
                    ])
                    .map_err(err)?;
                // A resent event is already stored, and queued (or forwarded): once is enough.
                if self.forward && inserted == 1 {
                    fresh.push((at, row.id));
                }
            }
            fresh.sort_unstable_by_key(|(at, _)| *at);
            for (_, id) in fresh {
                enqueue.execute(params![&id[..]]).map_err(err)?;
            }
            let mut upsert = tx.prepare_cached(UPSERT_QUARANTINE).map_err(err)?;
            for ((d, reason, event, field), count) in quarantine_counts(schemas, batches) {
                upsert
                    .execute(params![
                        minute::format_day_into(d, &mut day),
                        reason,
                        event,
                        field,
                        count as i64
                    ])
                    .map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn delete_install(
        &mut self,
        install_id: &[u8; 16],
        categories: &[Consent],
        day: i64,
    ) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        for c in categories {
            tx.execute(UNQUEUE_INSTALL, params![&install_id[..], c.as_str()])
                .map_err(err)?;
            tx.execute(
                "DELETE FROM events WHERE install_id = ?1 AND category = ?2",
                params![&install_id[..], c.as_str()],
            )
            .map_err(err)?;
        }
        tx.execute(
            "INSERT INTO deletion_requests (day, requests) VALUES (?1, 1) \
             ON CONFLICT (day) DO UPDATE SET requests = requests + 1",
            params![minute::format_day_into(day, &mut [0; 10])],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        // The deleted rows' old page images live on in the WAL until it is checkpointed and
        // reset; with `secure_delete` the checkpoint writes pages whose freed space is zeroed.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(err)
    }

    fn sweep(&mut self, today: i64) -> Result<Swept, StoreError> {
        let mut day = [0; 10];
        let today = minute::format_day_into(today, &mut day);
        let tx = self.conn.transaction().map_err(err)?;
        tx.execute(UNQUEUE_EXPIRED, params![today]).map_err(err)?;
        let n = tx
            .execute("DELETE FROM events WHERE delete_on <= ?1", params![today])
            .map_err(err)?;
        tx.commit().map_err(err)?;
        Ok(Swept { removed: n as u64 })
    }

    fn forwarding(&mut self) -> Result<Box<dyn ForwardQueue>, StoreError> {
        // The forwarder reads and trims the queue on its own connection, so a slow vendor
        // never holds the writer's; WAL lets it read while the writer commits.
        let conn = Connection::open(&self.path)
            .map_err(|e| StoreError::new(format!("cannot open `{}`: {e}", self.path.display())))?;
        configure(&conn, self.sync)?;
        self.forward = true;
        Ok(Box::new(SqliteQueue { conn }))
    }

    fn ping(&mut self) -> Result<(), StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM sqlite_master", [], |r| {
                r.get::<_, i64>(0)
            })
            .optional()
            .map(|_| ())
            .map_err(err)
    }

    fn events(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT id, event, version, time, category, retention_days, delete_on, app_name, \
                 app_version, app_os, install_id, fields FROM events ORDER BY time, id",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredEvent {
                    id: hex(r.get(0)?),
                    event: r.get(1)?,
                    version: r.get(2)?,
                    time: r.get(3)?,
                    category: r.get(4)?,
                    retention_days: r.get(5)?,
                    delete_on: r.get(6)?,
                    app_name: r.get(7)?,
                    app_version: r.get(8)?,
                    app_os: r.get(9)?,
                    install_id: r.get::<_, Option<Vec<u8>>>(10)?.map(hex),
                    fields: r.get(11)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn quarantine(&mut self) -> Result<Vec<QuarantineCount>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, reason, event, field, count FROM quarantine ORDER BY 1, 2, 3, 4")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| {
                Ok(QuarantineCount {
                    day: r.get(0)?,
                    reason: r.get(1)?,
                    event: r.get(2)?,
                    field: r.get(3)?,
                    count: r.get::<_, i64>(4)? as u64,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn deletion_requests(&mut self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt = self
            .conn
            .prepare("SELECT day, requests FROM deletion_requests ORDER BY day")
            .map_err(err)?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }
}

/// The forwarding queue, on its own connection to the database file.
struct SqliteQueue {
    conn: Connection,
}

impl ForwardQueue for SqliteQueue {
    fn next(&mut self, max: usize) -> Result<Vec<Queued>, StoreError> {
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT q.seq, e.id, e.event, e.version, e.time, e.category, e.retention_days, \
                 e.delete_on, e.app_name, e.app_version, e.app_os, e.install_id, e.fields \
                 FROM forward_queue q LEFT JOIN events e ON e.id = q.id ORDER BY q.seq LIMIT ?1",
            )
            .map_err(err)?;
        let rows = stmt
            .query_map(params![max as i64], |r| {
                let seq = r.get(0)?;
                let Some(id) = r.get::<_, Option<Vec<u8>>>(1)? else {
                    return Ok(Queued { seq, event: None });
                };
                Ok(Queued {
                    seq,
                    event: Some(StoredEvent {
                        id: hex(id),
                        event: r.get(2)?,
                        version: r.get(3)?,
                        time: r.get(4)?,
                        category: r.get(5)?,
                        retention_days: r.get(6)?,
                        delete_on: r.get(7)?,
                        app_name: r.get(8)?,
                        app_version: r.get(9)?,
                        app_os: r.get(10)?,
                        install_id: r.get::<_, Option<Vec<u8>>>(11)?.map(hex),
                        fields: r.get(12)?,
                    }),
                })
            })
            .map_err(err)?;
        rows.collect::<Result<_, _>>().map_err(err)
    }

    fn done(&mut self, seqs: &[i64]) -> Result<(), StoreError> {
        let tx = self.conn.transaction().map_err(err)?;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM forward_queue WHERE seq = ?1")
                .map_err(err)?;
            for seq in seqs {
                delete.execute(params![seq]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn depth(&mut self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM forward_queue", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n as u64)
            .map_err(err)
    }
}

/// 32 hex digits of a 16-byte id column (empty if it is not 16 bytes).
fn hex(b: Vec<u8>) -> String {
    <[u8; 16]>::try_from(b.as_slice()).map_or_else(|_| String::new(), |a| hex16(&a))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_applied_once_and_a_newer_database_is_refused() {
        let dir = std::env::temp_dir().join(format!("candor-sqlite-mig-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("t.sqlite");
        let _ = std::fs::remove_file(&path);
        drop(SqliteStore::open(&path, SqliteSync::Normal).unwrap());
        // Opening again applies nothing twice (a second CREATE TABLE would fail).
        let mut s = SqliteStore::open(&path, SqliteSync::Full).unwrap();
        s.ping().unwrap();
        let v: i64 = s
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, MIGRATIONS.len());
        let mode: String = s
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        s.conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(s);
        let e = SqliteStore::open(&path, SqliteSync::Normal).err().unwrap();
        assert!(e.message.contains("newer"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
