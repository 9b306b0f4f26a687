//! What a sink pays per batch: reading a full runtime batch (500 five-field events, the
//! default batch size) and encoding it for each vendor.
//!
//! ```text
//! cargo bench -p candor-interop --bench encode
//! ```

use std::hint::black_box;

use candor_interop::{Batch, Encoder, Mixpanel, Otlp, PostHog, Segment, Snowplow};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

/// A batch shaped like the runtime's: 500 events of the README's swap/sign events, with an
/// installation id.
fn batch_doc() -> Vec<u8> {
    let mut doc = String::from(
        r#"{"format":"candor.batch/1","app":{"name":"wallet","version":"2.14.1","os":"linux"},"install_id":"5a0e1f2d3c4b5a69788796a5b4c3d2e1","sent_at":"2026-11-22T12:34Z","events":["#,
    );
    for i in 0..500u32 {
        if i > 0 {
            doc.push(',');
        }
        doc.push_str(&format!(
            r#"{{"id":"{:032x}","name":"wallet.swap_completed","version":2,"time":"2026-11-22T12:33Z","fields":{{"network":"mainnet","route":"aggregator","amount_usd":{},"slippage":0.5,"hardware_wallet":{}}}}}"#,
            u128::from(i) * 0x9e37_79b9_7f4a_7c15,
            (i % 7) * 100,
            i % 2 == 0
        ));
    }
    doc.push_str("]}");
    doc.into_bytes()
}

fn encode(c: &mut Criterion) {
    let doc = batch_doc();
    let mut g = c.benchmark_group("interop");
    g.throughput(Throughput::Elements(500));
    g.bench_function("read_500", |b| {
        b.iter(|| Batch::read(black_box(&doc)).unwrap().events.len())
    });
    let batch = Batch::read(&doc).unwrap();
    let encoders: Vec<(&str, Box<dyn Encoder>)> = vec![
        ("segment", Box::new(Segment::new("wk"))),
        ("mixpanel", Box::new(Mixpanel::new("tok"))),
        ("snowplow", Box::new(Snowplow::new())),
        ("posthog", Box::new(PostHog::new("phc"))),
        ("otlp", Box::new(Otlp::new())),
    ];
    for (name, enc) in &encoders {
        g.bench_function(format!("encode_500/{name}"), |b| {
            b.iter(|| enc.encode(black_box(&batch)).requests.len())
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = encode
}
criterion_main!(benches);
