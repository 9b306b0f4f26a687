//! The relay's forwarding queue in the SQLite file (`forward_queue`, migration 3): how the
//! writer adds entries and how sweeps and deletion requests take them out with their rows, and
//! [`SqliteQueue`], the forwarder's own connection that reads the head and removes what the
//! vendor took.
//!
//! An entry names its event row by `seq` (the row's key), so reading the head is one join on
//! primary keys and removing a row's entry is one lookup in the queue's `seq` index. Entries
//! are written in arrival order, which is not the order rows are inserted in (rows go in by
//! `seq`, clustered by retention day): the queue's own `pos` keeps the order events came.
//!
//! The forwarder's connection is not a writer in the sense of the file's writer lock: it never
//! inserts or removes an event row, so the writer's id index stays exact. It does commit (it
//! removes queue entries), which the writer sees as another connection's commit and answers by
//! reloading its cache of the small tables once; that costs a few lookups per forwarded round.

use rusqlite::{params, Connection, Transaction, TransactionBehavior};

use super::{err, hex, schema, SqliteSync};
use crate::minute;
use crate::store::{ForwardQueue, Queued, StoreError, StoredEvent};

/// Entries bound to one `INSERT` statement.
const ENTRIES_PER_INSERT: usize = 64;

/// `INSERT` of [`ENTRIES_PER_INSERT`] entries. SQLite inserts the rows of one `VALUES` list in
/// the order written, so their positions follow it; and AUTOINCREMENT's counter is updated
/// once per statement rather than once per entry.
static INSERT_MANY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    let values: Vec<String> = (1..=ENTRIES_PER_INSERT)
        .map(|i| format!("(?{i})"))
        .collect();
    format!(
        "INSERT INTO forward_queue (seq) VALUES {}",
        values.join(",")
    )
});

/// Adds an entry per row `seq`, in the order given (arrival order).
pub(super) fn enqueue(tx: &Transaction<'_>, seqs: &[i64]) -> Result<(), StoreError> {
    if seqs.is_empty() {
        return Ok(());
    }
    let mut many = tx.prepare_cached(&INSERT_MANY).map_err(err)?;
    let mut chunks = seqs.chunks_exact(ENTRIES_PER_INSERT);
    for chunk in &mut chunks {
        for (i, seq) in chunk.iter().enumerate() {
            many.raw_bind_parameter(i + 1, seq).map_err(err)?;
        }
        many.raw_execute().map_err(err)?;
    }
    let mut one = tx
        .prepare_cached("INSERT INTO forward_queue (seq) VALUES (?1)")
        .map_err(err)?;
    for seq in chunks.remainder() {
        one.execute(params![seq]).map_err(err)?;
    }
    Ok(())
}

/// Removes the entries of the rows `seqs` (deleted by a deletion request in this transaction).
pub(super) fn unqueue(tx: &Transaction<'_>, seqs: &[i64]) -> Result<(), StoreError> {
    if seqs.is_empty() {
        return Ok(());
    }
    let mut delete = tx
        .prepare_cached("DELETE FROM forward_queue WHERE seq = ?1")
        .map_err(err)?;
    for seq in seqs {
        delete.execute(params![seq]).map_err(err)?;
    }
    Ok(())
}

/// Removes the entries of every row below `seq` (what a sweep removes).
pub(super) fn unqueue_below(tx: &Transaction<'_>, seq: i64) -> Result<(), StoreError> {
    tx.prepare_cached("DELETE FROM forward_queue WHERE seq < ?1")
        .and_then(|mut s| s.execute(params![seq]))
        .map(|_| ())
        .map_err(err)
}

/// The forwarding queue, on its own connection to the database file.
pub struct SqliteQueue {
    conn: Connection,
}

impl SqliteQueue {
    /// A connection of its own to the file at `path`, set up like the store's.
    pub(super) fn open(path: &std::path::Path, sync: SqliteSync) -> Result<Self, StoreError> {
        let conn = Connection::open(path)
            .map_err(|e| StoreError::new(format!("cannot open `{}`: {e}", path.display())))?;
        super::configure(&conn, sync)?;
        Ok(SqliteQueue { conn })
    }
}

/// The head of the queue with each entry's row, kind and app; the row's columns are `NULL`
/// when it is gone (which the same-transaction removals prevent, but a reader must not assume).
const HEAD: &str = "SELECT q.pos, r.id, k.event, k.version, r.minute, k.category, \
     k.retention_days, r.seq, a.name, a.version, a.os, r.install_id, r.fields \
     FROM forward_queue q \
     LEFT JOIN event_rows r ON r.seq = q.seq \
     LEFT JOIN event_kinds k ON k.kind = r.kind \
     LEFT JOIN apps a ON a.app = r.app \
     ORDER BY q.pos LIMIT ?1";

impl ForwardQueue for SqliteQueue {
    fn next(&mut self, max: usize) -> Result<Vec<Queued>, StoreError> {
        let mut stmt = self.conn.prepare_cached(HEAD).map_err(err)?;
        let limit = i64::try_from(max).unwrap_or(i64::MAX);
        let rows = stmt
            .query_map(params![limit], |r| {
                let pos = r.get(0)?;
                let (Some(id), Some(event)) = (
                    r.get::<_, Option<Vec<u8>>>(1)?,
                    r.get::<_, Option<String>>(2)?,
                ) else {
                    return Ok(Queued { pos, event: None });
                };
                let seq: i64 = r.get(7)?;
                Ok(Queued {
                    pos,
                    event: Some(StoredEvent {
                        id: hex(id),
                        event,
                        version: r.get(3)?,
                        time: minute::format(r.get(4)?),
                        category: r.get(5)?,
                        retention_days: r.get(6)?,
                        delete_on: minute::format_day_into(seq >> schema::DAY_SHIFT, &mut [0; 10])
                            .to_owned(),
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

    fn done(&mut self, positions: &[i64]) -> Result<(), StoreError> {
        // Nothing to remove takes no write lock (a round that only waited would otherwise
        // contend with the writer and make it reload its cache for nothing).
        if positions.is_empty() {
            return Ok(());
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        {
            let mut delete = tx
                .prepare_cached("DELETE FROM forward_queue WHERE pos = ?1")
                .map_err(err)?;
            for pos in positions {
                delete.execute(params![pos]).map_err(err)?;
            }
        }
        tx.commit().map_err(err)
    }

    fn depth(&mut self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM forward_queue", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n.max(0) as u64)
            .map_err(err)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{ids, pings, schemas, temp};
    use super::super::SqliteStore;
    use super::*;
    use crate::schemas::Schemas;
    use crate::store::Store;
    use crate::validate::Checked;
    use candor_schema::ir::Consent;

    /// A batch of `kinds.short_lived` events (kept one day, so due long before `kinds.ping`'s).
    fn short(schemas: &Schemas, app: &str, events: &[(u8, i64)]) -> Checked {
        let mut c = pings(schemas, app, events);
        c.text.clear();
        for row in &mut c.rows {
            let start = c.text.len() as u32;
            c.text.push_str(r#"{"ms":5}"#);
            row.event = schemas.find("kinds.short_lived").unwrap();
            row.fields = (start, c.text.len() as u32);
        }
        c
    }

    /// The ids at the head of the queue, in order (`-` for an entry whose event is gone).
    fn head(q: &mut dyn ForwardQueue) -> Vec<String> {
        q.next(1000)
            .unwrap()
            .into_iter()
            .map(|q| {
                q.event
                    .map_or_else(|| "-".to_owned(), |e| e.id[..2].to_owned())
            })
            .collect()
    }

    fn positions(q: &mut dyn ForwardQueue) -> Vec<i64> {
        q.next(1000).unwrap().into_iter().map(|q| q.pos).collect()
    }

    #[test]
    fn entries_keep_arrival_order_and_name_exactly_the_stored_event() {
        let dir = temp("queue-order");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        // Stored before forwarding was on: never queued.
        s.write(&schemas, &[&pings(&schemas, "a", &[(1, now)])])
            .unwrap();
        let mut q = s.forwarding().unwrap();
        // Rows go in by `seq` (one-day events first, then thirty-day ones; a day earlier
        // first within each); the queue must keep the order the events came in.
        let first = pings(&schemas, "a", &[(9, now), (2, now - 1440)]);
        let second = short(&schemas, "b", &[(8, now), (3, now)]);
        let third = pings(&schemas, "c", &[(1, now), (7, now), (9, now), (4, now)]);
        s.write(&schemas, &[&first, &second, &third]).unwrap();
        assert_eq!(head(&mut *q), ["09", "02", "08", "03", "07", "04"]);
        // A resend stores nothing and queues nothing.
        s.write(&schemas, &[&second, &first]).unwrap();
        assert_eq!(q.depth().unwrap(), 6);
        // Each entry's event reads exactly as the store's own view of it (the time and day
        // formatted by the shared minute rules here, by SQLite's there).
        let stored = s.events().unwrap();
        for e in q.next(1000).unwrap() {
            let e = e.event.unwrap();
            assert_eq!(Some(&e), stored.iter().find(|s| s.id == e.id));
        }
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_group_larger_than_one_insert_statement_keeps_arrival_order() {
        let dir = temp("queue-large");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let mut q = s.forwarding().unwrap();
        // 200 new events (and a resend of each tenth) in one group, across three days and
        // both kinds, so that arrival order and `seq` order differ throughout.
        let batches: Vec<Checked> = (0..200u8)
            .map(|i| {
                let mut events = vec![(i, now - i64::from(i % 3) * 1440)];
                if i % 10 == 9 {
                    events.push((i - 5, now));
                }
                if i % 2 == 0 {
                    short(&schemas, "a", &events)
                } else {
                    pings(&schemas, "a", &events)
                }
            })
            .collect();
        s.write(&schemas, &batches.iter().collect::<Vec<_>>())
            .unwrap();
        let want: Vec<String> = (0..200u8).map(|i| format!("{i:02x}")).collect();
        assert_eq!(head(&mut *q), want);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_queues_nothing_and_its_retry_queues_once() {
        let dir = temp("queue-failed");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let mut q = s.forwarding().unwrap();
        let batch = pings(&schemas, "a", &[(5, minute::now()), (6, minute::now())]);
        let other = Connection::open(&path).unwrap();
        other.execute_batch("BEGIN EXCLUSIVE").unwrap();
        assert!(s.write(&schemas, &[&batch]).is_err());
        other.execute_batch("COMMIT").unwrap();
        assert_eq!(q.depth().unwrap(), 0);
        s.write(&schemas, &[&batch]).unwrap();
        assert_eq!(head(&mut *q), ["05", "06"]);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn sweeps_and_deletion_requests_take_the_entries_of_their_rows_along() {
        let dir = temp("queue-erase");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let today = minute::day_of(now);
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let mut q = s.forwarding().unwrap();
        let mut erased = pings(&schemas, "a", &[(1, now), (2, now)]);
        erased.install_id = Some([0xee; 16]);
        let mut erased_short = short(&schemas, "a", &[(3, now)]);
        erased_short.install_id = Some([0xee; 16]);
        let kept = pings(&schemas, "a", &[(4, now)]);
        let expiring = short(&schemas, "b", &[(5, now)]);
        s.write(&schemas, &[&erased, &kept, &erased_short, &expiring])
            .unwrap();
        assert_eq!(head(&mut *q), ["01", "02", "04", "03", "05"]);
        // Only the diagnostics rows of that installation (kinds.ping); 03 is performance.
        s.delete_install(&[0xee; 16], &[Consent::Diagnostics], today)
            .unwrap();
        assert_eq!(head(&mut *q), ["04", "03", "05"]);
        // A sweep by another connection (`candor sweep`) while the writer runs.
        let mut sweeper = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        assert_eq!(sweeper.sweep(today + 1).unwrap().removed, 2);
        assert_eq!(head(&mut *q), ["04"]);
        // No entry names a row that is gone, and the writer's ids match the rows.
        let orphans: i64 = s
            .conn
            .query_row(
                "SELECT count(*) FROM forward_queue q \
                 WHERE NOT EXISTS (SELECT 1 FROM event_rows r WHERE r.seq = q.seq)",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0);
        // The ids erased by the writer's own deletion are forgotten: stored again if sent.
        s.write(&schemas, &[&pings(&schemas, "a", &[(1, now), (4, now)])])
            .unwrap();
        assert_eq!(head(&mut *q), ["04", "01"]);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_position_is_never_reused_so_done_removes_only_what_was_read() {
        let dir = temp("queue-pos");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let today = minute::day_of(now);
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let mut q = s.forwarding().unwrap();
        let mut tail = pings(&schemas, "a", &[(2, now)]);
        tail.install_id = Some([0xee; 16]);
        s.write(&schemas, &[&pings(&schemas, "a", &[(1, now)]), &tail])
            .unwrap();
        // The forwarder reads the head; meanwhile the newest entry (and its row, the last of
        // its day) is erased and a new event arrives, possibly in the erased row's `seq`.
        let read = positions(&mut *q);
        s.delete_install(&[0xee; 16], &[Consent::Diagnostics], today)
            .unwrap();
        s.write(&schemas, &[&pings(&schemas, "a", &[(3, now)])])
            .unwrap();
        q.done(&read).unwrap();
        assert_eq!(head(&mut *q), ["03"], "the new entry was never read");
        assert!(positions(&mut *q)[0] > read[1]);
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_forwarders_connection_reads_and_trims_beside_the_one_writer() {
        let dir = temp("queue-writer");
        let path = dir.join("t.sqlite");
        let schemas = schemas();
        let now = minute::now();
        let mut w = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        w.claim().unwrap();
        let mut q = w.forwarding().unwrap();
        // Turning forwarding on takes no writer's lock and gives none away.
        let mut other = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        let e = other.claim().unwrap_err();
        assert!(e.message.contains("another process writes"), "{e}");
        w.write(&schemas, &[&pings(&schemas, "a", &[(1, now), (2, now)])])
            .unwrap();
        // The forwarder commits between the writer's groups: the writer reloads what it
        // caches and keeps its id index exact (resends skipped, new ids stored once).
        let read = positions(&mut *q);
        q.done(&read).unwrap();
        w.write(&schemas, &[&pings(&schemas, "a", &[(2, now), (3, now)])])
            .unwrap();
        let read = positions(&mut *q);
        q.done(&read).unwrap();
        w.write(
            &schemas,
            &[&pings(&schemas, "b", &[(3, now), (4, now), (1, now)])],
        )
        .unwrap();
        let mut stored = ids(&mut w);
        stored.sort();
        assert_eq!(stored, ["01", "02", "03", "04"].map(|i| i.repeat(16)));
        assert_eq!(head(&mut *q), ["04"]);
        // A writer lock is still held by `w` alone; a queue of a store that is not the writer
        // reads the same entries (what `candor collect` and its tests see).
        assert!(other.claim().is_err());
        let mut reader = other.forwarding().unwrap();
        assert_eq!(head(&mut *reader), ["04"]);
        drop((w, other));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A batch of the property below: short-lived kind?, installation, events (id, days ago).
    type Batch = (bool, Option<u8>, Vec<(u8, i64)>);

    /// One step of the property below.
    #[derive(Clone, Debug)]
    enum Op {
        /// A group of batches.
        Write(Vec<Batch>),
        /// A deletion request of an installation, for diagnostics (ping) or performance
        /// (short-lived) or both.
        Delete(u8, bool, bool),
        /// The writer's sweep, as of today plus this many days.
        Sweep(i64),
        /// The forwarder reads this many entries, then (optionally) a group is written, then
        /// it removes what it read.
        Forward(usize, Option<Vec<Batch>>),
    }

    fn group() -> impl proptest::strategy::Strategy<Value = Vec<Batch>> {
        use proptest::prelude::*;
        proptest::collection::vec(
            (
                any::<bool>(),
                proptest::option::of(0u8..3),
                proptest::collection::vec((0u8..24, 0i64..3), 0..6),
            ),
            1..4,
        )
    }

    fn op() -> impl proptest::strategy::Strategy<Value = Op> {
        use proptest::prelude::*;
        prop_oneof![
            4 => group().prop_map(Op::Write),
            1 => (0u8..3, any::<bool>(), any::<bool>()).prop_map(|(i, d, p)| Op::Delete(i, d, p)),
            1 => (0i64..3).prop_map(Op::Sweep),
            2 => (0usize..8, proptest::option::of(group())).prop_map(|(n, g)| Op::Forward(n, g)),
        ]
    }

    /// What the store must hold: each stored id's (day due, installation, short-lived?), and
    /// the queue as (entry number, id) in order.
    #[derive(Default)]
    struct Model {
        stored: std::collections::HashMap<u8, (i64, Option<u8>, bool)>,
        queue: Vec<(u64, u8)>,
        entries: u64,
    }

    impl Model {
        fn write(&mut self, now: i64, g: &[Batch]) {
            for (short, install, events) in g {
                for &(id, ago) in events {
                    if self.stored.contains_key(&id) {
                        continue;
                    }
                    let retention = if *short { 1 } else { 30 };
                    let due = crate::validate::delete_on(now - ago * 1440, retention);
                    self.stored.insert(id, (due, *install, *short));
                    self.entries += 1;
                    self.queue.push((self.entries, id));
                }
            }
        }

        fn keep(&mut self, keep: impl Fn(&(i64, Option<u8>, bool)) -> bool) {
            self.stored.retain(|_, v| keep(v));
            let stored = &self.stored;
            self.queue.retain(|(_, id)| stored.contains_key(id));
        }
    }

    fn batches(schemas: &Schemas, now: i64, g: &[Batch]) -> Vec<Checked> {
        g.iter()
            .map(|(is_short, install, events)| {
                let events: Vec<(u8, i64)> = events
                    .iter()
                    .map(|&(id, ago)| (id, now - ago * 1440))
                    .collect();
                let mut b = if *is_short {
                    short(schemas, "a", &events)
                } else {
                    pings(schemas, "a", &events)
                };
                b.install_id = install.map(|i| [0xe0 | i; 16]);
                b
            })
            .collect()
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Whatever interleaving of writes (resends and repeats included), deletion requests,
        /// sweeps and forwarder rounds (with writes between its read and its removal), the
        /// queue holds exactly the events stored since forwarding began and not yet forwarded,
        /// swept or erased, in the order they arrived; and the store holds exactly the model's
        /// ids (the writer's id index stayed exact).
        #[test]
        fn the_queue_is_exactly_the_unforwarded_stored_events_in_arrival_order(
            ops in proptest::collection::vec(op(), 1..14)
        ) {
            let dir = temp("queue-prop");
            let path = dir.join("t.sqlite");
            let schemas = schemas();
            let now = minute::now();
            let today = minute::day_of(now);
            let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
            let mut q = s.forwarding().unwrap();
            let mut m = Model::default();
            for op in &ops {
                match op {
                    Op::Write(g) => {
                        let b = batches(&schemas, now, g);
                        s.write(&schemas, &b.iter().collect::<Vec<_>>()).unwrap();
                        m.write(now, g);
                    }
                    Op::Delete(install, diagnostics, performance) => {
                        let mut categories = Vec::new();
                        if *diagnostics {
                            categories.push(Consent::Diagnostics);
                        }
                        if *performance {
                            categories.push(Consent::Performance);
                        }
                        s.delete_install(&[0xe0 | install; 16], &categories, today).unwrap();
                        m.keep(|&(_, i, short)| {
                            i != Some(*install) || !(if short { *performance } else { *diagnostics })
                        });
                    }
                    Op::Sweep(days) => {
                        s.sweep(today + days).unwrap();
                        m.keep(|&(due, _, _)| due > today + days);
                    }
                    Op::Forward(n, between) => {
                        let read = q.next(*n).unwrap();
                        let model_read: Vec<u64> =
                            m.queue.iter().take(*n).map(|(e, _)| *e).collect();
                        if let Some(g) = between {
                            let b = batches(&schemas, now, g);
                            s.write(&schemas, &b.iter().collect::<Vec<_>>()).unwrap();
                            m.write(now, g);
                        }
                        q.done(&read.iter().map(|e| e.pos).collect::<Vec<_>>()).unwrap();
                        m.queue.retain(|(e, _)| !model_read.contains(e));
                    }
                }
                let got: Vec<String> = head(&mut *q);
                let want: Vec<String> =
                    m.queue.iter().map(|(_, id)| format!("{id:02x}")).collect();
                proptest::prop_assert_eq!(got, want, "after {:?}", op);
                let mut stored = ids(&mut s);
                stored.sort();
                let mut model: Vec<String> =
                    m.stored.keys().map(|id| format!("{id:02x}").repeat(16)).collect();
                model.sort();
                proptest::prop_assert_eq!(stored, model, "after {:?}", op);
            }
            drop(s);
            std::fs::remove_dir_all(&dir).unwrap();
        }
    }

    #[test]
    fn a_version_2_database_gains_an_empty_queue() {
        let dir = temp("queue-v2");
        let path = dir.join("t.sqlite");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(schema::MIGRATIONS[0]).unwrap();
            conn.execute_batch(schema::MIGRATIONS[1]).unwrap();
            conn.execute_batch(
                "PRAGMA user_version = 2;
                 INSERT INTO event_kinds VALUES (1, 'kinds.ping', 1, 'diagnostics', 30, 1);
                 INSERT INTO apps VALUES (1, 'a', '1.0', 'linux', 1);
                 INSERT INTO event_rows VALUES (20809 * 1099511627776,
                   x'01010101010101010101010101010101', 1, 1, 29922514, NULL, '{\"ok\":true}');",
            )
            .unwrap();
        }
        let mut s = SqliteStore::open(&path, SqliteSync::Normal).unwrap();
        assert_eq!(ids(&mut s), ["01".repeat(16)]);
        let mut q = s.forwarding().unwrap();
        assert_eq!(q.depth().unwrap(), 0, "rows stored before are not queued");
        let v: i64 = s
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(v as usize, schema::MIGRATIONS.len());
        drop(s);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
