//! `candor report` on real stores: a fixed store gives byte-identical golden files (HTML, JSON,
//! CSV) on SQLite and on ClickHouse alike, the floor holds on crafted data where one client
//! sends many events, and a property test checks that no published number, nor any number
//! derivable from the totals, comes from fewer than k contributors.
//!
//! Golden files: `tests/report/golden/`; `UPDATE_SNAPSHOTS=1` rewrites them.

mod support;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use candor_collector::report::{self, floor::Cell, Options, Report, RowKind};
use candor_collector::store::{Store, StoredEvent};
use candor_collector::validate::{self, Now};
use candor_collector::{minute, wire, Schemas};
use candor_schema::Registry;
use proptest::prelude::*;
use support::*;

macro_rules! report_suite {
    ($($test:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $test() { super::$test(&super::Backend::sqlite()); } )*
        }
        mod clickhouse {
            $(
                #[test]
                fn $test() {
                    if let Some(b) = super::Backend::clickhouse() {
                        super::$test(&b);
                    }
                }
            )*
        }
    };
}

report_suite!(
    golden_report_of_a_fixed_store,
    one_client_sending_many_events_is_one_contributor,
    a_period_narrows_the_report_and_weeks_cover_long_spans,
);

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/report/schemas")
}

fn registry() -> Registry {
    let options = candor_schema::Options {
        today: Some(candor_schema::Date::parse("2026-03-12").unwrap()),
        ..candor_schema::Options::default()
    };
    let c = candor_schema::compile_dir(&schema_dir(), &options).unwrap();
    c.registry.expect("test schemas compile")
}

fn day(s: &str) -> i64 {
    candor_schema::Date::parse(s).unwrap().to_days()
}

/// A tiny deterministic generator (the fixture must not change between runs or machines).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Writes batches into `store` through the collector's own checks, as if received on `now`
/// (minutes); every event must pass.
fn write_batches(store: &mut dyn Store, schemas: &Schemas, now: i64, docs: &[String]) {
    let mut checked = Vec::new();
    for d in docs {
        let wire::Document::Batch(b) = wire::parse(d.as_bytes()).unwrap() else {
            panic!("not a batch")
        };
        let c = validate::check(
            schemas,
            &b,
            Now {
                minute: now,
                skew_minutes: 10,
            },
        );
        assert!(c.refused.is_empty(), "{:?} in {d}", c.refused);
        checked.push(c);
    }
    let refs: Vec<&validate::Checked> = checked.iter().collect();
    store.write(schemas, &refs).unwrap();
}

/// Writes metrics documents into `store` through the collector's own checks, as if received
/// on `now` (minutes); every entry must pass.
fn write_metric_docs(store: &mut dyn Store, schemas: &Schemas, now: i64, docs: &[String]) {
    let mut checked = Vec::new();
    for d in docs {
        let wire::Document::Metrics(m) = wire::parse(d.as_bytes()).unwrap() else {
            panic!("not a metrics document")
        };
        let c = validate::metrics::check(
            schemas,
            &m,
            Now {
                minute: now,
                skew_minutes: 10,
            },
        );
        let refused = &c.metrics.as_ref().unwrap().refused;
        assert!(refused.is_empty(), "{refused:?} in {d}");
        checked.push(c);
    }
    let refs: Vec<&validate::Checked> = checked.iter().collect();
    store.write(schemas, &refs).unwrap();
}

/// A metrics document of the shop app.
fn metrics_doc(
    id: &str,
    install: Option<u64>,
    consent: &str,
    start: i64,
    entries: &[String],
) -> String {
    let install = install.map_or(String::new(), |i| {
        format!(r#","install_id":"{}""#, fixed_id(1 << 40 | i))
    });
    format!(
        r#"{{"format":"candor.metrics/1","id":"{id}","app":{{"name":"shop","version":"2.4.0","os":"android"}}{install},"consent":"{consent}","start":"{}","end":"{}","sent_at":"{}","metrics":[{}]}}"#,
        minute::format(start),
        minute::format(start + 60),
        minute::format(start + 60),
        entries.join(",")
    )
}

/// The shop's metrics over the fixture's days: every active installation sends one usage
/// document per day (and some a diagnostics one); one installation sends thirty documents
/// with huge counts on one day.
fn shop_metrics(store: &mut dyn Store, schemas: &Schemas) {
    let mut rng = Lcg(7);
    let mut n = 1u64 << 50;
    let mut id = || {
        n += 1;
        fixed_id(n)
    };
    let first = day("2026-03-01") * 1440;
    let mut docs = Vec::new();
    for d in 0..11i64 {
        let active = match d {
            6 => 2,
            10 => 1,
            _ => 16 + 2 * d as u64,
        };
        for i in 0..active {
            let start = first + d * 1440 + 480;
            let mut counts = [0u64; 5];
            for _ in 0..1 + rng.next(6) {
                counts[rng.next(5) as usize] += 1;
            }
            let mut entries = vec![
                format!(
                    r#"{{"name":"shop.searches","version":1,"type":"counter","value":{}}}"#,
                    1 + rng.next(20)
                ),
                format!(
                    r#"{{"name":"shop.page_load","version":1,"type":"distribution","unit":"ms","buckets":[0,250,500,1000,2000],"counts":[{}],"sum":{}}}"#,
                    counts.map(|c| c.to_string()).join(","),
                    400 * counts.iter().sum::<u64>()
                ),
                format!(
                    r#"{{"name":"shop.cart_items","version":1,"type":"quantity","unit":"count","value":{}}}"#,
                    rng.next(51)
                ),
            ];
            if rng.next(3) == 0 {
                let label = ["declined", "declined", "timeout"][rng.next(3) as usize];
                entries.push(format!(
                    r#"{{"name":"shop.payment_failures","version":1,"type":"labeled_counter","values":{{"{label}":{}}}}}"#,
                    1 + rng.next(2)
                ));
            }
            docs.push(metrics_doc(&id(), Some(i), "usage", start, &entries));
            if i % 4 == 0 {
                docs.push(metrics_doc(
                    &id(),
                    Some(i),
                    "diagnostics",
                    start,
                    &[format!(
                        r#"{{"name":"shop.delivery_places","version":1,"type":"quantity","unit":"count","value":{}}}"#,
                        rng.next(4)
                    )],
                ));
            }
        }
    }
    // One installation, thirty documents on one day, each with a rare failure: one
    // contributor, so the label it alone sent is never shown.
    for h in 0..30 {
        docs.push(metrics_doc(
            &id(),
            Some(999),
            "usage",
            first + 3 * 1440 + h * 40,
            &[
                r#"{"name":"shop.searches","version":1,"type":"counter","value":1000}"#.to_string(),
                r#"{"name":"shop.payment_failures","version":1,"type":"labeled_counter","values":{"other":50}}"#.to_string(),
            ],
        ));
    }
    write_metric_docs(store, schemas, day("2026-03-12") * 1440 + 720, &docs);
}

fn fixed_id(n: u64) -> String {
    format!(
        "{:016x}{:016x}",
        0x0123_4567_89ab_cdefu64 ^ n,
        n.wrapping_mul(0x9e37_79b9_7f4a_7c15)
    )
}

fn batch_doc(install: Option<u64>, version: &str, events: &[String]) -> String {
    let install = install.map_or(String::new(), |i| {
        format!(r#","install_id":"{}""#, fixed_id(1 << 40 | i))
    });
    format!(
        r#"{{"format":"candor.batch/1","app":{{"name":"shop","version":"{version}","os":"android"}}{install},"sent_at":"2026-03-12T12:00Z","events":[{}]}}"#,
        events.join(",")
    )
}

/// The fixed store: eleven days of a shop app with installation ids, a quiet day in the middle,
/// a last day of one installation, and one installation that sends the same rare error thirty
/// times.
fn shop_fixture(store: &mut dyn Store, schemas: &Schemas) {
    let mut rng = Lcg(42);
    let mut n = 0u64;
    let mut id = || {
        n += 1;
        fixed_id(n)
    };
    let first = day("2026-03-01") * 1440;
    let mut docs = Vec::new();
    // Day 7 is quiet (two installations); day 11 has one, so a default period ends on day 10.
    for d in 0..11i64 {
        let active = match d {
            6 => 2,
            10 => 1,
            _ => 16 + 2 * d as u64,
        };
        for i in 0..active {
            let t = minute::format(first + d * 1440 + 480 + (i as i64) * 7);
            let mut events = Vec::new();
            for _ in 0..1 + rng.next(3) {
                let platform = ["android", "android", "ios", "web"][(i % 4) as usize];
                let launch = [0, 250, 250, 500, 500, 500, 1000, 2000][rng.next(8) as usize];
                events.push(event(
                    &id(),
                    "shop.app_opened",
                    1,
                    &t,
                    &format!(
                        r#"{{"platform":"{platform}","cold_start":{},"launch_ms":{launch},"free_storage":"{}"}}"#,
                        rng.next(3) == 0,
                        ["low", "medium", "high", "high"][rng.next(4) as usize]
                    ),
                ));
            }
            if rng.next(2) == 0 {
                let method = ["card", "card", "wallet", "invoice"][rng.next(4) as usize];
                let rating = match rng.next(4) {
                    0 => String::new(),
                    r => format!(r#","rating":{}"#, 2 + r),
                };
                events.push(event(
                    &id(),
                    "shop.checkout_finished",
                    2,
                    &t,
                    &format!(
                        r#"{{"method":"{method}","items":{},"would_recommend":{},"basket_band":"small"{rating}}}"#,
                        1 + rng.next(12),
                        rng.next(4) != 0
                    ),
                ));
            }
            if i % 3 == 0 {
                let code = ["NET_TIMEOUT", "NET_TIMEOUT", "PAYMENT_DECLINED"][rng.next(3) as usize];
                events.push(event(
                    &id(),
                    "shop.error_shown",
                    1,
                    &t,
                    &format!(
                        r#"{{"code":"{code}","share_of_screen":0.{}}}"#,
                        1 + rng.next(8)
                    ),
                ));
            }
            docs.push(batch_doc(Some(i), "2.4.0", &events));
        }
    }
    // One installation, one rare error, thirty times on one day.
    let t = minute::format(first + 3 * 1440 + 900);
    let rare: Vec<String> = (0..30)
        .map(|_| {
            event(
                &id(),
                "shop.error_shown",
                1,
                &t,
                r#"{"code":"RARE_CRASH_7","share_of_screen":1.0}"#,
            )
        })
        .collect();
    docs.push(batch_doc(Some(999), "2.4.0", &rare));
    write_batches(store, schemas, day("2026-03-12") * 1440 + 720, &docs);
}

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/report/golden")
}

fn check_golden(name: &str, got: &str) {
    let path = golden_dir().join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(golden_dir()).unwrap();
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no golden file {}: run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if want != got {
        let line = want
            .lines()
            .zip(got.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(want.lines().count().min(got.lines().count()));
        panic!(
            "{name} differs from {} from line {}:\n want: {:?}\n  got: {:?}\n(UPDATE_SNAPSHOTS=1 rewrites it after a deliberate change)",
            path.display(),
            line + 1,
            want.lines().nth(line),
            got.lines().nth(line)
        );
    }
}

fn golden_report_of_a_fixed_store(b: &Backend) {
    let reg = registry();
    let schemas = Schemas::new(&reg).unwrap();
    let mut store = b.open();
    shop_fixture(store.as_mut(), &schemas);
    shop_metrics(store.as_mut(), &schemas);
    let options = Options {
        title: "What we learned from the shop app".into(),
        ..Options::default()
    };
    let r = report::build(&reg, store.as_mut(), &options).unwrap();
    let out = temp_dir("report-out");
    let written = report::write(&r, &out).unwrap();
    assert_eq!(written.len(), 3);
    for name in [report::HTML_FILE, report::JSON_FILE, report::CSV_FILE] {
        check_golden(name, &std::fs::read_to_string(out.join(name)).unwrap());
    }
    // The same store and options give the same bytes (no clock, no hash order).
    let again = report::build(&reg, store.as_mut(), &options).unwrap();
    assert_eq!(report::html::render(&again), report::html::render(&r));
    assert_eq!(report::json::render(&again), report::json::render(&r));
    assert_floor_holds(&r, &store.events().unwrap());

    // The things the fixture was built to show are on the page.
    let quiet = r.events[0].per_period[6];
    assert!(
        matches!(quiet, Cell::Hidden(_)),
        "two installs on day 7: {quiet:?}"
    );
    // The default period ends on the last day with at least k contributors: the day of one
    // installation is not in it, not even as its end.
    assert_eq!(r.range.unwrap().last, day("2026-03-10"));
    assert!(!report::html::render(&r).contains("2026-03-11"));
    let errors = r
        .events
        .iter()
        .find(|e| e.name == "shop.error_shown")
        .unwrap();
    let code = errors.fields.iter().find(|f| f.name == "code").unwrap();
    assert!(
        !code.rows.iter().any(|r| r.label.contains("RARE")),
        "a value one installation sent is never named"
    );
    let checkout = r
        .events
        .iter()
        .find(|e| e.name == "shop.checkout_finished")
        .unwrap();
    assert!(checkout.fields.iter().all(|f| f.name != "basket_band"));
    // A field randomised on the device is published as estimates, never as its counts.
    let rec = checkout
        .fields
        .iter()
        .find(|f| f.name == "would_recommend")
        .unwrap();
    assert_eq!(rec.epsilon, Some(1.0));
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&r)).unwrap();
    let rows = json["events"][1]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "would_recommend")
        .unwrap()["rows"]
        .as_array()
        .unwrap()
        .clone();
    for row in &rows {
        assert!(
            row.get("count").is_none(),
            "a randomised count published: {row}"
        );
        assert!(
            row["estimate"].is_number() && row["std_error"].is_number(),
            "{row}"
        );
    }
    let storage = r.events[0]
        .fields
        .iter()
        .find(|f| f.name == "free_storage")
        .unwrap();
    assert!(storage.sensitive_published, "published by `publish: true`");
    assert_eq!(checkout.withheld_fields[0].0, "basket_band");
    let _ = std::fs::remove_dir_all(out);
}

/// One client, many events: with an installation id, thirty events of one installation are
/// one contributor; without one, thirty events in one minute from one app version and OS are
/// one source. Either way they are never shown on their own, whatever their number.
fn one_client_sending_many_events_is_one_contributor(b: &Backend) {
    let reg = registry();
    let schemas = Schemas::new(&reg).unwrap();
    let mut store = b.open();
    let t0 = day("2026-03-05") * 1440 + 600;
    let mut n = 0;
    let mut ev = |code: &str, minute: i64| {
        n += 1;
        event(
            &fixed_id(7_000 + n),
            "shop.error_shown",
            1,
            &minute::format(minute),
            &format!(r#"{{"code":"{code}","share_of_screen":0.5}}"#),
        )
    };
    let mut docs = Vec::new();
    // 4 installs × 1 event of COMMON, plus install 50 with 200 events of LOUD.
    for i in 0..4 {
        docs.push(batch_doc(Some(i), "1.0.0", &[ev("COMMON", t0 + i as i64)]));
    }
    let loud: Vec<String> = (0..200).map(|m| ev("LOUD", t0 + m % 3)).collect();
    docs.push(batch_doc(Some(50), "1.0.0", &loud));
    // Without ids: one device, 200 events in one minute, and four devices one event each in
    // other minutes.
    let burst: Vec<String> = (0..200).map(|_| ev("BURST", t0 + 30)).collect();
    docs.push(batch_doc(None, "1.0.0", &burst));
    for m in 0..4 {
        docs.push(batch_doc(None, "1.0.0", &[ev("QUIET", t0 + 40 + m)]));
    }
    write_batches(store.as_mut(), &schemas, day("2026-03-06") * 1440, &docs);

    let r = report::build(&reg, store.as_mut(), &Options::default()).unwrap();
    assert_floor_holds(&r, &store.events().unwrap());
    let e = r
        .events
        .iter()
        .find(|e| e.name == "shop.error_shown")
        .unwrap();
    // 4 + 1 installs and 1 + 4 sources: 10 contributors, 408 events.
    assert_eq!(e.total, Cell::Shown(408));
    let code = e.fields.iter().find(|f| f.name == "code").unwrap();
    let labels: Vec<&str> = code.rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(
        labels,
        ["other values"],
        "no value reached 5 contributors: {code:?}"
    );
    // "Other values" holds all 408 events of 10 contributors: shown, as a sum.
    assert_eq!(code.rows[0].cell, Cell::Shown(408));
    assert_eq!(r.unit, report::Unit::Mixed);

    // With k = 2 the four installs of COMMON and the four sources of QUIET appear, while LOUD
    // (one install, 200 events) and BURST (one source, 200 events) stay unnamed.
    let r2 = report::build(
        &reg,
        store.as_mut(),
        &Options {
            k: 2,
            ..Options::default()
        },
    )
    .unwrap();
    assert_floor_holds(&r2, &store.events().unwrap());
    let e = r2
        .events
        .iter()
        .find(|e| e.name == "shop.error_shown")
        .unwrap();
    let code = e.fields.iter().find(|f| f.name == "code").unwrap();
    let mut labels: Vec<&str> = code.rows.iter().map(|r| r.label.as_str()).collect();
    labels.sort();
    assert_eq!(labels, ["COMMON", "QUIET", "other values"]);
    let other = code.rows.iter().find(|r| r.kind == RowKind::Other).unwrap();
    // LOUD and BURST together: 2 contributors, so their sum may show at k = 2.
    assert_eq!(other.cell, Cell::Shown(400));
}

fn a_period_narrows_the_report_and_weeks_cover_long_spans(b: &Backend) {
    let reg = registry();
    let schemas = Schemas::new(&reg).unwrap();
    let mut store = b.open();
    shop_fixture(store.as_mut(), &schemas);
    let options = Options {
        from: Some(day("2026-03-03")),
        to: Some(day("2026-03-04")),
        ..Options::default()
    };
    let r = report::build(&reg, store.as_mut(), &options).unwrap();
    assert_eq!(r.periods.len(), 2);
    assert_floor_holds(&r, &store.events().unwrap());
    // Only events of those two days are counted.
    let rows = store.events().unwrap();
    let in_range = rows
        .iter()
        .filter(|e| {
            e.event == "shop.app_opened"
                && (e.time.starts_with("2026-03-03") || e.time.starts_with("2026-03-04"))
        })
        .count() as u64;
    assert_eq!(r.events[0].total, Cell::Shown(in_range));
    let weekly = report::build(
        &reg,
        store.as_mut(),
        &Options {
            from: Some(day("2026-02-01")),
            to: Some(day("2026-03-12")),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(weekly.period, report::Period::Week);
    assert_eq!(weekly.periods.len(), 6);
    assert_floor_holds(&weekly, &store.events().unwrap());
}

// --- The floor, checked independently of the report's own code ---

/// The contributor of a stored event, as docs/aggregates.md defines it.
fn contributor(e: &StoredEvent) -> String {
    match &e.install_id {
        Some(id) => format!("install {id}"),
        None => format!(
            "source {} {} {} {}",
            e.app_name, e.app_version, e.app_os, e.time
        ),
    }
}

/// For every table of `r` (an event's periods; each field's rows), recomputed from `rows`:
/// every published non-zero number comes from at least k contributors, and so does what the
/// total reveals about the withheld ones (the total minus the published numbers).
fn assert_floor_holds(r: &Report, rows: &[StoredEvent]) {
    let k = r.k as usize;
    let Some(range) = r.range else { return };
    for e in &r.events {
        let mine: Vec<&StoredEvent> = rows
            .iter()
            .filter(|x| x.event == e.name)
            .filter(|x| {
                let d = minute::day_of(minute::parse(&x.time).unwrap());
                d >= range.first && d <= range.last
            })
            .collect();
        let who_all: HashSet<String> = mine.iter().map(|x| contributor(x)).collect();
        match e.total {
            Cell::Shown(n) => {
                assert_eq!(n, mine.len() as u64, "{}: total", e.name);
                assert!(
                    n == 0 || who_all.len() >= k,
                    "{}: total from {} contributors",
                    e.name,
                    who_all.len()
                );
            }
            Cell::Hidden(_) => assert!(who_all.len() < k),
        }
        // Periods.
        let mut per: Vec<Vec<&StoredEvent>> = vec![Vec::new(); r.periods.len()];
        for x in &mine {
            let d = minute::day_of(minute::parse(&x.time).unwrap());
            let p = r
                .periods
                .iter()
                .position(|p| p.first <= d && d <= p.last)
                .unwrap();
            per[p].push(x);
        }
        check_table(&e.name, k, e.total, &e.per_period, &per);
        // Fields: group events by the row they fall in, recomputed from the rows' JSON.
        for f in &e.fields {
            let groups: Vec<Vec<&StoredEvent>> = f
                .rows
                .iter()
                .map(|row| {
                    mine.iter()
                        .copied()
                        .filter(|x| row_of(x, &f.name, row, f))
                        .collect()
                })
                .collect();
            let placed: usize = groups.iter().map(Vec::len).sum();
            assert_eq!(
                placed,
                mine.len(),
                "{}.{}: rows cover every event once",
                e.name,
                f.name
            );
            let cells: Vec<Cell> = f.rows.iter().map(|r| r.cell).collect();
            check_table(
                &format!("{}.{}", e.name, f.name),
                k,
                e.total,
                &cells,
                &groups,
            );
        }
    }
}

/// Whether stored event `x` belongs to `row` of field `f` (independent of the report's code
/// for declared values and observed values; numeric rows are matched by their label's range).
fn row_of(x: &StoredEvent, name: &str, row: &report::Row, f: &report::FieldReport) -> bool {
    let fields: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&x.fields).unwrap();
    let v = fields.get(name);
    match row.kind {
        RowKind::NotSet => v.is_none(),
        RowKind::Value => match v {
            Some(serde_json::Value::String(s)) => *s == row.label,
            Some(serde_json::Value::Bool(b)) => row.label == b.to_string(),
            Some(n) => in_label(n.as_f64().unwrap(), &row.label),
            None => false,
        },
        RowKind::Other => match v {
            Some(serde_json::Value::String(s)) => !f
                .rows
                .iter()
                .any(|r| r.kind == RowKind::Value && r.label == *s),
            _ => false,
        },
    }
}

/// Whether `v` is in a numeric row's label (`a`, `a to b`, `a to under b`, `a or more`).
fn in_label(v: f64, label: &str) -> bool {
    let num = |s: &str| -> f64 {
        let s = s.trim().replace(',', "").replace('−', "-");
        let s = s.split_whitespace().next().unwrap();
        s.parse().unwrap()
    };
    let label = label
        .trim_end_matches(" ms")
        .trim_end_matches(" s")
        .trim_end_matches(" µs");
    if let Some(lo) = label.strip_suffix(" or more") {
        return v >= num(lo);
    }
    if let Some((lo, hi)) = label.split_once(" to under ") {
        return v >= num(lo) && v < num(hi);
    }
    if let Some((lo, hi)) = label.split_once(" to ") {
        return v >= num(lo) && v <= num(hi);
    }
    v == num(label)
}

fn check_table(what: &str, k: usize, total: Cell, cells: &[Cell], groups: &[Vec<&StoredEvent>]) {
    assert_eq!(cells.len(), groups.len());
    let mut hidden_who: HashSet<String> = HashSet::new();
    let mut hidden_count = 0u64;
    for (c, g) in cells.iter().zip(groups) {
        let who: HashSet<String> = g.iter().map(|x| contributor(x)).collect();
        match c {
            Cell::Shown(n) => {
                assert_eq!(*n, g.len() as u64, "{what}: a published count is exact");
                assert!(
                    *n == 0 || who.len() >= k,
                    "{what}: {n} published from {} contributors",
                    who.len()
                );
            }
            Cell::Hidden(_) => {
                hidden_count += g.len() as u64;
                hidden_who.extend(who);
            }
        }
    }
    // What the total reveals: total minus the published numbers.
    if let Cell::Shown(_) = total {
        assert!(
            hidden_count == 0 || hidden_who.len() >= k,
            "{what}: the total reveals {hidden_count} events of {} contributors",
            hidden_who.len()
        );
    }
}

// --- Property: random stores, random k ---

fn arb_rows() -> impl Strategy<Value = (Vec<StoredEvent>, u32)> {
    // (contributor index, with install id?, day, minute offset, event, value index, optional set)
    let row = (
        0u8..12,
        any::<bool>(),
        0i64..45,
        0i64..3,
        0u8..3,
        0u8..4,
        any::<bool>(),
    );
    (proptest::collection::vec(row, 0..160), 2u32..7).prop_map(|(raw, k)| {
        let base = day("2026-01-01") * 1440;
        let rows = raw
            .into_iter()
            .enumerate()
            .map(|(i, (who, with_id, d, m, ev, v, set))| {
                let minute = base + d * 1440 + m + 100 * who as i64;
                let (event, fields) = match ev {
                    0 => (
                        "shop.app_opened",
                        format!(
                            r#"{{"platform":"{}","cold_start":{},"launch_ms":{},"free_storage":"low"}}"#,
                            ["android", "ios", "web", "ios"][v as usize],
                            set,
                            [0, 250, 1000, 2000][v as usize]
                        ),
                    ),
                    1 => (
                        "shop.checkout_finished",
                        format!(
                            r#"{{"method":"card","items":{},"would_recommend":{},"basket_band":"small"{}}}"#,
                            [0, 3, 7, 120][v as usize],
                            set,
                            if set {
                                format!(r#","rating":{}"#, 1 + v)
                            } else {
                                String::new()
                            }
                        ),
                    ),
                    _ => (
                        "shop.error_shown",
                        format!(
                            r#"{{"code":"{}","share_of_screen":{}}}"#,
                            ["A", "B", "C_RARE", "A"][v as usize],
                            [0.0, 0.25, 0.5, 1.0][v as usize]
                        ),
                    ),
                };
                StoredEvent {
                    id: fixed_id(i as u64),
                    event: event.into(),
                    version: if event == "shop.checkout_finished" {
                        2
                    } else {
                        1
                    },
                    time: minute::format(minute),
                    category: "usage".into(),
                    retention_days: 30,
                    delete_on: String::new(),
                    app_name: "shop".into(),
                    app_version: "1.0.0".into(),
                    app_os: "android".into(),
                    install_id: with_id.then(|| fixed_id(1_000 + who as u64)),
                    fields,
                }
            })
            .collect();
        (rows, k)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// No published number, and nothing the totals reveal, comes from fewer than k
    /// contributors; daily and weekly reports alike (spans up to 45 days).
    #[test]
    fn no_published_or_derivable_number_is_under_k((rows, k) in arb_rows(), narrow in any::<bool>()) {
        let reg = registry();
        let options = Options {
            k,
            from: narrow.then(|| day("2026-01-05")),
            to: narrow.then(|| day("2026-01-20")),
            ..Options::default()
        };
        let r = report::compute(&reg, &rows, &options);
        assert_floor_holds(&r, &rows);
        // The three renderings agree on every published number.
        let csv = report::csv::render(&r);
        let shown: u64 = r.events.iter().map(|e| e.total.shown().unwrap_or(0)).sum();
        let csv_totals: u64 = csv
            .lines()
            .filter(|l| l.starts_with("event_total,"))
            .map(|l| l.split(',').nth(5).unwrap().parse::<u64>().unwrap_or(0))
            .sum();
        prop_assert_eq!(shown, csv_totals);
        let json: serde_json::Value = serde_json::from_str(&report::json::render(&r)).unwrap();
        let json_totals: u64 = json["events"].as_array().unwrap().iter().map(|e| e["count"].as_u64().unwrap_or(0)).sum();
        prop_assert_eq!(shown, json_totals);
    }
}

#[test]
fn an_empty_store_gives_a_page_that_says_so() {
    let reg = registry();
    let r = report::compute(&reg, &[], &Options::default());
    assert!(r.range.is_none());
    let html = report::html::render(&r);
    assert!(html.contains("with no events stored"));
    let counts: BTreeMap<&str, Cell> = r
        .events
        .iter()
        .map(|e| (e.name.as_str(), e.total))
        .collect();
    assert!(counts.values().all(|c| *c == Cell::Shown(0)));
}

/// Values that are markup, CSV syntax or spreadsheet formulas come out as text in every file.
#[test]
fn hostile_values_are_text_in_every_file() {
    let dir = temp_dir("report-hostile");
    std::fs::write(
        dir.join("h.yaml"),
        r#"namespace: hostile
description: Values that look like markup.
owners: [tests@example.org]
defaults: { consent: diagnostics, retention_days: 30, expires: never }
events:
  shown:
    description: "A <b>bold</b> & \"quoted\" event."
    purpose: Tests escaping.
    version: 1
    expiry_justification: Test schema.
    fields:
      code:
        type: string
        max_len: 24
        pattern: "[<>&\"'=,/ a-z+@-]+"
        class: technical
        description: A code that looks like markup.
"#,
    )
    .unwrap();
    let c = candor_schema::compile_dir(&dir, &candor_schema::Options::default()).unwrap();
    let Some(reg) = c.registry.clone() else {
        panic!("{}", c.render(candor_schema::diagnostic::Color::Never))
    };
    let values = ["<script>x</script>", "=cmd", "a,b\"c", "@sum", "-1+1"];
    let mut rows = Vec::new();
    for (vi, v) in values.iter().enumerate() {
        for who in 0..5u64 {
            rows.push(StoredEvent {
                id: fixed_id(rows.len() as u64),
                event: "hostile.shown".into(),
                version: 1,
                time: minute::format(day("2026-03-01") * 1440 + who as i64),
                category: "diagnostics".into(),
                retention_days: 30,
                delete_on: String::new(),
                app_name: "h".into(),
                app_version: "1".into(),
                app_os: "linux".into(),
                install_id: Some(fixed_id(100 * vi as u64 + who)),
                fields: serde_json::json!({ "code": v }).to_string(),
            });
        }
    }
    let r = report::compute(&reg, &rows, &Options::default());
    let html = report::html::render(&r);
    assert!(!html.contains("<script"), "markup is escaped");
    assert!(!html.contains("<b>"));
    assert!(html.contains("&lt;script&gt;x&lt;/script&gt;"));
    let csv = report::csv::render(&r);
    for line in csv.lines() {
        for cell in line.split(',') {
            assert!(!cell.starts_with(['=', '+', '@']), "formula in {line}");
        }
    }
    assert!(csv.contains("'=cmd") && csv.contains("'@sum") && csv.contains("'-1+1"));
    assert!(csv.contains("\"a,b\"\"c\""));
    let json: serde_json::Value = serde_json::from_str(&report::json::render(&r)).unwrap();
    let got: HashSet<String> = json["events"][0]["fields"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(got, values.iter().map(|v| v.to_string()).collect());
    let _ = std::fs::remove_dir_all(&dir);
}
