//! Randomized response end to end: the real runtime tracks an event whose fields declare
//! `privacy: { randomized_response: { epsilon } }` (`wallet.send_feedback_given` in the
//! repository's schemas) to the real `candor collect` on 127.0.0.1; the store holds randomised
//! values only, and the shared estimator (`candor_core::randomized_response`, the one the
//! public report uses) recovers the true distribution from what was stored, within its error
//! bars.

#[path = "../../collector/tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use candor::{Client, Config, Consent, HttpTransport, Outcome};
use candor_schema::ir::RandomizedResponse;
use support::temp_dir;

const BIN: &str = env!("CARGO_BIN_EXE_candor");

fn schemas_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas")
}

#[derive(candor::EventEnum, Clone, Copy)]
enum HardestStep {
    Recipient,
    Amount,
    Fee,
    Confirm,
    None,
}

#[derive(candor::Event)]
#[event(name = "wallet.send_feedback_given", schemas = "../schemas")]
struct SendFeedbackGiven {
    easy: bool,
    hardest_step: HardestStep,
}

/// `candor collect` as a child process on a loopback port it picks; killed when dropped.
struct Collect(Child);

impl Drop for Collect {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_collect(dir: &Path) -> (Collect, String) {
    let log = dir.join("collect.log");
    let child = Command::new(BIN)
        .arg("collect")
        .arg("--schemas")
        .arg(schemas_dir())
        .arg("--store")
        .arg(format!("sqlite:{}", dir.join("telemetry.sqlite").display()))
        .args(["--listen", "127.0.0.1:0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let mut collect = Collect(child);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if let Some(rest) = text.split("listening on http://").nth(1) {
            let addr = rest.split('/').next().unwrap().to_string();
            return (collect, format!("http://{addr}/v1/batch"));
        }
        if let Ok(Some(status)) = collect.0.try_wait() {
            panic!("candor collect exited with {status}: {text}");
        }
        assert!(
            Instant::now() < deadline,
            "candor collect did not start: {text}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How often each stored value of `field` occurs, keyed by its JSON text.
fn stored_counts(db: &Path, field: &str) -> BTreeMap<String, u64> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn
        .prepare("SELECT fields FROM events WHERE event = 'wallet.send_feedback_given'")
        .unwrap();
    let mut out = BTreeMap::new();
    for row in stmt.query_map([], |r| r.get::<_, String>(0)).unwrap() {
        let fields: serde_json::Value = serde_json::from_str(&row.unwrap()).unwrap();
        *out.entry(fields[field].to_string()).or_insert(0) += 1;
    }
    out
}

/// Six standard errors: a correct estimator puts a true count outside about once in 5·10⁸,
/// so this test's seven estimates fail by chance about once in 70 million runs.
const Z: f64 = 6.0;

#[test]
fn the_store_holds_randomised_values_and_the_estimates_recover_the_truth() {
    let dir = temp_dir("randomized-e2e");
    let (collect, url) = start_collect(&dir);
    let mut cfg = Config::new("candor-e2e", "1.0.0");
    cfg.queue_max_events = 20_000;
    cfg.queue_max_bytes = 16 << 20;
    cfg.batch_interval = Duration::from_millis(50);
    let client = Client::start(cfg, HttpTransport::new(&url).unwrap()).unwrap();
    if client.disabled_by_environment() {
        return;
    }
    client.set_consent(Consent::Usage, true);

    // The truth: 7,000 of 10,000 found sending easy; the hardest steps 4:3:2:1, none 0.
    let steps = [
        (HardestStep::Recipient, 4_000),
        (HardestStep::Amount, 3_000),
        (HardestStep::Fee, 2_000),
        (HardestStep::Confirm, 1_000),
        (HardestStep::None, 0),
    ];
    let mut i = 0u32;
    for (step, count) in steps {
        for _ in 0..count {
            let event = SendFeedbackGiven {
                easy: i % 10 < 7,
                hardest_step: step,
            };
            assert_eq!(client.track(&event), Outcome::Queued);
            i += 1;
        }
    }
    let n = u64::from(i);
    assert!(client.flush(Duration::from_secs(120)).is_complete());
    client.shutdown(Duration::from_secs(10));
    drop(collect);

    let compiled = candor_schema::compile_dir(&schemas_dir(), &Default::default()).unwrap();
    let registry = compiled.registry.expect("the repository's schemas compile");
    let event = registry.event("wallet.send_feedback_given").unwrap();
    let db = dir.join("telemetry.sqlite");
    let truths: [(&str, Vec<u64>); 2] = [
        ("easy", vec![3_000, 7_000]),
        ("hardest_step", vec![4_000, 3_000, 2_000, 1_000, 0]),
    ];
    for (name, truth) in truths {
        let field = event.field(name).unwrap();
        let rr: RandomizedResponse = field.randomized_response().unwrap();
        let labels = field.ty.category_labels().unwrap();
        let stored = stored_counts(&db, name);
        assert!(
            stored.keys().all(|k| labels.contains(k)),
            "{name}: only the field's values are stored: {stored:?}"
        );
        let reported: Vec<u64> = labels
            .iter()
            .map(|l| stored.get(l).copied().unwrap_or(0))
            .collect();
        assert_eq!(
            reported.iter().sum::<u64>(),
            n,
            "{name}: every event stored once"
        );
        // The collector never saw the truth: values nobody truly holds were stored, and the
        // stored counts are not the true ones.
        assert_ne!(reported, truth, "{name}: stored counts are randomised");
        for (label, (est, t)) in labels.iter().zip(rr.estimate(&reported).iter().zip(&truth)) {
            let (lo, hi) = est.interval(Z);
            assert!(
                (lo..=hi).contains(&(*t as f64)),
                "{name} = {label}: true count {t}, estimate {:.0} ± {:.0} (stored {})",
                est.count,
                est.std_error,
                est.reported
            );
        }
    }
    let none_stored = stored_counts(&db, "hardest_step")
        .get("\"none\"")
        .copied()
        .unwrap_or(0);
    assert!(
        none_stored > 0,
        "nobody answered `none`, yet randomised reports of it reach the store"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
