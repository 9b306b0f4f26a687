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

/// Calls `f` with every stored entry whose interval starts within days `from ..= to`, by
/// start, metric and document, one row at a time.
pub(super) fn scan(
    conn: &rusqlite::Connection,
    from: Option<i64>,
    to: Option<i64>,
    f: &mut dyn FnMut(StoredMetric),
) -> Result<(), StoreError> {
    let lo = from.map_or(i64::MIN, |d| d * 1440);
    let hi = to.map_or(i64::MAX, |d| d * 1440 + 1439);
    let mut stmt = conn
        .prepare_cached(
            "SELECT doc, metric, version, metric_type, category, retention_days, delete_on, \
             interval_start, interval_end, app_name, app_version, app_os, install_id, value \
             FROM metric_rows WHERE interval_start BETWEEN ?1 AND ?2 \
             ORDER BY interval_start, metric, doc",
        )
        .map_err(err)?;
    let hex = |b: Vec<u8>| -> String {
        <[u8; 16]>::try_from(b.as_slice()).map_or_else(|_| String::new(), |a| hex16(&a))
    };
    let mut rows = stmt.query(params![lo, hi]).map_err(err)?;
    while let Some(r) = rows.next().map_err(err)? {
        f(StoredMetric {
            doc: hex(r.get(0).map_err(err)?),
            metric: r.get(1).map_err(err)?,
            version: r.get(2).map_err(err)?,
            kind: r.get(3).map_err(err)?,
            category: r.get(4).map_err(err)?,
            retention_days: r.get(5).map_err(err)?,
            delete_on: candor_schema::Date::from_days(r.get(6).map_err(err)?).to_string(),
            start: minute::format(r.get(7).map_err(err)?),
            end: minute::format(r.get(8).map_err(err)?),
            app_name: r.get(9).map_err(err)?,
            app_version: r.get(10).map_err(err)?,
            app_os: r.get(11).map_err(err)?,
            install_id: r.get::<_, Option<Vec<u8>>>(12).map_err(err)?.map(hex),
            value: r.get(13).map_err(err)?,
        });
    }
    Ok(())
}
