//! `candor report` on a store of 300,000 events (ten days, 2,000 installations, the example
//! schemas' events): reading the store one event at a time, tallying contributors per cell,
//! applying the floor, and rendering HTML, JSON and CSV.
//!
//! `cargo bench -p candor-collector --bench report -- --warm-up-time 1 --measurement-time 3`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::Duration;

use candor_collector::report::{self, Options};
use candor_collector::validate::{self, Now};
use candor_collector::{minute, wire};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use support::{new_id, repo_schemas, Backend};

const EVENTS: usize = 300_000;
const INSTALLS: usize = 2_000;

fn fields(i: usize) -> (&'static str, String) {
    match i % 3 {
        0 => (
            "node.sync_finished",
            format!(
                r#"{{"duration_ms":{},"blocks":{},"peers":{},"cpu_share":0.5}}"#,
                1000 * (i % 60),
                i % 5000,
                i % 40
            ),
        ),
        1 => (
            "wallet.transaction_signed",
            format!(
                r#"{{"network":"{}","confirm_ms":1000,"hardware_wallet":true,"fee_level":"medium"}}"#,
                ["mainnet", "testnet", "other"][i % 3]
            ),
        ),
        _ => (
            "app.error_shown",
            format!(
                r#"{{"code":"{}","component":"network","os_family":"linux"}}"#,
                ["RPC_TIMEOUT", "DISK_FULL", "E1"][i % 3]
            ),
        ),
    }
}

fn bench(c: &mut Criterion) {
    let schemas = repo_schemas();
    let reg = candor_schema::compile_dir(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas"),
        &candor_schema::Options::default(),
    )
    .unwrap()
    .registry
    .unwrap();
    let backend = Backend::sqlite();
    let mut store = backend.open();
    let now = minute::now();
    let first = minute::day_of(now) * 1440 - 10 * 1440;
    // One batch per installation and day, written through the collector's own checks.
    let per_batch = EVENTS / (INSTALLS * 10);
    let mut i = 0;
    for day in 0..10 {
        let mut checked = Vec::new();
        for install in 0..INSTALLS {
            let t = minute::format(first + day * 1440 + (install % 1400) as i64);
            let events: Vec<String> = (0..per_batch)
                .map(|_| {
                    i += 1;
                    let (name, f) = fields(i);
                    support::event(&new_id(), name, 1, &t, &f)
                })
                .collect();
            let doc = support::batch(&events, Some(&format!("{install:032x}")));
            let wire::Document::Batch(b) = wire::parse(doc.as_bytes()).unwrap() else {
                unreachable!()
            };
            let ch = validate::check(
                &schemas,
                &b,
                Now {
                    minute: now,
                    skew_minutes: 10,
                },
            );
            assert!(ch.refused.is_empty(), "{:?}", ch.refused);
            checked.push(ch);
        }
        let refs: Vec<&validate::Checked> = checked.iter().collect();
        store.write(&schemas, &refs).unwrap();
    }
    let mut g = c.benchmark_group("report");
    g.throughput(Throughput::Elements(EVENTS as u64));
    g.sample_size(10);
    g.measurement_time(Duration::from_secs(20));
    g.bench_function("build_and_render_300k_sqlite", |b| {
        b.iter(|| {
            let r = report::build(&reg, store.as_mut(), &Options::default()).unwrap();
            let html = report::html::render(&r);
            let json = report::json::render(&r);
            let csv = report::csv::render(&r);
            html.len() + json.len() + csv.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
