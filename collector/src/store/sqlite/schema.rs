//! The SQLite store's tables and their versioned migrations (`PRAGMA user_version` counts the
//! migrations applied).
//!
//! Layout since version 2, chosen for the insert path (see docs/benchmarks.md#collector):
//!
//! - `event_rows`: one row per stored event, keyed by `seq` = the row's `delete_on` day × 2⁴⁰
//!   plus its arrival number within that day. Rows are therefore clustered by the day they
//!   must be gone, and within it in arrival order: an insert lands at the end of its day's
//!   range (a hot right edge, one per retention period in use), and a retention sweep is a
//!   range delete on the primary key. There is no index on `id` (dedupe is the writer's
//!   in-memory id index, `ids.rs`) and none on `delete_on` (it is the key's prefix).
//! - `event_kinds`: the (event, version, category, retention) a row belongs to, so a row
//!   carries one small integer instead of four values; these come from the schemas, never from
//!   a client.
//! - `apps`: the envelope's app name, version and OS, likewise.
//!
//! Both small tables count the rows that name each of their rows, and a row of theirs is
//! removed with the last event row naming it (by a sweep or a deletion request): nothing of an
//! erased event, not even its name or its app's, stays behind in them.
//! - `events`: a view with the columns of version 1's table, for reading.
//! - `forward_queue` (version 3): the relay's queue, an entry per event row still to forward,
//!   by arrival; an entry leaves with its row (sweep, deletion request) or once forwarded.
//! - `metric_rows` (version 4): one row per accepted entry of a `candor.metrics/1` document,
//!   keyed by (`delete_on` day, document id, metric): a sweep is a range delete on the key's
//!   prefix, as for events. A document id already stored is not stored again, whatever the
//!   resent copy holds (the index on `doc`; metrics are one document per category per
//!   interval per device, far fewer rows than events, so an index costs little here).

/// Rows per day in `seq`: the arrival number occupies the low 40 bits.
pub const DAY_SHIFT: u32 = 40;

/// Schema migrations, in order; `PRAGMA user_version` is how many have been applied.
pub const MIGRATIONS: &[&str] = &[
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
    // 2: rows clustered by delete_on day and arrival, kinds and apps in tables of their own,
    // no index on the random id; version 1's rows are carried over, then `events` is a view.
    "CREATE TABLE event_kinds (
        kind           INTEGER PRIMARY KEY,
        event          TEXT    NOT NULL,         -- namespace.name
        version        INTEGER NOT NULL,
        category       TEXT    NOT NULL,         -- consent category
        retention_days INTEGER NOT NULL,
        rows           INTEGER NOT NULL,         -- event_rows of this kind; none: removed
        UNIQUE (event, version, category, retention_days)
     );
     CREATE TABLE apps (
        app     INTEGER PRIMARY KEY,
        name    TEXT    NOT NULL,
        version TEXT    NOT NULL,
        os      TEXT    NOT NULL,
        rows    INTEGER NOT NULL,                -- event_rows of this app; none: removed
        UNIQUE (name, version, os)
     );
     CREATE TABLE event_rows (
        seq        INTEGER PRIMARY KEY,          -- delete_on day * 2^40 + arrival number
        id         BLOB    NOT NULL,             -- 16 bytes, the event's random id; unique
        kind       INTEGER NOT NULL,             -- event_kinds.kind
        app        INTEGER NOT NULL,             -- apps.app
        minute     INTEGER NOT NULL,             -- minutes since 1970-01-01T00:00Z
        install_id BLOB,                         -- 16 bytes, only if the app opted in
        fields     TEXT    NOT NULL              -- JSON object, checked against the schema
     );
     CREATE INDEX event_rows_install_id ON event_rows (install_id) WHERE install_id IS NOT NULL;
     INSERT INTO event_kinds (event, version, category, retention_days, rows)
        SELECT event, version, category, retention_days, count(*)
        FROM events GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4;
     INSERT INTO apps (name, version, os, rows)
        SELECT app_name, app_version, app_os, count(*) FROM events GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
     INSERT INTO event_rows (seq, id, kind, app, minute, install_id, fields)
        SELECT (unixepoch(e.delete_on) / 86400) * 1099511627776
                 + row_number() OVER (PARTITION BY e.delete_on ORDER BY e.rowid) - 1,
               e.id, k.kind, a.app, unixepoch(substr(e.time, 1, 16)) / 60, e.install_id, e.fields
        FROM events e
        JOIN event_kinds k ON (k.event, k.version, k.category, k.retention_days)
                            = (e.event, e.version, e.category, e.retention_days)
        JOIN apps a ON (a.name, a.version, a.os) = (e.app_name, e.app_version, e.app_os)
        ORDER BY 1;
     DROP TABLE events;
     CREATE VIEW events (id, event, version, time, category, retention_days, delete_on,
                         app_name, app_version, app_os, install_id, fields) AS
        SELECT r.id, k.event, k.version, strftime('%Y-%m-%dT%H:%MZ', r.minute * 60, 'unixepoch'),
               k.category, k.retention_days, date((r.seq >> 40) * 86400, 'unixepoch'),
               a.name, a.version, a.os, r.install_id, r.fields
        FROM event_rows r JOIN event_kinds k ON k.kind = r.kind JOIN apps a ON a.app = r.app;",
    // 3: the relay's forwarding queue (`queue.rs`): an entry per event stored while forwarding
    // is on, in arrival order, until the vendor took it. `pos` is AUTOINCREMENT so that a
    // position is never reused: the forwarder removes the entries it sent by position, and a
    // reused one could name an entry it never read. `seq` names the event row (its key, so the
    // queue needs no id index); its index lets a sweep or a deletion request remove the
    // entries of the rows it removes, in the same transaction.
    "CREATE TABLE forward_queue (
        pos INTEGER PRIMARY KEY AUTOINCREMENT,   -- arrival order; never reused
        seq INTEGER NOT NULL UNIQUE              -- event_rows.seq of the queued event
     );",
    // 4: metrics entries (`metrics.rs`).
    "CREATE TABLE metric_rows (
        delete_on      INTEGER NOT NULL,         -- days since 1970-01-01: gone from this day on
        doc            BLOB    NOT NULL,         -- 16 bytes, the document's random id
        metric         TEXT    NOT NULL,         -- namespace.name
        version        INTEGER NOT NULL,
        metric_type    TEXT    NOT NULL,         -- counter | labeled_counter | distribution | quantity
        category       TEXT    NOT NULL,         -- consent category
        retention_days INTEGER NOT NULL,
        interval_start INTEGER NOT NULL,         -- minutes since 1970-01-01T00:00Z
        interval_end   INTEGER NOT NULL,         -- the snapshot's minute
        app_name       TEXT    NOT NULL,
        app_version    TEXT    NOT NULL,
        app_os         TEXT    NOT NULL,
        install_id     BLOB,                     -- 16 bytes, only if the app opted in
        value          TEXT    NOT NULL,         -- canonical JSON of the entry's numbers
        PRIMARY KEY (delete_on, doc, metric)
     ) WITHOUT ROWID;
     CREATE INDEX metric_rows_doc ON metric_rows (doc);
     CREATE INDEX metric_rows_install_id ON metric_rows (install_id) WHERE install_id IS NOT NULL;",
];

/// A stored row: its `seq`, id, kind, app, minute, installation id and fields.
pub const INSERT_ROW: &str = "INSERT INTO event_rows (seq, id, kind, app, minute, install_id, \
     fields) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";

/// The first `seq` of a `delete_on` day.
pub fn first_seq(day: i64) -> i64 {
    day << DAY_SHIFT
}
