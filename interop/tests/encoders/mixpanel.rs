//! Mixpanel: `/import?strict=1&ip=0`, Basic project token, `$insert_id` within Mixpanel's
//! length and alphabet, `distinct_id` "" (present, empty), reserved names renamed.

use candor_interop::vendor::mixpanel::{property_for_field, LIMITS};
use candor_interop::{Batch, Encoder, Mixpanel, RejectReason, Verdict};
use serde_json::json;

use crate::support::*;

#[test]
fn the_request_is_exactly_the_documented_one() {
    let doc = sample(None);
    let batch = Batch::read(&doc).unwrap();
    let enc = Mixpanel::new("tok_TEST").encode(&batch);
    assert!(enc.rejected.is_empty());
    let req = &enc.requests[0];
    assert_eq!(req.path, "/import?strict=1&ip=0");
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(basic_user(req.header("authorization").unwrap()), "tok_TEST");

    let body = parse(&req.body);
    let events = body.as_array().unwrap();
    assert_eq!(events.len(), 2);
    let e = &events[0];
    assert_eq!(keys(e), ["event", "properties"]);
    assert_eq!(e["event"], "wallet.transaction_signed");
    let p = &e["properties"];
    assert_eq!(
        p["time"], 1_795_350_780_000i64,
        "Unix ms of 2026-11-22T12:33Z"
    );
    // Present and empty: omitting it would make Mixpanel hash the request IP into an id.
    assert_eq!(p["distinct_id"], "");
    let insert_id = p["$insert_id"].as_str().unwrap();
    assert_eq!(insert_id, ID_A);
    assert!(
        insert_id.len() <= 36
            && insert_id
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-')
    );
    assert_eq!(p["mp_lib"], "candor");
    assert_eq!(p["$lib_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(p["$os"], "linux");
    assert_eq!(p["$app_version_string"], "0.1.0");
    assert_eq!(p["candor_app"], "wordstat");
    assert_eq!(p["candor_event_version"], 2);
    for (k, v) in [
        ("network", json!("mainnet")),
        ("confirm_ms", json!(1000)),
        ("ratio", json!(0.25)),
        ("hardware_wallet", json!(true)),
        ("note", json!("say \"hi\"\n")),
    ] {
        assert_eq!(p[k], v, "{k}");
    }
    // No IP, no token in the body.
    assert!(p.get("ip").is_none() && p.get("token").is_none());
    assert_eq!(p.as_object().unwrap().len(), 9 + 5);
    golden("mixpanel.txt", &render(req));
}

#[test]
fn a_declared_installation_id_is_the_distinct_id() {
    let doc = sample(Some(INSTALL));
    let enc = Mixpanel::new("t").encode(&Batch::read(&doc).unwrap());
    let body = parse(&enc.requests[0].body);
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["properties"]["distinct_id"] == INSTALL));
}

#[test]
fn fields_named_like_mixpanel_keys_are_renamed_not_obeyed() {
    let doc = doc(
        None,
        &[Ev {
            id: ID_A,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"time": 5, "distinct_id": "x", "token": "t", "ip": "y", "mp_lib": "z",
                       "candor_app": "w", "candor_event_version": 9, "timer": 1}),
        }],
    );
    let enc = Mixpanel::new("t").encode(&Batch::read(&doc).unwrap());
    let p = parse(&enc.requests[0].body)[0]["properties"].clone();
    assert_eq!(p["time"], 1_767_225_600_000i64);
    assert_eq!(p["distinct_id"], "");
    assert_eq!(p["mp_lib"], "candor");
    assert_eq!(p["candor_event_version"], 1);
    assert!(p.get("ip").is_none() && p.get("token").is_none());
    for (k, v) in [
        ("_time", json!(5)),
        ("_distinct_id", json!("x")),
        ("_token", json!("t")),
        ("_ip", json!("y")),
        ("_mp_lib", json!("z")),
        ("_candor_app", json!("w")),
        ("_candor_event_version", json!(9)),
        ("timer", json!(1)),
    ] {
        assert_eq!(p[k], v, "{k}");
    }
    assert_eq!(property_for_field("time"), "_time");
    assert_eq!(property_for_field("mp_anything"), "_mp_anything");
    assert_eq!(property_for_field("network"), "network");
}

#[test]
fn limits_2000_events_2_mb_255_properties_and_1971() {
    let ids: Vec<String> = (0..4500).map(|i| format!("{i:032x}")).collect();
    let events: Vec<Ev<'_>> = ids
        .iter()
        .map(|id| Ev {
            id,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"n": 1}),
        })
        .collect();
    let enc = Mixpanel::new("t").encode(&Batch::read(&doc(None, &events)).unwrap());
    let counts: Vec<usize> = enc.requests.iter().map(|r| r.events.len()).collect();
    assert_eq!(counts, [2000, 2000, 500]);

    let ids: Vec<String> = (0..12).map(|i| format!("{i:032x}")).collect();
    let events: Vec<Ev<'_>> = ids
        .iter()
        .map(|id| Ev {
            id,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"s": "x".repeat(300_000)}),
        })
        .collect();
    let enc = Mixpanel::new("t").encode(&Batch::read(&doc(None, &events)).unwrap());
    assert!(enc.requests.len() >= 2);
    assert!(enc
        .requests
        .iter()
        .all(|r| r.body.len() <= LIMITS.max_request_bytes.unwrap()));

    let many: serde_json::Map<String, serde_json::Value> =
        (0..246).map(|i| (format!("f{i}"), json!(i))).collect();
    let fits: serde_json::Map<String, serde_json::Value> =
        (0..245).map(|i| (format!("f{i}"), json!(i))).collect();
    let d = doc(
        None,
        &[
            Ev {
                id: ID_A,
                name: "a.b",
                version: 1,
                time: "2026-01-01T00:00Z",
                fields: json!(many),
            },
            Ev {
                id: ID_B,
                name: "a.b",
                version: 1,
                time: "2026-01-01T00:00Z",
                fields: json!(fits),
            },
            Ev {
                id: INSTALL,
                name: "a.b",
                version: 1,
                time: "1970-12-31T23:59Z",
                fields: json!({}),
            },
        ],
    );
    let enc = Mixpanel::new("t").encode(&Batch::read(&d).unwrap());
    assert_eq!(enc.requests.len(), 1);
    assert_eq!(enc.requests[0].events, vec![1]);
    assert_eq!(
        parse(&enc.requests[0].body)[0]["properties"]
            .as_object()
            .unwrap()
            .len(),
        254
    );
    let reasons: Vec<_> = enc.rejected.iter().map(|r| (r.index, r.reason)).collect();
    assert_eq!(
        reasons,
        [
            (0, RejectReason::TooManyProperties),
            (2, RejectReason::TimeOutOfRange)
        ]
    );
}

#[test]
fn verdicts_follow_mixpanels_rules() {
    let m = Mixpanel::new("t");
    for (status, v) in [
        (200, Verdict::Delivered),
        (429, Verdict::Retry),
        (502, Verdict::Retry),
        (503, Verdict::Retry),
        (500, Verdict::Retry),
        (413, Verdict::Split),
        (400, Verdict::Reject),
        (401, Verdict::Reject),
        (403, Verdict::Reject),
    ] {
        assert_eq!(m.verdict(status), v, "{status}");
    }
}
