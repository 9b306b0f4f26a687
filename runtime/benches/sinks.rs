//! What delivering through a vendor sink costs next to delivering to a candor collector: one
//! iteration tracks `EVENTS` 5-field events through a real `candor::Client` and waits until
//! they are delivered to a server on 127.0.0.1 started here (`candor-testkit`, answering 200,
//! gunzipping what arrives gzip'd). The baseline is `HttpTransport`; each sink adds reading
//! the runtime's document, encoding it for the vendor (a bigger body: vendors want more keys
//! per event) and, for Snowplow, sending it uncompressed.
//!
//! ```text
//! cargo bench -p candor --features vendors --bench sinks
//! ```

use std::hint::black_box;
use std::time::Duration;

use candor::{
    Client, Config, Consent, HttpTransport, MixpanelTransport, OtlpTransport, Outcome,
    PostHogTransport, SegmentTransport, SnowplowTransport, Transport,
};
use candor_testkit::Server;
use criterion::{criterion_group, criterion_main, Criterion, SamplingMode, Throughput};

#[path = "support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

/// Ten default-sized batches (500 events each) per iteration.
const EVENTS: u64 = 5_000;

fn deliver(client: &Client) {
    let sent = client.counters().sent;
    let mut ev = SwapCompleted::SAMPLE;
    for i in 0..EVENTS {
        ev.duration_ms = i % 5000;
        while client.track(black_box(&ev)) == Outcome::QueueFull {
            std::thread::sleep(Duration::from_micros(100));
        }
    }
    let report = client.flush(Duration::from_secs(120));
    assert!(report.is_complete(), "undelivered: {report:?}");
    assert_eq!(
        client.counters().sent - sent,
        EVENTS,
        "every event delivered"
    );
}

fn sinks(c: &mut Criterion) {
    let server = Server::builder()
        .record(false)
        .start()
        .expect("bind 127.0.0.1");
    let base = server.url_for("");
    let transports: Vec<(&str, Box<dyn Transport>)> = vec![
        ("http", Box::new(HttpTransport::new(&server.url()).unwrap())),
        (
            "segment",
            Box::new(SegmentTransport::new(&base, "wk").unwrap()),
        ),
        (
            "mixpanel",
            Box::new(MixpanelTransport::new(&base, "tok").unwrap()),
        ),
        ("snowplow", Box::new(SnowplowTransport::new(&base).unwrap())),
        (
            "posthog",
            Box::new(PostHogTransport::new(&base, "phc").unwrap()),
        ),
        ("otlp", Box::new(OtlpTransport::new(&base).unwrap())),
    ];
    let mut g = c.benchmark_group("sinks");
    g.throughput(Throughput::Elements(EVENTS));
    g.sampling_mode(SamplingMode::Flat);
    g.sample_size(10);
    for (name, transport) in transports {
        let client = Client::start(Config::new("bench", "1.0.0"), transport).unwrap();
        assert!(
            client.set_consent(Consent::Usage, true),
            "DO_NOT_TRACK is set"
        );
        g.bench_function(format!("deliver_5000/{name}"), |b| {
            b.iter(|| deliver(&client))
        });
        client.shutdown(Duration::from_secs(5));
    }
    g.finish();
}

criterion_group!(benches, sinks);
criterion_main!(benches);
