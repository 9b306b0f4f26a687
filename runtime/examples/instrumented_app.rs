//! A small program instrumented with candor, showing exactly what it sends.
//!
//! `wordstat` counts words and lines of its arguments (or stdin) and records
//! three events. By default the "server" is stdout (`FileTransport`), so you
//! see every document that would be POSTed.
//!
//! ```text
//! cargo run -p candor --example instrumented_app -- hello world            # no consent: sends nothing
//! cargo run -p candor --example instrumented_app -- --consent usage,performance,diagnostics hello world
//! DO_NOT_TRACK=1 cargo run -p candor --example instrumented_app -- --consent usage hi   # env wins
//! cargo run -p candor --example instrumented_app -- --endpoint http://127.0.0.1:8080/v1 --consent usage hi
//! ```
//!
//! The event types are written by hand here with the same shape
//! `#[derive(Event)]` generates from a schema.

use std::io::Read;
use std::time::{Duration, Instant};

use candor::__private::{bucket_u64, StrCheck};
use candor::{
    Client, Config, Consent, EncodeError, Event, EventMeta, FieldWriter, FileTransport,
    HttpTransport,
};

/// `wordstat.started`: which input mode was used.
struct Started {
    input: &'static str,
}

impl Event for Started {
    const META: EventMeta = EventMeta {
        name: "wordstat.started",
        version: 1,
        consent: Consent::Usage,
        retention_days: 30,
        fingerprint: "5f0c6a1e9b2d4c71",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        w.begin();
        w.enum_value("input", self.input);
        w.end();
        Ok(())
    }
}

/// `wordstat.counted`: coarse sizes and timing, never the text itself.
struct Counted {
    words: u64,
    lines: u64,
    duration_us: u64,
}

impl Event for Counted {
    const META: EventMeta = EventMeta {
        name: "wordstat.counted",
        version: 1,
        consent: Consent::Performance,
        retention_days: 30,
        fingerprint: "c3e8a0b14d7f2965",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        const SIZES: &[u64] = &[0, 1, 10, 100, 1_000, 10_000, 100_000];
        w.begin();
        w.u64("words", bucket_u64(self.words, SIZES));
        w.u64("lines", bucket_u64(self.lines, SIZES));
        w.u64(
            "duration_us",
            bucket_u64(self.duration_us, &[0, 10, 100, 1_000, 10_000, 100_000]),
        );
        w.end();
        Ok(())
    }
}

/// `wordstat.warning`: a free-text detail. The secret scanner drops the
/// event if the text contains an e-mail, address, key, ...
struct Warning {
    detail: String,
}

impl Event for Warning {
    const META: EventMeta = EventMeta {
        name: "wordstat.warning",
        version: 1,
        consent: Consent::Diagnostics,
        retention_days: 7,
        fingerprint: "0a9b8c7d6e5f4a3b",
        expires_day: EventMeta::NEVER_EXPIRES,
    };
    fn encode_fields(&self, w: &mut FieldWriter<'_>) -> Result<(), EncodeError> {
        const DETAIL: StrCheck = StrCheck::new(Some(120), None);
        w.begin();
        w.str("detail", &self.detail, &DETAIL)?;
        w.end();
        Ok(())
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut consent = Vec::new();
    let mut endpoint = None;
    let mut words_in = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--consent" => {
                for name in args.next().unwrap_or_default().split(',') {
                    consent
                        .push(Consent::from_name(name.trim()).ok_or("unknown consent category")?);
                }
            }
            "--endpoint" => endpoint = args.next(),
            _ => words_in.push(a),
        }
    }

    let mut cfg = Config::new("wordstat", env!("CARGO_PKG_VERSION"));
    cfg.batch_interval = Duration::from_millis(200);
    let client = match endpoint {
        Some(url) => Client::start(cfg, HttpTransport::new(&url)?)?,
        None => Client::start(cfg, FileTransport::stdout())?,
    };
    // In a real app this is the answer to a consent dialog, persisted via
    // `Config::state_dir`; nothing is recorded before it.
    for c in consent {
        if !client.set_consent(c, true) {
            eprintln!("consent for {c} refused: telemetry disabled by environment");
        }
    }
    client.install_global();

    let start = Instant::now();
    let (text, input) = if words_in.is_empty() {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s)?;
        (s, "stdin")
    } else {
        (words_in.join(" "), "args")
    };
    Started { input }.track();
    let words = text.split_whitespace().count() as u64;
    let lines = text.lines().count() as u64;
    eprintln!("{words} words, {lines} lines");
    Counted {
        words,
        lines,
        duration_us: start.elapsed().as_micros() as u64,
    }
    .track();

    // A careless diagnostic: `track()` queues it after the scanner's quick prescreen, and
    // the sender thread's full scan deletes it before it gets an id (counted below).
    let careless = Warning {
        detail: "could not reach support@example.com".into(),
    };
    client.track(&careless);
    Warning {
        detail: "input had no trailing newline".into(),
    }
    .track();

    let report = client.shutdown(Duration::from_secs(5));
    let c = client.counters();
    eprintln!(
        "telemetry: tracked {} sent {} dropped {} (secret {}), undelivered {}",
        c.tracked,
        c.sent,
        c.dropped.total(),
        c.dropped.secret + c.dropped.secret_deferred,
        report.pending
    );
    Ok(())
}
