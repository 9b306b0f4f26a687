//! Segment: `/v1/batch`, Basic write key, `messageId`, `context.ip`, no `context.direct`,
//! `anonymousId` per request unless an installation id is declared.

use candor_interop::ids::{Domain, Id};
use candor_interop::vendor::segment;
use candor_interop::{Batch, Encoder, Limits, RejectReason, Segment, Verdict};
use serde_json::json;

use crate::support::*;

#[test]
fn the_request_is_exactly_the_documented_one() {
    let doc = sample(None);
    let batch = Batch::read(&doc).unwrap();
    let enc = Segment::new("wk_TEST").encode(&batch);
    assert!(enc.rejected.is_empty());
    assert_eq!(enc.requests.len(), 1);
    let req = &enc.requests[0];
    assert_eq!(req.path, "/v1/batch");
    assert_eq!(
        req.url("https://api.segment.io/"),
        "https://api.segment.io/v1/batch"
    );
    assert_eq!(req.header("content-type"), Some("application/json"));
    assert_eq!(basic_user(req.header("authorization").unwrap()), "wk_TEST");
    assert_eq!(req.events, vec![0, 1]);

    let body = parse(&req.body);
    // Nothing but the batch: no writeKey in the body, no sentAt.
    assert_eq!(keys(&body), ["batch"]);
    let msgs = body["batch"].as_array().unwrap();
    assert_eq!(msgs.len(), 2);
    let m = &msgs[0];
    assert_eq!(
        keys(m),
        [
            "anonymousId",
            "context",
            "event",
            "messageId",
            "properties",
            "timestamp",
            "type"
        ]
    );
    assert_eq!(m["type"], "track");
    assert_eq!(m["event"], "wallet.transaction_signed");
    assert_eq!(m["messageId"], "9f1c0a6b-2d4e-48f1-a3b5-c7d9e0f21436");
    assert_eq!(m["timestamp"], "2026-11-22T12:33:00.000Z");
    // Field types kept exactly.
    assert_eq!(
        m["properties"],
        json!({"network": "mainnet", "confirm_ms": 1000, "ratio": 0.25,
               "hardware_wallet": true, "note": "say \"hi\"\n"})
    );
    assert_eq!(
        m["context"],
        json!({"ip": "0.0.0.0",
               "library": {"name": "candor", "version": env!("CARGO_PKG_VERSION")},
               "app": {"name": "wordstat", "version": "0.1.0"},
               "os": {"name": "linux"},
               "protocols": {"event_version": 2}})
    );
    assert!(m.get("userId").is_none() && m["context"].get("direct").is_none());
    assert_eq!(msgs[1]["properties"], json!({}));
    assert_eq!(msgs[1]["context"]["protocols"]["event_version"], 1);

    // One anonymousId for the request, derived from its first event, never an event id.
    let first = Id::parse_hex(ID_A).unwrap();
    let anon = first.derive(Domain::SegmentAnonymous).uuid();
    assert_eq!(m["anonymousId"], anon.as_str());
    assert_eq!(msgs[1]["anonymousId"], anon.as_str());
    assert_ne!(m["anonymousId"], m["messageId"]);
    golden("segment.txt", &render(req));
}

#[test]
fn a_declared_installation_id_is_the_anonymous_id() {
    let doc = sample(Some(INSTALL));
    let batch = Batch::read(&doc).unwrap();
    let enc = Segment::new("k").encode(&batch);
    let body = parse(&enc.requests[0].body);
    for m in body["batch"].as_array().unwrap() {
        assert_eq!(m["anonymousId"], "5a0e1f2d-3c4b-5a69-7887-96a5b4c3d2e1");
    }
}

#[test]
fn anonymous_ids_repeat_on_resend_and_differ_between_batches() {
    let a = sample(None);
    let again = Segment::new("k").encode(&Batch::read(&a).unwrap());
    let first = Segment::new("k").encode(&Batch::read(&a).unwrap());
    assert_eq!(
        first, again,
        "a resent batch must give byte-identical requests"
    );
    let other = doc(
        None,
        &[Ev {
            id: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            name: "app.started",
            version: 1,
            time: "2026-11-22T12:34Z",
            fields: json!({}),
        }],
    );
    let b = Segment::new("k").encode(&Batch::read(&other).unwrap());
    let anon =
        |e: &candor_interop::Encoded| parse(&e.requests[0].body)["batch"][0]["anonymousId"].clone();
    assert_ne!(anon(&first), anon(&b));
}

fn big_batch(n: usize, field_len: usize) -> Vec<u8> {
    let ids: Vec<String> = (0..n).map(|i| format!("{i:032x}")).collect();
    let events: Vec<Ev<'_>> = ids
        .iter()
        .map(|id| Ev {
            id,
            name: "app.blob",
            version: 1,
            time: "2026-11-22T12:00Z",
            fields: json!({"code": "x".repeat(field_len)}),
        })
        .collect();
    doc(None, &events)
}

#[test]
fn requests_stay_under_500_kb_and_events_over_32_kb_are_refused() {
    // 40 events of ~20 KB: ~800 KB in all, so at least two requests.
    let doc = big_batch(40, 20_000);
    let batch = Batch::read(&doc).unwrap();
    let enc = Segment::new("k").encode(&batch);
    assert!(enc.rejected.is_empty());
    assert!(enc.requests.len() >= 2);
    let mut seen = Vec::new();
    for req in &enc.requests {
        assert!(req.body.len() <= 500_000, "{}", req.body.len());
        let body = parse(&req.body);
        let msgs = body["batch"].as_array().unwrap();
        for m in msgs {
            assert!(serde_json::to_vec(m).unwrap().len() <= 32_000);
        }
        // Each request has its own anonymousId, shared by its messages.
        assert!(msgs
            .iter()
            .all(|m| m["anonymousId"] == msgs[0]["anonymousId"]));
        seen.extend(req.events.iter().copied());
    }
    assert_eq!(seen, (0..40).collect::<Vec<_>>());

    // Past 2500 events Segment answers 200 and drops them: with a body limit that would allow
    // more, the count still cuts.
    let doc = big_batch(6000, 1);
    let roomy = Limits {
        max_request_bytes: Some(100_000_000),
        ..segment::LIMITS
    };
    let enc = Segment::new("k")
        .with_limits(roomy)
        .encode(&Batch::read(&doc).unwrap());
    let counts: Vec<usize> = enc.requests.iter().map(|r| r.events.len()).collect();
    assert_eq!(counts, [2500, 2500, 1000]);

    let doc = big_batch(3, 33_000);
    let enc = Segment::new("k").encode(&Batch::read(&doc).unwrap());
    assert!(enc.requests.is_empty());
    assert_eq!(enc.rejected.len(), 3);
    assert!(enc
        .rejected
        .iter()
        .all(|r| r.reason == RejectReason::TooLarge));
}

#[test]
fn limits_can_be_tightened() {
    let doc = big_batch(10, 10);
    let limits = Limits {
        max_events: Some(3),
        ..segment::LIMITS
    };
    let enc = Segment::new("k")
        .with_limits(limits)
        .encode(&Batch::read(&doc).unwrap());
    let sizes: Vec<usize> = enc.requests.iter().map(|r| r.events.len()).collect();
    assert_eq!(sizes, [3, 3, 3, 1]);
}

#[test]
fn verdicts_follow_segments_retry_rules() {
    let s = Segment::new("k");
    for (status, v) in [
        (200, Verdict::Delivered),
        (408, Verdict::Retry),
        (429, Verdict::Retry),
        (460, Verdict::Retry),
        (500, Verdict::Retry),
        (503, Verdict::Retry),
        (501, Verdict::Reject),
        (505, Verdict::Reject),
        (400, Verdict::Reject),
        (401, Verdict::Reject),
        (410, Verdict::Reject),
        (413, Verdict::Split),
        (302, Verdict::Reject),
    ] {
        assert_eq!(s.verdict(status), v, "{status}");
    }
}
