//! A tiny wallet flow instrumented with `#[derive(Event)]` against the
//! repository's real schemas (`schemas/`): a node sync, two signed
//! transactions, an error dialog and a survey answer randomised on the device. By default the "collector" is stdout
//! (`FileTransport`), so stdout shows exactly the documents that would be
//! POSTed; what happens to each event is narrated on stderr.
//!
//! ```text
//! cargo run -p candor --example wallet                                   # no consent: sends nothing
//! cargo run -p candor --example wallet -- --consent usage                # only wallet.* events
//! cargo run -p candor --example wallet -- --consent usage,diagnostics,performance
//! cargo run -p candor --example wallet -- --consent usage --endpoint http://127.0.0.1:8080/v1/batch
//! ```

use std::time::Duration;

use candor::{Client, Config, Consent, Event, EventEnum, FileTransport, HttpTransport};

// Variants, in snake_case, must be exactly the schema's `values`: the build
// fails if the YAML and the code drift apart.
#[derive(EventEnum, Clone, Copy)]
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

#[derive(EventEnum, Clone, Copy)]
enum Component {
    Signing,
    Sync,
    Network,
    Storage,
    Ui,
}

/// `wallet.transaction_signed`, consent `usage`. The schema also declares
/// `recipient` and `amount` as `pii` so that they can never be collected:
/// adding either field here is a compile error.
#[derive(Event)]
#[event(name = "wallet.transaction_signed", schemas = "../schemas")]
struct TransactionSigned {
    network: Network,
    confirm_ms: Duration, // sent as whole ms, rounded down to a schema bucket
    hardware_wallet: Option<bool>, // `optional: true`; `None` leaves it out
    fee_level: FeeLevel,
}

/// `app.error_shown`, consent `diagnostics`: the stable code, never the
/// message text (which could quote an address or a balance).
#[derive(Event)]
#[event(name = "app.error_shown", schemas = "../schemas")]
struct ErrorShown {
    code: &'static str, // must match the schema's pattern `[A-Z][A-Z0-9_]*`
    component: Component,
    os_family: &'static str,
}

/// `node.sync_finished`, consent `performance`; its `pii` field `peer_ip`
/// stays out.
#[derive(Event)]
#[event(name = "node.sync_finished", schemas = "../schemas")]
struct SyncFinished {
    duration_ms: Duration,
    blocks: u64,
    peers: u8,
    cpu_share: f64, // rounded down to a quarter by the schema's buckets
}

#[derive(EventEnum, Clone, Copy)]
enum HardestStep {
    Recipient,
    Amount,
    Fee,
    Confirm,
    None,
}

/// `wallet.send_feedback_given`, consent `usage`. Both fields declare
/// randomized response in the schema: the device reports the true answer
/// only with the probability ε sets (73 % for `easy` at ε = 1), so the
/// document on stdout may well say the opposite of what was answered here.
#[derive(Event)]
#[event(name = "wallet.send_feedback_given", schemas = "../schemas")]
struct SendFeedbackGiven {
    easy: bool,
    hardest_step: HardestStep,
}

fn record<E: Event>(client: &Client, event: &E) {
    let outcome = client.track(event);
    eprintln!("  {:<27} -> {outcome:?}", E::NAME);
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut consent = Vec::new();
    let mut endpoint = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--consent" => {
                for name in args.next().unwrap_or_default().split(',') {
                    consent
                        .push(Consent::from_name(name.trim()).ok_or("unknown consent category")?);
                }
            }
            "--endpoint" => endpoint = Some(args.next().ok_or("--endpoint needs a URL")?),
            other => return Err(format!("unknown argument {other}").into()),
        }
    }

    let cfg = Config::new("tiny-wallet", env!("CARGO_PKG_VERSION"));
    let client = match endpoint {
        Some(url) => Client::start(cfg, HttpTransport::new(&url)?)?,
        None => Client::start(cfg, FileTransport::stdout())?,
    };

    // Every category starts off: this event is dropped on the spot, before
    // it is encoded or queued.
    eprintln!("before any consent:");
    record(
        &client,
        &SyncFinished {
            duration_ms: Duration::from_millis(1_200),
            blocks: 3,
            peers: 8,
            cpu_share: 0.1,
        },
    );

    // In a real wallet this is the answer to the consent dialog, persisted
    // with `Config::state_dir`.
    for c in consent {
        if !client.set_consent(c, true) {
            eprintln!("consent for {c} refused: telemetry is disabled by the environment");
        }
    }

    eprintln!("the wallet flow:");
    record(
        &client,
        &SyncFinished {
            duration_ms: Duration::from_millis(48_250),
            blocks: 1_742,
            peers: 9,
            cpu_share: 0.62,
        },
    );
    record(
        &client,
        &TransactionSigned {
            network: Network::Mainnet,
            confirm_ms: Duration::from_millis(3_420),
            hardware_wallet: Some(true),
            fee_level: FeeLevel::Medium,
        },
    );
    record(
        &client,
        &TransactionSigned {
            network: Network::Testnet,
            confirm_ms: Duration::from_millis(740),
            hardware_wallet: None,
            fee_level: FeeLevel::Low,
        },
    );
    record(
        &client,
        &ErrorShown {
            code: "RPC_TIMEOUT",
            component: Component::Network,
            os_family: std::env::consts::OS,
        },
    );
    record(
        &client,
        &SendFeedbackGiven {
            easy: true,
            hardest_step: HardestStep::Fee,
        },
    );
    let _ = (
        HardestStep::Recipient,
        HardestStep::Amount,
        HardestStep::Confirm,
        HardestStep::None,
    );

    // On exit: deliver what is queued (or, with a spool, keep it for the
    // next start).
    let report = client.shutdown(Duration::from_secs(5));
    let c = client.counters();
    eprintln!(
        "telemetry: tracked {}, sent {}, dropped {}, undelivered {}",
        c.tracked,
        c.sent,
        c.dropped.total(),
        report.pending
    );
    Ok(())
}
