//! The relay end to end: the real runtime (or raw requests) → a real collector storing in
//! SQLite → the forwarder → a loopback server standing in for each vendor (`candor-testkit`).
//! Every event reaches the vendor once, under the app's own ids; a vendor outage never blocks
//! ingest, and the durable queue delivers afterwards, across restarts; deletion requests and
//! retention remove queued events; nothing about the app's connection reaches the vendor.

mod support;

use std::collections::BTreeSet;
use std::time::Duration;

use candor::{Client, Config, Consent, EventEnum, HttpTransport};
use candor_collector::forward::Vendor;
use candor_collector::{Collector, ForwardOptions, ForwardSpec, Forwarding, SweepSchedule};
use candor_testkit::{dead_port, Answer as VendorAnswer, Received, Server};
use serde_json::Value;
use support::*;

#[derive(EventEnum, Clone, Copy)]
enum Network {
    Mainnet,
    Testnet,
    Other,
}

#[derive(EventEnum, Clone, Copy)]
enum FeeLevel {
    Low,
    Medium,
    High,
    Custom,
}

#[derive(candor::Event)]
#[event(name = "wallet.transaction_signed", schemas = "../schemas")]
struct TransactionSigned {
    network: Network,
    confirm_ms: Duration,
    hardware_wallet: Option<bool>,
    fee_level: FeeLevel,
}

fn tracked(i: u64) -> TransactionSigned {
    TransactionSigned {
        network: [Network::Mainnet, Network::Testnet, Network::Other][i as usize % 3],
        confirm_ms: Duration::from_millis(i * 997),
        hardware_wallet: i.is_multiple_of(2).then_some(true),
        fee_level: [
            FeeLevel::Low,
            FeeLevel::Medium,
            FeeLevel::High,
            FeeLevel::Custom,
        ][i as usize % 4],
    }
}

fn spec(vendor: Vendor, url: &str) -> ForwardSpec {
    ForwardSpec {
        vendor,
        url: url.to_owned(),
        key: matches!(vendor, Vendor::Segment | Vendor::Mixpanel | Vendor::PostHog)
            .then(|| "key_TEST".to_owned()),
        iglu_vendor: (vendor == Vendor::Snowplow).then(|| "com.example".to_owned()),
        headers: Vec::new(),
        timeout: Duration::from_secs(10),
    }
}

/// Short waits, so outages and retries take milliseconds.
fn options() -> ForwardOptions {
    ForwardOptions {
        idle_poll: Duration::from_millis(20),
        retry_base: Duration::from_millis(20),
        retry_cap: Duration::from_millis(200),
        ..ForwardOptions::default()
    }
}

/// A collector on `b`'s SQLite file forwarding to `vendor` at `url`.
fn relay(b: &Backend, vendor: Vendor, url: &str) -> Collector {
    let mut store = b.open();
    let forward = Forwarding {
        queue: store.forwarding().unwrap(),
        sink: spec(vendor, url).sink().unwrap().0,
        options: options(),
    };
    Collector::start_forwarding(
        "127.0.0.1:0".parse().unwrap(),
        repo_schemas(),
        store,
        candor_collector::Limits::default(),
        SweepSchedule::Every(Duration::from_secs(3600)),
        Some(forward),
    )
    .unwrap()
}

fn client(c: &Collector) -> Client {
    let mut cfg = Config::new("relay-wallet", "3.1.0");
    cfg.batch_interval = Duration::from_millis(50);
    cfg.retry.base = Duration::from_millis(10);
    cfg.retry.cap = Duration::from_millis(200);
    let t = HttpTransport::with_timeout(&c.batch_url(), Duration::from_secs(10)).unwrap();
    let client = Client::start(cfg, t).unwrap();
    assert!(
        client.set_consent(Consent::Usage, true),
        "DO_NOT_TRACK is set: unset it to run these tests"
    );
    client
}

/// The events of a vendor body.
fn events(vendor: Vendor, body: &Value) -> Vec<Value> {
    let list = match vendor {
        Vendor::Segment | Vendor::PostHog => body["batch"].as_array(),
        Vendor::Mixpanel => body.as_array(),
        Vendor::Snowplow => body["data"].as_array(),
        Vendor::Otlp => body["resourceLogs"][0]["scopeLogs"][0]["logRecords"].as_array(),
    };
    list.cloned().unwrap_or_default()
}

/// Candor event ids (32 hex) of the events a vendor acknowledged, in order, repeats kept.
fn acknowledged(vendor: Vendor, server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .filter(|r| (200..300).contains(&r.status))
        .flat_map(|r| events(vendor, &r.json))
        .map(|e| {
            let id = match vendor {
                Vendor::Segment => e["messageId"].as_str(),
                Vendor::Mixpanel => e["properties"]["$insert_id"].as_str(),
                Vendor::Snowplow => e["eid"].as_str(),
                Vendor::PostHog => e["uuid"].as_str(),
                Vendor::Otlp => e["attributes"][0]["value"]["stringValue"].as_str(),
            };
            id.unwrap_or_default().replace('-', "")
        })
        .collect()
}

fn stored_ids(b: &Backend) -> BTreeSet<String> {
    b.open()
        .events()
        .unwrap()
        .into_iter()
        .map(|e| e.id)
        .collect()
}

fn queue_depth(b: &Backend) -> u64 {
    b.open().forwarding().unwrap().depth().unwrap()
}

#[test]
fn every_stored_event_reaches_each_vendor_once_under_the_apps_ids() {
    for vendor in Vendor::ALL {
        let b = Backend::sqlite();
        let server = Server::start();
        let c = relay(&b, vendor, &server.url_for(""));
        let app = client(&c);
        for i in 0..120 {
            app.track(&tracked(i));
        }
        assert!(app.flush(Duration::from_secs(20)).is_complete());
        app.shutdown(Duration::from_secs(1));
        assert!(
            wait_until(Duration::from_secs(30), || acknowledged(vendor, &server)
                .len()
                >= 120),
            "{vendor}: {} forwarded",
            acknowledged(vendor, &server).len()
        );
        c.stop();
        let got = acknowledged(vendor, &server);
        let unique: BTreeSet<String> = got.iter().cloned().collect();
        assert_eq!(
            got.len(),
            unique.len(),
            "{vendor}: an event forwarded twice"
        );
        assert_eq!(
            unique,
            stored_ids(&b),
            "{vendor}: the app's ids, all of them"
        );
        assert_eq!(queue_depth(&b), 0, "{vendor}: nothing left queued");
        // The vendor's own privacy switches are set exactly as an app's sink sets them.
        let first = &server.requests()[0];
        match vendor {
            Vendor::Segment => assert_eq!(first.json["batch"][0]["context"]["ip"], "0.0.0.0"),
            Vendor::Mixpanel => assert!(first.path.contains("ip=0")),
            Vendor::Snowplow => assert_eq!(first.header("sp-anonymous"), Some("*")),
            Vendor::PostHog => {
                assert_eq!(first.json["batch"][0]["properties"]["$geoip_disable"], true)
            }
            Vendor::Otlp => assert_eq!(first.path, "/v1/logs"),
        }
    }
}

#[test]
fn a_vendor_outage_never_blocks_ingest_and_the_queue_delivers_afterwards() {
    let b = Backend::sqlite();
    let port = dead_port();
    let c = relay(&b, Vendor::Segment, &format!("http://127.0.0.1:{port}"));
    let app = client(&c);
    for i in 0..300 {
        app.track(&tracked(i));
    }
    // The collector acknowledges and stores everything while the vendor is unreachable.
    assert!(app.flush(Duration::from_secs(20)).is_complete());
    assert_eq!(app.counters().sent, 300);
    app.shutdown(Duration::from_secs(1));
    assert_eq!(stored_ids(&b).len(), 300);
    assert_eq!(queue_depth(&b), 300, "queued while the vendor is down");
    // A new batch is still taken at once.
    let id = new_id();
    let a = post_json(
        c.addr(),
        &batch(
            &[event(
                &id,
                "app.error_shown",
                1,
                &minute_from_now(0),
                r#"{"code":"E_SYNC_TIMEOUT","component":"sync","os_family":"linux"}"#,
            )],
            None,
        ),
    );
    assert_eq!(a.status, 200, "{}", a.body);
    // The vendor comes back: everything queued arrives, once each.
    let server = Server::start_on(port);
    assert!(wait_until(Duration::from_secs(30), || acknowledged(
        Vendor::Segment,
        &server
    )
    .len()
        >= 301));
    c.stop();
    let got = acknowledged(Vendor::Segment, &server);
    assert_eq!(got.iter().collect::<BTreeSet<_>>().len(), got.len());
    assert_eq!(got.len(), 301);
    assert!(got.contains(&id));
    assert_eq!(queue_depth(&b), 0);
}

#[test]
fn the_queue_survives_a_restart() {
    let b = Backend::sqlite();
    let server = Server::start();
    server.respond_with(|_| VendorAnswer::status(503));
    let c = relay(&b, Vendor::Otlp, &server.url_for(""));
    let ids: Vec<String> = (0..40).map(|_| new_id()).collect();
    let evs: Vec<String> = ids
        .iter()
        .map(|id| {
            event(
                id,
                "app.error_shown",
                1,
                &minute_from_now(0),
                r#"{"code":"E_SYNC_TIMEOUT","component":"sync","os_family":"linux"}"#,
            )
        })
        .collect();
    assert_eq!(post_json(c.addr(), &batch(&evs, None)).status, 200);
    assert!(wait_until(Duration::from_secs(20), || server.arrivals() >= 2));
    c.stop();
    assert_eq!(
        queue_depth(&b),
        40,
        "nothing the vendor refused to take left the queue"
    );

    server.respond_with(|_| VendorAnswer::ok());
    let c = relay(&b, Vendor::Otlp, &server.url_for(""));
    assert!(wait_until(Duration::from_secs(20), || {
        acknowledged(Vendor::Otlp, &server).len() >= 40
    }));
    c.stop();
    let got: BTreeSet<String> = acknowledged(Vendor::Otlp, &server).into_iter().collect();
    assert_eq!(got, ids.into_iter().collect::<BTreeSet<_>>());
    assert_eq!(queue_depth(&b), 0);
}

#[test]
fn deletion_requests_and_retention_remove_queued_events_before_they_are_forwarded() {
    let b = Backend::sqlite();
    let port = dead_port();
    let c = relay(&b, Vendor::PostHog, &format!("http://127.0.0.1:{port}"));
    let (erased_install, kept_install) = (new_id(), new_id());
    let fields = r#"{"code":"E_SYNC_TIMEOUT","component":"sync","os_family":"linux"}"#;
    let erased: Vec<String> = (0..5).map(|_| new_id()).collect();
    let kept: Vec<String> = (0..5).map(|_| new_id()).collect();
    let expiring = new_id();
    let post_for = |install: &str, ids: &[String], minute: &str| {
        let evs: Vec<String> = ids
            .iter()
            .map(|id| event(id, "app.error_shown", 1, minute, fields))
            .collect();
        let a = post_json(c.addr(), &batch(&evs, Some(install)));
        assert_eq!(a.status, 200, "{}", a.body);
    };
    post_for(&erased_install, &erased, &minute_from_now(0));
    post_for(&kept_install, &kept, &minute_from_now(0));
    // An event one minute from the end of its retention day (app.error_shown keeps 30 days).
    post_for(
        &kept_install,
        std::slice::from_ref(&expiring),
        &minute_from_now(-29 * 1440),
    );
    assert_eq!(queue_depth(&b), 11);
    let a = post_json(c.addr(), &deletion(&erased_install, &["diagnostics"]));
    assert_eq!(a.status, 200, "{}", a.body);
    assert_eq!(
        queue_depth(&b),
        6,
        "the deletion request took its queued events along"
    );
    // The sweep of the day after the expiring event's last day.
    let today = candor_collector::minute::day_of(candor_collector::minute::now());
    let swept = b.open().sweep(today + 1).unwrap();
    assert_eq!(swept.removed, 1);
    assert_eq!(queue_depth(&b), 5);
    // Erased from the queue too, not only from the events: no file holds their ids.
    for id in &erased {
        let bytes: Vec<u8> = (0..16)
            .map(|i| u8::from_str_radix(&id[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(files_contain(&b.files(), &bytes), None, "{id}");
    }
    let server = Server::start_on(port);
    assert!(wait_until(Duration::from_secs(30), || {
        acknowledged(Vendor::PostHog, &server).len() >= 5
    }));
    c.stop();
    let got: BTreeSet<String> = acknowledged(Vendor::PostHog, &server).into_iter().collect();
    assert_eq!(got, kept.into_iter().collect::<BTreeSet<_>>());
}

#[test]
fn nothing_about_the_apps_connection_reaches_the_vendor() {
    let b = Backend::sqlite();
    let server = Server::start();
    let c = relay(&b, Vendor::Segment, &server.url_for(""));
    let id = new_id();
    let doc = batch(
        &[event(
            &id,
            "app.error_shown",
            1,
            &minute_from_now(0),
            r#"{"code":"E_SYNC_TIMEOUT","component":"sync","os_family":"linux"}"#,
        )],
        None,
    );
    let a = post(
        c.addr(),
        doc.as_bytes(),
        &Send {
            gzip: true,
            headers: &[
                ("X-Forwarded-For", "203.0.113.77"),
                ("User-Agent", "PhoneModel-ZX81 Build/SECRET"),
                ("Cookie", "session=cookie-SECRET"),
                ("Authorization", "Bearer token-SECRET"),
            ],
            from: Some("127.0.0.2".parse().unwrap()),
        },
    );
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(wait_until(Duration::from_secs(20), || {
        acknowledged(Vendor::Segment, &server).len() == 1
    }));
    c.stop();
    let r: Received = server.requests().remove(0);
    let mut everything = format!("{} {}\n", r.method, r.path).into_bytes();
    for (k, v) in &r.headers {
        everything.extend_from_slice(format!("{k}: {v}\n").as_bytes());
    }
    everything.extend_from_slice(&r.body);
    let text = String::from_utf8_lossy(&everything);
    for secret in [
        "127.0.0.2",
        "203.0.113.77",
        "PhoneModel",
        "SECRET",
        "X-Forwarded-For",
        "Cookie",
    ] {
        assert!(
            !text.contains(secret),
            "{secret} reached the vendor:\n{text}"
        );
    }
    assert_eq!(r.json["batch"][0]["context"]["ip"], "0.0.0.0");
    assert_eq!(
        r.json["batch"][0]["messageId"]
            .as_str()
            .unwrap()
            .replace('-', ""),
        id
    );
}

#[test]
fn refused_documents_leave_the_queue_and_are_counted() {
    let b = Backend::sqlite();
    let server = Server::start();
    // Segment refuses for good (400) and is never asked again.
    server.respond_with(|_| VendorAnswer::status(400));
    let mut store = b.open();
    let forwarder = candor_collector::Forwarder::spawn(Forwarding {
        queue: store.forwarding().unwrap(),
        sink: spec(Vendor::Segment, &server.url_for("")).sink().unwrap().0,
        options: options(),
    })
    .unwrap();
    let c = Collector::start(
        "127.0.0.1:0".parse().unwrap(),
        repo_schemas(),
        store,
        candor_collector::Limits::default(),
        SweepSchedule::Every(Duration::from_secs(3600)),
    )
    .unwrap();
    let evs: Vec<String> = (0..3)
        .map(|_| {
            event(
                &new_id(),
                "app.error_shown",
                1,
                &minute_from_now(0),
                r#"{"code":"E_SYNC_TIMEOUT","component":"sync","os_family":"linux"}"#,
            )
        })
        .collect();
    assert_eq!(post_json(c.addr(), &batch(&evs, None)).status, 200);
    assert!(wait_until(Duration::from_secs(20), || forwarder
        .stats()
        .refused
        == 3));
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(server.arrivals(), 1, "a refusal is not retried");
    assert_eq!(queue_depth(&b), 0);
    assert_eq!(forwarder.stats().forwarded, 0);
    forwarder.stop(Duration::from_secs(5));
    c.stop();
}

#[test]
fn forwarding_is_refused_when_it_cannot_work() {
    let local = "http://127.0.0.1:9";
    let missing_key = ForwardSpec {
        key: None,
        ..spec(Vendor::Segment, local)
    };
    assert!(missing_key
        .sink()
        .err()
        .unwrap()
        .contains("CANDOR_FORWARD_KEY"));
    let empty_key = ForwardSpec {
        key: Some(String::new()),
        ..spec(Vendor::Mixpanel, local)
    };
    assert!(empty_key.sink().is_err());
    let iglu_elsewhere = ForwardSpec {
        iglu_vendor: Some("com.example".into()),
        ..spec(Vendor::Segment, local)
    };
    assert!(iglu_elsewhere.sink().is_err());
    let key_for_otlp = ForwardSpec {
        key: Some("k".into()),
        ..spec(Vendor::Otlp, local)
    };
    assert!(key_for_otlp.sink().is_err());
    let clear_text = spec(Vendor::PostHog, "http://posthog.example.org");
    assert!(clear_text.sink().err().unwrap().contains("loopback"));
    let bad_header = ForwardSpec {
        headers: vec![("Content-Type".into(), "text/plain".into())],
        ..spec(Vendor::Otlp, local)
    };
    assert!(bad_header.sink().is_err());
    assert_eq!(
        candor_collector::forward::parse_headers("a=1, b = two ,").unwrap(),
        [("a".into(), "1".into()), ("b".into(), "two".into())]
    );
    assert!(candor_collector::forward::parse_headers("novalue").is_err());
}
