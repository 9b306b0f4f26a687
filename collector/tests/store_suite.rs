//! The store test suite: one set of tests, run against SQLite and against ClickHouse, each
//! through a real collector on 127.0.0.1 (HTTP in, store out).
//!
//! Every test is a function of a [`Backend`]; `store_suite!` instantiates it once per store.

mod support;

use std::collections::BTreeMap;

use candor_collector::minute;
use candor_collector::store::Store;
use serde_json::{json, Value};
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
    round_trip_of_every_field_type,
    refusals_are_counted_per_reason_and_no_value_is_kept,
    a_resent_batch_stores_nothing_twice,
    sweep_removes_exactly_what_is_past_retention,
    deletion_request_removes_the_installs_rows_in_its_categories,
    nothing_identifying_is_stored,
    schema_expiry_stops_collection,
);

/// Valid `kinds.every_type` fields, varied by `i`.
fn every_type(i: i64) -> Value {
    let (i2, i3, i4) = ((i % 2) as usize, (i % 3) as usize, (i % 4) as usize);
    let mut v = json!({
        "flag": i2 == 0,
        "level": ([-50, 0, 50][i3]),
        "tier": ([-10, 0, 10, 100][i4]),
        "ratio": ([-1.5, 0.125, 1.5][i3]),
        "share": ([0.0, 0.25, 0.5, 0.75][i4]),
        "network": (["mainnet", "testnet"][i2]),
        "platform": (["linux", "macos"][i2]),
        "code": (["RPC_TIMEOUT", "E1", "A_B_C_D_E_F_"][i3]),
        "wait_ms": ([0, 59_999, 60_000][i3]),
        "stage_s": ([0, 60, 600][i3]),
        "items": ([0, 1, 1000][i3]),
    });
    if i2 == 1 {
        v["note_code"] = json!("abcdefgh");
    }
    v
}

fn ev(name: &str, version: u32, time: &str, fields: &Value) -> (String, String) {
    let id = new_id();
    (
        id.clone(),
        event(&id, name, version, time, &fields.to_string()),
    )
}

fn today() -> i64 {
    minute::day_of(minute::now())
}

fn day_str(days: i64) -> String {
    candor_schema::Date::from_days(days).to_string()
}

/// Everything a store holds, as one text (to search for what must not be there).
fn everything(store: &mut dyn Store) -> String {
    format!(
        "{:?}\n{:?}\n{:?}",
        store.events().unwrap(),
        store.quarantine().unwrap(),
        store.deletion_requests().unwrap()
    )
}

fn round_trip_of_every_field_type(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute_from_now(0);
    let install = new_id();
    let mut sent = BTreeMap::new();
    let mut events = Vec::new();
    for i in 0..6 {
        let (id, e) = ev("kinds.every_type", 3, &now, &every_type(i));
        sent.insert(id, ("kinds.every_type", every_type(i)));
        events.push(e);
    }
    // Whitespace, escapes and number spellings are not kept: the stored text is one spelling
    // of the checked values (a float field's integer is stored as a float).
    let mut spelled = every_type(0);
    spelled["ratio"] = json!(1);
    let (id, e) = ev("kinds.every_type", 3, &now, &spelled);
    let e = e
        .replace("RPC_TIMEOUT", "RPC\\u005fTIMEOUT")
        .replace(r#""flag":true"#, "\n  \"fl\\u0061g\" :\ttrue  ")
        .replace(r#""share":0.0"#, r#""share":0e5"#)
        .replace(r#""level":-50"#, r#""level":  -50 "#);
    spelled["ratio"] = json!(1.0);
    let canonical_id = id.clone();
    sent.insert(id, ("kinds.every_type", spelled));
    events.push(e);
    let (id, e) = ev("kinds.ping", 1, &now, &json!({"ok": true}));
    sent.insert(id, ("kinds.ping", json!({"ok": true})));
    events.push(e);
    let a = post_json(c.addr(), &batch(&events, Some(&install)));
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(a.body, r#"{"accepted":8,"refused":0}"#);
    let (id, e) = ev("kinds.short_lived", 1, &now, &json!({"ms": 12}));
    sent.insert(id, ("kinds.short_lived", json!({"ms": 12})));
    assert_eq!(post_json(c.addr(), &batch(&[e], None)).status, 200);

    let stored = b.open().events().unwrap();
    assert_eq!(stored.len(), sent.len());
    let canonical = &stored.iter().find(|s| s.id == canonical_id).unwrap().fields;
    assert_eq!(
        canonical,
        r#"{"code":"RPC_TIMEOUT","flag":true,"items":0,"level":-50,"network":"mainnet","platform":"linux","ratio":1.0,"share":0.0,"stage_s":0,"tier":-10,"wait_ms":0}"#
    );
    for s in &stored {
        let (name, fields) = &sent[&s.id];
        assert_eq!(&s.event, name);
        let fields_back: Value = serde_json::from_str(&s.fields).unwrap();
        assert_eq!(&fields_back, fields, "{}", s.event);
        assert_eq!(s.time, now);
        assert_eq!(
            (
                s.app_name.as_str(),
                s.app_version.as_str(),
                s.app_os.as_str()
            ),
            ("test-app", "1.2.3", "linux")
        );
        let (version, category, retention) = match s.event.as_str() {
            "kinds.every_type" => (3, "usage", 30),
            "kinds.ping" => (1, "diagnostics", 30),
            _ => (1, "performance", 1),
        };
        assert_eq!(
            (s.version, s.category.as_str(), s.retention_days),
            (version, category, retention)
        );
        assert_eq!(s.delete_on, day_str(today() + retention as i64));
        let expected_install = (s.event != "kinds.short_lived").then(|| install.clone());
        assert_eq!(s.install_id, expected_install);
    }
    assert!(b.open().quarantine().unwrap().is_empty());
}

fn refusals_are_counted_per_reason_and_no_value_is_kept(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute_from_now(0);
    let base = every_type(0);
    let with = |k: &str, v: Value| {
        let mut f = base.clone();
        f[k] = v;
        f
    };
    let without = |k: &str| {
        let mut f = base.clone();
        f.as_object_mut().unwrap().remove(k);
        f
    };
    let et = "kinds.every_type";
    // (name, version, time, fields JSON text, reason, event, field)
    let mut cases: Vec<(String, u32, String, String, &str, &str, &str)> = Vec::new();
    let mut case = |name: &str, version, time: &str, fields: String, reason, event, field| {
        cases.push((
            name.into(),
            version,
            time.into(),
            fields,
            reason,
            event,
            field,
        ));
    };
    case(
        "secret.alice_example_org",
        1,
        &now,
        base.to_string(),
        "unknown_event",
        "",
        "",
    );
    case(et, 2, &now, base.to_string(), "unknown_version", et, "");
    case(
        et,
        3,
        &minute_from_now(-31 * 1440),
        base.to_string(),
        "too_old",
        et,
        "",
    );
    case(
        et,
        3,
        &minute_from_now(60),
        base.to_string(),
        "from_future",
        et,
        "",
    );
    case(
        et,
        3,
        &now,
        with("leaked_field_name", json!(1)).to_string(),
        "undeclared_field",
        et,
        "",
    );
    case(
        et,
        3,
        &now,
        with("owner_email", json!("alice@example.org")).to_string(),
        "pii_field",
        et,
        "owner_email",
    );
    case(
        et,
        3,
        &now,
        without("flag").to_string(),
        "missing_field",
        et,
        "flag",
    );
    case(
        et,
        3,
        &now,
        base.to_string().replacen('{', r#"{"items":1,"#, 1),
        "duplicate_field",
        et,
        "items",
    );
    case(
        et,
        3,
        &now,
        with("flag", json!("LEAKED_TEXT_1")).to_string(),
        "wrong_type",
        et,
        "flag",
    );
    case(
        et,
        3,
        &now,
        with("level", json!(1.5)).to_string(),
        "wrong_type",
        et,
        "level",
    );
    case(
        et,
        3,
        &now,
        with("network", json!(777002)).to_string(),
        "wrong_type",
        et,
        "network",
    );
    case(
        et,
        3,
        &now,
        with("wait_ms", Value::Null).to_string(),
        "wrong_type",
        et,
        "wait_ms",
    );
    case(
        et,
        3,
        &now,
        with("ratio", json!("0.5")).to_string(),
        "wrong_type",
        et,
        "ratio",
    );
    case(
        et,
        3,
        &now,
        with("tier", json!([777003])).to_string(),
        "wrong_type",
        et,
        "tier",
    );
    case(
        et,
        3,
        &now,
        with("code", json!({"LEAKED_KEY": 1})).to_string(),
        "wrong_type",
        et,
        "code",
    );
    case(
        et,
        3,
        &now,
        with("network", json!("LEAKED_TEXT_2")).to_string(),
        "not_in_values",
        et,
        "network",
    );
    case(
        et,
        3,
        &now,
        with("platform", json!("LEAKED_TEXT_3")).to_string(),
        "not_in_values",
        et,
        "platform",
    );
    case(
        et,
        3,
        &now,
        with("tier", json!(7)).to_string(),
        "off_bucket",
        et,
        "tier",
    );
    case(
        et,
        3,
        &now,
        with("share", json!(0.3)).to_string(),
        "off_bucket",
        et,
        "share",
    );
    case(
        et,
        3,
        &now,
        with("stage_s", json!(61)).to_string(),
        "off_bucket",
        et,
        "stage_s",
    );
    case(
        et,
        3,
        &now,
        with("level", json!(51)).to_string(),
        "out_of_range",
        et,
        "level",
    );
    case(
        et,
        3,
        &now,
        with("level", json!(-51)).to_string(),
        "out_of_range",
        et,
        "level",
    );
    case(
        et,
        3,
        &now,
        with("level", json!(u64::MAX)).to_string(),
        "out_of_range",
        et,
        "level",
    );
    case(
        et,
        3,
        &now,
        with("ratio", json!(1.6)).to_string(),
        "out_of_range",
        et,
        "ratio",
    );
    case(
        et,
        3,
        &now,
        with("wait_ms", json!(60_001)).to_string(),
        "out_of_range",
        et,
        "wait_ms",
    );
    case(
        et,
        3,
        &now,
        with("items", json!(-1)).to_string(),
        "out_of_range",
        et,
        "items",
    );
    case(
        et,
        3,
        &now,
        with("items", json!(1001)).to_string(),
        "out_of_range",
        et,
        "items",
    );
    case(
        et,
        3,
        &now,
        with("code", json!("LEAKEDTEXTFOUR")).to_string(),
        "too_long",
        et,
        "code",
    );
    case(
        et,
        3,
        &now,
        with("note_code", json!("leakedtextfive")).to_string(),
        "too_long",
        et,
        "note_code",
    );
    case(
        et,
        3,
        &now,
        with("code", json!("leaked_six")).to_string(),
        "pattern_mismatch",
        et,
        "code",
    );
    case(
        et,
        3,
        &now,
        with("note_code", json!("LEAKED")).to_string(),
        "pattern_mismatch",
        et,
        "note_code",
    );
    case(
        et,
        3,
        &now,
        with("code", json!("RPC TIMEOUT")).to_string(),
        "pattern_mismatch",
        et,
        "code",
    );

    let mut expected: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let mut events = Vec::new();
    for (name, version, time, fields, reason, event_name, field) in &cases {
        events.push(event(&new_id(), name, *version, time, fields));
        *expected
            .entry((
                reason.to_string(),
                event_name.to_string(),
                field.to_string(),
            ))
            .or_default() += 1;
    }
    let good = ev(et, 3, &now, &base);
    events.push(good.1.clone());
    let a = post_json(c.addr(), &batch(&events, None));
    assert_eq!(a.status, 200, "{a:?}");
    assert_eq!(
        a.body,
        format!(r#"{{"accepted":1,"refused":{}}}"#, cases.len())
    );
    // A batch of nothing but refusals is still a valid batch: 2xx, counted.
    let a = post_json(c.addr(), &batch(&events[..2], None));
    assert_eq!(a.status, 200, "{a:?}");
    *expected
        .get_mut(&("unknown_event".into(), "".into(), "".into()))
        .unwrap() += 1;
    *expected
        .get_mut(&("unknown_version".into(), et.into(), "".into()))
        .unwrap() += 1;

    let mut store = b.open();
    let stored = store.events().unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].id, good.0);
    let counted: BTreeMap<(String, String, String), u64> = store
        .quarantine()
        .unwrap()
        .into_iter()
        .map(|q| {
            assert_eq!(q.day, day_str(today()));
            ((q.reason, q.event, q.field), q.count)
        })
        .collect();
    assert_eq!(counted, expected);
    let all = everything(store.as_mut()).to_lowercase();
    for leaked in [
        "leaked",
        "alice",
        "777002",
        "777003",
        "18446744073709551615",
        "1.6",
        "60001",
        "1001",
    ] {
        assert!(!all.contains(leaked), "`{leaked}` was kept: {all}");
    }
    drop(c);
    for leaked in ["LEAKED", "alice", "777002", "777003"] {
        assert_eq!(
            files_contain(&b.files(), leaked.as_bytes()),
            None,
            "{leaked}"
        );
    }
}

fn a_resent_batch_stores_nothing_twice(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute_from_now(0);
    let events: Vec<(String, String)> = (0..5)
        .map(|i| ev("kinds.every_type", 3, &now, &every_type(i)))
        .collect();
    let mut bodies: Vec<String> = events.iter().map(|e| e.1.clone()).collect();
    // The same id twice within one batch, too.
    bodies.push(events[0].1.clone());
    let doc = batch(&bodies, None);
    for _ in 0..3 {
        let a = post_json(c.addr(), &doc);
        assert_eq!(a.status, 200, "{a:?}");
    }
    // A later batch repeating two ids and adding one.
    let extra = ev("kinds.ping", 1, &now, &json!({"ok": false}));
    let a = post_json(
        c.addr(),
        &batch(
            &[events[1].1.clone(), extra.1.clone(), events[4].1.clone()],
            None,
        ),
    );
    assert_eq!(a.status, 200);
    let stored = b.open().events().unwrap();
    let mut ids: Vec<&str> = stored.iter().map(|s| s.id.as_str()).collect();
    ids.sort();
    let mut expected: Vec<&str> = events
        .iter()
        .map(|e| e.0.as_str())
        .chain([extra.0.as_str()])
        .collect();
    expected.sort();
    assert_eq!(ids, expected);
}

fn sweep_removes_exactly_what_is_past_retention(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute::now();
    let day_start = minute::day_of(now) * 1440;
    let t = |m: i64| minute::format(m);
    let fields = every_type(1);
    // Retention 30: from 29 days ago it stays until tomorrow; from 30 days ago it is refused.
    let kept_one_more_day = ev("kinds.every_type", 3, &t(day_start - 29 * 1440), &fields);
    let refused = ev(
        "kinds.every_type",
        3,
        &t(day_start - 30 * 1440 + 1439),
        &fields,
    );
    let fresh = ev("kinds.every_type", 3, &t(now), &fields);
    let short = ev("kinds.short_lived", 1, &t(now), &json!({"ms": 1}));
    let ping = ev("kinds.ping", 1, &t(now), &json!({"ok": true}));
    let a = post_json(
        c.addr(),
        &batch(
            &[
                kept_one_more_day.1.clone(),
                refused.1,
                fresh.1.clone(),
                short.1.clone(),
                ping.1.clone(),
            ],
            None,
        ),
    );
    assert_eq!(a.body, r#"{"accepted":4,"refused":1}"#);
    drop(c);
    let mut store = b.open();
    let ids = |store: &mut Box<dyn Store>| -> Vec<String> {
        let mut v: Vec<String> = store.events().unwrap().into_iter().map(|e| e.id).collect();
        v.sort();
        v
    };
    let sorted = |mut v: Vec<&String>| {
        v.sort();
        v.into_iter().cloned().collect::<Vec<_>>()
    };
    store.sweep(today()).unwrap();
    assert_eq!(ids(&mut store).len(), 4, "nothing is due today");
    let swept = store.sweep(today() + 1).unwrap();
    assert!(swept.removed >= 1);
    assert_eq!(ids(&mut store), sorted(vec![&fresh.0, &ping.0]));
    for now_day in [today() + 29, today() + 30] {
        store.sweep(now_day).unwrap();
        for e in store.events().unwrap() {
            assert!(
                e.delete_on > day_str(now_day),
                "{e:?} survived a sweep on {}",
                day_str(now_day)
            );
        }
    }
    assert!(ids(&mut store).is_empty());
}

fn deletion_request_removes_the_installs_rows_in_its_categories(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute_from_now(0);
    let (a_id, b_id) = (new_id(), new_id());
    let mut marked = every_type(0);
    marked["code"] = json!("ERASEDMARK");
    let a_usage = [
        ev("kinds.every_type", 3, &now, &marked),
        ev("kinds.every_type", 3, &now, &every_type(1)),
    ];
    let a_diag = ev("kinds.ping", 1, &now, &json!({"ok": true}));
    let b_usage = ev("kinds.every_type", 3, &now, &every_type(2));
    let anon = ev("kinds.every_type", 3, &now, &every_type(3));
    let send = |events: &[&(String, String)], install: Option<&str>| {
        let bodies: Vec<String> = events.iter().map(|e| e.1.clone()).collect();
        let a = post_json(c.addr(), &batch(&bodies, install));
        assert_eq!(a.status, 200, "{a:?}");
    };
    send(&[&a_usage[0], &a_usage[1], &a_diag], Some(&a_id));
    send(&[&b_usage], Some(&b_id));
    send(&[&anon], None);

    let a = post_json(c.addr(), &deletion(&a_id, &["usage"]));
    assert_eq!(a.status, 200, "{a:?}");
    let mut store = b.open();
    store.settle().unwrap();
    let mut left: Vec<String> = store.events().unwrap().into_iter().map(|e| e.id).collect();
    left.sort();
    let mut expected = vec![a_diag.0.clone(), b_usage.0.clone(), anon.0.clone()];
    expected.sort();
    assert_eq!(left, expected);
    assert_eq!(
        store.deletion_requests().unwrap(),
        vec![(day_str(today()), 1)]
    );

    let a = post_json(c.addr(), &deletion(&a_id, &["diagnostics", "usage"]));
    assert_eq!(a.status, 200);
    store.settle().unwrap();
    let left: Vec<Option<String>> = store
        .events()
        .unwrap()
        .into_iter()
        .map(|e| e.install_id)
        .collect();
    assert!(!left.contains(&Some(a_id.clone())));
    assert_eq!(left.len(), 2);
    assert_eq!(
        store.deletion_requests().unwrap(),
        vec![(day_str(today()), 2)]
    );
    // The request is kept as a count only: its id is nowhere.
    assert!(!everything(store.as_mut()).contains(&a_id));
    if matches!(b, Backend::Sqlite { .. }) {
        // Erased, not just unlinked: no page of the database or its WAL still holds the rows.
        drop(c);
        drop(store);
        let raw: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&a_id[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(files_contain(&b.files(), &raw), None);
        assert_eq!(files_contain(&b.files(), b"ERASEDMARK"), None);
    }
}

fn nothing_identifying_is_stored(b: &Backend) {
    let c = b.collector(kinds_schemas());
    let now = minute_from_now(0);
    let from = Some("127.0.0.2".parse().unwrap());
    let headers = [
        ("User-Agent", "marker-agent/7.7 (hostname-marker)"),
        ("X-Forwarded-For", "203.0.113.77"),
        ("X-Real-IP", "198.51.100.42"),
        ("Cookie", "session=cookie-marker"),
        ("Authorization", "Bearer token-marker"),
    ];
    let opts = Send {
        gzip: true,
        headers: &headers,
        from,
    };
    let good = batch(
        &[ev("kinds.every_type", 3, &now, &every_type(0)).1],
        Some(&new_id()),
    );
    let a = post(c.addr(), good.as_bytes(), &opts);
    assert_eq!(a.status, 200, "{a:?}");
    let refused = batch(&[ev("kinds.every_type", 9, &now, &every_type(0)).1], None);
    assert_eq!(post(c.addr(), refused.as_bytes(), &opts).status, 200);
    assert_eq!(post(c.addr(), b"{not json", &opts).status, 400);
    drop(c);
    let all = everything(b.open().as_mut());
    let files = b.files();
    for needle in [
        "127.0.0.2",
        "marker-agent",
        "hostname-marker",
        "203.0.113.77",
        "198.51.100.42",
        "cookie-marker",
        "token-marker",
    ] {
        assert!(!all.contains(needle), "{needle} stored: {all}");
        assert_eq!(files_contain(&files, needle.as_bytes()), None, "{needle}");
    }
    assert!(b.open().events().unwrap().len() == 1);
}

fn schema_expiry_stops_collection(b: &Backend) {
    // An event whose `expires` date passed yesterday, compiled as of a month ago.
    let dir = temp_dir("expiring");
    let yesterday = candor_schema::Date::from_days(today() - 1);
    std::fs::write(
        dir.join("old.yaml"),
        format!(
            "namespace: old\ndescription: d\nowners: [t@example.org]\ndefaults: {{consent: usage, retention_days: 30}}\n\
             events:\n  gone:\n    description: d\n    purpose: p\n    version: 1\n    expires: {yesterday}\n    fields:\n      \
             ok: {{type: bool, class: technical, description: d}}\n"
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
    let a = post_json(
        c.addr(),
        &batch(
            &[ev("old.gone", 1, &minute_from_now(0), &json!({"ok": true})).1],
            None,
        ),
    );
    assert_eq!(a.body, r#"{"accepted":0,"refused":1}"#);
    let q = b.open().quarantine().unwrap();
    assert_eq!(q.len(), 1);
    assert_eq!(
        (q[0].reason.as_str(), q[0].event.as_str()),
        ("event_expired", "old.gone")
    );
}
