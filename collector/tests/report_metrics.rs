//! The report's metrics under the k floor: one client sending many metrics documents is one
//! contributor (with an installation id, and without one within an interval), and a property
//! test over random stores with one heavy client checks that no published metric number, nor
//! anything a total reveals, comes from fewer than k contributors, counted independently of the
//! report's code.

use std::collections::HashSet;
use std::path::Path;

use candor_collector::minute;
use candor_collector::report::{self, floor::Cell, MetricReport, Options, Report};
use candor_collector::store::StoredMetric;
use candor_schema::Registry;
use proptest::prelude::*;

fn registry() -> Registry {
    let options = candor_schema::Options {
        today: Some(candor_schema::Date::parse("2026-03-12").unwrap()),
        ..candor_schema::Options::default()
    };
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/report/schemas");
    let c = candor_schema::compile_dir(&dir, &options).unwrap();
    c.registry.expect("test schemas compile")
}

fn day(s: &str) -> i64 {
    candor_schema::Date::parse(s).unwrap().to_days()
}

const LABELS: [&str; 3] = ["declined", "timeout", "other"];

/// One entry as the store returns it.
fn entry(doc: u64, install: Option<u64>, start: i64, metric: &str, value: String) -> StoredMetric {
    let (kind, version) = match metric {
        "shop.searches" => ("counter", 1),
        "shop.payment_failures" => ("labeled_counter", 1),
        "shop.page_load" => ("distribution", 1),
        _ => ("quantity", 1),
    };
    StoredMetric {
        doc: format!("{doc:032x}"),
        metric: metric.into(),
        version,
        kind: kind.into(),
        category: "usage".into(),
        retention_days: 30,
        delete_on: "2026-12-31".into(),
        start: minute::format(start),
        end: minute::format(start + 60),
        app_name: "shop".into(),
        app_version: "2.4.0".into(),
        app_os: "android".into(),
        install_id: install.map(|i| format!("{i:032x}")),
        value,
    }
}

/// Who a stored entry is from, computed here rather than by the report.
fn contributor(m: &StoredMetric) -> String {
    match &m.install_id {
        Some(id) => format!("install {id}"),
        None => format!(
            "source {} {} {} {}",
            m.app_name, m.app_version, m.app_os, m.start
        ),
    }
}

/// Per entry, its amount in each row of `m`'s second table (or in its total for a counter).
fn amounts(m: &MetricReport, x: &StoredMetric) -> Vec<u64> {
    let v: serde_json::Value = serde_json::from_str(&x.value).unwrap();
    match m.ty {
        "counter" => vec![],
        "labeled_counter" => m
            .rows
            .iter()
            .map(|r| v["values"][&r.label].as_u64().unwrap_or(0))
            .collect(),
        "distribution" => v["counts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_u64().unwrap())
            .collect(),
        _ => {
            let n = v["value"].as_u64().unwrap() as f64;
            let rows: Vec<u64> = m
                .rows
                .iter()
                .map(|r| u64::from(in_range(n, &r.label)))
                .collect();
            assert_eq!(rows.iter().sum::<u64>(), 1, "{}: {n} in one range", m.name);
            rows
        }
    }
}

fn total_amount(m: &MetricReport, x: &StoredMetric) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&x.value).unwrap();
    match m.ty {
        "counter" => v["value"].as_u64().unwrap(),
        "quantity" => 1,
        _ => amounts(m, x).iter().fold(0u64, |a, b| a.saturating_add(*b)),
    }
}

/// Whether `v` is in a range label (`a`, `a to b`).
fn in_range(v: f64, label: &str) -> bool {
    let num = |s: &str| -> f64 { s.trim().replace(',', "").parse().unwrap() };
    match label.split_once(" to ") {
        Some((lo, hi)) => v >= num(lo) && v <= num(hi),
        None => v == num(label),
    }
}

/// Every metric table of `r`, recomputed from `rows`: each published non-zero number is exact
/// and from at least k contributors (those whose entries added to it), and the total minus the
/// published numbers is zero or from at least k contributors too.
fn assert_metric_floor_holds(r: &Report, rows: &[StoredMetric]) {
    let k = r.k as usize;
    let Some(range) = r.range else { return };
    for m in &r.metrics {
        let mine: Vec<&StoredMetric> = rows
            .iter()
            .filter(|x| x.metric == m.name)
            .filter(|x| {
                let d = minute::day_of(minute::parse(&x.start).unwrap());
                d >= range.first && d <= range.last
            })
            .collect();
        let all_who: HashSet<String> = mine
            .iter()
            .filter(|x| total_amount(m, x) > 0)
            .map(|x| contributor(x))
            .collect();
        let sum = mine
            .iter()
            .fold(0u64, |a, x| a.saturating_add(total_amount(m, x)));
        match m.total {
            Cell::Shown(n) => {
                assert_eq!(n, sum, "{}: total", m.name);
                assert!(
                    n == 0 || all_who.len() >= k,
                    "{}: total from {all_who:?}",
                    m.name
                );
            }
            Cell::Hidden(_) => assert!(all_who.len() < k, "{}", m.name),
        }
        // Per period.
        let groups: Vec<Vec<(u64, String)>> = r
            .periods
            .iter()
            .map(|p| {
                mine.iter()
                    .filter(|x| {
                        let d = minute::day_of(minute::parse(&x.start).unwrap());
                        p.first <= d && d <= p.last
                    })
                    .map(|x| (total_amount(m, x), contributor(x)))
                    .collect()
            })
            .collect();
        check_table(&m.name, k, m.total, &m.per_period, &groups);
        // Rows.
        if !m.rows.is_empty() {
            let groups: Vec<Vec<(u64, String)>> = (0..m.rows.len())
                .map(|i| {
                    mine.iter()
                        .map(|x| (amounts(m, x)[i], contributor(x)))
                        .collect()
                })
                .collect();
            let cells: Vec<Cell> = m.rows.iter().map(|r| r.cell).collect();
            check_table(&format!("{} rows", m.name), k, m.total, &cells, &groups);
        }
    }
}

fn check_table(what: &str, k: usize, total: Cell, cells: &[Cell], groups: &[Vec<(u64, String)>]) {
    assert_eq!(cells.len(), groups.len(), "{what}");
    let mut hidden_who: HashSet<&str> = HashSet::new();
    let mut hidden = 0u64;
    for (c, g) in cells.iter().zip(groups) {
        let who: HashSet<&str> = g
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(_, w)| w.as_str())
            .collect();
        let sum = g.iter().fold(0u64, |a, (n, _)| a.saturating_add(*n));
        match c {
            Cell::Shown(n) => {
                assert_eq!(*n, sum, "{what}: a published number is exact");
                assert!(
                    *n == 0 || who.len() >= k,
                    "{what}: {n} published from {} contributors",
                    who.len()
                );
            }
            Cell::Hidden(_) => {
                hidden = hidden.saturating_add(sum);
                hidden_who.extend(who);
            }
        }
    }
    if let Cell::Shown(_) = total {
        assert!(
            hidden == 0 || hidden_who.len() >= k,
            "{what}: the total reveals {hidden} from {} contributors",
            hidden_who.len()
        );
    }
}

/// One installation (or, without ids, one device within one interval) sending many documents
/// with large numbers: never shown on its own, however many documents or however large.
#[test]
fn one_client_sending_many_documents_is_one_contributor() {
    let reg = registry();
    let start = day("2026-03-05") * 1440 + 600;
    for install in [Some(77), None] {
        let mut rows = Vec::new();
        for doc in 0..200 {
            // Without an id the documents share the interval's start (a flush sends early).
            let s = if install.is_some() {
                start + doc as i64 * 60
            } else {
                start
            };
            rows.push(entry(
                doc,
                install,
                s,
                "shop.searches",
                r#"{"value":1000000}"#.into(),
            ));
            rows.push(entry(
                doc,
                install,
                s,
                "shop.payment_failures",
                r#"{"values":{"other":9}}"#.into(),
            ));
            rows.push(entry(
                doc,
                install,
                s,
                "shop.cart_items",
                r#"{"value":49}"#.into(),
            ));
        }
        let r = report::compute_with_metrics(
            &reg,
            &[],
            &rows,
            &Options {
                k: 2,
                from: Some(day("2026-03-05")),
                to: Some(day("2026-03-05")),
                ..Options::default()
            },
        );
        for m in &r.metrics {
            assert!(
                m.total.shown().unwrap_or(0) == 0,
                "{install:?} {}: {:?}",
                m.name,
                m.total
            );
            for c in m.per_period.iter().chain(m.rows.iter().map(|r| &r.cell)) {
                assert!(c.shown().unwrap_or(0) == 0, "{install:?} {}: {c:?}", m.name);
            }
        }
        assert_metric_floor_holds(&r, &rows);
        let html = report::html::render(&r);
        assert!(!html.contains("1,000,000") && !html.contains("200,000,000"));
    }
}

fn arb_metrics() -> impl Strategy<Value = (Vec<StoredMetric>, u32)> {
    // (install?, documents: (day, hour, counter, labels, counts, quantity))
    let doc = (
        0i64..10,
        0i64..24,
        prop_oneof![0u64..50, Just(u64::MAX / 3)],
        proptest::collection::vec((0usize..3, 1u64..5), 0..3),
        proptest::collection::vec(0u64..4, 5),
        0u64..51,
    );
    let client = (any::<bool>(), proptest::collection::vec(doc.clone(), 1..4));
    let heavy = (any::<bool>(), proptest::collection::vec(doc, 1..60));
    (proptest::collection::vec(client, 0..14), heavy, 2u32..7).prop_map(|(clients, heavy, k)| {
        let mut rows = Vec::new();
        let mut n = 0u64;
        let base = day("2026-03-01") * 1440;
        let everyone = clients
            .into_iter()
            .enumerate()
            .map(|(i, c)| (i as u64, c, false))
            .chain(std::iter::once((999, heavy, true)));
        for (who, (with_id, docs), heavy) in everyone {
            let install = with_id.then_some(who);
            for (d, h, counter, labels, counts, quantity) in docs {
                n += 1;
                // The heavy client without an id stays within one interval: one source.
                let start = if heavy && install.is_none() {
                    base + 3 * 1440 + 600
                } else {
                    base + d * 1440 + h * 60
                };
                rows.push(entry(
                    n,
                    install,
                    start,
                    "shop.searches",
                    format!(r#"{{"value":{counter}}}"#),
                ));
                if !labels.is_empty() {
                    let mut seen = HashSet::new();
                    let values: Vec<String> = labels
                        .iter()
                        .filter(|(l, _)| seen.insert(*l))
                        .map(|(l, c)| format!(r#""{}":{c}"#, LABELS[*l]))
                        .collect();
                    rows.push(entry(
                        n,
                        install,
                        start,
                        "shop.payment_failures",
                        format!(r#"{{"values":{{{}}}}}"#, values.join(",")),
                    ));
                }
                let c: Vec<String> = counts.iter().map(u64::to_string).collect();
                rows.push(entry(
                    n,
                    install,
                    start,
                    "shop.page_load",
                    format!(r#"{{"counts":[{}],"sum":0}}"#, c.join(",")),
                ));
                rows.push(entry(
                    n,
                    install,
                    start,
                    "shop.cart_items",
                    format!(r#"{{"value":{quantity}}}"#),
                ));
            }
        }
        (rows, k)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// No published metric number, and nothing a total reveals, comes from fewer than k
    /// contributors, with a heavy client among honest ones; the JSON and CSV say the same.
    #[test]
    fn no_published_or_derivable_metric_number_is_under_k((rows, k) in arb_metrics(), narrow in any::<bool>()) {
        let reg = registry();
        let options = Options {
            k,
            from: narrow.then(|| day("2026-03-02")),
            to: narrow.then(|| day("2026-03-08")),
            ..Options::default()
        };
        let r = report::compute_with_metrics(&reg, &[], &rows, &options);
        assert_metric_floor_holds(&r, &rows);
        let json: serde_json::Value = serde_json::from_str(&report::json::render(&r)).unwrap();
        for (m, j) in r.metrics.iter().zip(json["metrics"].as_array().unwrap()) {
            prop_assert_eq!(m.total.shown(), j["count"].as_u64());
        }
        let csv = report::csv::render(&r);
        let csv_totals: Vec<Option<u64>> = csv
            .lines()
            .filter(|l| l.starts_with("metric_total,"))
            .map(|l| l.split(',').nth(5).unwrap().parse::<u64>().ok())
            .collect();
        let totals: Vec<Option<u64>> = r.metrics.iter().map(|m| m.total.shown()).collect();
        prop_assert_eq!(totals, csv_totals);
    }
}

/// A `sensitive` metric is on the page only when its schema says `publish: true`, marked as the
/// schema's explicit choice, and still under the floor.
#[test]
fn a_sensitive_metric_is_published_only_by_its_schemas_choice() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/report/schemas");
    let dir = std::env::temp_dir().join(format!("candor-publish-metric-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(&src).unwrap() {
        let f = f.unwrap().path();
        let text = std::fs::read_to_string(&f).unwrap();
        let text = text.replacen(
            "    justification: How many places someone ships to could narrow down who they are.\n",
            "    justification: How many places someone ships to could narrow down who they are.\n    publish: true\n",
            1,
        );
        std::fs::write(dir.join(f.file_name().unwrap()), text).unwrap();
    }
    let options = candor_schema::Options {
        today: Some(candor_schema::Date::parse("2026-03-12").unwrap()),
        ..candor_schema::Options::default()
    };
    let published = candor_schema::compile_dir(&dir, &options)
        .unwrap()
        .registry
        .expect("edited schemas compile");
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(published.metric("shop.delivery_places").unwrap().publish);

    let start = day("2026-03-05") * 1440 + 600;
    // Six installations report; one of them alone in the top range.
    let rows: Vec<StoredMetric> = (0..6u64)
        .map(|i| {
            let v = if i == 0 { 50 } else { 2 };
            entry(
                i,
                Some(i + 1),
                start,
                "shop.delivery_places",
                format!(r#"{{"value":{v}}}"#),
            )
        })
        .collect();
    let options = Options {
        k: 5,
        from: Some(day("2026-03-05")),
        to: Some(day("2026-03-05")),
        ..Options::default()
    };
    let kept_out = report::compute_with_metrics(&registry(), &[], &rows, &options);
    assert!(kept_out
        .metrics
        .iter()
        .all(|m| m.name != "shop.delivery_places"));
    assert!(kept_out
        .withheld_metrics
        .iter()
        .any(|(name, _, _)| name == "shop.delivery_places"));

    let r = report::compute_with_metrics(&published, &[], &rows, &options);
    assert!(r.withheld_metrics.is_empty(), "{:?}", r.withheld_metrics);
    let m = r
        .metrics
        .iter()
        .find(|m| m.name == "shop.delivery_places")
        .expect("published");
    assert!(m.sensitive_published);
    assert_eq!(m.total.shown(), Some(6));
    assert_metric_floor_holds(&r, &rows);
    let html = report::html::render(&r);
    assert!(
        html.contains("published by the schema&#39;s explicit choice")
            || html.contains("published by the schema's explicit choice")
    );
}
