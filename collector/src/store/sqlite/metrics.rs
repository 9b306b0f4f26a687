//! The SQLite store's metrics entries (`metric_rows`, migration 4): written in the batch's
//! transaction, swept by `delete_on` day, erased by a deletion request, read back whole.

use rusqlite::{params, Transaction};

use super::err;
use crate::minute;
use crate::schemas::Schemas;
use crate::store::{StoreError, StoredMetric};
use crate::validate::{delete_on, Checked};
use crate::wire::hex16;

const INSERT: &str = "INSERT OR IGNORE INTO metric_rows (delete_on, doc, metric, version, metric_type, \
     category, retention_days, interval_start, interval_end, app_name, app_version, app_os, install_id, value) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)";

/// Writes the accepted entries of the metrics documents among `batches`; a document whose id
/// is stored already (before, or earlier in this group) adds nothing.
pub(super) fn write(
    tx: &Transaction<'_>,
    schemas: &Schemas,
    batches: &[&Checked],
) -> Result<(), StoreError> {
    let mut known = tx
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM metric_rows WHERE doc = ?1)")
        .map_err(err)?;
    let mut insert = tx.prepare_cached(INSERT).map_err(err)?;
    for b in batches {
        let Some(m) = &b.metrics else { continue };
        if m.rows.is_empty()
            || known
                .query_row([&m.id[..]], |r| r.get::<_, bool>(0))
                .map_err(err)?
        {
            continue;
        }
        for row in &m.rows {
            let spec = schemas.metric(row.metric);
            insert
                .execute(params![
                    delete_on(m.start, spec.retention_days),
                    &m.id[..],
                    spec.name,
                    spec.version,
                    spec.kind.metric_type().as_str(),
                    spec.consent.as_str(),
                    spec.retention_days,
                    m.start,
                    m.end,
                    b.app_name,
                    b.app_version,
                    b.app_os,
                    b.install_id.as_ref().map(|i| &i[..]),
                    row.value,
                ])
                .map_err(err)?;
        }
    }
    Ok(())
}

/// Removes the entries of `install_id` in `category`; how many.
pub(super) fn delete_install(
    tx: &Transaction<'_>,
    install_id: &[u8; 16],
    category: &str,
) -> Result<usize, StoreError> {
    tx.prepare_cached("DELETE FROM metric_rows WHERE install_id = ?1 AND category = ?2")
        .map_err(err)?
        .execute(params![&install_id[..], category])
        .map_err(err)
}

/// Removes every entry due on `today` or earlier (a range on the key's prefix); how many.
pub(super) fn sweep(tx: &Transaction<'_>, today: i64) -> Result<usize, StoreError> {
    tx.prepare_cached("DELETE FROM metric_rows WHERE delete_on <= ?1")
        .map_err(err)?
        .execute(params![today])
        .map_err(err)
}

/// Every stored entry, by start, metric and document.
pub(super) fn read(conn: &rusqlite::Connection) -> Result<Vec<StoredMetric>, StoreError> {
    let mut stmt = conn
        .prepare(
            "SELECT doc, metric, version, metric_type, category, retention_days, delete_on, \
             interval_start, interval_end, \
             app_name, app_version, app_os, install_id, value FROM metric_rows \
             ORDER BY interval_start, metric, doc",
        )
        .map_err(err)?;
    let hex = |b: Vec<u8>| -> String {
        <[u8; 16]>::try_from(b.as_slice()).map_or_else(|_| String::new(), |a| hex16(&a))
    };
    let rows = stmt
        .query_map([], |r| {
            Ok(StoredMetric {
                doc: hex(r.get(0)?),
                metric: r.get(1)?,
                version: r.get(2)?,
                kind: r.get(3)?,
                category: r.get(4)?,
                retention_days: r.get(5)?,
                delete_on: candor_schema::Date::from_days(r.get(6)?).to_string(),
                start: minute::format(r.get(7)?),
                end: minute::format(r.get(8)?),
                app_name: r.get(9)?,
                app_version: r.get(10)?,
                app_os: r.get(11)?,
                install_id: r.get::<_, Option<Vec<u8>>>(12)?.map(hex),
                value: r.get(13)?,
            })
        })
        .map_err(err)?;
    rows.collect::<Result<_, _>>().map_err(err)
}
