//! Derived events encode to JSON that the JSON Schema emitted by the compiler accepts, with
//! numbers coarsened and strings checked exactly as the YAML says.

use candor::{Consent, EncodeError, Event, EventEnum as _};
use candor_tests::wallet::{FeeLevel, Network, TransactionSigned};
use candor_tests::{crate_path, encode_fields, event_schema, wire_event};
use serde_json::json;
use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

#[derive(candor::EventEnum, Clone, Copy)]
enum Payment {
    Card,
    BankTransfer,
    Voucher,
}

#[derive(candor::EventEnum)]
enum Theme {
    Light,
    Dark,
}

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished", version = 3, schemas = "fixtures/ui")]
struct CheckoutFinished<'a> {
    express: bool,
    items: u16,
    step_delta: i8,
    load_ms: Duration,
    ratio: f32,
    payment: Payment,
    coupon_code: Option<&'a str>,
    theme: Theme,
    retries: Option<usize>,
}

/// The same event with string types for the `values` string and other integer widths.
#[derive(candor::Event)]
#[event(name = "shop.checkout_finished", schemas = "fixtures/ui")]
struct CheckoutFinishedOwned {
    express: bool,
    items: u64,
    step_delta: i64,
    load_ms: u32,
    ratio: f64,
    payment: Payment,
    coupon_code: Option<Arc<str>>,
    theme: Cow<'static, str>,
    retries: Option<u8>,
}

#[derive(candor::Event)]
#[event(name = "shop.page_viewed", schemas = "fixtures/ui")]
struct PageViewed {
    render_us: Duration,
    session_s: Option<Duration>,
    offset: isize,
    weight: Option<f64>,
    level: Option<u16>,
}

fn checkout(coupon: Option<&str>) -> CheckoutFinished<'_> {
    CheckoutFinished {
        express: true,
        items: 70,
        step_delta: -3,
        load_ms: Duration::from_micros(1_234_567),
        ratio: 0.25,
        payment: Payment::BankTransfer,
        coupon_code: coupon,
        theme: Theme::Dark,
        retries: Some(5),
    }
}

fn assert_valid<E: Event>(event: &E, folder: &str) -> serde_json::Value {
    let schema = event_schema(&crate_path(folder), E::NAME);
    let instance = wire_event(event).expect("encodes");
    let validator = jsonschema::validator_for(&schema).expect("the emitted schema compiles");
    let errors: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{instance} rejected by the schema of {}: {errors:?}",
        E::NAME
    );
    instance
}

#[test]
fn every_type_encodes_to_schema_valid_json() {
    let wire = assert_valid(&checkout(Some("SPRING24")), "fixtures/ui");
    assert_eq!(
        wire["fields"],
        json!({
            "express": true,
            "items": 50,          // clamped to `max: 50`
            "step_delta": -3,
            "load_ms": 1000,      // 1234 ms rounded down to the bucket 1000
            "ratio": 0.25,
            "payment": "bank_transfer",
            "coupon_code": "SPRING24",
            "theme": "dark",
            "retries": 3          // bucket [0, 1, 3, 10]
        })
    );
    assert_valid(&checkout(None), "fixtures/ui");

    let owned = CheckoutFinishedOwned {
        express: false,
        items: 3,
        step_delta: 99, // clamped to `max: 10`
        load_ms: 20_000,
        ratio: 3.5, // clamped to `max: 1.0`
        payment: Payment::Voucher,
        coupon_code: None,
        theme: Cow::Borrowed("light"),
        retries: None,
    };
    let wire = assert_valid(&owned, "fixtures/ui");
    assert_eq!(
        wire["fields"],
        json!({"express": false, "items": 3, "step_delta": 10, "load_ms": 10000,
               "ratio": 1.0, "payment": "voucher", "theme": "light"})
    );

    let page = PageViewed {
        render_us: Duration::from_millis(3),
        session_s: Some(Duration::from_secs(100_000)),
        offset: -77,
        weight: Some(1.7),
        level: Some(5),
    };
    let wire = assert_valid(&page, "fixtures/ui");
    assert_eq!(
        wire["fields"],
        json!({"render_us": 3000, "session_s": 86400, "offset": -77, "weight": 1.0, "level": 0})
    );
}

#[test]
fn the_readme_example_matches_the_real_wallet_schema() {
    let e = TransactionSigned {
        network: Network::Mainnet,
        confirm_ms: 840,
        hardware_wallet: None,
        fee_level: FeeLevel::Medium,
    };
    let wire = assert_valid(&e, "../schemas");
    assert_eq!(
        wire["fields"],
        json!({"network": "mainnet", "confirm_ms": 0, "fee_level": "medium"})
    );
    assert_eq!(TransactionSigned::NAME, "wallet.transaction_signed");
    assert_eq!(TransactionSigned::VERSION, 1);
    assert_eq!(TransactionSigned::CONSENT, Consent::Usage);
    assert_eq!(TransactionSigned::RETENTION_DAYS, 30);
}

#[test]
fn identity_comes_from_the_schema() {
    let schema = event_schema(&crate_path("fixtures/ui"), "shop.checkout_finished");
    assert_eq!(CheckoutFinished::NAME, "shop.checkout_finished");
    assert_eq!(CheckoutFinished::VERSION, 3);
    assert_eq!(CheckoutFinished::CONSENT, Consent::Performance);
    assert_eq!(CheckoutFinished::RETENTION_DAYS, 14);
    assert_eq!(
        schema["x-candor-fingerprint"].as_str(),
        Some(CheckoutFinished::FINGERPRINT)
    );
    assert_eq!(CheckoutFinished::FINGERPRINT.len(), 16);
    assert_eq!(Payment::VALUES, ["card", "bank_transfer", "voucher"]);
    assert_eq!(Payment::Card.value(), "card");
    assert!(matches!(
        Payment::from_value("bank_transfer"),
        Some(Payment::BankTransfer)
    ));
    assert!(Payment::from_value("cash").is_none());
}

#[test]
fn strings_are_checked_against_the_schema() {
    // Lowercase breaks `pattern: "[A-Z0-9]+"`; 13 chars break `max_len: 12`.
    for (bad, expected) in [
        (
            "spring24",
            EncodeError::PatternMismatch {
                field: "coupon_code".into(),
            },
        ),
        (
            "SPRING2024XYZ",
            EncodeError::TooLong {
                field: "coupon_code".into(),
            },
        ),
    ] {
        assert_eq!(encode_fields(&checkout(Some(bad))), Err(expected));
    }
    // A string field with `values` refuses anything else.
    let mut owned = CheckoutFinishedOwned {
        express: false,
        items: 0,
        step_delta: 0,
        load_ms: 0,
        ratio: 0.0,
        payment: Payment::Card,
        coupon_code: None,
        theme: Cow::Borrowed("sepia"),
        retries: None,
    };
    assert_eq!(
        encode_fields(&owned),
        Err(EncodeError::PatternMismatch {
            field: "theme".into()
        })
    );
    owned.theme = Cow::Borrowed("dark");
    assert!(encode_fields(&owned).is_ok());
}

#[derive(candor::Event)]
#[event(name = "shop.voucher_redeemed", schemas = "fixtures/ui")]
struct VoucherRedeemed<'a> {
    batch: &'a str,
    region: &'a str,
}

#[test]
fn patterns_the_walk_cannot_decide_go_to_the_regular_expression() {
    // `[A-Z]+[A-Z0-9]`: the greedy walk takes "AB" whole and then misses the last class, but
    // the pattern matches "AB"; `(eu|us)-[0-9]+` has no simple form.
    let ok = VoucherRedeemed {
        batch: "AB",
        region: "eu-1",
    };
    assert_valid(&ok, "fixtures/ui");
    for (batch, region, field) in [("ab", "eu-1", "batch"), ("AB", "asia-1", "region")] {
        assert_eq!(
            encode_fields(&VoucherRedeemed { batch, region }),
            Err(EncodeError::PatternMismatch {
                field: field.into()
            })
        );
    }
}

#[test]
fn non_finite_floats_are_refused_not_sent() {
    let mut page = PageViewed {
        render_us: Duration::ZERO,
        session_s: None,
        offset: 0,
        weight: Some(f64::NAN),
        level: None,
    };
    assert_eq!(
        encode_fields(&page),
        Err(EncodeError::NonFinite {
            field: "weight".into()
        })
    );
    page.weight = None;
    assert_eq!(
        encode_fields(&page).unwrap(),
        r#"{"render_us":0,"offset":0}"#
    );
}
