//! Encoding a five-field derived event against `serde_json` on an equivalent
//! `#[derive(Serialize)]` struct, in the same run. Figures: docs/benchmarks.md, `## Derive`.
//!
//! The candor side does more work than serde: it coarsens `load_ms` into its bucket, clamps
//! `items` and checks the string against its pattern, length and the secret scanner.

use criterion::{criterion_group, criterion_main, Criterion};
use serde::Serialize;
use std::hint::black_box;

#[derive(candor::EventEnum, Serialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum Payment {
    Card,
    BankTransfer,
    Voucher,
}

#[derive(candor::Event)]
#[event(name = "shop.cart_updated", schemas = "fixtures/ui")]
struct CartUpdated {
    express: bool,
    items: u32,
    load_ms: u64,
    payment: Payment,
    coupon_code: Option<String>,
}

#[derive(Serialize)]
struct CartUpdatedSerde {
    express: bool,
    items: u32,
    load_ms: u64,
    payment: Payment,
    #[serde(skip_serializing_if = "Option::is_none")]
    coupon_code: Option<String>,
}

fn encode(c: &mut Criterion) {
    let payments = [Payment::Card, Payment::BankTransfer, Payment::Voucher];
    for (label, coupon) in [("with_string", Some("SPRING24")), ("no_string", None)] {
        let candor_event = CartUpdated {
            express: true,
            items: 7,
            load_ms: 1234,
            payment: payments[1],
            coupon_code: coupon.map(String::from),
        };
        let serde_event = CartUpdatedSerde {
            express: true,
            items: 7,
            load_ms: 1000,
            payment: payments[1],
            coupon_code: coupon.map(String::from),
        };
        // Same output, so the comparison is like for like.
        let mut ours = Vec::new();
        candor::Event::encode_fields(&candor_event, &mut candor::FieldWriter::new(&mut ours))
            .unwrap();
        let theirs = serde_json::to_vec(&serde_event).unwrap();
        assert_eq!(ours, theirs, "both encoders must produce the same bytes");
        let mut group = c.benchmark_group(format!("encode_5_fields/{label}"));
        // A new buffer per event, sized like serde_json::to_vec sizes its own.
        group.bench_function("candor_derive_new_vec", |b| {
            b.iter(|| {
                let mut buf = Vec::with_capacity(128);
                candor::Event::encode_fields(
                    black_box(&candor_event),
                    &mut candor::FieldWriter::new(&mut buf),
                )
                .unwrap();
                buf
            })
        });
        group.bench_function("serde_json_to_vec", |b| {
            b.iter(|| serde_json::to_vec(black_box(&serde_event)).unwrap())
        });
        let mut buf = Vec::with_capacity(256);
        group.bench_function("candor_derive_reused_buf", |b| {
            b.iter(|| {
                buf.clear();
                candor::Event::encode_fields(
                    black_box(&candor_event),
                    &mut candor::FieldWriter::new(&mut buf),
                )
                .unwrap();
                buf.len()
            })
        });
        let mut buf = Vec::with_capacity(256);
        group.bench_function("serde_json_to_writer_reused_buf", |b| {
            b.iter(|| {
                buf.clear();
                serde_json::to_writer(&mut buf, black_box(&serde_event)).unwrap();
                buf.len()
            })
        });
        group.finish();
    }
}

criterion_group!(benches, encode);
criterion_main!(benches);
