//! The whole loop as a user runs it: apps with the real runtime send to the real
//! `candor collect` binary, which stores in SQLite; then `candor report` writes the public page
//! from that store, and the floor holds on what real clients sent.
mod child;
#[path = "../../collector/tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::Duration;

use candor::{Client, Config, Consent, EventEnum, HttpTransport};
use child::{candor, schemas_dir, Collect};
use serde_json::Value;
use support::temp_dir;

const SURVEYS_PER_INSTALL: u64 = 500;

#[derive(EventEnum, Clone, Copy, PartialEq)]
enum Network {
    Mainnet,
    Testnet,
    Other,
}

#[derive(EventEnum, Clone, Copy)]
enum FeeLevel {
    Low,
    Medium,
    High,
    Custom,
}

#[derive(candor::Event)]
#[event(name = "wallet.transaction_signed", schemas = "../schemas")]
struct TransactionSigned {
    network: Network,
    confirm_ms: Duration,
    hardware_wallet: Option<bool>,
    fee_level: FeeLevel,
}

#[derive(EventEnum, Clone, Copy)]
enum HardestStep {
    Recipient,
    Amount,
    Fee,
    Confirm,
    None,
}

/// Both fields declare randomized response in the repository's schemas.
#[derive(candor::Event)]
#[event(name = "wallet.send_feedback_given", schemas = "../schemas")]
struct SendFeedbackGiven {
    easy: bool,
    hardest_step: HardestStep,
}

fn client(url: &str, state: PathBuf) -> Client {
    let mut c = Config::new("report-e2e", "3.1.0");
    c.batch_interval = Duration::from_millis(50);
    c.install_id = true;
    c.state_dir = Some(state);
    let t = HttpTransport::with_timeout(url, Duration::from_secs(10)).unwrap();
    let client = Client::start(c, t).unwrap();
    client.set_consent(Consent::Usage, true);
    client
}

#[test]
fn runtime_to_collector_to_report() {
    let dir = temp_dir("report-e2e");
    let db = dir.join("telemetry.sqlite");
    let collect = Collect::start(&db, &dir.join("collect.log"));
    let url = format!("http://{}/v1/batch", collect.addr);

    // Seven installations sign on mainnet (three times each, some on testnet too); one of them
    // also signs 120 times on "other", a network nobody else uses.
    let mut sent = 0u64;
    let mut mainnet = 0u64;
    for i in 0..7u64 {
        let c = client(&url, dir.join(format!("state-{i}")));
        for j in 0..3 + i {
            let network = if j % 4 == 3 {
                Network::Testnet
            } else {
                Network::Mainnet
            };
            mainnet += u64::from(network == Network::Mainnet);
            c.track(&TransactionSigned {
                network,
                confirm_ms: Duration::from_millis(800 + 1_000 * j),
                hardware_wallet: (j % 2 == 0).then_some(i % 2 == 0),
                fee_level: [FeeLevel::Low, FeeLevel::Medium, FeeLevel::High][(j % 3) as usize],
            });
            sent += 1;
        }
        // Survey answers, randomised on the device: 70 % find sending easy.
        for j in 0..SURVEYS_PER_INSTALL {
            c.track(&SendFeedbackGiven {
                easy: j % 10 < 7,
                hardest_step: [
                    HardestStep::Recipient,
                    HardestStep::Amount,
                    HardestStep::Fee,
                    HardestStep::Confirm,
                    HardestStep::None,
                ][(j % 5) as usize],
            });
        }
        if i == 0 {
            for _ in 0..120 {
                c.track(&TransactionSigned {
                    network: Network::Other,
                    confirm_ms: Duration::from_millis(20_000),
                    hardware_wallet: None,
                    fee_level: FeeLevel::Custom,
                });
                sent += 1;
            }
        }
        let r = c.shutdown(Duration::from_secs(30));
        assert_eq!(r.pending, 0);
        assert_eq!(c.counters().dropped.total(), 0, "{:?}", c.counters());
    }
    collect.stop();

    let out = dir.join("site");
    let store = format!("sqlite:{}", db.display());
    let schemas = schemas_dir().display().to_string();
    let o = candor(&[
        "report",
        "--store",
        &store,
        "--out",
        out.to_str().unwrap(),
        "--schemas",
        &schemas,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["contributor"], "install");
    let signed = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "wallet.transaction_signed")
        .unwrap();
    assert_eq!(
        signed["count"], sent,
        "every event the runtime sent, counted once"
    );
    let network = signed["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "network")
        .unwrap();
    let row = |v: &str| {
        network["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["value"] == v)
            .unwrap()
            .clone()
    };
    // 120 events of one installation are one contributor: not shown, and since the total is,
    // another row is hidden with it so that nothing can be subtracted out.
    assert_eq!(row("other")["withheld"], "fewer_than_k");
    assert!(row("other")["count"].is_null());
    assert_eq!(row("testnet")["withheld"], "complementary");
    assert_eq!(
        row("mainnet")["count"],
        mainnet,
        "seven installations: shown exactly"
    );
    // The survey: the report publishes estimates of the true counts, not the randomised
    // counts, and the truth (70 % of 3,500 reports) is within the estimate's error bars (4
    // standard errors: the device's randomness comes from the OS, so the margin is wide).
    let survey = json["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"] == "wallet.send_feedback_given")
        .unwrap();
    let n = 7 * SURVEYS_PER_INSTALL;
    assert_eq!(survey["count"], n);
    let easy = survey["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "easy")
        .unwrap();
    assert_eq!(easy["randomized_response_epsilon"], 1.0);
    let yes = easy["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["value"] == "true")
        .unwrap();
    assert!(
        yes.get("count").is_none(),
        "randomised counts are never published: {yes}"
    );
    let (est, se) = (
        yes["estimate"].as_f64().unwrap(),
        yes["std_error"].as_f64().unwrap(),
    );
    let truth = n as f64 * 0.7;
    assert!(
        (est - truth).abs() <= 4.0 * se,
        "estimate {est} ± {se}, truth {truth}"
    );
    assert!(se > 0.0 && se < n as f64 * 0.05, "a useful error bar: {se}");

    // The fields never collected are not in the report, nor in any of its files.
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let csv = std::fs::read_to_string(out.join("report.csv")).unwrap();
    for name in ["recipient", "amount"] {
        let section = format!("-{name}-h\"");
        assert!(!html.contains(&section), "{name} has a section on the page");
        assert!(
            !csv.lines().any(|l| l.split(',').nth(2) == Some(name)),
            "{name} in the CSV"
        );
    }
    assert!(html.contains("href=\"index.html#wallet.transaction_signed\""));

    // The same store and options give the same files.
    let again = dir.join("again");
    let o = candor(&[
        "report",
        "--store",
        &store,
        "--out",
        again.to_str().unwrap(),
        "--schemas",
        &schemas,
    ]);
    assert!(o.status.success());
    for f in ["report.html", "report.json", "report.csv"] {
        assert_eq!(
            std::fs::read(out.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
    // Events whose `expires` date has passed are still reported on (their rows are within
    // retention): expiry is a warning for a report, not a reason to publish nothing.
    let later = dir.join("later");
    let o = candor(&[
        "report",
        "--store",
        &store,
        "--out",
        later.to_str().unwrap(),
        "--schemas",
        &schemas,
        "--today",
        "2030-01-01",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expired"));
    assert_eq!(
        std::fs::read(out.join("report.json")).unwrap(),
        std::fs::read(later.join("report.json")).unwrap()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn usage_errors_exit_2_and_write_nothing() {
    let dir = temp_dir("report-usage");
    let out = dir.join("out");
    let schemas = schemas_dir().display().to_string();
    let missing = format!("sqlite:{}", dir.join("nope.sqlite").display());
    let cases: [&[&str]; 4] = [
        &[
            "report",
            "--store",
            &missing,
            "--out",
            out.to_str().unwrap(),
            "--schemas",
            &schemas,
        ],
        &[
            "report",
            "--store",
            "postgres:x",
            "--out",
            out.to_str().unwrap(),
            "--schemas",
            &schemas,
        ],
        &[
            "report",
            "--store",
            &missing,
            "--out",
            out.to_str().unwrap(),
            "--from",
            "2026-03-02",
            "--to",
            "2026-03-01",
        ],
        &[
            "report",
            "--store",
            &missing,
            "--out",
            out.to_str().unwrap(),
            "--k",
            "1",
        ],
    ];
    for args in cases {
        let o = candor(args);
        assert_eq!(
            o.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!out.exists(), "{args:?} wrote files");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
