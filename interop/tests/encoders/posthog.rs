//! PostHog: `/batch/`, `api_key` in the body, `uuid`, `$geoip_disable`, `$ip: null`,
//! `$process_person_profile: false`, a non-empty `distinct_id` that links nothing.

use candor_interop::ids::{Domain, Id};
use candor_interop::vendor::posthog::property_for_field;
use candor_interop::{Batch, Encoder, PostHog, Verdict};
use serde_json::json;

use crate::support::*;

#[test]
fn the_request_is_exactly_the_documented_one() {
    let doc = sample(None);
    let enc = PostHog::new("phc_TEST").encode(&Batch::read(&doc).unwrap());
    assert!(enc.rejected.is_empty());
    let req = &enc.requests[0];
    assert_eq!(req.path, "/batch/");
    assert_eq!(
        req.headers,
        vec![("Content-Type", "application/json".to_string())]
    );
    let body = parse(&req.body);
    assert_eq!(keys(&body), ["api_key", "batch"], "no sent_at");
    assert_eq!(body["api_key"], "phc_TEST");
    let batch = body["batch"].as_array().unwrap();
    let e = &batch[0];
    assert_eq!(
        keys(e),
        ["distinct_id", "event", "properties", "timestamp", "uuid"]
    );
    assert_eq!(e["event"], "wallet.transaction_signed");
    assert_eq!(e["uuid"], "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436");
    assert_eq!(e["timestamp"], "2026-11-22T12:33:00.000Z");
    let p = &e["properties"];
    assert_eq!(p["$process_person_profile"], false);
    assert_eq!(p["$geoip_disable"], true);
    assert!(
        p.get("$ip").is_some_and(|v| v.is_null()),
        "explicit null keeps PostHog from storing the address"
    );
    assert_eq!(p["$lib"], "candor");
    assert_eq!(p["$os"], "linux");
    assert_eq!(p["$app_name"], "wordstat");
    assert_eq!(p["$app_version"], "0.1.0");
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
    // Per-event distinct ids: non-empty, different for each event, none an event id.
    let d0 = e["distinct_id"].as_str().unwrap();
    let d1 = batch[1]["distinct_id"].as_str().unwrap();
    assert_eq!(
        d0,
        Id::parse_hex(ID_A)
            .unwrap()
            .derive(Domain::PostHogDistinct)
            .uuid()
    );
    assert!(!d0.is_empty() && d0 != d1 && d0 != e["uuid"] && d1 != batch[1]["uuid"]);
    golden("posthog.txt", &render(req));
}

#[test]
fn a_declared_installation_id_is_the_distinct_id_and_still_no_profile() {
    let doc = sample(Some(INSTALL));
    let enc = PostHog::new("k").encode(&Batch::read(&doc).unwrap());
    for e in parse(&enc.requests[0].body)["batch"].as_array().unwrap() {
        assert_eq!(e["distinct_id"], "5a0e1f2d-3c4b-5a69-7887-96a5b4c3d2e1");
        assert_eq!(e["properties"]["$process_person_profile"], false);
    }
}

#[test]
fn fields_named_like_posthog_keys_are_renamed() {
    let d = doc(
        None,
        &[Ev {
            id: ID_A,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"distinct_id": "x", "token": "t", "api_key": "k", "candor_event_version": 7}),
        }],
    );
    let enc = PostHog::new("k").encode(&Batch::read(&d).unwrap());
    let e = &parse(&enc.requests[0].body)["batch"][0];
    let p = &e["properties"];
    assert!(
        p.get("distinct_id").is_none() && p.get("token").is_none() && p.get("api_key").is_none()
    );
    assert_eq!(p["_distinct_id"], "x");
    assert_eq!(p["_api_key"], "k");
    assert_eq!(p["candor_event_version"], 1);
    assert_eq!(p["_candor_event_version"], 7);
    assert_eq!(property_for_field("token"), "_token");
}

#[test]
fn verdicts_follow_posthogs_rules() {
    let p = PostHog::new("k");
    for (status, v) in [
        (200, Verdict::Delivered),
        (408, Verdict::Retry),
        (429, Verdict::Retry),
        (500, Verdict::Retry),
        (503, Verdict::Retry),
        (413, Verdict::Split),
        (400, Verdict::Reject),
        (401, Verdict::Reject),
    ] {
        assert_eq!(p.verdict(status), v, "{status}");
    }
}
