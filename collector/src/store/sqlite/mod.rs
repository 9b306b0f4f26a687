//! The SQLite store: one file, WAL journal, one transaction per group of batches, versioned
//! migrations (`schema.rs`), dedupe by an in-memory index of every stored id (`ids.rs`).
//!
//! Durability: in WAL mode a commit appends to the `-wal` file before `COMMIT` returns; with
//! `synchronous=NORMAL` that append is not fsynced, which survives any crash of the process
//! (the data is in the OS page cache, SIGKILL included) but not an OS crash or power loss,
//! which can lose the last commits (never corrupt the database). `SqliteSync::Full` fsyncs
//! every commit for that case.
//!
//! Exactly once: the writer holds every stored id in memory, loaded from the table when it
//! starts, and inserts a row only for an id it does not hold (the id alone is the identity: a
//! second copy with another time or event is not stored either). That is exact only while one
//! process writes, so the writer takes an exclusive lock on `<file>-writer.lock` first and a
//! second `candor collect` on the same file refuses to start. Other processes may read and
//! sweep (`candor sweep`) meanwhile: the writer notices their commits (`PRAGMA data_version`)
//! and reloads what it caches of the small tables.
//!
//! Deleting is erasing: `secure_delete` zeroes the space deleted rows occupied (it is on for
//! every write, because pages rebuilt while inserting would otherwise keep stale copies of
//! rows in their free space), and after a deletion request or a sweep that removed rows the
//! WAL is checkpointed and truncated, so the old page images that still held the rows are gone
//! from both files.
//!
//! The relay's forwarding queue (`queue.rs`) lives in the same file: while forwarding is on,
//! each newly stored event gets an entry in the same transaction as its row, and a sweep or a
//! deletion request removes entries in the same transaction as their rows.

mod checkpoint;
mod ids;
mod metrics;
mod queue;
mod schema;

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::Duration;

use candor_schema::ir::Consent;
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    quarantine_counts, ForwardQueue, QuarantineCount, SqliteSync, Store, StoreError, StoredEvent,
    StoredMetric, Swept,
};
use crate::keyed_hash::Keyed;
use crate::minute;
use crate::schemas::{EventSpec, Schemas};
use crate::validate::{delete_on, Checked, Row};
use crate::wire::hex16;
use checkpoint::Checkpointer;
use ids::IdIndex;
use queue::SqliteQueue;
use schema::{first_seq, INSERT_ROW, MIGRATIONS};

const UPSERT_QUARANTINE: &str = "INSERT INTO quarantine (day, reason, event, field, count) \
     VALUES (?1, ?2, ?3, ?4, ?5) \
     ON CONFLICT (day, reason, event, field) DO UPDATE SET count = count + excluded.count";

/// How long a write waits for a lock held by another process (e.g. `candor sweep`) before the
/// batch is answered 503.
const BUSY_TIMEOUT: Duration = Duration::from_secs(1);

/// Page size of a new database. Rows are about 100 bytes; 8 KiB pages measured a little
/// faster to fill than 4 KiB ones and no slower than 16 KiB (docs/benchmarks.md).
const PAGE_SIZE: u32 = 8192;

/// Apps cached by the writer before the cache is emptied (an app row is read back on its next
/// batch): envelopes are client data, so the cache must not grow without bound.
const MAX_CACHED_APPS: usize = 4096;

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

/// A SQLite database file.
pub struct SqliteStore {
    conn: Connection,
    path: PathBuf,
    sync: SqliteSync,
    /// Set once this store is the file's writer (see [`SqliteStore::claim`]).
    writer: Option<Writer>,
    /// Newly stored events also enter the forwarding queue ([`Store::forwarding`]).
    forward: bool,
}

/// What the one writing process keeps between transactions.
struct Writer {
    /// Held for the life of the store: the lock that makes this process the only writer.
    _lock: File,
    ids: IdIndex,
    cache: Cache,
    /// Copies committed pages into the database file beside the writer (`checkpoint.rs`).
    checkpoints: Checkpointer,
}

/// Row numbers of the small tables, and the next `seq` of each day, as of `data_version`.
#[derive(Default)]
struct Cache {
    /// `PRAGMA data_version` when the cache was filled: it changes when another connection
    /// commits, and the cache is then dropped.
    data_version: Option<i64>,
    kinds: HashMap<(String, u32, &'static str, u32), i64>,
    apps: HashMap<(String, String, String), i64>,
    next_seq: HashMap<i64, i64, Keyed>,
}

fn err(e: rusqlite::Error) -> StoreError {
    StoreError::new(format!("sqlite: {e}"))
}

impl SqliteStore {
    /// Opens (or creates) the database and brings its tables to the current version. Opening
    /// reads and sweeps; the first write makes this store the file's writer ([`Self::claim`]).
    pub fn open(path: &Path, sync: SqliteSync) -> Result<SqliteStore, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::new(format!("cannot open `{}`: {e}", path.display())))?;
        Self::setup(conn, path, sync)
    }

    fn setup(
        mut conn: Connection,
        path: &Path,
        sync: SqliteSync,
    ) -> Result<SqliteStore, StoreError> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(err)?;
        // Only takes effect on a database with no table yet.
        conn.execute_batch(&format!("PRAGMA page_size = {PAGE_SIZE}"))
            .map_err(err)?;
        configure(&conn, sync)?;
        migrate(&mut conn)?;
        Ok(SqliteStore {
            conn,
            path: path.to_path_buf(),
            sync,
            writer: None,
            forward: false,
        })
    }

    /// Makes this store the only writer of its file: takes the lock on `<file>-writer.lock`
    /// (refused while another process holds it) and loads every stored id. Idempotent.
    pub fn claim(&mut self) -> Result<(), StoreError> {
        if self.writer.is_some() {
            return Ok(());
        }
        let mut lock_path = self.path.clone().into_os_string();
        lock_path.push("-writer.lock");
        let lock_path = PathBuf::from(lock_path);
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&lock_path)
            .map_err(|e| StoreError::new(format!("cannot open `{}`: {e}", lock_path.display())))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(StoreError::new(format!(
                    "another process writes to `{}` (it holds `{}`): one collector per SQLite \
                     file; use ClickHouse for several",
                    self.path.display(),
                    lock_path.display()
                )))
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(StoreError::new(format!(
                    "cannot lock `{}`: {e}",
                    lock_path.display()
                )))
            }
        }
        let ids = load_ids(&self.conn)?;
        self.conn
            .execute_batch(&format!(
                "PRAGMA wal_autocheckpoint = {}",
                checkpoint::WRITER_MARK
            ))
            .map_err(err)?;
        self.writer = Some(Writer {
            _lock: lock,
            ids,
            cache: Cache::default(),
            checkpoints: Checkpointer::start(&self.path),
        });
        Ok(())
    }
}

/// The settings every connection to the file uses (the store's and the forwarder's).
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
         PRAGMA secure_delete = ON; PRAGMA journal_size_limit = 67108864;"
    ))
    .map_err(err)
}

/// 32 hex digits of a 16-byte id column (empty if it is not 16 bytes).
fn hex(b: Vec<u8>) -> String {
    <[u8; 16]>::try_from(b.as_slice()).map_or_else(|_| String::new(), |a| hex16(&a))
}

/// Every stored id with its `delete_on` day, read in one pass over the table.
fn load_ids(conn: &Connection) -> Result<IdIndex, StoreError> {
    let n: i64 = conn
        .query_row("SELECT count(*) FROM event_rows", [], |r| r.get(0))
        .map_err(err)?;
    // Exactly the rows there are: the map doubles when it must, and memory per id stays
    // between the map's fullest and emptiest (about 24 and 48 bytes).
    let mut ids = IdIndex::with_capacity(n.max(0) as usize + 1024);
    let mut stmt = conn
        .prepare("SELECT seq, id FROM event_rows")
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        let seq: i64 = r.get(0).map_err(err)?;
        let id = r
            .get_ref(1)
            .map_err(err)?
            .as_blob()
            .map_err(|e| err(e.into()))?;
        if let Ok(id) = <&[u8; 16]>::try_from(id) {
            ids.insert(id, seq >> schema::DAY_SHIFT);
        }
    }
    Ok(ids)
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
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        // Another process may have migrated while this one waited for the lock.
        let now: i64 = tx
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(err)?;
        if now as usize > i {
            continue;
        }
        tx.execute_batch(sql).map_err(err)?;
        tx.execute_batch(&format!("PRAGMA user_version = {}", i + 1))
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}

impl Cache {
    /// The `event_kinds` row of `spec`, created (counting no rows yet) if new.
    fn kind(&mut self, conn: &Connection, spec: &EventSpec) -> Result<i64, StoreError> {
        let key = (
            spec.name.clone(),
            spec.version,
            spec.consent.as_str(),
            spec.retention_days,
        );
        if let Some(k) = self.kinds.get(&key) {
            return Ok(*k);
        }
        let kind = find_or_insert(
            conn,
            "SELECT kind FROM event_kinds WHERE event = ?1 AND version = ?2 AND category = ?3 \
             AND retention_days = ?4",
            "INSERT INTO event_kinds (event, version, category, retention_days, rows) \
             VALUES (?1, ?2, ?3, ?4, 0)",
            params![
                spec.name,
                spec.version,
                spec.consent.as_str(),
                spec.retention_days
            ],
        )?;
        self.kinds.insert(key, kind);
        Ok(kind)
    }

    /// The `apps` row of a batch's envelope, created (counting no rows yet) if new.
    fn app(&mut self, conn: &Connection, b: &Checked) -> Result<i64, StoreError> {
        let key = (b.app_name.clone(), b.app_version.clone(), b.app_os.clone());
        if let Some(a) = self.apps.get(&key) {
            return Ok(*a);
        }
        let app = find_or_insert(
            conn,
            "SELECT app FROM apps WHERE name = ?1 AND version = ?2 AND os = ?3",
            "INSERT INTO apps (name, version, os, rows) VALUES (?1, ?2, ?3, 0)",
            params![key.0, key.1, key.2],
        )?;
        if self.apps.len() >= MAX_CACHED_APPS {
            self.apps.clear();
        }
        self.apps.insert(key, app);
        Ok(app)
    }

    /// The next `seq` of day `day`: one past the day's last row.
    fn next_seq(&mut self, conn: &Connection, day: i64) -> Result<i64, StoreError> {
        if !(0..1 << 22).contains(&day) {
            return Err(StoreError::new(
                "sqlite: a delete_on day outside 1970–13000",
            ));
        }
        let next = match self.next_seq.get(&day) {
            Some(n) => *n,
            None => {
                let last: Option<i64> = conn
                    .prepare_cached("SELECT max(seq) FROM event_rows WHERE seq >= ?1 AND seq < ?2")
                    .and_then(|mut s| {
                        s.query_row(params![first_seq(day), first_seq(day + 1)], |r| r.get(0))
                    })
                    .map_err(err)?;
                last.map_or(first_seq(day), |s| s + 1)
            }
        };
        if next >= first_seq(day + 1) {
            return Err(StoreError::new(
                "sqlite: more than 2^40 rows due on one day",
            ));
        }
        self.next_seq.insert(day, next + 1);
        Ok(next)
    }
}

/// The row `find` selects with `p`, or a new one `insert` makes with the same parameters.
fn find_or_insert(
    conn: &Connection,
    find: &str,
    insert: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<i64, StoreError> {
    let found: Option<i64> = conn
        .prepare_cached(find)
        .and_then(|mut s| s.query_row(p, |r| r.get(0)).optional())
        .map_err(err)?;
    match found {
        Some(n) => Ok(n),
        None => {
            conn.prepare_cached(insert)
                .and_then(|mut s| s.execute(p))
                .map_err(err)?;
            Ok(conn.last_insert_rowid())
        }
    }
}

/// Adds `delta` to the `rows` count of each listed kind and app, then removes the kinds and
/// apps no row names any more.
fn count_rows<S>(
    conn: &Connection,
    kinds: &HashMap<i64, i64, S>,
    apps: &HashMap<i64, i64, S>,
) -> Result<(), StoreError> {
    for (table, key, counts) in [("event_kinds", "kind", kinds), ("apps", "app", apps)] {
        if counts.is_empty() {
            continue;
        }
        let mut update = conn
            .prepare_cached(&format!(
                "UPDATE {table} SET rows = rows + ?2 WHERE {key} = ?1"
            ))
            .map_err(err)?;
        for (k, n) in counts {
            update.execute(params![k, n]).map_err(err)?;
        }
        conn.prepare_cached(&format!("DELETE FROM {table} WHERE rows <= 0"))
            .and_then(|mut s| s.execute([]))
            .map_err(err)?;
    }
    Ok(())
}

/// A row to insert: its `seq`, batch and row, kind and app.
type Pending<'a> = (i64, &'a Checked, &'a Row, i64, i64);

/// Rows bound to one `INSERT` statement (7 parameters each, well under SQLite's limit).
const ROWS_PER_INSERT: usize = 64;

/// `INSERT_ROW` with [`ROWS_PER_INSERT`] rows of values.
static INSERT_MANY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let mut sql = String::from(
        "INSERT INTO event_rows (seq, id, kind, app, minute, install_id, fields) VALUES ",
    );
    for i in 0..ROWS_PER_INSERT {
        let p = i * 7;
        if i > 0 {
            sql.push(',');
        }
        sql.push_str(&format!(
            "(?{},?{},?{},?{},?{},?{},?{})",
            p + 1,
            p + 2,
            p + 3,
            p + 4,
            p + 5,
            p + 6,
            p + 7
        ));
    }
    sql
});

/// Binds a row's seven values from parameter `at + 1` on.
fn bind_row(
    stmt: &mut rusqlite::Statement<'_>,
    at: usize,
    r: &Pending<'_>,
) -> Result<(), StoreError> {
    let (seq, b, row, kind, app) = *r;
    stmt.raw_bind_parameter(at + 1, seq).map_err(err)?;
    stmt.raw_bind_parameter(at + 2, &row.id[..]).map_err(err)?;
    stmt.raw_bind_parameter(at + 3, kind).map_err(err)?;
    stmt.raw_bind_parameter(at + 4, app).map_err(err)?;
    stmt.raw_bind_parameter(at + 5, row.minute).map_err(err)?;
    stmt.raw_bind_parameter(at + 6, b.install_id.as_ref().map(|i| &i[..]))
        .map_err(err)?;
    stmt.raw_bind_parameter(at + 7, b.fields(row)).map_err(err)
}

/// Writes a group in one transaction, with a forwarding queue entry per new row if `forward`.
/// Ids it records in `ids` are listed in `added`, so that a failed transaction can take them
/// back.
fn write_group(
    conn: &mut Connection,
    w: &mut Writer,
    schemas: &Schemas,
    batches: &[&Checked],
    forward: bool,
    added: &mut Vec<[u8; 16]>,
) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(err)?;
    let version: i64 = tx
        .query_row("PRAGMA data_version", [], |r| r.get(0))
        .map_err(err)?;
    if w.cache.data_version != Some(version) {
        w.cache = Cache {
            data_version: Some(version),
            ..Cache::default()
        };
    }
    let mut kinds: Vec<Option<i64>> = vec![None; schemas.events().len()];
    let mut rows: Vec<Pending<'_>> = Vec::with_capacity(batches.iter().map(|b| b.rows.len()).sum());
    // Looked up for every row: the fast hash.
    let mut kind_rows: HashMap<i64, i64, Keyed> = HashMap::default();
    let mut app_rows: HashMap<i64, i64, Keyed> = HashMap::default();
    for b in batches {
        // Resolved at the batch's first new row, so that a batch of resent events creates no
        // app row that no event row names.
        let mut app = None;
        for row in &b.rows {
            let spec = schemas.event(row.event);
            let day = delete_on(row.minute, spec.retention_days);
            if !w.ids.insert(&row.id, day) {
                // Stored before, or earlier in this group.
                continue;
            }
            added.push(row.id);
            let kind = match kinds[row.event as usize] {
                Some(k) => k,
                None => {
                    let k = w.cache.kind(&tx, spec)?;
                    kinds[row.event as usize] = Some(k);
                    k
                }
            };
            let app = match app {
                Some(a) => a,
                None => *app.insert(w.cache.app(&tx, b)?),
            };
            *kind_rows.entry(kind).or_insert(0i64) += 1;
            *app_rows.entry(app).or_insert(0i64) += 1;
            rows.push((w.cache.next_seq(&tx, day)?, b, row, kind, app));
        }
    }
    count_rows(&tx, &kind_rows, &app_rows)?;
    // The queue takes the new rows in the order they came (a resent event is stored, and
    // queued, once: it has no new row); the sort below loses that order.
    let arrivals: Vec<i64> = if forward {
        rows.iter().map(|r| r.0).collect()
    } else {
        Vec::new()
    };
    // By key: each day's rows go to the end of its range one after another.
    rows.sort_unstable_by_key(|r| r.0);
    {
        // Many rows per statement: one statement start and one B-tree cursor for all of them.
        let mut many = tx.prepare_cached(&INSERT_MANY).map_err(err)?;
        let mut one = tx.prepare_cached(INSERT_ROW).map_err(err)?;
        let mut chunks = rows.chunks_exact(ROWS_PER_INSERT);
        for chunk in &mut chunks {
            for (i, r) in chunk.iter().enumerate() {
                bind_row(&mut many, i * 7, r)?;
            }
            many.raw_execute().map_err(err)?;
        }
        for r in chunks.remainder() {
            bind_row(&mut one, 0, r)?;
            one.raw_execute().map_err(err)?;
        }
        let mut upsert = tx.prepare_cached(UPSERT_QUARANTINE).map_err(err)?;
        let mut day = [0u8; 10];
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
    metrics::write(&tx, schemas, batches)?;
    queue::enqueue(&tx, &arrivals)?;
    tx.commit().map_err(err)
}

impl SqliteStore {
    /// Checkpoints the WAL and truncates it, so no old page image of removed rows remains in
    /// it. Best effort: a reader elsewhere can hold it back until the next time.
    fn truncate_wal(&self) {
        let _running = self.writer.as_ref().map(|w| w.checkpoints.hold());
        let _ = self
            .conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
    }

    /// After this connection changed the small tables outside `write`.
    fn forget_cache(&mut self) {
        if let Some(w) = &mut self.writer {
            w.cache = Cache::default();
        }
    }
}

impl Store for SqliteStore {
    fn claim(&mut self) -> Result<(), StoreError> {
        SqliteStore::claim(self)
    }

    fn write(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError> {
        self.claim()?;
        let Some(w) = self.writer.as_mut() else {
            return Err(StoreError::new("sqlite: not the writer"));
        };
        let mut added = Vec::new();
        let result = write_group(
            &mut self.conn,
            w,
            schemas,
            batches,
            self.forward,
            &mut added,
        );
        if result.is_ok() {
            w.checkpoints.nudge();
        } else {
            // Rolled back: those ids are not stored, and rows the cache names may not exist.
            for id in &added {
                w.ids.remove(id);
            }
            w.cache = Cache::default();
        }
        result
    }

    fn delete_install(
        &mut self,
        install_id: &[u8; 16],
        categories: &[Consent],
        day: i64,
    ) -> Result<(), StoreError> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let mut gone: Vec<Vec<u8>> = Vec::new();
        let mut gone_rows: Vec<i64> = Vec::new();
        let (mut kinds, mut apps) = (HashMap::new(), HashMap::new());
        {
            let mut delete = tx
                .prepare_cached(
                    "DELETE FROM event_rows WHERE install_id = ?1 \
                     AND kind IN (SELECT kind FROM event_kinds WHERE category = ?2) \
                     RETURNING id, kind, app, seq",
                )
                .map_err(err)?;
            for c in categories {
                let mut rows = delete
                    .query(params![&install_id[..], c.as_str()])
                    .map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    gone.push(r.get(0).map_err(err)?);
                    *kinds.entry(r.get(1).map_err(err)?).or_insert(0i64) -= 1;
                    *apps.entry(r.get(2).map_err(err)?).or_insert(0i64) -= 1;
                    gone_rows.push(r.get(3).map_err(err)?);
                }
            }
        }
        for c in categories {
            metrics::delete_install(&tx, install_id, c.as_str())?;
        }
        // An entry never outlives its row: erasing an event erases its place in the queue.
        queue::unqueue(&tx, &gone_rows)?;
        count_rows(&tx, &kinds, &apps)?;
        tx.execute(
            "INSERT INTO deletion_requests (day, requests) VALUES (?1, 1) \
             ON CONFLICT (day) DO UPDATE SET requests = requests + 1",
            params![minute::format_day_into(day, &mut [0; 10])],
        )
        .map_err(err)?;
        tx.commit().map_err(err)?;
        self.forget_cache();
        if let Some(w) = &mut self.writer {
            for id in &gone {
                if let Ok(id) = <&[u8; 16]>::try_from(id.as_slice()) {
                    w.ids.remove(id);
                }
            }
        }
        // The deleted rows' old page images live on in the WAL until it is checkpointed and
        // reset; with `secure_delete` the checkpoint writes pages whose freed space is zeroed.
        let _running = self.writer.as_ref().map(|w| w.checkpoints.hold());
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(err)
    }

    fn sweep(&mut self, today: i64) -> Result<Swept, StoreError> {
        // Every row due on `today` or earlier has a `seq` below this.
        let bound = first_seq(today.clamp(-1, (1 << 22) - 1) + 1);
        let mut removed = 0u64;
        // One due day per transaction, so that a large sweep does not hold the writer long.
        loop {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            let first: Option<i64> = tx
                .query_row("SELECT min(seq) FROM event_rows", [], |r| r.get(0))
                .map_err(err)?;
            let Some(first) = first.filter(|s| *s < bound) else {
                break;
            };
            let day_end = first_seq((first >> schema::DAY_SHIFT) + 1).min(bound);
            let (mut kinds, mut apps) = (HashMap::new(), HashMap::new());
            {
                let mut counts = tx
                    .prepare_cached(
                        "SELECT kind, app, count(*) FROM event_rows WHERE seq < ?1 \
                         GROUP BY kind, app",
                    )
                    .map_err(err)?;
                let mut rows = counts.query(params![day_end]).map_err(err)?;
                while let Some(r) = rows.next().map_err(err)? {
                    let n: i64 = r.get(2).map_err(err)?;
                    *kinds.entry(r.get(0).map_err(err)?).or_insert(0i64) -= n;
                    *apps.entry(r.get(1).map_err(err)?).or_insert(0i64) -= n;
                }
            }
            queue::unqueue_below(&tx, day_end)?;
            removed += tx
                .execute("DELETE FROM event_rows WHERE seq < ?1", params![day_end])
                .map_err(err)? as u64;
            count_rows(&tx, &kinds, &apps)?;
            tx.commit().map_err(err)?;
        }
        {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(err)?;
            removed += metrics::sweep(&tx, today)? as u64;
            tx.commit().map_err(err)?;
        }
        if let Some(w) = &mut self.writer {
            w.ids.prune(today);
        }
        self.forget_cache();
        if removed > 0 {
            self.truncate_wal();
        }
        Ok(Swept { removed })
    }

    fn forwarding(&mut self) -> Result<Box<dyn ForwardQueue>, StoreError> {
        // The forwarder reads and trims the queue on its own connection, so a slow vendor
        // never holds the writer's; WAL lets it read while the writer commits.
        let queue = SqliteQueue::open(&self.path, self.sync)?;
        self.forward = true;
        Ok(Box::new(queue))
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

    fn scan_events(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredEvent),
    ) -> Result<(), StoreError> {
        // The base tables, bounded by minute: one row at a time, whatever the store's size.
        let lo = from.map_or(i64::MIN, |d| d * 1440);
        let hi = to.map_or(i64::MAX, |d| d * 1440 + 1439);
        let mut stmt = self
            .conn
            .prepare(
                "SELECT r.id, k.event, k.version, r.minute, k.category, k.retention_days, \
                 r.seq >> 40, a.name, a.version, a.os, r.install_id, r.fields \
                 FROM event_rows r JOIN event_kinds k ON k.kind = r.kind \
                 JOIN apps a ON a.app = r.app WHERE r.minute BETWEEN ?1 AND ?2",
            )
            .map_err(err)?;
        let hex = |b: Vec<u8>| -> String {
            <[u8; 16]>::try_from(b.as_slice()).map_or_else(|_| String::new(), |a| hex16(&a))
        };
        let mut rows = stmt.query(params![lo, hi]).map_err(err)?;
        while let Some(r) = rows.next().map_err(err)? {
            f(StoredEvent {
                id: hex(r.get(0).map_err(err)?),
                event: r.get(1).map_err(err)?,
                version: r.get(2).map_err(err)?,
                time: minute::format(r.get(3).map_err(err)?),
                category: r.get(4).map_err(err)?,
                retention_days: r.get(5).map_err(err)?,
                delete_on: candor_schema::Date::from_days(r.get(6).map_err(err)?).to_string(),
                app_name: r.get(7).map_err(err)?,
                app_version: r.get(8).map_err(err)?,
                app_os: r.get(9).map_err(err)?,
                install_id: r.get::<_, Option<Vec<u8>>>(10).map_err(err)?.map(hex),
                fields: r.get(11).map_err(err)?,
            });
        }
        Ok(())
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

    fn scan_metrics(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredMetric),
    ) -> Result<(), StoreError> {
        metrics::scan(&self.conn, from, to, f)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::Refusal;

    pub(super) fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "candor-sqlite-{name}-{}-{:?}",
            std::process::id(),
            std::thread::current().id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    pub(super) fn schemas() -> Schemas {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/schemas");
        let c = candor_schema::compile_dir(&dir, &candor_schema::Options::default()).unwrap();
        Schemas::new(c.registry.as_ref().unwrap()).unwrap()
    }

    /// A batch of `kinds.ping` events `(id byte, minute)`, from app `app`.
    pub(super) fn pings(schemas: &Schemas, app: &str, events: &[(u8, i64)]) -> Checked {
        let mut c = Checked {
            app_name: app.into(),
            app_version: "1.0".into(),
            app_os: "linux".into(),
            day: minute::day_of(minute::now()),
            ..Checked::default()
        };
        for &(id, minute) in events {
            let start = c.text.len() as u32;
            c.text.push_str(r#"{"ok":true}"#);
            c.rows.push(Row {
                id: [id; 16],
                event: schemas.find("kinds.ping").unwrap(),
                minute,
                fields: (start, c.text.len() as u32),
            });
        }
        c
    }

    pub(super) fn ids(store: &mut SqliteStore) -> Vec<String> {
        store.events().unwrap().into_iter().map(|e| e.id).collect()
    }

    #[test]
    fn migrations_are_applied_once_and_a_newer_database_is_refused() {
        let dir = temp("mig");
        let path = dir.join("t.sqlite");
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
        let page: i64 = s
            .conn
            .query_row("PRAGMA page_size", [], |r| r.get(0))
            .unwrap();
        assert_eq!(page, i64::from(PAGE_SIZE));
        s.conn.execute_batch("PRAGMA user_version = 99").unwrap();
        drop(s);
        let e = SqliteStore::open(&path, SqliteSync::Normal).err().unwrap();
        assert!(e.message.contains("newer"), "{e}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_version_1_database_keeps_every_row_and_its_ids_stay_unique() {
        let dir = temp("v1");
        let path = dir.join("t.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(MIGRATIONS[0]).unwrap();
            conn.execute_batch(
                "PRAGMA user_version = 1;
                 INSERT INTO events VALUES
                   (x'01010101010101010101010101010101', 'kinds.ping', 1, '2026-11-22T12:34Z',
                    'diagnostics', 30, '2026-12-22', 'a', '1.0', 'linux', NULL, '{\"ok\":true}'),
                   (x'02020202020202020202020202020202', 'kinds.ping', 1, '2026-11-23T00:00Z',
                    'diagnostics', 30, '2026-12-23', 'a', '1.0', 'linux',
                    x'0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a', '{\"ok\":false}'),
                   (x'03030303030303030303030303030303', 'kinds.short_lived', 1,
                    '2026-11-22T23:59Z', 'performance', 1, '2026-11-23', 'b', '2', 'macos', NULL,
                    '{\"ms\":5}');
                 INSERT INTO quarantine VALUES ('2026-11-22', 'too_old', 'kinds.ping', '', 4);",
            )
            .unwrap();
        }
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let got = s.events().unwrap();
        let want = [
            (
                "01",
                "kinds.ping",
                "2026-11-22T12:34Z",
                "2026-12-22",
                "a",
                None,
                r#"{"ok":true}"#,
            ),
            (
                "03",
                "kinds.short_lived",
                "2026-11-22T23:59Z",
                "2026-11-23",
                "b",
                None,
                r#"{"ms":5}"#,
            ),
            (
                "02",
                "kinds.ping",
                "2026-11-23T00:00Z",
                "2026-12-23",
                "a",
                Some("0a"),
                r#"{"ok":false}"#,
            ),
        ];
        assert_eq!(got.len(), want.len());
        for (g, (id, event, time, delete_on, app, install, fields)) in got.iter().zip(want) {
            assert_eq!(g.id, id.repeat(16));
            assert_eq!(
                (
                    g.event.as_str(),
                    g.time.as_str(),
                    g.delete_on.as_str(),
                    g.app_name.as_str()
                ),
                (event, time, delete_on, app)
            );
            assert_eq!(g.install_id, install.map(|i| i.repeat(16)));
            assert_eq!(g.fields, fields);
        }
        assert_eq!(s.quarantine().unwrap()[0].count, 4);
        // The carried-over ids are known to the writer: a resend stores nothing.
        let schemas = schemas();
        let resent = pings(&schemas, "a", &[(1, minute::now()), (4, minute::now())]);
        s.write(&schemas, &[&resent]).unwrap();
        let mut stored = ids(&mut s);
        stored.sort();
        assert_eq!(stored, ["01", "02", "03", "04"].map(|i| i.repeat(16)));
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_id_is_the_identity_across_times_batches_and_restarts() {
        let dir = temp("identity");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        // Twice in one batch, and again with other times (another day, another delete_on).
        let first = pings(&schemas, "a", &[(7, now), (7, now - 1), (8, now)]);
        let again = pings(
            &schemas,
            "b",
            &[(7, now - 3 * 1440), (8, now - 1440), (9, now)],
        );
        s.write(&schemas, &[&first, &again]).unwrap();
        s.write(&schemas, &[&again]).unwrap();
        let stored = s.events().unwrap();
        assert_eq!(stored.len(), 3);
        let seven = stored.iter().find(|e| e.id == "07".repeat(16)).unwrap();
        assert_eq!(
            (seven.time.clone(), seven.app_name.as_str()),
            (minute::format(now), "a")
        );
        drop(s);
        // A new writer learns the ids from the file.
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        s.write(
            &schemas,
            &[&pings(&schemas, "c", &[(7, now + 1), (9, now), (10, now)])],
        )
        .unwrap();
        assert_eq!(s.events().unwrap().len(), 4);
        assert!(s
            .events()
            .unwrap()
            .iter()
            .all(|e| e.app_name != "c" || e.id == "0a".repeat(16)));
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn one_writer_per_file_and_readers_beside_it() {
        let dir = temp("writer");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let mut a = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        a.claim().unwrap();
        a.claim().unwrap();
        let mut b = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let e = b.claim().unwrap_err();
        assert!(e.message.contains("another process writes"), "{e}");
        let batch = pings(&schemas, "a", &[(1, minute::now())]);
        assert!(
            b.write(&schemas, &[&batch]).is_err(),
            "a reader does not write"
        );
        // Reading and sweeping need no lock.
        a.write(&schemas, &[&batch]).unwrap();
        assert_eq!(ids(&mut b), ["01".repeat(16)]);
        assert_eq!(b.sweep(minute::day_of(minute::now())).unwrap().removed, 0);
        // Another connection sweeps the row and its app away; the writer's next batch of that
        // app must not name the removed app row.
        let today = minute::day_of(minute::now());
        assert_eq!(b.sweep(today + 30).unwrap().removed, 1);
        a.write(&schemas, &[&pings(&schemas, "a", &[(3, minute::now())])])
            .unwrap();
        let stored = a.events().unwrap();
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(
            (stored[0].id.as_str(), stored[0].app_name.as_str()),
            ("03".repeat(16).as_str(), "a")
        );
        drop(a);
        b.claim().unwrap();
        b.write(
            &schemas,
            &[&pings(
                &schemas,
                "a",
                &[(1, minute::now()), (2, minute::now())],
            )],
        )
        .unwrap();
        assert_eq!(
            ids(&mut b).len(),
            3,
            "01 (swept, then sent again), 02 and 03"
        );
        drop(b);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_stores_nothing_and_forgets_its_ids() {
        let dir = temp("failed");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        s.claim().unwrap();
        let mut batch = pings(
            &schemas,
            "new-app",
            &[(5, minute::now()), (6, minute::now())],
        );
        batch.refused.push(Refusal {
            reason: crate::validate::Reason::TooOld,
            event: None,
            field: None,
        });
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        assert!(s.write(&schemas, &[&batch]).is_err());
        other.execute_batch("COMMIT").unwrap();
        assert!(ids(&mut s).is_empty());
        // The same batch again: its ids and its app are written now.
        s.write(&schemas, &[&batch]).unwrap();
        let stored = s.events().unwrap();
        assert_eq!(stored.len(), 2);
        assert!(stored.iter().all(|e| e.app_name == "new-app"));
        assert_eq!(s.quarantine().unwrap()[0].count, 1);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn committed_pages_reach_the_database_file_beside_the_writer() {
        // Far below the writer's own checkpoint mark: only the checkpointing thread can copy
        // these pages from the WAL into the database file while the store is open.
        let dir = temp("checkpoint");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let size = || std::fs::metadata(&path).unwrap().len();
        let before = size();
        let now = minute::now();
        let events: Vec<(u8, i64)> = (0..200).map(|i| (i, now)).collect();
        s.write(&schemas, &[&pings(&schemas, "app", &events)])
            .unwrap();
        let wal: i64 = s
            .conn
            .query_row("PRAGMA wal_autocheckpoint", [], |r| r.get(0))
            .unwrap();
        assert_eq!(wal, i64::from(checkpoint::WRITER_MARK));
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while size() <= before {
            assert!(
                std::time::Instant::now() < deadline,
                "no checkpoint: the database file stayed at {before} bytes"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        // The rows are whole and readable, and the writer goes on writing.
        assert_eq!(ids(&mut s).len(), 200);
        s.write(&schemas, &[&pings(&schemas, "app", &[(250, now)])])
            .unwrap();
        assert_eq!(ids(&mut s).len(), 201);
    }

    #[test]
    fn a_sweep_is_a_range_delete_and_forgets_ids_and_apps() {
        let dir = temp("sweep");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let today = minute::day_of(now);
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        // kinds.ping keeps 30 days, kinds.short_lived 1.
        let mut short = pings(&schemas, "short", &[(2, now)]);
        short.rows[0].event = schemas.find("kinds.short_lived").unwrap();
        short.text = r#"{"ms":1}"#.into();
        short.rows[0].fields = (0, short.text.len() as u32);
        s.write(&schemas, &[&pings(&schemas, "long", &[(1, now)]), &short])
            .unwrap();
        assert_eq!(s.sweep(today).unwrap().removed, 0);
        assert_eq!(s.sweep(today + 1).unwrap().removed, 1);
        let apps: Vec<String> = s
            .conn
            .prepare("SELECT name FROM apps")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(apps, ["long"], "an app no row can name any more is gone");
        // The swept id is forgotten (stored again if it comes back, fresh), the other is not.
        s.write(
            &schemas,
            &[&pings(&schemas, "short", &[(1, now), (2, now)])],
        )
        .unwrap();
        assert_eq!(ids(&mut s).len(), 2);
        assert_eq!(s.sweep(today + 30).unwrap().removed, 2);
        assert!(ids(&mut s).is_empty());
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
