//! `candor.metrics/1` through a real collector on 127.0.0.1, against SQLite and ClickHouse
//! (the same instantiation as the store suite): every metric type stored, every quarantine
//! reason, dedupe of a resent document, the retention sweep with a fixed day, deletion
//! requests, and hostile documents answered with a clear 4xx.

mod support;

use candor_collector::minute;
use candor_collector::store::StoredMetric;
use support::*;

macro_rules! store_suite {
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

store_suite!(
    every_metric_type_is_stored_as_sent,
    every_refusal_is_counted_per_reason_and_metric_and_the_rest_is_stored,
    a_resent_document_is_stored_once,
    sweep_removes_metrics_past_their_retention,
    deletion_request_removes_the_installs_metrics_in_its_categories,
    hostile_documents_get_a_clear_4xx_and_the_collector_keeps_serving,
    an_expired_metric_is_not_stored,
    nothing_identifying_is_stored_with_metrics,
    a_scan_reads_the_days_asked_for,
);

const BLOCKS: &str = r#"{"name":"node.blocks_synced","version":1,"type":"counter","value":4213}"#;
const SYNC: &str = r#"{"name":"node.sync_time","version":1,"type":"distribution","unit":"ms","buckets":[0,100,500,1000,5000,15000,60000],"counts":[0,12,40,31,9,2,0],"sum":132884}"#;
const PEERS: &str =
    r#"{"name":"node.peers","version":1,"type":"quantity","unit":"count","value":11}"#;
const ERRORS: &str = r#"{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{"other":2,"timeout":3}}"#;

/// A metrics document of `consent` over the hour before now, holding `entries`.
fn metrics_doc(
    id: &str,
    consent: &str,
    start: &str,
    end: &str,
    install: Option<&str>,
    entries: &[&str],
) -> String {
    let install = install.map_or(String::new(), |i| format!(r#","install_id":"{i}""#));
    format!(
        r#"{{"format":"candor.metrics/1","id":"{id}","app":{{"name":"node-app","version":"2.0.0","os":"linux"}}{install},"consent":"{consent}","start":"{start}","end":"{end}","sent_at":"{end}","metrics":[{}]}}"#,
        entries.join(",")
    )
}

/// The current hour: (start, now).
fn this_hour() -> (String, String) {
    let now = minute::now();
    (minute::format(now - now % 60), minute::format(now))
}

fn doc_now(consent: &str, install: Option<&str>, entries: &[&str]) -> (String, String) {
    let (start, end) = this_hour();
    let id = new_id();
    let body = metrics_doc(&id, consent, &start, &end, install, entries);
    (id, body)
}

fn today() -> i64 {
    minute::day_of(minute::now())
}

fn stored(b: &Backend) -> Vec<StoredMetric> {
    let mut s = b.open();
    s.settle().unwrap();
    s.metrics().unwrap()
}

fn every_metric_type_is_stored_as_sent(b: &Backend) {
    let c = b.collector(repo_schemas());
    let (perf_id, perf) = doc_now("performance", None, &[BLOCKS, SYNC, PEERS]);
    let a = post_json(c.addr(), &perf);
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, r#"{"accepted":3,"refused":0}"#)
    );
    // Plain (`post_json` gzips, as the runtime does by default).
    let (diag_id, diag) = doc_now("diagnostics", Some(&"ab".repeat(16)), &[ERRORS]);
    let a = post(c.addr(), diag.as_bytes(), &Send::default());
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, r#"{"accepted":1,"refused":0}"#)
    );
    c.stop();
    let rows = stored(b);
    let (start, _) = this_hour();
    // (metric, type, category, document, value, installation)
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str, Option<&'a str>);
    let got: Vec<Row<'_>> = rows
        .iter()
        .map(|m| {
            assert_eq!(m.start, start);
            assert_eq!(
                (m.app_name.as_str(), m.app_os.as_str()),
                ("node-app", "linux")
            );
            assert_eq!(m.retention_days, 14);
            (
                m.metric.as_str(),
                m.kind.as_str(),
                m.category.as_str(),
                m.doc.as_str(),
                m.value.as_str(),
                m.install_id.as_deref(),
            )
        })
        .collect();
    let mut want = vec![
        (
            "node.blocks_synced",
            "counter",
            "performance",
            perf_id.as_str(),
            r#"{"value":4213}"#,
            None,
        ),
        (
            "node.peers",
            "quantity",
            "performance",
            &perf_id,
            r#"{"value":11}"#,
            None,
        ),
        (
            "node.sync_errors",
            "labeled_counter",
            "diagnostics",
            &diag_id,
            // Declared label order, whatever order the document used.
            r#"{"values":{"timeout":3,"other":2}}"#,
            Some("abababababababababababababababab"),
        ),
        (
            "node.sync_time",
            "distribution",
            "performance",
            &perf_id,
            r#"{"counts":[0,12,40,31,9,2,0],"sum":132884}"#,
            None,
        ),
    ];
    want.sort();
    let mut got_sorted = got.clone();
    got_sorted.sort();
    assert_eq!(got_sorted, want);
    for m in &rows {
        let due = candor_schema::Date::parse(&m.delete_on).unwrap().to_days();
        assert_eq!(due, today() + 14, "{m:?}");
    }
}

fn every_refusal_is_counted_per_reason_and_metric_and_the_rest_is_stored(b: &Backend) {
    let c = b.collector(repo_schemas());
    let secret_label = "alice_example_org";
    let now = minute::now();
    let (start, end) = this_hour();
    // (bad entry, reason, metric named in the quarantine)
    let cases: Vec<(String, &str, &str)> = vec![
        (
            r#"{"name":"node.no_such_metric","version":1,"type":"counter","value":1}"#.into(),
            "unknown_metric",
            "",
        ),
        (
            r#"{"name":"node.blocks_synced","version":2,"type":"counter","value":1}"#.into(),
            "unknown_version",
            "node.blocks_synced",
        ),
        (
            r#"{"name":"node.blocks_synced","version":1,"type":"quantity","unit":"count","value":1}"#.into(),
            "wrong_metric_type",
            "node.blocks_synced",
        ),
        (
            format!(r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{{"{secret_label}":1}}}}"#),
            // In a performance document, a diagnostics metric is refused for its category
            // first; the label case below uses a diagnostics document.
            "wrong_category",
            "node.sync_errors",
        ),
        (
            r#"{"name":"node.sync_time","version":1,"type":"distribution","unit":"us","buckets":[0,100,500,1000,5000,15000,60000],"counts":[0,1,0,0,0,0,0],"sum":150}"#.into(),
            "wrong_unit",
            "node.sync_time",
        ),
        (
            r#"{"name":"node.sync_time","version":1,"type":"distribution","unit":"ms","buckets":[0,100,500,1000,5000,15000,60001],"counts":[0,1,0,0,0,0,0],"sum":150}"#.into(),
            "wrong_buckets",
            "node.sync_time",
        ),
        (
            r#"{"name":"node.sync_time","version":1,"type":"distribution","unit":"ms","buckets":[0,100,500,1000,5000,15000,60000],"counts":[0,1,0,0,0,0],"sum":150}"#.into(),
            "wrong_counts",
            "node.sync_time",
        ),
        (
            r#"{"name":"node.peers","version":1,"type":"quantity","unit":"count","value":129}"#.into(),
            "out_of_range",
            "node.peers",
        ),
    ];
    let mut want: Vec<(String, String)> = Vec::new();
    for (entry, reason, metric) in &cases {
        let a = post_json(
            c.addr(),
            &metrics_doc(
                &new_id(),
                "performance",
                &start,
                &end,
                None,
                &[
                    entry,
                    if *metric == "node.peers" {
                        BLOCKS
                    } else {
                        PEERS
                    },
                ],
            ),
        );
        assert_eq!(
            (a.status, a.body.as_str()),
            (200, r#"{"accepted":1,"refused":1}"#),
            "{reason}"
        );
        want.push((reason.to_string(), metric.to_string()));
    }
    // Labels: outside the closed list, and one label twice.
    for (values, reason) in [
        (
            format!(r#"{{"timeout":1,"{secret_label}":1}}"#),
            "undeclared_label",
        ),
        (
            r#"{"timeout":1,"timeout":2}"#.to_string(),
            "duplicate_label",
        ),
    ] {
        let entry = format!(
            r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{values}}}"#
        );
        let a = post_json(
            c.addr(),
            &metrics_doc(&new_id(), "diagnostics", &start, &end, None, &[&entry]),
        );
        assert_eq!(
            (a.status, a.body.as_str()),
            (200, r#"{"accepted":0,"refused":1}"#)
        );
        want.push((reason.into(), "node.sync_errors".into()));
    }
    // The same metric twice: the second copy is refused.
    let a = post_json(
        c.addr(),
        &metrics_doc(
            &new_id(),
            "performance",
            &start,
            &end,
            None,
            &[PEERS, PEERS],
        ),
    );
    assert_eq!(a.body, r#"{"accepted":1,"refused":1}"#);
    want.push(("duplicate_metric".into(), "node.peers".into()));
    // The interval is the document's: every entry is refused under its own metric.
    let interval_cases = [
        (
            minute::format(now - 60),
            minute::format(now - 61),
            "bad_interval",
        ),
        (
            minute::format((today() - 14) * 1440),
            minute::format((today() - 14) * 1440 + 60),
            "too_old",
        ),
        (minute::format(now), minute::format(now + 11), "from_future"),
    ];
    for (s, e, reason) in &interval_cases {
        let a = post_json(
            c.addr(),
            &metrics_doc(&new_id(), "performance", s, e, None, &[BLOCKS, PEERS]),
        );
        assert_eq!(a.body, r#"{"accepted":0,"refused":2}"#, "{reason}");
        want.push((reason.to_string(), "node.blocks_synced".into()));
        want.push((reason.to_string(), "node.peers".into()));
    }
    // Within the clock-skew allowance (10 minutes) a document from the future is fine.
    let a = post_json(
        c.addr(),
        &metrics_doc(
            &new_id(),
            "performance",
            &start,
            &minute::format(now + 9),
            None,
            &[BLOCKS],
        ),
    );
    assert_eq!(a.body, r#"{"accepted":1,"refused":0}"#);
    c.stop();

    let mut s = b.open();
    let mut got: Vec<(String, String)> = Vec::new();
    for q in s.quarantine().unwrap() {
        assert_eq!(q.field, "", "{q:?}");
        for _ in 0..q.count {
            got.push((q.reason.clone(), q.event.clone()));
        }
    }
    got.sort();
    want.sort();
    assert_eq!(got, want);
    // Every valid entry beside a refused one was stored: one per case, plus the last two.
    let rows = stored(b);
    assert_eq!(rows.len(), cases.len() + 2, "{rows:#?}");
    assert!(rows.iter().all(|m| !m.value.contains(secret_label)));
    if let Some(f) = files_contain(&b.files(), secret_label.as_bytes()) {
        panic!("a refused label reached the store: {}", f.display());
    }
}

fn a_resent_document_is_stored_once(b: &Backend) {
    let c = b.collector(repo_schemas());
    let (_, body) = doc_now("performance", None, &[BLOCKS, SYNC]);
    for _ in 0..3 {
        assert_eq!(post_json(c.addr(), &body).status, 200);
    }
    // A resent copy that differs (another value) is still the same document.
    let changed = body.replace(r#""value":4213"#, r#""value":9"#);
    assert_eq!(post_json(c.addr(), &changed).status, 200);
    c.stop();
    // And after a restart.
    let c = b.collector(repo_schemas());
    assert_eq!(post_json(c.addr(), &body).status, 200);
    c.stop();
    let rows = stored(b);
    assert_eq!(rows.len(), 2, "{rows:#?}");
    assert!(rows.iter().any(|m| m.value == r#"{"value":4213}"#));
}

fn sweep_removes_metrics_past_their_retention(b: &Backend) {
    let c = b.collector(repo_schemas());
    let (_, perf) = doc_now("performance", None, &[BLOCKS, PEERS]);
    assert_eq!(post_json(c.addr(), &perf).status, 200);
    c.stop();
    let mut s = b.open();
    // A fixed clock: the day before the rows are due keeps them, their day removes them.
    s.sweep(today() + 13).unwrap();
    assert_eq!(stored(b).len(), 2);
    let swept = s.sweep(today() + 14).unwrap();
    assert!(swept.removed > 0);
    assert!(stored(b).is_empty());
}

fn deletion_request_removes_the_installs_metrics_in_its_categories(b: &Backend) {
    let c = b.collector(repo_schemas());
    let mine = "5a".repeat(16);
    let other = "6b".repeat(16);
    for body in [
        doc_now("performance", Some(&mine), &[BLOCKS]).1,
        doc_now("diagnostics", Some(&mine), &[ERRORS]).1,
        doc_now("performance", Some(&other), &[BLOCKS]).1,
        doc_now("performance", None, &[BLOCKS]).1,
    ] {
        assert_eq!(post_json(c.addr(), &body).status, 200);
    }
    let a = post_json(c.addr(), &deletion(&mine, &["performance"]));
    assert_eq!(a.status, 200, "{a:?}");
    c.stop();
    let left: Vec<(String, Option<String>)> = stored(b)
        .into_iter()
        .map(|m| (m.category, m.install_id))
        .collect();
    assert_eq!(left.len(), 3, "{left:?}");
    assert!(!left.contains(&("performance".into(), Some(mine.clone()))));
    assert!(left.contains(&("diagnostics".into(), Some(mine))));
    assert!(left.contains(&("performance".into(), Some(other))));
}

fn hostile_documents_get_a_clear_4xx_and_the_collector_keeps_serving(b: &Backend) {
    let c = b.collector(repo_schemas());
    let counter = |v: &str| {
        format!(r#"{{"name":"node.blocks_synced","version":1,"type":"counter","value":{v}}}"#)
    };
    let (start, end) = this_hour();
    let doc = |entries: &[&str]| metrics_doc(&new_id(), "performance", &start, &end, None, entries);
    let bad_request = [
        doc(&[&counter("-1")]),
        doc(&[&counter("18446744073709551616")]),
        doc(&[&counter("\"NaN\"")]),
        doc(&[&counter("\"Infinity\"")]),
        doc(&[&counter("1e999")]),
        doc(&[&format!(
            "{}{}{}",
            "[".repeat(10_000),
            counter("1"),
            "]".repeat(10_000)
        )]),
        doc(&[&format!(
            r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{}1{}}}"#,
            r#"{"a":"#.repeat(5000),
            "}".repeat(5000)
        )]),
        doc(&[]),
    ];
    for body in &bad_request {
        let a = post_json(c.addr(), body);
        assert_eq!(a.status, 400, "{}: {a:?}", &body[..body.len().min(300)]);
        assert!(a.body.contains("not a candor document"), "{a:?}");
    }
    // A million labels: over the body limits, plain and as a small gzip that inflates past them.
    let mut labels = String::from("{");
    for i in 0..1_000_000 {
        if i > 0 {
            labels.push(',');
        }
        labels.push_str(&format!("\"l{i}\":1"));
    }
    labels.push('}');
    let huge = doc(&[&format!(
        r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{labels}}}"#
    )]);
    let a = post(c.addr(), huge.as_bytes(), &Send::default());
    assert_eq!(a.status, 413, "{a:?}");
    // A million copies of one label compress to a small body that inflates past the limit.
    let same = format!("{{{}\"a\":1}}", "\"a\":1,".repeat(999_999));
    let bomb = doc(&[&format!(
        r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{same}}}"#
    )]);
    assert!(gzip(bomb.as_bytes()).len() < 1 << 20);
    let a = post_json(c.addr(), &bomb);
    assert_eq!(a.status, 413, "{a:?}");
    assert!(a.body.contains("once inflated"), "{a:?}");
    // Labels within the limits but far more than any metric declares: quarantined, bounded.
    let mut many = String::from("{");
    for i in 0..50_000 {
        if i > 0 {
            many.push(',');
        }
        many.push_str(&format!("\"l{i}\":1"));
    }
    many.push('}');
    let body = metrics_doc(
        &new_id(),
        "diagnostics",
        &start,
        &end,
        None,
        &[&format!(
            r#"{{"name":"node.sync_errors","version":1,"type":"labeled_counter","values":{many}}}"#
        )],
    );
    let a = post_json(c.addr(), &body);
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, r#"{"accepted":0,"refused":1}"#)
    );
    // More entries than a document may hold.
    let entries: Vec<String> = (0..1001).map(|_| counter("1")).collect();
    let refs: Vec<&str> = entries.iter().map(String::as_str).collect();
    let a = post_json(c.addr(), &doc(&refs));
    assert_eq!(a.status, 413, "{a:?}");
    // The collector still takes a good document.
    let a = post_json(c.addr(), &doc(&[BLOCKS]));
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, r#"{"accepted":1,"refused":0}"#)
    );
    c.stop();
    assert_eq!(stored(b).len(), 1);
}

fn an_expired_metric_is_not_stored(b: &Backend) {
    let dir = temp_dir("expiring-metric");
    let yesterday = candor_schema::Date::from_days(today() - 1);
    std::fs::write(
        dir.join("old.yaml"),
        format!(
            "namespace: old\ndescription: d\nowners: [t@example.org]\ndefaults: {{consent: usage, retention_days: 30}}\n\
             metrics:\n  gone:\n    type: counter\n    class: technical\n    description: d\n    purpose: p\n    version: 1\n    expires: {yesterday}\n"
        ),
    )
    .unwrap();
    let compiled = candor_schema::compile_dir(
        &dir,
        &candor_schema::Options {
            today: Some(candor_schema::Date::from_days(today() - 30)),
            ..Default::default()
        },
    )
    .unwrap();
    let schemas = candor_collector::Schemas::new(&compiled.registry.unwrap()).unwrap();
    let c = b.collector(schemas);
    let (_, body) = doc_now(
        "usage",
        None,
        &[r#"{"name":"old.gone","version":1,"type":"counter","value":1}"#],
    );
    let a = post_json(c.addr(), &body);
    assert_eq!(a.body, r#"{"accepted":0,"refused":1}"#);
    c.stop();
    let q = b.open().quarantine().unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].reason.as_str(), q[0].event.as_str()),
        ("metric_expired", "old.gone")
    );
    assert!(stored(b).is_empty());
}

fn nothing_identifying_is_stored_with_metrics(b: &Backend) {
    let c = b.collector(repo_schemas());
    let headers = [
        ("User-Agent", "marker-agent/7.7 (hostname-marker)"),
        ("X-Forwarded-For", "203.0.113.77"),
        ("Cookie", "session=cookie-marker"),
    ];
    let opts = Send {
        gzip: true,
        headers: &headers,
        from: Some("127.0.0.2".parse().unwrap()),
    };
    let (_, good) = doc_now("performance", Some(&new_id()), &[BLOCKS, SYNC]);
    let a = post(c.addr(), good.as_bytes(), &opts);
    assert_eq!(
        (a.status, a.body.as_str()),
        (200, r#"{"accepted":2,"refused":0}"#)
    );
    assert_eq!(
        post(c.addr(), b"{\"format\":\"candor.metrics/1\"", &opts).status,
        400
    );
    let (_, refused) = doc_now("performance", None, &[ERRORS]);
    assert_eq!(post(c.addr(), refused.as_bytes(), &opts).status, 200);
    c.stop();
    let rows = stored(b);
    assert_eq!(rows.len(), 2);
    let all = format!("{rows:?}");
    let files = b.files();
    for needle in [
        "127.0.0.2",
        "marker-agent",
        "hostname-marker",
        "203.0.113.77",
        "cookie-marker",
    ] {
        assert!(!all.contains(needle), "{needle} stored: {all}");
        assert_eq!(files_contain(&files, needle.as_bytes()), None, "{needle}");
    }
}

fn a_scan_reads_the_days_asked_for(b: &Backend) {
    let c = b.collector(repo_schemas());
    let (start, end) = this_hour();
    let two_days_ago = minute::format(minute::parse(&start).unwrap() - 2 * 1440);
    let two_days_ago_end = minute::format(minute::parse(&start).unwrap() - 2 * 1440 + 60);
    for (s, e) in [(&start, &end), (&two_days_ago, &two_days_ago_end)] {
        let a = post_json(
            c.addr(),
            &metrics_doc(&new_id(), "performance", s, e, None, &[BLOCKS]),
        );
        assert_eq!(a.body, r#"{"accepted":1,"refused":0}"#);
    }
    c.stop();
    let mut s = b.open();
    s.settle().unwrap();
    let scan = |s: &mut Box<dyn candor_collector::Store>, from, to| {
        let mut out = Vec::new();
        s.scan_metrics(from, to, &mut |m| out.push(m.start))
            .unwrap();
        out
    };
    let both = [two_days_ago, start];
    assert_eq!(scan(&mut s, Some(today()), Some(today())), both[1..]);
    assert_eq!(scan(&mut s, None, Some(today() - 1)), both[..1]);
    assert_eq!(scan(&mut s, Some(today() - 2), None), both);
}
