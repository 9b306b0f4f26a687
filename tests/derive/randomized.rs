//! Fields that declare randomized response, derived and sent through a real `candor::Client`:
//! what reaches the transport is randomised (the true value is kept about `p` of the time, each
//! other value reported about `q` of the time), still valid against the emitted JSON Schema,
//! and fields without the declaration are sent as they are.

use candor::{Client, Config, Consent, FileTransport, Outcome};
use candor_core::randomized_response::RandomizedResponse;
use candor_tests::{crate_path, event_schema};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(candor::EventEnum, Clone, Copy)]
enum Rating {
    Bad,
    Fair,
    Good,
    Great,
}

#[derive(candor::EventEnum, Clone, Copy)]
enum Plan {
    Free,
    Paid,
}

#[derive(candor::Event)]
#[event(name = "survey.answered", schemas = "fixtures/ui")]
struct Answered<'a> {
    liked: bool,
    rating: Rating,
    theme: &'a str,
    answer_ms: Duration,
    score: f64,
    attempts: Option<i64>,
    plan: Plan,
}

#[derive(Clone, Default)]
struct Sink(Arc<Mutex<Vec<u8>>>);

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const EVENTS: usize = 4_000;

/// Asserts that `counts` (reported value → how often) of `n` reports of the true value `truth`
/// under `rr` hold `truth` about `n·p` times and every other of `all` about `n·q` times: within
/// six standard deviations of the binomial count (a false alarm about once in 10⁹ runs).
fn assert_randomised(
    field: &str,
    counts: &BTreeMap<String, usize>,
    truth: &str,
    all: &[&str],
    rr: RandomizedResponse,
) {
    let n = EVENTS as f64;
    assert_eq!(
        counts.values().sum::<usize>(),
        EVENTS,
        "{field}: {counts:?}"
    );
    for v in all {
        let prob = if *v == truth {
            rr.keep_probability()
        } else {
            rr.other_probability()
        };
        let seen = counts.get(*v).copied().unwrap_or(0) as f64;
        let sd = (n * prob * (1.0 - prob)).sqrt();
        assert!(
            (seen - n * prob).abs() < 6.0 * sd,
            "{field}: `{v}` reported {seen} times in {n}, expected {:.0} ± {:.0} ({counts:?})",
            n * prob,
            sd
        );
    }
    assert!(
        counts.keys().all(|k| all.contains(&k.as_str())),
        "{field}: only the field's own values are reported: {counts:?}"
    );
}

#[test]
fn declared_fields_leave_the_device_randomised_and_schema_valid() {
    let sink = Sink::default();
    let mut cfg = Config::new("candor-tests", "0.1.0");
    cfg.queue_max_events = EVENTS + 10;
    cfg.queue_max_bytes = 16 << 20;
    let client = Client::start(cfg, FileTransport::new(sink.clone())).expect("client starts");
    if client.disabled_by_environment() {
        return;
    }
    client.set_consent(Consent::Usage, true);
    let event = Answered {
        liked: true,
        rating: Rating::Good,
        theme: "dark",
        answer_ms: Duration::from_millis(2_500), // bucket 1000
        score: 0.7,                              // bucket 0.5
        attempts: Some(7),                       // bucket 2
        plan: Plan::Paid,
    };
    for _ in 0..EVENTS {
        assert_eq!(client.track(&event), Outcome::Queued);
    }
    assert!(client.flush(Duration::from_secs(30)).is_complete());

    let compilation = candor_schema::compile_dir(
        &crate_path("fixtures/ui"),
        &candor_schema::Options::default(),
    )
    .expect("the fixtures are readable");
    let registry = compilation.registry.expect("the fixtures compile");
    let declared = registry.event("survey.answered").unwrap();
    let rr = |name: &str| declared.field(name).unwrap().randomized_response().unwrap();
    let schema = event_schema(&crate_path("fixtures/ui"), "survey.answered");
    let validator = jsonschema::validator_for(&schema).unwrap();
    let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
    let mut counts: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    let mut sent = 0;
    for line in text.lines() {
        let doc: serde_json::Value = serde_json::from_str(line).expect("documents are JSON");
        for event in doc["events"].as_array().expect("a batch has events") {
            let errors: Vec<String> = validator
                .iter_errors(event)
                .map(|e| e.to_string())
                .collect();
            assert!(errors.is_empty(), "{event} rejected: {errors:?}");
            for (name, value) in event["fields"].as_object().unwrap() {
                let field = declared.field(name).unwrap().name.as_str();
                *counts
                    .entry(field)
                    .or_default()
                    .entry(value.to_string())
                    .or_default() += 1;
            }
            sent += 1;
        }
    }
    assert_eq!(sent, EVENTS);
    assert_randomised(
        "liked",
        &counts["liked"],
        "true",
        &["false", "true"],
        rr("liked"),
    );
    assert_randomised(
        "rating",
        &counts["rating"],
        "\"good\"",
        &["\"bad\"", "\"fair\"", "\"good\"", "\"great\""],
        rr("rating"),
    );
    assert_randomised(
        "theme",
        &counts["theme"],
        "\"dark\"",
        &["\"dark\"", "\"light\"", "\"system\""],
        rr("theme"),
    );
    assert_randomised(
        "answer_ms",
        &counts["answer_ms"],
        "1000",
        &["0", "1000", "5000", "15000"],
        rr("answer_ms"),
    );
    assert_randomised(
        "score",
        &counts["score"],
        "0.5",
        &["0.0", "0.5", "1.0"],
        rr("score"),
    );
    assert_randomised(
        "attempts",
        &counts["attempts"],
        "2",
        &["-1", "0", "1", "2"],
        rr("attempts"),
    );
    // Not declared: always the true value.
    assert_eq!(counts["plan"].len(), 1, "{:?}", counts["plan"]);
    assert_eq!(counts["plan"]["\"paid\""], EVENTS);
    let _ = (Rating::Bad, Rating::Fair, Rating::Great, Plan::Free);
}

#[test]
fn a_string_outside_its_values_is_refused_not_randomised_into_one() {
    let event = Answered {
        liked: true,
        rating: Rating::Good,
        theme: "solarized",
        answer_ms: Duration::ZERO,
        score: 0.0,
        attempts: None,
        plan: Plan::Free,
    };
    assert!(matches!(
        candor_tests::encode_fields(&event),
        Err(candor::EncodeError::PatternMismatch { .. })
    ));
    // Nor is a non-finite score turned into a bucket.
    let nan = Answered {
        theme: "dark",
        score: f64::NAN,
        ..event
    };
    assert!(matches!(
        candor_tests::encode_fields(&nan),
        Err(candor::EncodeError::NonFinite { .. })
    ));
}
