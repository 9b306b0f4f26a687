//! Schema expiry kept at run time: with the runtime's clock fixed past an event's `expires`
//! date, `track()` records nothing and counts `dropped.schema_expired`; on the date itself the
//! event is still collected. Nothing reads the system clock here.

use std::time::Duration;

use candor::{Client, Clock, Consent, EncodeError, Event, EventMeta, FieldWriter, Outcome};

use crate::support::{fast_config, http, Clicked, Delivered, Server};

/// 2027-06-30 as a day number (days since 1970-01-01).
const EXPIRES_DAY: u32 = 20_999;
const MINUTES_PER_DAY: u32 = 1_440;

/// An event whose schema says `expires: 2027-06-30`, as the derive writes it.
struct Ending {
    n: u64,
}

impl Event for Ending {
    const META: EventMeta = EventMeta {
        name: "app.ending_feature_used",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        fingerprint: "00112233445566ff",
        expires_day: EXPIRES_DAY,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.u64("n", self.n);
        w.end();
        Ok(())
    }
}

fn client_at(minute: u32, server: &Server) -> Client {
    let mut cfg = fast_config();
    cfg.clock = Clock::fixed(minute);
    let client = Client::start(cfg, http(&server.url())).unwrap();
    assert!(client.set_consent(Consent::Usage, true));
    client
}

#[test]
fn an_event_past_its_expiry_is_not_sent_and_is_counted() {
    let server = Server::start();
    // The first minute of 2027-07-01, the day after `expires`.
    let client = client_at((EXPIRES_DAY + 1) * MINUTES_PER_DAY, &server);
    for n in 0..5 {
        assert_eq!(client.track(&Ending { n }), Outcome::SchemaExpired);
    }
    // An event that never expires still goes through the same client and server.
    assert_eq!(
        client.track(&Clicked {
            button: "save",
            count: 1,
            seq: 7
        }),
        Outcome::Queued
    );
    assert!(client.flush(Duration::from_secs(10)).is_complete());

    let names: Vec<String> = server
        .delivered_events()
        .iter()
        .map(|e| e["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        names,
        ["app.button_clicked"],
        "the expired event never left"
    );
    let c = client.counters();
    assert_eq!(c.dropped.schema_expired, 5);
    assert_eq!((c.tracked, c.sent, c.pending), (1, 1, 0));
    // Refusals before the queue stay outside the accounting identity.
    assert_eq!(
        c.tracked + c.loaded,
        c.sent + c.dropped.after_acceptance() + c.pending
    );
    assert_eq!(c.dropped.before_queue(), 5);
    client.shutdown(Duration::from_secs(2));
}

#[test]
fn an_event_is_collected_through_its_whole_expiry_day() {
    let server = Server::start();
    // 2027-06-30T23:59Z, the last minute of the expiry date.
    let client = client_at((EXPIRES_DAY + 1) * MINUTES_PER_DAY - 1, &server);
    assert_eq!(client.track(&Ending { n: 1 }), Outcome::Queued);
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    let events = server.delivered_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["name"], "app.ending_feature_used");
    assert_eq!(events[0]["time"], "2027-06-30T23:59Z");
    assert_eq!(client.counters().dropped.schema_expired, 0);
    client.shutdown(Duration::from_secs(2));
}

#[test]
fn the_shared_check_is_the_day_after_the_date() {
    let m = Ending::META;
    assert!(!m.expired_at(EXPIRES_DAY * MINUTES_PER_DAY));
    assert!(!m.expired_at((EXPIRES_DAY + 1) * MINUTES_PER_DAY - 1));
    assert!(m.expired_at((EXPIRES_DAY + 1) * MINUTES_PER_DAY));
    assert!(!Clicked::META.expired_at(u32::MAX), "`never` never expires");
}

/// A counter whose schema says `expires: 2027-06-30`, as `#[derive(Metrics)]` writes it.
struct EndingMetrics {
    uses: candor::Counter,
}

impl candor::Metrics for EndingMetrics {
    fn cells(&'static self) -> Vec<&'static dyn candor::metrics::MetricCell> {
        vec![&self.uses]
    }
}

static ENDING_METRICS: EndingMetrics = EndingMetrics {
    uses: candor::Counter::new(candor::metrics::MetricMeta {
        name: "app.ending_feature_uses",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        expires_day: EXPIRES_DAY,
        fingerprint: "00112233445566fe",
        shape: candor::metrics::MetricShape::Counter,
    }),
};

#[test]
fn a_metric_past_its_expiry_records_nothing_and_each_attempt_is_counted() {
    let server = Server::start();
    let client = client_at((EXPIRES_DAY + 1) * MINUTES_PER_DAY, &server);
    client.register_metrics(&ENDING_METRICS);
    for _ in 0..3 {
        ENDING_METRICS.uses.inc();
    }
    ENDING_METRICS.uses.add(10);
    assert!(client.flush(Duration::from_secs(10)).is_complete());
    assert!(
        server
            .requests()
            .iter()
            .all(|r| r.json["format"] != "candor.metrics/1"),
        "an expired metric sends no document"
    );
    let c = client.counters();
    assert_eq!(c.dropped.schema_expired, 4, "one per refused recording");
    assert_eq!(client.counters().dropped.schema_expired, 4, "counted once");
    // Without consent the metric is closed, not expired: nothing is counted.
    client.set_consent(Consent::Usage, false);
    ENDING_METRICS.uses.inc();
    assert_eq!(client.counters().dropped.schema_expired, 4);
    client.shutdown(Duration::from_secs(2));
}
