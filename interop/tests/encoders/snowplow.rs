//! Snowplow: `tp2`, `SP-Anonymous: *`, `payload_data` 1-0-4 with `e=ue`, `ue_pr` wrapping a
//! self-describing event with an Iglu URI per event and version; validated against
//! iglu-central's published schemas (fixtures under tests/fixtures/iglu-central).

use candor_interop::vendor::snowplow::{iglu_key, is_iglu_vendor, LIMITS};
use candor_interop::{Batch, Encoder, RejectReason, Snowplow, Verdict};
use serde_json::{json, Value};

use crate::iglu::validate_body;
use crate::support::*;

#[test]
fn the_request_is_exactly_the_documented_one() {
    let doc = sample(None);
    let enc = Snowplow::new()
        .with_iglu_vendor("com.example")
        .unwrap()
        .encode(&Batch::read(&doc).unwrap());
    assert!(enc.rejected.is_empty());
    let req = &enc.requests[0];
    assert_eq!(req.path, "/com.snowplowanalytics.snowplow/tp2");
    assert_eq!(
        req.url("https://collector.example.org"),
        "https://collector.example.org/com.snowplowanalytics.snowplow/tp2"
    );
    assert_eq!(req.header("SP-Anonymous"), Some("*"));
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert!(req.header("authorization").is_none());
    let body = parse(&req.body);
    validate_body(&body);
    let e = &body["data"][0];
    assert_eq!(
        keys(e),
        ["aid", "co", "dtm", "e", "eid", "p", "tna", "tv", "ue_pr"]
    );
    assert_eq!(e["e"], "ue");
    assert_eq!(e["eid"], "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436");
    assert_eq!(e["dtm"], "1795350780000");
    assert_eq!(e["p"], "app");
    assert_eq!(e["aid"], "wordstat");
    assert_eq!(e["tv"], format!("candor-{}", env!("CARGO_PKG_VERSION")));
    // No user ids of any kind, no IP, no user agent.
    for absent in [
        "uid", "duid", "nuid", "tnuid", "ip", "ua", "stm", "vid", "sid",
    ] {
        assert!(e.get(absent).is_none(), "{absent}");
    }
    let ue_pr: Value = serde_json::from_str(e["ue_pr"].as_str().unwrap()).unwrap();
    assert_eq!(
        ue_pr["data"]["schema"],
        "iglu:com.example.wallet/transaction_signed/jsonschema/2-0-0"
    );
    assert_eq!(
        ue_pr["data"]["data"],
        json!({"network": "mainnet", "confirm_ms": 1000, "ratio": 0.25,
                                             "hardware_wallet": true, "note": "say \"hi\"\n"})
    );
    let second: Value = serde_json::from_str(body["data"][1]["ue_pr"].as_str().unwrap()).unwrap();
    assert_eq!(
        second["data"]["schema"],
        "iglu:com.example.app/started/jsonschema/1-0-0"
    );
    let co: Value = serde_json::from_str(e["co"].as_str().unwrap()).unwrap();
    assert_eq!(
        co["data"][0]["data"],
        json!({"version": "0.1.0", "build": ""})
    );
    golden("snowplow.txt", &render(req));
}

#[test]
fn a_declared_installation_id_is_the_device_id_only() {
    let doc = sample(Some(INSTALL));
    let enc = Snowplow::new().encode(&Batch::read(&doc).unwrap());
    let body = parse(&enc.requests[0].body);
    validate_body(&body);
    for e in body["data"].as_array().unwrap() {
        assert_eq!(e["duid"], "5a0e1f2d-3c4b-5a69-7887-96a5b4c3d2e1");
        assert!(e.get("uid").is_none() && e.get("nuid").is_none());
    }
}

#[test]
fn iglu_keys_put_the_namespace_in_the_vendor() {
    let k = iglu_key("com.example", "wallet.transaction_signed", 3);
    assert_eq!(
        k.uri(),
        "iglu:com.example.wallet/transaction_signed/jsonschema/3-0-0"
    );
    assert_eq!(
        k.registry_path(),
        "schemas/com.example.wallet/transaction_signed/jsonschema/3-0-0"
    );
    assert_eq!(
        iglu_key("v", "solo", 1).uri(),
        "iglu:v/solo/jsonschema/1-0-0"
    );
    // Names that would collide if dots became underscores stay apart.
    assert_ne!(
        iglu_key("v", "a_b.c", 1).uri(),
        iglu_key("v", "a.b_c", 1).uri()
    );
    assert!(is_iglu_vendor("com.example-1_x"));
    for bad in ["", "com/example", "com example", "é"] {
        assert!(
            !is_iglu_vendor(bad) && Snowplow::new().with_iglu_vendor(bad).is_none(),
            "{bad}"
        );
    }
}

#[test]
fn strings_that_need_escaping_survive_two_levels_of_json() {
    let nasty = "q\"uote\\back/slash\ttab\u{1}ctl é😀";
    let d = doc(
        None,
        &[Ev {
            id: ID_A,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"s": nasty}),
        }],
    );
    let enc = Snowplow::new().encode(&Batch::read(&d).unwrap());
    let body = parse(&enc.requests[0].body);
    validate_body(&body);
    let ue_pr: Value = serde_json::from_str(body["data"][0]["ue_pr"].as_str().unwrap()).unwrap();
    assert_eq!(ue_pr["data"]["data"]["s"], nasty);
}

#[test]
fn requests_are_filled_to_40_kb_and_a_larger_event_goes_alone() {
    let ids: Vec<String> = (0..30).map(|i| format!("{i:032x}")).collect();
    let mut events: Vec<Ev<'_>> = ids
        .iter()
        .map(|id| Ev {
            id,
            name: "a.b",
            version: 1,
            time: "2026-01-01T00:00Z",
            fields: json!({"s": "x".repeat(3000)}),
        })
        .collect();
    events[7].fields = json!({"s": "y".repeat(60_000)});
    let enc = Snowplow::new().encode(&Batch::read(&doc(None, &events)).unwrap());
    assert!(enc.rejected.is_empty());
    for req in &enc.requests {
        if req.events == [7] {
            assert!(req.body.len() > 40_000);
        } else {
            assert!(req.body.len() <= 40_000, "{}", req.body.len());
            assert!(!req.events.contains(&7));
        }
        validate_body(&parse(&req.body));
    }
    let all: Vec<usize> = enc.requests.iter().flat_map(|r| r.events.clone()).collect();
    assert_eq!(all, (0..30).collect::<Vec<_>>());
    assert_eq!(LIMITS.target_request_bytes, Some(40_000));
}

#[test]
fn events_before_1970_and_app_versions_over_255_chars() {
    let d = doc(
        None,
        &[Ev {
            id: ID_A,
            name: "a.b",
            version: 1,
            time: "1969-12-31T23:59Z",
            fields: json!({}),
        }],
    );
    let enc = Snowplow::new().encode(&Batch::read(&d).unwrap());
    assert_eq!(enc.rejected[0].reason, RejectReason::TimeOutOfRange);
    let long = String::from_utf8(sample(None))
        .unwrap()
        .replace("\"0.1.0\"", &format!("\"{}\"", "9".repeat(256)));
    let enc = Snowplow::new().encode(&Batch::read(long.as_bytes()).unwrap());
    let body = parse(&enc.requests[0].body);
    validate_body(&body);
    assert!(
        body["data"][0].get("co").is_none(),
        "the application context would fail its schema"
    );
}

#[test]
fn verdicts_follow_the_trackers_rules() {
    let s = Snowplow::new();
    for (status, v) in [
        (200, Verdict::Delivered),
        (400, Verdict::Reject),
        (401, Verdict::Reject),
        (403, Verdict::Reject),
        (410, Verdict::Reject),
        (422, Verdict::Reject),
        (413, Verdict::Split),
        (404, Verdict::Retry),
        (429, Verdict::Retry),
        (500, Verdict::Retry),
        (503, Verdict::Retry),
    ] {
        assert_eq!(s.verdict(status), v, "{status}");
    }
}
