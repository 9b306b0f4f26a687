//! What the derives write into generated code, against the originals: `EventMeta` against the
//! compiler's registry, the enum fingerprints against `candor_core::fingerprint`, and the
//! `PatternStep` tables, value lists and bucket bounds — which generated code holds as
//! constants — against the patterns, values and buckets of the schema, by what they accept.

use candor::{Event, EventEnum};
use candor_core::coarsen::bucket_u64;
use candor_core::fingerprint::values_fingerprint;
use candor_schema::ir::{FieldType, Registry};
use candor_tests::{crate_path, encode_fields};
use proptest::prelude::*;
use std::sync::OnceLock;

#[derive(candor::EventEnum, Clone, Copy, Debug)]
pub(crate) enum Payment {
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

#[derive(candor::Event)]
#[event(name = "shop.voucher_redeemed", schemas = "fixtures/ui")]
struct VoucherRedeemed {
    batch: String,
    region: String,
}

#[derive(candor::Event)]
#[event(name = "shop.checkout_finished", schemas = "fixtures/ui")]
struct CheckoutFinished {
    express: bool,
    items: u8,
    step_delta: i8,
    load_ms: u32,
    ratio: f64,
    payment: Payment,
    coupon_code: Option<String>,
    theme: String,
    retries: Option<u64>,
}

fn compile(dir: &str) -> Registry {
    let c = candor_schema::compile_dir(&crate_path(dir), &Default::default()).expect("readable");
    c.registry.expect("the folder compiles")
}

/// The registry of `fixtures/ui`, which the events below are derived against.
fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(|| compile("fixtures/ui"))
}

fn field(event: &str, name: &str) -> &'static FieldType {
    &registry()
        .event(event)
        .and_then(|e| e.field(name))
        .unwrap_or_else(|| panic!("{event}.{name}"))
        .ty
}

fn meta_is_the_registrys<E: Event>(registry: &Registry) {
    let event = registry.event(E::NAME).expect("the derive found it");
    let meta = E::META;
    assert_eq!(meta.name, event.full_name);
    assert_eq!(meta.version, event.version);
    assert_eq!(meta.consent, event.consent);
    assert_eq!(meta.retention_days, event.retention_days);
    assert_eq!(meta.fingerprint, event.fingerprint);
    assert!(candor_core::fingerprint::is_hex(meta.fingerprint));
    let expires_day = match &event.expires {
        candor_schema::ir::Expiry::On { date } => candor_core::date::expiry_day(*date),
        candor_schema::ir::Expiry::Never { .. } => candor::EventMeta::NEVER_EXPIRES,
    };
    assert_eq!(meta.expires_day, expires_day);
}

#[test]
fn event_meta_is_the_registrys() {
    meta_is_the_registrys::<CartUpdated>(registry());
    meta_is_the_registrys::<VoucherRedeemed>(registry());
    meta_is_the_registrys::<CheckoutFinished>(registry());
    meta_is_the_registrys::<candor_tests::wallet::TransactionSigned>(&compile("../schemas"));
}

#[test]
fn enum_fingerprints_are_cores_over_the_yaml_values() {
    let FieldType::Enum { values } = field("shop.cart_updated", "payment") else {
        panic!("payment is an enum");
    };
    assert_eq!(
        Payment::VALUES_FINGERPRINT,
        values_fingerprint(values.iter().map(String::as_str))
    );
    assert_eq!(
        Payment::VALUES_FINGERPRINT,
        values_fingerprint(Payment::VALUES.iter().copied())
    );
    for v in Payment::VALUES {
        assert_eq!(Payment::from_value(v).map(|p| p.value()), Some(*v));
    }
}

fn pattern_of(event: &str, name: &str) -> (candor_core::pattern::Regex, usize) {
    match field(event, name) {
        FieldType::String {
            pattern: Some(p),
            max_len: Some(n),
            ..
        } => (
            candor_core::pattern::compile(p).expect("valid"),
            *n as usize,
        ),
        other => panic!("{event}.{name} is {other:?}"),
    }
}

/// What the runtime must decide for a value of a patterned field, by the original rule.
fn expected(regex: &candor_core::pattern::Regex, max_len: usize, v: &str) -> bool {
    v.chars().count() <= max_len && regex.is_match(v)
}

fn accepted<E: Event>(event: &E, field: &str) -> Option<bool> {
    match encode_fields(event) {
        Ok(_) => Some(true),
        Err(
            candor::EncodeError::PatternMismatch { field: f }
            | candor::EncodeError::TooLong { field: f },
        ) if f == field => Some(false),
        // The secret scanner is another rule; values it stops say nothing about patterns.
        Err(candor::EncodeError::SecretDetected { .. }) => None,
        Err(e) => panic!("{e}"),
    }
}

proptest! {
    /// `[A-Z0-9]+` is decided by the generated step table alone (an exact walk): it must
    /// accept exactly what the pattern accepts.
    #[test]
    fn an_exact_step_table_accepts_what_the_pattern_accepts(code in "[A-Z0-9a-z_-]{0,14}") {
        let (re, max) = pattern_of("shop.cart_updated", "coupon_code");
        let e = CartUpdated { express: true, items: 1, load_ms: 5, payment: Payment::Card, coupon_code: Some(code.clone()) };
        if let Some(ok) = accepted(&e, "coupon_code") {
            prop_assert_eq!(ok, expected(&re, max, &code), "{:?}", code);
        }
    }

    /// `[A-Z]+[A-Z0-9]` (an inexact walk, the regex decides what it does not prove) and
    /// `(eu|us)-[0-9]+` (a regex only).
    #[test]
    fn inexact_tables_and_regexes_accept_what_the_patterns_accept(
        batch in "[A-Z0-9a]{0,18}",
        region in "(eu|us|as|EU)?-?[0-9]{0,3}x?",
    ) {
        let (batch_re, batch_max) = pattern_of("shop.voucher_redeemed", "batch");
        let (region_re, region_max) = pattern_of("shop.voucher_redeemed", "region");
        let ok_batch = expected(&batch_re, batch_max, &batch);
        let ok_region = expected(&region_re, region_max, &region);
        let e = VoucherRedeemed { batch: batch.clone(), region: region.clone() };
        let verdict = if !ok_batch { accepted(&e, "batch") } else { accepted(&e, "region") };
        if let Some(ok) = verdict {
            prop_assert_eq!(ok, ok_batch && ok_region, "{:?} {:?}", batch, region);
        }
    }

    /// The bucket bounds written into generated code are the schema's, applied by core's rule.
    #[test]
    fn generated_buckets_are_the_schemas(ms in any::<u64>()) {
        let FieldType::Duration { buckets: Some(bounds), .. } = field("shop.cart_updated", "load_ms") else {
            panic!("load_ms is a bucketed duration");
        };
        let e = CartUpdated { express: false, items: 0, load_ms: ms, payment: Payment::Voucher, coupon_code: None };
        let json: serde_json::Value = serde_json::from_str(&encode_fields(&e).unwrap()).unwrap();
        prop_assert_eq!(json["load_ms"].as_u64(), Some(bucket_u64(ms, bounds)));
    }

    /// The `values` list written into generated code is the schema's.
    #[test]
    fn generated_value_lists_are_the_schemas(theme in "[a-z]{0,6}") {
        let FieldType::String { values: Some(values), .. } = field("shop.checkout_finished", "theme") else {
            panic!("theme is a string with values");
        };
        let e = CheckoutFinished {
            express: false, items: 0, step_delta: 0, load_ms: 0, ratio: 0.5,
            payment: Payment::Card, coupon_code: None, theme: theme.clone(), retries: None,
        };
        if let Some(ok) = accepted(&e, "theme") {
            prop_assert_eq!(ok, values.contains(&theme), "{:?}", theme);
        }
    }
}
