//! Caller-thread cost of recording one 5-field event, measured in one run:
//!
//! - `candor`: `Client::track` with consent on (encode + checks + secret
//!   scan + enqueue; the sender thread batches and hands bodies to a
//!   discarding transport).
//! - `opentelemetry_sdk`: a log record with the same event name and five
//!   attributes emitted through `SdkLoggerProvider` with the batch log
//!   processor and a discarding exporter.
//! - `glean`: `EventMetric::record` with five extras, Glean initialised with
//!   upload enabled and a discarding uploader (no network).
//!
//! And a counter add (`counter_add/…`): candor's `Counter::add` (a `static` from
//! `#[derive(Metrics)]`, consent on and off), OpenTelemetry's `Counter<u64>::add` (no
//! attributes, `SdkMeterProvider` with the periodic reader and a discarding exporter), Glean's `CounterMetric::add`
//! (drained in chunks like its events).
//!
//! Each sample tracks events in chunks of 1 000 (timed), then drains the
//! library's queue (untimed: candor `flush`, OTel `force_flush`, Glean a
//! `test_get_value` that blocks on its dispatcher) so that every timed call
//! takes the library's normal enqueue path rather than a full-queue path.

use std::collections::HashMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

use candor::transport::{Request, Response, Transport, TransportError};
use candor::{Client, Config, Consent, Counter, Metrics, Outcome};
use criterion::{criterion_group, criterion_main, Criterion};
use glean::TestGetValue as _;
use opentelemetry::logs::{LogRecord as _, Logger as _, LoggerProvider as _, Severity};
use opentelemetry::metrics::MeterProvider as _;
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::logs::{LogBatch, LogExporter, SdkLoggerProvider};
use opentelemetry_sdk::metrics::data::ResourceMetrics;
use opentelemetry_sdk::metrics::exporter::PushMetricExporter;
use opentelemetry_sdk::metrics::{SdkMeterProvider, Temporality};

const CHUNK: u64 = 1_000;

// ---------------------------------------------------------------- candor

struct Discard;

impl Transport for Discard {
    fn send(&mut self, r: &Request<'_>) -> Result<Response, TransportError> {
        black_box(r.json.len());
        Ok(Response::new(200))
    }
}

#[path = "../../../runtime/benches/support/swap_completed.rs"]
mod swap_completed;
use swap_completed::SwapCompleted;

const EVENT: SwapCompleted = SwapCompleted::SAMPLE;

/// `node.blocks_synced` from the repository's `schemas/sync/node.yaml`.
#[derive(Metrics)]
#[metrics(namespace = "node", schemas = "../../schemas")]
struct Node {
    blocks_synced: Counter,
}

static NODE_ON: Node = Node::new();
static NODE_OFF: Node = Node::new();

// ------------------------------------------------------- opentelemetry_sdk

#[derive(Debug)]
struct NullExporter;

impl LogExporter for NullExporter {
    fn export(
        &self,
        batch: LogBatch<'_>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        black_box(&batch);
        std::future::ready(Ok(()))
    }
}

/// Discards exported metrics (the periodic reader exports once a minute, never during a
/// sample of a few seconds).
#[derive(Debug)]
struct NullMetricExporter;

impl PushMetricExporter for NullMetricExporter {
    fn export(
        &self,
        metrics: &ResourceMetrics,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        black_box(metrics);
        std::future::ready(Ok(()))
    }

    fn force_flush(&self) -> OTelSdkResult {
        Ok(())
    }

    fn shutdown_with_timeout(&self, _: Duration) -> OTelSdkResult {
        Ok(())
    }

    fn temporality(&self) -> Temporality {
        Temporality::Delta
    }
}

// ------------------------------------------------------------------ glean

struct SwapExtras {
    network: Option<String>,
    asset: Option<String>,
    amount_usd: Option<u64>,
    duration_ms: Option<u64>,
    error_code: Option<String>,
}

impl glean::traits::ExtraKeys for SwapExtras {
    const ALLOWED_KEYS: &'static [&'static str] = &[
        "network",
        "asset",
        "amount_usd",
        "duration_ms",
        "error_code",
    ];

    fn into_ffi_extra(self) -> HashMap<String, String> {
        let mut map = HashMap::new();
        self.network
            .and_then(|v| map.insert("network".to_string(), v));
        self.asset.and_then(|v| map.insert("asset".to_string(), v));
        self.amount_usd
            .and_then(|v| map.insert("amount_usd".to_string(), v.to_string()));
        self.duration_ms
            .and_then(|v| map.insert("duration_ms".to_string(), v.to_string()));
        self.error_code
            .and_then(|v| map.insert("error_code".to_string(), v));
        map
    }
}

#[derive(Debug)]
struct DiscardUploader;

impl glean::net::PingUploader for DiscardUploader {
    fn upload(&self, request: glean::net::CapablePingUploadRequest) -> glean::net::UploadResult {
        black_box(request);
        glean::net::UploadResult::http_status(200)
    }
}

/// Glean is initialised once per process, for both groups; its data folder is returned.
fn glean_started() -> std::path::PathBuf {
    static DATA: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
    DATA.get_or_init(|| {
        let data = std::env::temp_dir().join(format!("candor-peer-glean-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data);
        let gcfg = glean::ConfigurationBuilder::new(true, data.clone(), "candor.peer.bench")
            .with_server_endpoint("http://127.0.0.1:9")
            .with_uploader(DiscardUploader)
            .build();
        glean::initialize(gcfg, glean::ClientInfoMetrics::unknown());
        data
    })
    .clone()
}

// ------------------------------------------------------------------ bench

fn chunked(iters: u64, mut record: impl FnMut(), mut drain: impl FnMut()) -> Duration {
    let mut timed = Duration::ZERO;
    let mut left = iters;
    while left > 0 {
        let n = left.min(CHUNK);
        let start = Instant::now();
        for _ in 0..n {
            record();
        }
        timed += start.elapsed();
        drain();
        left -= n;
    }
    timed
}

fn peers(c: &mut Criterion) {
    let mut group = c.benchmark_group("record_5_field_event");

    let mut cfg = Config::new("bench", "1.0.0");
    cfg.queue_max_events = 20_000;
    let candor = Client::start(cfg, Discard).expect("candor client");
    candor.set_consent(Consent::Usage, true);
    group.bench_function("candor_track", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || assert_eq!(candor.track(black_box(&EVENT)), Outcome::Queued),
                || {
                    candor.flush(Duration::from_secs(30));
                },
            )
        })
    });

    let provider = SdkLoggerProvider::builder()
        .with_batch_exporter(NullExporter)
        .build();
    let logger = provider.logger("bench");
    group.bench_function("opentelemetry_sdk_batch_log_emit", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    let mut r = logger.create_log_record();
                    r.set_event_name("wallet.swap_completed");
                    r.set_severity_number(Severity::Info);
                    r.add_attribute("network", black_box("ethereum"));
                    r.add_attribute("asset", black_box("usdc"));
                    r.add_attribute("amount_usd", black_box(100i64));
                    r.add_attribute("duration_ms", black_box(1830i64));
                    r.add_attribute("error_code", black_box("E_TIMEOUT"));
                    logger.emit(r);
                },
                || {
                    let _ = provider.force_flush();
                },
            )
        })
    });

    glean_started();
    let metric = glean::private::EventMetric::<SwapExtras>::new(glean::CommonMetricData {
        category: "wallet".into(),
        name: "swap_completed".into(),
        send_in_pings: vec!["events".into()],
        ..Default::default()
    });
    // Blocks until Glean's dispatcher has processed everything queued.
    let _ = metric.test_get_value(None);
    group.bench_function("glean_event_record", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || {
                    metric.record(SwapExtras {
                        network: Some(black_box("ethereum").to_string()),
                        asset: Some(black_box("usdc").to_string()),
                        amount_usd: Some(black_box(100)),
                        duration_ms: Some(black_box(1830)),
                        error_code: Some(black_box("E_TIMEOUT").to_string()),
                    })
                },
                || {
                    let _ = metric.test_get_value(None);
                },
            )
        })
    });
    group.finish();
    candor.shutdown(Duration::from_secs(5));
    let _ = provider.shutdown();
}

fn counters(c: &mut Criterion) {
    let mut group = c.benchmark_group("counter_add");

    let candor = Client::start(Config::new("bench", "1.0.0"), Discard).expect("candor client");
    candor.register_metrics(&NODE_ON);
    candor.set_consent(Consent::Performance, true);
    let off = Client::start(Config::new("bench-off", "1.0.0"), Discard).expect("candor client");
    off.register_metrics(&NODE_OFF);
    group.bench_function("candor_counter_add/consent_on", |b| {
        b.iter(|| NODE_ON.blocks_synced.add(black_box(1)))
    });
    group.bench_function("candor_counter_add/consent_off", |b| {
        b.iter(|| NODE_OFF.blocks_synced.add(black_box(1)))
    });

    let provider = SdkMeterProvider::builder()
        .with_periodic_exporter(NullMetricExporter)
        .build();
    let meter = provider.meter("bench");
    let counter = meter.u64_counter("node.blocks_synced").build();
    group.bench_function("opentelemetry_sdk_counter_add", |b| {
        b.iter(|| counter.add(black_box(1), &[]))
    });

    let data = glean_started();
    let glean_counter = glean::private::CounterMetric::new(glean::CommonMetricData {
        category: "node".into(),
        name: "blocks_synced".into(),
        send_in_pings: vec!["metrics".into()],
        ..Default::default()
    });
    let _ = glean_counter.test_get_value(None);
    group.bench_function("glean_counter_add", |b| {
        b.iter_custom(|iters| {
            chunked(
                iters,
                || glean_counter.add(black_box(1)),
                || {
                    let _ = glean_counter.test_get_value(None);
                },
            )
        })
    });
    group.finish();
    candor.shutdown(Duration::from_secs(5));
    off.shutdown(Duration::from_secs(5));
    let _ = provider.shutdown();
    glean::shutdown();
    let _ = std::fs::remove_dir_all(&data);
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(5));
    targets = peers, counters
}
criterion_main!(benches);
