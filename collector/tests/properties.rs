//! Properties of reading and checking, over generated inputs: refusals never repeat what was
//! sent (batches and metrics documents), every value a schema allows is accepted (and stored in one spelling that reads back
//! as the same values) and values outside it are refused for the right reason, and wire
//! minutes round-trip.

mod support;

use candor_collector::validate::{check_fields, Reason};
use candor_collector::{minute, wire};
use proptest::prelude::*;
use serde_json::{json, Value};

const ID: &str = "9f1c0a6b2d4e48f1a3b5c7d9e0f21436";

/// A batch whose every value is a slot `{0}`…`{9}` (JSON text, quotes included where needed).
fn template(slots: &[String; 10]) -> String {
    format!(
        r#"{{"format":{},"app":{{"name":{},"version":{},"os":{}}},"install_id":{},"sent_at":{},"events":[{{"id":{},"name":{},"version":{},"time":{},"fields":{{}}}}]}}"#,
        slots[0],
        slots[1],
        slots[2],
        slots[3],
        slots[4],
        slots[5],
        slots[6],
        slots[7],
        slots[8],
        slots[9]
    )
}

fn valid_slots() -> [String; 10] {
    [
        "\"candor.batch/1\"",
        "\"app\"",
        "\"1.0\"",
        "\"linux\"",
        &format!("\"{ID}\""),
        "\"2026-11-22T12:34Z\"",
        &format!("\"{ID}\""),
        "\"a.b\"",
        "1",
        "\"2026-11-22T12:33Z\"",
    ]
    .map(|s| s.to_string())
}

/// A metrics document whose every value is a slot `{0}`…`{14}`.
fn metrics_template(slots: &[String; 15]) -> String {
    format!(
        r#"{{"format":{},"id":{},"app":{{"name":{},"version":{},"os":"linux"}},"consent":{},"start":{},"end":{},"sent_at":"2026-11-22T12:34Z","metrics":[{{"name":{},"version":{},"type":"counter","value":{}}},{{"name":"a.c","version":1,"type":"labeled_counter","values":{{{}:{}}}}},{{"name":"a.d","version":1,"type":{},"unit":{},"buckets":[0,{}],"counts":[1,2],"sum":3}}]}}"#,
        slots[0],
        slots[1],
        slots[2],
        slots[3],
        slots[4],
        slots[5],
        slots[6],
        slots[7],
        slots[8],
        slots[9],
        slots[10],
        slots[11],
        slots[12],
        slots[13],
        slots[14]
    )
}

fn valid_metrics_slots() -> [String; 15] {
    [
        "\"candor.metrics/1\"",
        &format!("\"{ID}\""),
        "\"app\"",
        "\"1.0\"",
        "\"performance\"",
        "\"2026-11-22T12:00Z\"",
        "\"2026-11-22T12:34Z\"",
        "\"a.b\"",
        "1",
        "7",
        "\"timeout\"",
        "3",
        "\"distribution\"",
        "\"ms\"",
        "100",
    ]
    .map(|s| s.to_string())
}

#[test]
fn the_metrics_template_is_a_document() {
    let body = metrics_template(&valid_metrics_slots());
    assert!(matches!(
        wire::parse(body.as_bytes()),
        Ok(wire::Document::Metrics(_))
    ));
}

proptest! {
    #[test]
    fn metrics_wire_refusals_never_repeat_a_value(
        slot in 0usize..15,
        marker in "[a-z0-9]{6,12}",
        shape in 0usize..7,
    ) {
        let secret = format!("Q{marker}X");
        let value = match shape {
            0 => format!("\"{secret}\""),
            1 => format!("[\"{secret}\"]"),
            2 => format!("{{\"{secret}\":1}}"),
            3 => format!("\"{secret}@example.org\""),
            4 => format!("-{}", marker.len() as u64 * 1_000_003),
            5 => format!("{}e{}", marker.len(), 300 + marker.len()),
            _ => format!("\"2026-11-22T12:34Z{secret}\""),
        };
        let mut slots = valid_metrics_slots();
        slots[slot] = value.clone();
        let body = metrics_template(&slots);
        match wire::parse(body.as_bytes()) {
            Err(e) => {
                prop_assert!(!e.message.contains(&secret), "{body}\n→ {}", e.message);
                prop_assert!(!e.message.contains(&marker), "{body}\n→ {}", e.message);
                let number = value.trim_start_matches('-');
                prop_assert!(!e.message.contains(number), "{body}\n→ {}", e.message);
            }
            Ok(_) => {
                // Only `app.name` and `app.version` are free strings on the wire.
                let free_string = (slot == 2 || slot == 3) && shape != 1 && shape != 2
                    && shape != 4 && shape != 5;
                prop_assert!(free_string, "accepted a value that is no valid wire value: {body}");
            }
        }
    }

    #[test]
    fn wire_refusals_never_repeat_a_value(
        slot in 0usize..10,
        marker in "[a-z0-9]{6,12}",
        shape in 0usize..6,
        as_key in any::<bool>(),
    ) {
        let secret = format!("Q{marker}X");
        let value = match shape {
            0 => format!("\"{secret}\""),
            1 => format!("[\"{secret}\"]"),
            2 => format!("{{\"{secret}\":1}}"),
            3 => format!("\"{secret}@example.org\""),
            4 => format!("\"{}{secret}\"", &ID[..20]),
            _ => format!("\"2026-11-22T12:34Z{secret}\""),
        };
        let mut slots = valid_slots();
        let body = if as_key {
            // An unknown key carrying the secret, next to a valid value.
            template(&slots).replacen("\"app\":", &format!("\"{secret}\":1,\"app\":"), 1)
        } else {
            slots[slot] = value;
            template(&slots)
        };
        if let Err(e) = wire::parse(body.as_bytes()) {
            prop_assert!(!e.message.contains(&secret), "{body}\n→ {}", e.message);
            prop_assert!(!e.message.contains(&marker), "{body}\n→ {}", e.message);
        } else {
            // Only `app.name` and `app.version` are free strings on the wire.
            let free_string = !as_key && (slot == 1 || slot == 2) && shape != 1 && shape != 2;
            prop_assert!(free_string, "accepted a value that is no valid wire value: {body}");
        }
    }

    #[test]
    fn wire_minutes_round_trip(m in 0i64..(8_000 * 365 * 1440)) {
        let text = minute::format(m);
        prop_assert_eq!(minute::parse(&text), Some(m));
        let mut buf = [0; 17];
        prop_assert_eq!(minute::format_into(m, &mut buf), text.as_str());
    }

    #[test]
    fn every_value_the_schema_allows_is_accepted(
        flag in any::<bool>(),
        level in -50i64..=50,
        tier in prop::sample::select(vec![-10i64, 0, 10, 100]),
        ratio in -1.5f64..=1.5,
        share in prop::sample::select(vec![0.0f64, 0.25, 0.5, 0.75]),
        network in prop::sample::select(vec!["mainnet", "testnet"]),
        platform in prop::sample::select(vec!["linux", "macos"]),
        code in "[A-Z][A-Z0-9_]{0,11}",
        wait_ms in 0u64..=60_000,
        stage_s in prop::sample::select(vec![0u64, 60, 600]),
        items in 0u64..=1000,
        note in proptest::option::of("[a-z]{1,8}"),
    ) {
        let schemas = support::kinds_schemas();
        let spec = schemas.event(schemas.find("kinds.every_type").unwrap());
        let mut f = json!({
            "flag": flag, "level": level, "tier": tier, "ratio": ratio, "share": share,
            "network": network, "platform": platform, "code": code, "wait_ms": wait_ms,
            "stage_s": stage_s, "items": items,
        });
        if let Some(n) = note {
            f["note_code"] = json!(n);
        }
        let mut canonical = String::new();
        prop_assert_eq!(check_fields(spec, &f.to_string(), &mut canonical), Ok(()), "{}", f);
        // What is stored is the same values, and spelling it again changes nothing.
        let back: Value = serde_json::from_str(&canonical).unwrap();
        prop_assert_eq!(&back, &f);
        let mut again = String::new();
        prop_assert_eq!(check_fields(spec, &canonical, &mut again), Ok(()));
        prop_assert_eq!(again, canonical);
    }

    #[test]
    fn values_outside_the_schema_are_refused_for_their_reason(
        case in 0usize..8,
        n in 1i64..1_000_000,
        text in "[a-z]{9,20}",
    ) {
        let schemas = support::kinds_schemas();
        let spec = schemas.event(schemas.find("kinds.every_type").unwrap());
        let mut f = json!({
            "flag": true, "level": 0, "tier": 0, "ratio": 0.0, "share": 0.0,
            "network": "mainnet", "platform": "linux", "code": "E1", "wait_ms": 0,
            "stage_s": 0, "items": 0,
        });
        let (field, value, reason): (&str, Value, Reason) = match case {
            0 => ("level", json!(50 + n), Reason::OutOfRange),
            1 => ("level", json!(-50 - n), Reason::OutOfRange),
            2 => ("wait_ms", json!(60_000 + n), Reason::OutOfRange),
            3 => ("tier", json!(if [10, 100].contains(&(n % 200)) { 11 } else { n % 200 }), Reason::OffBucket),
            4 => ("network", json!(text), Reason::NotInValues),
            5 => ("note_code", json!(text), Reason::TooLong),
            6 => ("code", json!(text[..8].to_string()), Reason::PatternMismatch),
            _ => ("flag", json!(n), Reason::WrongType),
        };
        // Bucket bounds that happen to be drawn are valid: skip them.
        prop_assume!(!(case == 3 && [-10, 0, 10, 100].contains(&value.as_i64().unwrap())));
        f[field] = value;
        let index = spec.fields.iter().position(|x| x.name == field).unwrap() as u16;
        prop_assert_eq!(check_fields(spec, &f.to_string(), &mut String::new()), Err((reason, Some(index))), "{}", f);
    }
}

/// Patterns of the simple shape the byte walk reads (some exact, some not), and others.
const PATTERNS: &[&str] = &[
    "[A-Z][A-Z0-9_]*",
    "[a-z]+",
    "[A-Z0-9]+",
    "[0-9]+\\.[0-9]+",
    "v\\d{1,3}",
    "[a-z]*[a-z]",
    "[a-c]{2,3}[b-d]?",
    "E[0-9]{3}",
    "(ab|cd)+",
    "[a-z]+_[0-9]{2,}",
];

proptest! {
    /// The byte walk never changes a decision: a pattern accepts exactly what its regular
    /// expression accepts as a whole value.
    #[test]
    fn a_pattern_decides_as_its_expression(
        p in 0usize..PATTERNS.len(),
        value in "[a-eA-E0-9_.v]{0,8}",
    ) {
        let pattern = candor_collector::schemas::Pattern::new(PATTERNS[p]).unwrap();
        prop_assert_eq!(
            pattern.is_match(&value),
            pattern.regex().is_match(&value),
            "{} on {:?}", PATTERNS[p], value
        );
    }
}
