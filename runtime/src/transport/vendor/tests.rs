//! The sinks without a client: documents handed straight to a sink against a loopback server
//! (`candor-testkit`), to pin down what the runtime is told for every kind of answer, what a
//! sink refuses without sending, and what it skips on a second attempt. The end-to-end tests
//! through a real `Client` are in `tests/sinks/`.

use std::time::Duration;

use candor_testkit::{dead_port, Answer, Received, Server};

use super::sink::{REFUSED, RETRY, SPLIT};
use super::*;
use crate::transport::{Request, RequestKind, Response, Transport};

/// A `candor.batch/1` document with `n` events, ids `000…01`, `000…02`, ...
fn doc(n: usize) -> Vec<u8> {
    doc_at(n, "2026-11-22T12:33Z")
}

fn doc_at(n: usize, time: &str) -> Vec<u8> {
    let events: Vec<String> = (1..=n)
        .map(|i| {
            format!(
                r#"{{"id":"{}","name":"app.clicked","version":1,"time":"{time}","fields":{{"seq":{i}}}}}"#,
                id(i)
            )
        })
        .collect();
    format!(
        r#"{{"format":"candor.batch/1","app":{{"name":"t","version":"1","os":"linux"}},"sent_at":"2026-11-22T12:34Z","events":[{}]}}"#,
        events.join(",")
    )
    .into_bytes()
}

fn id(i: usize) -> String {
    format!("{i:032x}")
}

fn uuid(i: usize) -> String {
    let h = id(i);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

fn request(kind: RequestKind, json: &[u8]) -> Request<'_> {
    Request::new(kind, json, 0)
}

fn batch(json: &[u8]) -> Request<'_> {
    request(RequestKind::Batch, json)
}

fn base(server: &Server) -> String {
    server.url_for("")
}

/// Every sink, pointed at `server`.
fn every_sink(server: &Server) -> Vec<Box<dyn Transport>> {
    let b = base(server);
    vec![
        Box::new(SegmentTransport::new(&b, "wk").unwrap()),
        Box::new(MixpanelTransport::new(&b, "tok").unwrap()),
        Box::new(SnowplowTransport::new(&b).unwrap()),
        Box::new(PostHogTransport::new(&b, "phc").unwrap()),
        Box::new(OtlpTransport::new(&b).unwrap()),
    ]
}

/// Event ids (UUID form) in a Segment body.
fn segment_ids(body: &serde_json::Value) -> Vec<String> {
    body["batch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["messageId"].as_str().unwrap().to_owned())
        .collect()
}

fn two_per_request() -> Limits {
    Limits {
        max_events: Some(2),
        ..Limits::NONE
    }
}

#[test]
fn deletion_requests_and_other_documents_are_refused_and_never_sent() {
    let server = Server::start();
    let deletion = br#"{"format":"candor.deletion/1","app":{"name":"t","version":"1","os":"linux"},"install_id":"5a0e3c1d9b7f4e2a8c6d0b1f3e5a7c9d","categories":["usage"],"sent_at":"2026-11-22T12:40Z"}"#;
    let metrics = br#"{"format":"candor.metrics/1","app":{"name":"t","version":"1","os":"linux"}}"#;
    let not_json = b"\x1f\x8b not a document";
    let mut with_extra = doc(1);
    with_extra.splice(1..1, br#""x":1,"#.iter().copied());
    for mut sink in every_sink(&server) {
        assert!(!sink.delivers_deletion_requests());
        let r = sink
            .send(&request(RequestKind::Deletion, deletion))
            .unwrap();
        assert_eq!(r, Response::new(REFUSED));
        for refused in [&metrics[..], not_json, &with_extra, b"", b"{}"] {
            // Sent as a batch, but not a readable candor.batch/1.
            assert_eq!(sink.send(&batch(refused)).unwrap(), Response::new(REFUSED));
        }
    }
    assert_eq!(server.arrivals(), 0, "nothing reached the vendor");
    let seg = SegmentTransport::new(&base(&server), "wk").unwrap();
    let monitor = seg.monitor();
    let mut seg: Box<dyn Transport> = Box::new(seg);
    seg.send(&request(RequestKind::Deletion, deletion)).unwrap();
    seg.send(&batch(metrics)).unwrap();
    let s = monitor.stats();
    assert_eq!(
        (s.deletions_refused, s.documents_refused, s.requests),
        (1, 1, 0)
    );
}

#[test]
fn each_vendor_answer_becomes_the_runtime_answer_by_the_vendors_rules() {
    use candor_interop::{Encoder, Mixpanel, Otlp, PostHog, Segment, Snowplow, Verdict};
    let server = Server::start();
    let encoders: Vec<Box<dyn Encoder>> = vec![
        Box::new(Segment::new("wk")),
        Box::new(Mixpanel::new("tok")),
        Box::new(Snowplow::new()),
        Box::new(PostHog::new("phc")),
        Box::new(Otlp::new()),
    ];
    let d = doc(1);
    let statuses = [
        200, 202, 204, 400, 401, 403, 404, 408, 410, 413, 422, 429, 460, 500, 501, 502, 503, 504,
        505, 599,
    ];
    for (mut sink, enc) in every_sink(&server).into_iter().zip(&encoders) {
        for status in statuses {
            server.script([Answer::status(status).retry_after("7")]);
            let got = sink.send(&batch(&d)).unwrap();
            let want = match enc.verdict(status) {
                Verdict::Delivered => Response::new(200),
                Verdict::Reject => Response::new(REFUSED),
                Verdict::Split => Response::new(SPLIT),
                Verdict::Retry => {
                    Response::new(RETRY).with_retry_after(Some(Duration::from_secs(7)))
                }
            };
            assert_eq!(got, want, "{:?} answered {status}", enc.vendor());
        }
    }
    // The rules differ where the vendors differ.
    let otlp = Otlp::new();
    assert_eq!(
        otlp.verdict(500),
        Verdict::Reject,
        "OTLP retries only 429/502/503/504"
    );
    assert_eq!(Segment::new("k").verdict(460), Verdict::Retry);
    assert_eq!(Snowplow::new().verdict(404), Verdict::Retry);
}

#[test]
fn no_answer_is_a_network_error_and_is_counted() {
    let server = Server::start();
    server.script([Answer::reset()]);
    let sink = OtlpTransport::new(&base(&server)).unwrap();
    let m = sink.monitor();
    let mut sink = sink;
    assert!(sink.send(&batch(&doc(2))).is_err());
    let mut down = PostHogTransport::new(&format!("http://127.0.0.1:{}", dead_port()), "k")
        .unwrap()
        .with_timeout(Duration::from_secs(5));
    assert!(down.send(&batch(&doc(2))).is_err());
    assert_eq!((m.stats().unanswered, m.stats().requests), (1, 0));
}

#[test]
fn a_retried_batch_sends_only_what_is_not_finished() {
    let server = Server::start();
    // Five events in three requests (2, 2, 1). The second fails, then everything passes.
    server.script([Answer::ok(), Answer::status(503), Answer::reset()]);
    let mut sink = SegmentTransport::new(&base(&server), "wk")
        .unwrap()
        .with_limits(two_per_request());
    let m = sink.monitor();
    let d = doc(5);
    assert_eq!(
        sink.send(&batch(&d)).unwrap(),
        Response::new(RETRY),
        "503 → retry, no Retry-After"
    );
    assert!(sink.send(&batch(&d)).is_err(), "reset → network error");
    assert_eq!(sink.send(&batch(&d)).unwrap(), Response::new(200));
    let reqs = server.requests();
    let sent: Vec<Vec<String>> = reqs.iter().map(|r| segment_ids(&r.json)).collect();
    assert_eq!(
        sent,
        [
            vec![uuid(1), uuid(2)],
            vec![uuid(3), uuid(4)],
            vec![uuid(3), uuid(4)],
            vec![uuid(3), uuid(4)],
            vec![uuid(5)],
        ],
        "request 1 is never sent again; the failed one is resent with the same ids"
    );
    // The resent request is byte-identical (same anonymousId, derived from its first event).
    assert_eq!(reqs[1].body, reqs[3].body);
    let delivered: Vec<String> = reqs
        .iter()
        .filter(|r| r.status == 200)
        .flat_map(|r| segment_ids(&r.json))
        .collect();
    assert_eq!(
        delivered,
        (1..=5).map(uuid).collect::<Vec<_>>(),
        "each once"
    );
    let s = m.stats();
    assert_eq!((s.requests, s.unanswered, s.events_delivered), (4, 1, 5));
}

#[test]
fn refused_requests_do_not_stop_the_others_and_are_never_resent() {
    let server = Server::start();
    // Snowplow: 400 is final; 500 is retried. Requests of 2, 2, 1 events.
    server.script([
        Answer::status(400),
        Answer::ok(),
        Answer::status(500).retry_after("3"),
        Answer::ok(),
    ]);
    let mut sink = SnowplowTransport::new(&base(&server))
        .unwrap()
        .with_limits(two_per_request());
    let d = doc(5);
    assert_eq!(
        sink.send(&batch(&d)).unwrap(),
        Response::new(RETRY).with_retry_after(Some(Duration::from_secs(3)))
    );
    assert_eq!(
        sink.send(&batch(&d)).unwrap(),
        Response::new(200).with_rejected(2),
        "the refused request's two events are counted refused, the rest sent"
    );
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4, "the refused request was not resent");
    assert!(reqs.iter().all(|r| r.header("SP-Anonymous") == Some("*")));
    // Everything refused: the runtime is told so.
    server.script([
        Answer::status(403),
        Answer::status(403),
        Answer::status(403),
    ]);
    assert_eq!(sink.send(&batch(&doc(5))).unwrap(), Response::new(REFUSED));
}

#[test]
fn a_split_asks_the_runtime_to_split_and_halves_skip_what_was_delivered() {
    let server = Server::start();
    server.script([Answer::ok(), Answer::status(413)]);
    let mut sink = PostHogTransport::new(&base(&server), "phc")
        .unwrap()
        .with_limits(two_per_request());
    assert_eq!(sink.send(&batch(&doc(4))).unwrap(), Response::new(SPLIT));
    // The runtime's halves of the 4-event batch: events 1-2 (already delivered), then 3-4.
    let (a, b) = (doc(2), {
        let mut d = String::from_utf8(doc(4)).unwrap();
        let from = d.find(&format!("{{\"id\":\"{}\"", id(3))).unwrap();
        let to = d.find("\"events\":[").unwrap() + "\"events\":[".len();
        d.replace_range(to..from, "");
        d.into_bytes()
    });
    assert_eq!(sink.send(&batch(&a)).unwrap(), Response::new(200));
    assert_eq!(sink.send(&batch(&b)).unwrap(), Response::new(200));
    let reqs = server.requests();
    assert_eq!(reqs.len(), 3, "the delivered half was not sent again");
    let uuids: Vec<&str> = reqs[2].json["batch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids, [uuid(3), uuid(4)]);
}

#[test]
fn events_no_request_can_carry_are_counted_refused() {
    let server = Server::start();
    // Mixpanel refuses events before 1971; the others go.
    let mut d = String::from_utf8(doc(3)).unwrap();
    let first = d.find("2026-11-22T12:33Z").unwrap();
    d.replace_range(first..first + 17, "1970-06-01T00:00Z");
    let sink = MixpanelTransport::new(&base(&server), "tok").unwrap();
    let m = sink.monitor();
    let mut sink = sink;
    assert_eq!(
        sink.send(&batch(d.as_bytes())).unwrap(),
        Response::new(200).with_rejected(1)
    );
    assert_eq!(server.requests()[0].json.as_array().unwrap().len(), 2);
    // Nothing at all can be carried: refused, and nothing was sent.
    assert_eq!(
        sink.send(&batch(&doc_at(2, "1970-01-01T00:00Z"))).unwrap(),
        Response::new(REFUSED)
    );
    assert_eq!(server.arrivals(), 1);
    assert_eq!(m.stats().events_unsendable, 3);
}

#[test]
fn a_mixpanel_400_counts_only_the_failed_records_as_refused() {
    let server = Server::start();
    let failed = format!(
        r#"{{"code":400,"error":"some data points in the request failed validation","failed_records":[{{"index":1,"$insert_id":"{}","field":"properties.time","message":"x"}}],"num_records_imported":2,"status":"Bad Request"}}"#,
        id(2)
    );
    let by_index = r#"{"code":400,"failed_records":[{"index":0,"field":"x","message":"y"},{"index":2}],"num_records_imported":1}"#;
    let unknown_id = format!(r#"{{"failed_records":[{{"insert_id":"{}"}}]}}"#, id(99));
    server.script([
        Answer::status(400).body(failed),
        Answer::status(400).body(by_index),
        Answer::status(400).body(unknown_id),
        Answer::status(400).body("Invalid JSON"),
    ]);
    let sink = MixpanelTransport::new(&base(&server), "tok").unwrap();
    let m = sink.monitor();
    let mut sink = sink;
    let d = doc(3);
    assert_eq!(
        sink.send(&batch(&d)).unwrap(),
        Response::new(200).with_rejected(1)
    );
    assert_eq!(
        sink.send(&batch(&d)).unwrap(),
        Response::new(200).with_rejected(2)
    );
    // An answer that names an event the request did not carry, or no answer at all: the
    // whole request counts as refused, never resent.
    assert_eq!(sink.send(&batch(&d)).unwrap(), Response::new(REFUSED));
    assert_eq!(sink.send(&batch(&d)).unwrap(), Response::new(REFUSED));
    assert_eq!(server.arrivals(), 4);
    let s = m.stats();
    assert_eq!((s.events_delivered, s.events_refused), (3, 9));
}

#[test]
fn constructors_refuse_what_could_leak_or_cannot_work() {
    let local = "http://127.0.0.1:9";
    for url in [
        "http://api.segment.io",
        "ftp://127.0.0.1",
        "https://api.segment.io?x=1",
        "https://api.segment.io#f",
        "https://wk:@api.segment.io",
        "not a url",
    ] {
        assert!(SegmentTransport::new(url, "k").is_err(), "{url}");
        assert!(MixpanelTransport::new(url, "k").is_err(), "{url}");
        assert!(SnowplowTransport::new(url).is_err(), "{url}");
        assert!(PostHogTransport::new(url, "k").is_err(), "{url}");
        assert!(OtlpTransport::new(url).is_err(), "{url}");
    }
    assert!(SegmentTransport::new(local, "").is_err());
    assert!(MixpanelTransport::new(local, "").is_err());
    assert!(PostHogTransport::new(local, "").is_err());
    assert!(SnowplowTransport::new(local)
        .unwrap()
        .with_iglu_vendor("com example")
        .is_err());
    let otlp = || OtlpTransport::new(local).unwrap();
    assert!(otlp().with_header("Authorization", "Bearer t").is_ok());
    for (name, value) in [
        ("Content-Type", "text/plain"),
        ("content-encoding", "br"),
        ("Host", "elsewhere"),
        ("User-Agent", "x"),
        ("Bad Name", "v"),
        ("", "v"),
        ("X-Key", "a\r\nX-Injected: 1"),
        ("X-Key", "a\nb"),
    ] {
        assert!(
            otlp().with_header(name, value).is_err(),
            "{name}: {value:?}"
        );
    }
    // Debug never shows a credential.
    let s = format!(
        "{:?} {:?} {:?}",
        SegmentTransport::new(local, "SECRET-wk").unwrap(),
        MixpanelTransport::new(local, "SECRET-tok").unwrap(),
        PostHogTransport::new(local, "SECRET-phc").unwrap()
    );
    assert!(!s.contains("SECRET"), "{s}");
    assert!(s.contains("127.0.0.1:9"), "{s}");
}

#[test]
fn headers_and_paths_per_vendor() {
    let server = Server::start();
    let b = base(&server);
    let d = doc(1);
    SegmentTransport::new(&format!("{b}/"), "wk")
        .unwrap()
        .send(&batch(&d))
        .unwrap();
    MixpanelTransport::new(&b, "tok")
        .unwrap()
        .send(&batch(&d))
        .unwrap();
    SnowplowTransport::new(&b)
        .unwrap()
        .send(&batch(&d))
        .unwrap();
    PostHogTransport::new(&format!("{b}/proxy"), "phc")
        .unwrap()
        .send(&batch(&d))
        .unwrap();
    OtlpTransport::new(&b)
        .unwrap()
        .with_header("X-Scope-OrgID", "tenant-1")
        .unwrap()
        .send(&batch(&d))
        .unwrap();
    let reqs = server.requests();
    let paths: Vec<&str> = reqs.iter().map(|r| r.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "/v1/batch",
            "/import?strict=1&ip=0",
            "/com.snowplowanalytics.snowplow/tp2",
            "/proxy/batch/",
            "/v1/logs"
        ]
    );
    let gzip: Vec<Option<&str>> = reqs.iter().map(|r| r.header("content-encoding")).collect();
    assert_eq!(
        gzip,
        [Some("gzip"), Some("gzip"), None, Some("gzip"), Some("gzip")]
    );
    assert_eq!(reqs[0].header("authorization"), Some("Basic d2s6"));
    assert_eq!(reqs[1].header("authorization"), Some("Basic dG9rOg=="));
    for r in &reqs[2..] {
        assert_eq!(r.header("authorization"), None);
    }
    assert_eq!(reqs[4].header("x-scope-orgid"), Some("tenant-1"));
    for r in &reqs {
        assert_eq!(r.method, "POST");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(
            r.header("user-agent"),
            Some(concat!("candor/", env!("CARGO_PKG_VERSION")))
        );
        assert!(!r.bad_gzip);
    }
}

#[test]
fn no_vendor_request_starts_after_a_revocation() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let server = Server::start();
    let revocations = AtomicU64::new(0);
    // The vendor takes the first request slowly; consent is revoked while it is out.
    let d = doc(6);
    let mut sink = SegmentTransport::new(&base(&server), "wk")
        .unwrap()
        .with_limits(two_per_request());
    std::thread::scope(|scope| {
        server.script([Answer::ok().delay(Duration::from_millis(300))]);
        let req = batch(&d).watching(&revocations);
        let sink = &mut sink;
        let sending = scope.spawn(move || sink.send(&req));
        while server.arrivals() == 0 {
            std::thread::sleep(Duration::from_millis(1));
        }
        revocations.fetch_add(1, Ordering::SeqCst);
        assert_eq!(
            sending.join().unwrap().unwrap(),
            Response::new(RETRY).with_retry_after(Some(Duration::ZERO)),
            "interrupted: the runtime writes the document again at once"
        );
    });
    assert_eq!(server.arrivals(), 1, "requests 2 and 3 never started");
    // Written again (here: the revoked events 3 and 4 gone), it resumes where it stopped.
    let mut rest = String::from_utf8(doc(6)).unwrap();
    for i in [3, 4] {
        let at = rest.find(&format!("{{\"id\":\"{}\"", id(i))).unwrap();
        let end = rest[at..].find("}},").unwrap() + at + 3;
        rest.replace_range(at..end, "");
    }
    let again = batch(rest.as_bytes()).watching(&revocations);
    assert_eq!(sink.send(&again).unwrap(), Response::new(200));
    let sent: Vec<Vec<String>> = server
        .requests()
        .iter()
        .map(|r| segment_ids(&r.json))
        .collect();
    assert_eq!(
        sent,
        [vec![uuid(1), uuid(2)], vec![uuid(5), uuid(6)]],
        "nothing sent twice, nothing revoked sent"
    );
}

/// A document holding the events with the given numbers.
fn doc_of(events: &[usize]) -> Vec<u8> {
    let full = String::from_utf8(doc(12)).unwrap();
    let (head, _) = full.split_once("\"events\":[").unwrap();
    let list: Vec<String> = events
        .iter()
        .map(|i| {
            format!(
                r#"{{"id":"{}","name":"app.clicked","version":1,"time":"2026-11-22T12:33Z","fields":{{"seq":{i}}}}}"#,
                id(*i)
            )
        })
        .collect();
    format!("{head}\"events\":[{}]}}", list.join(",")).into_bytes()
}

/// One vendor answer in the property test below.
fn answer(k: u8) -> Answer {
    match k {
        0 => Answer::ok(),
        1 => Answer::status(400), // final for Snowplow
        2 => Answer::status(500), // retried
        3 => Answer::status(413), // split
        _ => Answer::reset(),     // no answer
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..proptest::prelude::ProptestConfig::default()
    })]

    /// Whatever the vendor answers, driven the way the runtime drives a transport (resend on
    /// retry or no answer, halves on a split, a single event answered 413 dropped): every event
    /// ends exactly once, delivered or refused; what the runtime counts delivered is exactly
    /// what the vendor acknowledged, each event once; and an event the vendor refused for good
    /// is never sent again.
    #[test]
    fn every_event_ends_once_whatever_the_vendor_answers(
        n in 1usize..12,
        per in 1usize..5,
        answers in proptest::collection::vec(0u8..5, 0..24),
    ) {
        let server = Server::start();
        server.script(answers.iter().map(|&k| answer(k)));
        let mut sink = SnowplowTransport::new(&base(&server))
            .unwrap()
            .with_limits(Limits { max_events: Some(per), ..Limits::NONE });
        let (mut delivered, mut refused) = (0usize, 0usize);
        let mut docs: Vec<Vec<usize>> = vec![(1..=n).collect()];
        let mut rounds = 0;
        while let Some(events) = docs.pop() {
            rounds += 1;
            proptest::prop_assert!(rounds < 500, "never finishes");
            match sink.send(&batch(&doc_of(&events))) {
                Err(_) => docs.push(events),
                Ok(r) if r.status == 200 => {
                    delivered += events.len() - r.rejected;
                    refused += r.rejected;
                }
                Ok(r) if r.status == REFUSED => refused += events.len(),
                Ok(r) if r.status == RETRY => docs.push(events),
                Ok(r) if r.status == SPLIT && events.len() == 1 => refused += 1,
                Ok(r) if r.status == SPLIT => {
                    let (a, b) = events.split_at(events.len() / 2);
                    docs.push(b.to_vec());
                    docs.push(a.to_vec());
                }
                Ok(r) => proptest::prop_assert!(false, "unexpected answer {r:?}"),
            }
        }
        proptest::prop_assert_eq!(delivered + refused, n);
        let reqs = server.requests();
        let eids = |r: &Received| -> Vec<String> {
            r.json["data"].as_array().unwrap().iter()
                .map(|e| e["eid"].as_str().unwrap().to_owned()).collect()
        };
        let acked: Vec<String> = reqs.iter().filter(|r| r.status == 200).flat_map(eids).collect();
        let unique: std::collections::BTreeSet<&String> = acked.iter().collect();
        proptest::prop_assert_eq!(unique.len(), acked.len(), "an event acknowledged twice");
        proptest::prop_assert_eq!(acked.len(), delivered);
        for (i, r) in reqs.iter().enumerate().filter(|(_, r)| r.status == 400) {
            for later in &reqs[i + 1..] {
                for e in eids(r) {
                    proptest::prop_assert!(!eids(later).contains(&e), "a refusal was resent");
                }
            }
        }
    }
}

#[test]
fn an_otlp_partial_success_counts_the_refused_records() {
    let server = Server::start();
    server.script([
        Answer::ok().body(r#"{"partialSuccess":{"rejectedLogRecords":"2","errorMessage":"x"}}"#),
        Answer::ok().body(r#"{"partialSuccess":{"rejectedLogRecords":"99"}}"#),
        Answer::ok().body("{}"),
    ]);
    let sink = OtlpTransport::new(&base(&server)).unwrap();
    let m = sink.monitor();
    let mut sink = sink;
    assert_eq!(
        sink.send(&batch(&doc(5))).unwrap(),
        Response::new(200).with_rejected(2)
    );
    // More than the request held: all of it, and the runtime is told nothing went.
    assert_eq!(sink.send(&batch(&doc(3))).unwrap(), Response::new(REFUSED));
    assert_eq!(sink.send(&batch(&doc(3))).unwrap(), Response::new(200));
    assert_eq!(server.arrivals(), 3, "nothing resent");
    let s = m.stats();
    assert_eq!((s.events_delivered, s.events_refused), (6, 5));
}
