//! The ClickHouse store, over ClickHouse's HTTP interface: for many stateless collectors
//! behind a load balancer writing to one cluster.
//!
//! - Dedupe: `ReplacingMergeTree` keyed on `(event, time, id)`; a resent event has the same
//!   three, so merges keep one copy, and reads use `FINAL`.
//! - Retention: rows are partitioned by `delete_on` (the day they must be gone), so a sweep
//!   drops whole daily partitions (`DROP PARTITION`), exactly, with no mutation.
//! - Deletion requests: `ALTER TABLE … DELETE`, a mutation ClickHouse applies asynchronously.
//! - Works on Debian's 18.16 package and on current releases: no `TTL`, no `DateTime64`, no
//!   `LowCardinality`, rows sent as `RowBinary` (no text escaping, no unknown-key rules), and
//!   every format setting that shapes input or output is sent with every request (both
//!   releases know them all; a setting a server does not know fails the request).

use std::time::Duration;

use bytes::Bytes;
use candor_schema::ir::Consent;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::{connect::HttpConnector, Client};
use hyper_util::rt::TokioExecutor;

use super::{
    quarantine_counts, QuarantineCount, Store, StoreError, StoredEvent, StoredMetric, Swept,
};
use crate::minute;
use crate::schemas::Schemas;
use crate::validate::{delete_on, Checked};

/// Settings sent with every request, so no server default changes what is read or written.
const FORMAT_SETTINGS: &[(&str, &str)] = &[
    ("input_format_skip_unknown_fields", "0"),
    ("input_format_allow_errors_num", "0"),
    ("input_format_allow_errors_ratio", "0"),
    ("input_format_import_nested_json", "0"),
    ("input_format_values_interpret_expressions", "0"),
    ("date_time_input_format", "basic"),
    ("output_format_json_quote_64bit_integers", "0"),
    ("output_format_json_quote_denormals", "0"),
    ("output_format_json_escape_forward_slashes", "0"),
    ("output_format_write_statistics", "0"),
];

/// Per request, connect included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Schema migrations, in order. Each statement is idempotent, so collectors starting together
/// may run them at once. `{db}` is the database.
const MIGRATIONS: &[&[&str]] = &[
    &[
        "CREATE TABLE IF NOT EXISTS {db}.events (
        id FixedString(16),
        event String,
        version UInt32,
        time DateTime('UTC'),
        category String,
        retention_days UInt16,
        delete_on Date,
        app_name String,
        app_version String,
        app_os String,
        install_id Nullable(FixedString(16)),
        fields String
     ) ENGINE = ReplacingMergeTree PARTITION BY delete_on ORDER BY (event, time, id)",
        "CREATE TABLE IF NOT EXISTS {db}.quarantine (
        day Date, reason String, event String, field String, count UInt64
     ) ENGINE = SummingMergeTree(count) PARTITION BY toYYYYMM(day)
       ORDER BY (day, reason, event, field)",
        "CREATE TABLE IF NOT EXISTS {db}.deletion_requests (
        day Date, requests UInt64
     ) ENGINE = SummingMergeTree(requests) PARTITION BY toYYYYMM(day) ORDER BY day",
    ],
    &[
        // 2: metrics entries, partitioned by their `delete_on` day like events; a resent document
        // has the same sorting key (metric, interval_start, doc), so merges and `FINAL` keep one copy.
        "CREATE TABLE IF NOT EXISTS {db}.metrics (
        doc FixedString(16),
        metric String,
        version UInt32,
        metric_type String,
        category String,
        retention_days UInt16,
        delete_on Date,
        interval_start DateTime('UTC'),
        interval_end DateTime('UTC'),
        app_name String,
        app_version String,
        app_os String,
        install_id Nullable(FixedString(16)),
        value String
     ) ENGINE = ReplacingMergeTree PARTITION BY delete_on ORDER BY (metric, interval_start, doc)",
    ],
];

/// `http://HOST:PORT/DB`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Address {
    /// `http://HOST:PORT` without a trailing slash.
    pub base: String,
    pub database: String,
}

impl Address {
    /// Parses `http://HOST[:PORT]/DB` (port 8123 when absent).
    pub fn parse(url: &str) -> Result<Address, String> {
        let bad = |why: &str| {
            format!("`clickhouse:{url}`: {why}; expected `clickhouse:http://HOST:8123/DB`")
        };
        let rest = url.strip_prefix("http://").ok_or_else(|| {
            bad("only http:// is supported (keep ClickHouse on a private network, or put a TLS proxy on the collector's host)")
        })?;
        let (host, db) = rest.split_once('/').ok_or_else(|| bad("no database"))?;
        if host.is_empty() || host.contains('@') || host.contains(['?', '#']) {
            return Err(bad("bad host"));
        }
        let valid_db = db
            .bytes()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
            && db.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_');
        if !valid_db {
            return Err(bad("the database name must be letters, digits and `_`"));
        }
        let host = if host
            .rsplit_once(':')
            .is_some_and(|(_, p)| p.parse::<u16>().is_ok())
        {
            host.to_string()
        } else {
            format!("{host}:8123")
        };
        Ok(Address {
            base: format!("http://{host}"),
            database: db.to_string(),
        })
    }
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for ClickHouseStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClickHouseStore").finish_non_exhaustive()
    }
}

/// A ClickHouse database reached over HTTP.
pub struct ClickHouseStore {
    addr: Address,
    client: Client<HttpConnector, Full<Bytes>>,
    rt: tokio::runtime::Runtime,
    /// Migrations are applied on first use, so a collector can start while ClickHouse is
    /// still down and answer 503 until it is reachable.
    ready: bool,
    credentials: Option<(String, String)>,
}

fn percent_encode(s: &str, out: &mut String) {
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

impl ClickHouseStore {
    /// Prepares a client; nothing is sent until the first operation. Credentials, if the
    /// server needs them, come from `CLICKHOUSE_USER` and `CLICKHOUSE_PASSWORD`.
    pub fn open(addr: Address) -> Result<ClickHouseStore, StoreError> {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::new(format!("clickhouse: cannot start a runtime: {e}")))?;
        let client = Client::builder(TokioExecutor::new()).build_http();
        let credentials = std::env::var("CLICKHOUSE_USER")
            .ok()
            .map(|u| (u, std::env::var("CLICKHOUSE_PASSWORD").unwrap_or_default()));
        Ok(ClickHouseStore {
            addr,
            client,
            rt,
            ready: false,
            credentials,
        })
    }

    /// Runs one statement; `data` is the body after the query (for `INSERT … FORMAT`).
    fn run(&self, sql: &str, data: Option<Vec<u8>>) -> Result<String, StoreError> {
        let mut url = format!("{}/?", self.addr.base);
        for (k, v) in FORMAT_SETTINGS {
            url.push_str(k);
            url.push('=');
            url.push_str(v);
            url.push('&');
        }
        let inserts = data.is_some();
        let body = match data {
            Some(d) => {
                url.push_str("query=");
                percent_encode(sql, &mut url);
                d
            }
            None => {
                url.pop();
                sql.as_bytes().to_vec()
            }
        };
        let mut req = hyper::Request::post(url);
        if let Some((user, key)) = &self.credentials {
            req = req
                .header("X-ClickHouse-User", user)
                .header("X-ClickHouse-Key", key);
        }
        let req = req
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| StoreError::new(format!("clickhouse: {e}")))?;
        self.rt.block_on(async {
            let call = async {
                let resp = self
                    .client
                    .request(req)
                    .await
                    .map_err(|e| StoreError::new(format!("clickhouse unreachable: {e}")))?;
                let status = resp.status();
                let body = resp
                    .into_body()
                    .collect()
                    .await
                    .map_err(|e| StoreError::new(format!("clickhouse: {e}")))?
                    .to_bytes();
                let text = String::from_utf8_lossy(&body).into_owned();
                if status.is_success() {
                    Ok(text)
                } else {
                    Err(StoreError::new(format!(
                        "clickhouse answered {status}: {}",
                        describe_failure(&text, inserts)
                    )))
                }
            };
            tokio::time::timeout(REQUEST_TIMEOUT, call)
                .await
                .unwrap_or_else(|_| Err(StoreError::new("clickhouse: request timed out")))
        })
    }

    fn sql(&self, template: &str) -> String {
        template.replace("{db}", &self.addr.database)
    }

    /// Creates the database and tables on first use.
    fn ensure(&mut self) -> Result<(), StoreError> {
        if self.ready {
            return Ok(());
        }
        self.run(&self.sql("CREATE DATABASE IF NOT EXISTS {db}"), None)?;
        self.run(
            &self.sql(
                "CREATE TABLE IF NOT EXISTS {db}.candor_schema (version UInt32) \
                 ENGINE = ReplacingMergeTree ORDER BY version",
            ),
            None,
        )?;
        let applied: usize = self
            .run(
                &self.sql("SELECT max(version) FROM {db}.candor_schema FORMAT TabSeparated"),
                None,
            )?
            .trim()
            .parse()
            .unwrap_or(0);
        if applied > MIGRATIONS.len() {
            return Err(StoreError::new(format!(
                "clickhouse: the database is at schema version {applied}, newer than this \
                 collector knows ({}); use a newer candor",
                MIGRATIONS.len()
            )));
        }
        for (i, statements) in MIGRATIONS.iter().enumerate().skip(applied) {
            for s in *statements {
                self.run(&self.sql(s), None)?;
            }
            self.run(
                &self.sql(&format!(
                    "INSERT INTO {{db}}.candor_schema VALUES ({})",
                    i + 1
                )),
                None,
            )?;
        }
        self.ready = true;
        Ok(())
    }

    fn json_rows(&self, sql: &str) -> Result<Vec<serde_json::Value>, StoreError> {
        let text = self.run(&self.sql(sql), None)?;
        text.lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| {
                serde_json::from_str(l)
                    .map_err(|e| StoreError::new(format!("clickhouse: unreadable row: {e}")))
            })
            .collect()
    }
}

/// What of a ClickHouse error is repeated in the log. A failed `INSERT` may be described with
/// the data it could not read, and event values never go to the log, so for an insert only
/// the error code is kept; for other statements, the first line, shortened.
fn describe_failure(text: &str, inserts: bool) -> String {
    let code = text
        .split("Code: ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .filter(|c| !c.is_empty());
    if inserts {
        return match code {
            Some(c) => format!("error code {c} on insert"),
            None => "error on insert".to_string(),
        };
    }
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

// RowBinary encoding: little-endian numbers, LEB128-prefixed strings, a null flag byte before a
// Nullable value, Date as days and DateTime as seconds since the epoch.
fn put_str(out: &mut Vec<u8>, s: &str) {
    let mut n = s.len() as u64;
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(s.as_bytes());
}

fn day_u16(day: i64) -> Result<[u8; 2], StoreError> {
    u16::try_from(day)
        .map(u16::to_le_bytes)
        .map_err(|_| StoreError::new("clickhouse: a date outside 1970–2149 (Date's range)"))
}

fn str_field(v: &serde_json::Value, k: &str) -> String {
    v[k].as_str().unwrap_or_default().to_string()
}

fn u64_field(v: &serde_json::Value, k: &str) -> u64 {
    v[k].as_u64().unwrap_or_default()
}

impl Store for ClickHouseStore {
    fn write(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError> {
        self.ensure()?;
        let rows: usize = batches.iter().map(|b| b.rows.len()).sum();
        if rows > 0 {
            let mut data =
                Vec::with_capacity(batches.iter().map(|b| b.text.len()).sum::<usize>() + rows * 96);
            for b in batches {
                for row in &b.rows {
                    let spec = schemas.event(row.event);
                    data.extend_from_slice(&row.id);
                    put_str(&mut data, &spec.name);
                    data.extend_from_slice(&spec.version.to_le_bytes());
                    let secs = u32::try_from(row.minute * 60).map_err(|_| {
                        StoreError::new("clickhouse: a time outside 1970–2106 (DateTime's range)")
                    })?;
                    data.extend_from_slice(&secs.to_le_bytes());
                    put_str(&mut data, spec.consent.as_str());
                    data.extend_from_slice(
                        &(spec.retention_days.min(u32::from(u16::MAX)) as u16).to_le_bytes(),
                    );
                    data.extend_from_slice(&day_u16(delete_on(row.minute, spec.retention_days))?);
                    put_str(&mut data, &b.app_name);
                    put_str(&mut data, &b.app_version);
                    put_str(&mut data, &b.app_os);
                    match &b.install_id {
                        Some(id) => {
                            data.push(0);
                            data.extend_from_slice(id);
                        }
                        None => data.push(1),
                    }
                    put_str(&mut data, b.fields(row));
                }
            }
            self.run(
                &self.sql(
                    "INSERT INTO {db}.events (id, event, version, time, category, retention_days, \
                     delete_on, app_name, app_version, app_os, install_id, fields) FORMAT RowBinary",
                ),
                Some(data),
            )?;
        }
        self.write_metrics(schemas, batches)?;
        let counts = quarantine_counts(schemas, batches);
        if !counts.is_empty() {
            let mut data = Vec::new();
            for ((day, reason, event, field), count) in counts {
                data.extend_from_slice(&day_u16(day)?);
                put_str(&mut data, reason);
                put_str(&mut data, event);
                put_str(&mut data, field);
                data.extend_from_slice(&count.to_le_bytes());
            }
            self.run(
                &self.sql(
                    "INSERT INTO {db}.quarantine (day, reason, event, field, count) FORMAT RowBinary",
                ),
                Some(data),
            )?;
        }
        Ok(())
    }

    fn delete_install(
        &mut self,
        install_id: &[u8; 16],
        categories: &[Consent],
        day: i64,
    ) -> Result<(), StoreError> {
        self.ensure()?;
        // Only hex digits and fixed category names reach the statement.
        let cats = categories
            .iter()
            .map(|c| format!("'{}'", c.as_str()))
            .collect::<Vec<_>>()
            .join(", ");
        for table in ["events", "metrics"] {
            self.run(
                &self.sql(&format!(
                    "ALTER TABLE {{db}}.{table} DELETE WHERE install_id = unhex('{}') AND category IN ({cats})",
                    crate::wire::hex16(install_id)
                )),
                None,
            )?;
        }
        let mut data = day_u16(day)?.to_vec();
        data.extend_from_slice(&1u64.to_le_bytes());
        self.run(
            &self.sql("INSERT INTO {db}.deletion_requests (day, requests) FORMAT RowBinary"),
            Some(data),
        )?;
        Ok(())
    }

    fn sweep(&mut self, today: i64) -> Result<Swept, StoreError> {
        self.ensure()?;
        let mut removed = 0;
        for table in ["events", "metrics"] {
            let parts = self.run(
                &self.sql(&format!(
                    "SELECT DISTINCT partition FROM system.parts WHERE database = '{{db}}' \
                     AND table = '{table}' AND active FORMAT TabSeparated"
                )),
                None,
            )?;
            for p in parts.lines().map(str::trim).filter(|p| !p.is_empty()) {
                let p = p.trim_matches('\'');
                let Some(day) = candor_schema::Date::parse(p) else {
                    continue;
                };
                if day.to_days() <= today {
                    self.run(
                        &self.sql(&format!(
                            "ALTER TABLE {{db}}.{table} DROP PARTITION '{day}'"
                        )),
                        None,
                    )?;
                    removed += 1;
                }
            }
        }
        Ok(Swept { removed })
    }

    fn ping(&mut self) -> Result<(), StoreError> {
        self.ensure()?;
        self.run("SELECT 1", None).map(|_| ())
    }

    fn events(&mut self) -> Result<Vec<StoredEvent>, StoreError> {
        self.read_events("")
    }

    fn scan_events(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredEvent),
    ) -> Result<(), StoreError> {
        let filter = day_filter("time", from, to);
        for e in self.read_events(&filter)? {
            f(e);
        }
        Ok(())
    }

    fn scan_metrics(
        &mut self,
        from: Option<i64>,
        to: Option<i64>,
        f: &mut dyn FnMut(StoredMetric),
    ) -> Result<(), StoreError> {
        self.ensure()?;
        let filter = day_filter("interval_start", from, to);
        let rows = self.json_rows(&format!(
            "SELECT lower(hex(doc)) AS doc, metric, version, metric_type, category, \
             retention_days, toUInt16(delete_on) AS d, toUInt32(interval_start) AS s, \
             toUInt32(interval_end) AS e, app_name, app_version, app_os, \
             ifNull(lower(hex(install_id)), '') AS install_id, value \
             FROM {{db}}.metrics FINAL {filter} ORDER BY interval_start, metric, doc \
             FORMAT JSONEachRow"
        ))?;
        rows.iter()
            .map(|v| {
                let install = str_field(v, "install_id");
                StoredMetric {
                    doc: str_field(v, "doc"),
                    metric: str_field(v, "metric"),
                    version: u64_field(v, "version") as u32,
                    kind: str_field(v, "metric_type"),
                    category: str_field(v, "category"),
                    retention_days: u64_field(v, "retention_days") as u32,
                    delete_on: candor_schema::Date::from_days(u64_field(v, "d") as i64).to_string(),
                    start: minute::format(u64_field(v, "s") as i64 / 60),
                    end: minute::format(u64_field(v, "e") as i64 / 60),
                    app_name: str_field(v, "app_name"),
                    app_version: str_field(v, "app_version"),
                    app_os: str_field(v, "app_os"),
                    install_id: (!install.is_empty()).then_some(install),
                    value: str_field(v, "value"),
                }
            })
            .for_each(f);
        Ok(())
    }

    fn quarantine(&mut self) -> Result<Vec<QuarantineCount>, StoreError> {
        self.ensure()?;
        let rows = self.json_rows(
            "SELECT toUInt16(day) AS d, reason, event, field, sum(count) AS n \
             FROM {db}.quarantine GROUP BY day, reason, event, field \
             ORDER BY day, reason, event, field FORMAT JSONEachRow",
        )?;
        Ok(rows
            .iter()
            .map(|v| QuarantineCount {
                day: candor_schema::Date::from_days(u64_field(v, "d") as i64).to_string(),
                reason: str_field(v, "reason"),
                event: str_field(v, "event"),
                field: str_field(v, "field"),
                count: u64_field(v, "n"),
            })
            .collect())
    }

    fn deletion_requests(&mut self) -> Result<Vec<(String, u64)>, StoreError> {
        self.ensure()?;
        let rows = self.json_rows(
            "SELECT toUInt16(day) AS d, sum(requests) AS n FROM {db}.deletion_requests \
             GROUP BY day ORDER BY day FORMAT JSONEachRow",
        )?;
        Ok(rows
            .iter()
            .map(|v| {
                (
                    candor_schema::Date::from_days(u64_field(v, "d") as i64).to_string(),
                    u64_field(v, "n"),
                )
            })
            .collect())
    }

    fn settle(&mut self) -> Result<(), StoreError> {
        self.ensure()?;
        let deadline = std::time::Instant::now() + Duration::from_secs(120);
        loop {
            let pending = self.run(
                &self.sql(
                    "SELECT count() FROM system.mutations WHERE database = '{db}' \
                     AND table IN ('events', 'metrics') AND is_done = 0 FORMAT TabSeparated",
                ),
                None,
            )?;
            if pending.trim() == "0" {
                return Ok(());
            }
            if std::time::Instant::now() > deadline {
                return Err(StoreError::new(
                    "clickhouse: mutations still running after 120 s",
                ));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl ClickHouseStore {
    /// Inserts the accepted entries of the metrics documents among `batches` (one insert).
    fn write_metrics(&mut self, schemas: &Schemas, batches: &[&Checked]) -> Result<(), StoreError> {
        let mut data = Vec::new();
        let secs = |minute: i64| {
            u32::try_from(minute * 60)
                .map(u32::to_le_bytes)
                .map_err(|_| {
                    StoreError::new("clickhouse: a time outside 1970–2106 (DateTime's range)")
                })
        };
        for b in batches {
            let Some(m) = &b.metrics else { continue };
            for row in &m.rows {
                let spec = schemas.metric(row.metric);
                data.extend_from_slice(&m.id);
                put_str(&mut data, &spec.name);
                data.extend_from_slice(&spec.version.to_le_bytes());
                put_str(&mut data, spec.kind.metric_type().as_str());
                put_str(&mut data, spec.consent.as_str());
                data.extend_from_slice(
                    &(spec.retention_days.min(u32::from(u16::MAX)) as u16).to_le_bytes(),
                );
                data.extend_from_slice(&day_u16(delete_on(m.start, spec.retention_days))?);
                data.extend_from_slice(&secs(m.start)?);
                data.extend_from_slice(&secs(m.end)?);
                put_str(&mut data, &b.app_name);
                put_str(&mut data, &b.app_version);
                put_str(&mut data, &b.app_os);
                match &b.install_id {
                    Some(id) => {
                        data.push(0);
                        data.extend_from_slice(id);
                    }
                    None => data.push(1),
                }
                put_str(&mut data, &row.value);
            }
        }
        if data.is_empty() {
            return Ok(());
        }
        self.run(
            &self.sql(
                "INSERT INTO {db}.metrics (doc, metric, version, metric_type, category, \
                 retention_days, delete_on, interval_start, interval_end, app_name, app_version, app_os, install_id, value) \
                 FORMAT RowBinary",
            ),
            Some(data),
        )
        .map(|_| ())
    }

    /// Every stored event matching `filter` (a `WHERE` clause or nothing), deduplicated.
    fn read_events(&mut self, filter: &str) -> Result<Vec<StoredEvent>, StoreError> {
        self.ensure()?;
        let rows = self.json_rows(&format!(
            "SELECT lower(hex(id)) AS id, event, version, toUInt32(time) AS t, category, \
             retention_days, toUInt16(delete_on) AS d, app_name, app_version, app_os, \
             ifNull(lower(hex(install_id)), '') AS install_id, fields \
             FROM {{db}}.events FINAL {filter} ORDER BY time, id FORMAT JSONEachRow"
        ))?;
        let mut out: Vec<StoredEvent> = rows
            .iter()
            .map(|v| {
                let install = str_field(v, "install_id");
                StoredEvent {
                    id: str_field(v, "id"),
                    event: str_field(v, "event"),
                    version: u64_field(v, "version") as u32,
                    time: minute::format(u64_field(v, "t") as i64 / 60),
                    category: str_field(v, "category"),
                    retention_days: u64_field(v, "retention_days") as u32,
                    delete_on: candor_schema::Date::from_days(u64_field(v, "d") as i64).to_string(),
                    app_name: str_field(v, "app_name"),
                    app_version: str_field(v, "app_version"),
                    app_os: str_field(v, "app_os"),
                    install_id: (!install.is_empty()).then_some(install),
                    fields: str_field(v, "fields"),
                }
            })
            .collect();
        out.sort_by(|a, b| (&a.time, &a.id).cmp(&(&b.time, &b.id)));
        Ok(out)
    }
}

/// `WHERE` on the UTC day of `column`, inclusive at both ends, or nothing. The days are whole
/// numbers the report computed, never text from a client.
fn day_filter(column: &str, from: Option<i64>, to: Option<i64>) -> String {
    let mut cond = Vec::new();
    if let Some(d) = from {
        cond.push(format!("toUInt16(toDate({column})) >= {d}"));
    }
    if let Some(d) = to {
        cond.push(format!("toUInt16(toDate({column})) <= {d}"));
    }
    if cond.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", cond.join(" AND "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses() {
        let a = Address::parse("http://127.0.0.1:8123/candor").unwrap();
        assert_eq!(a.base, "http://127.0.0.1:8123");
        assert_eq!(a.database, "candor");
        assert_eq!(
            Address::parse("http://ch/db").unwrap().base,
            "http://ch:8123"
        );
        for bad in [
            "https://ch:8443/db",
            "http://ch:8123",
            "http://ch:8123/",
            "http://ch:8123/db;drop",
            "http://u:p@ch/db",
            "http:///db",
        ] {
            assert!(Address::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn insert_failures_are_logged_by_code_only() {
        let text = "Code: 27, e.displayText() = DB::Exception: Cannot parse input: expected ',' before: 'secret-value'";
        assert_eq!(describe_failure(text, true), "error code 27 on insert");
        assert!(describe_failure(text, false).starts_with("Code: 27"));
        assert_eq!(describe_failure("boom", true), "error on insert");
    }

    #[test]
    fn row_binary_strings_are_length_prefixed() {
        let mut out = Vec::new();
        put_str(&mut out, "ab");
        assert_eq!(out, b"\x02ab");
        out.clear();
        put_str(&mut out, &"x".repeat(300));
        assert_eq!(&out[..2], &[0xac, 0x02]);
    }
}
