//! `candor collect`: the reference collector. Loads the schemas, opens the store and serves
//! `POST /v1/batch` until SIGINT or SIGTERM; with `--forward`, also relays what it stores to
//! an analytics vendor. See docs/collector.md.

use super::{registry_for_output, CompileArgs};
use crate::Outcome;
use candor_collector::forward::{parse_headers, Vendor};
use candor_collector::{
    ForwardOptions, ForwardSpec, Forwarding, Limits, Schemas, SqliteSync, StoreSpec, SweepSchedule,
};
use std::path::PathBuf;
use std::time::Duration;

#[derive(clap::Args)]
pub struct Args {
    /// The schema folder events and metrics are checked against.
    #[arg(long, default_value = "schemas")]
    schemas: PathBuf,
    /// Where events and metrics go: `sqlite:PATH` or `clickhouse:http://HOST:8123/DB`.
    #[arg(long, default_value = "sqlite:telemetry.sqlite")]
    store: String,
    /// Address to listen on (port 0 picks a free port; the address is printed).
    #[arg(long, default_value = "127.0.0.1:8080")]
    listen: String,
    /// SQLite durability: `normal` survives a crash of the collector, `full` an OS crash too.
    #[arg(long, value_enum, default_value_t = SyncChoice::Normal)]
    sqlite_sync: SyncChoice,
    /// Largest request body as sent, in bytes (above: 413).
    #[arg(long, default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
    /// Largest body once gzip is undone, in bytes (above: 413).
    #[arg(long, default_value_t = Limits::default().max_decompressed_bytes)]
    max_decompressed_bytes: usize,
    /// Most events in one batch, and metrics in one metrics document (above: 413).
    #[arg(long, default_value_t = Limits::default().max_events_per_batch)]
    max_events_per_batch: usize,
    /// Seconds a client has to send a request's headers.
    #[arg(long, default_value_t = Limits::default().header_timeout.as_secs())]
    header_timeout: u64,
    /// Seconds a client has to send a request's body (past it: 408).
    #[arg(long, default_value_t = Limits::default().body_timeout.as_secs())]
    body_timeout: u64,
    /// Most connections open at once.
    #[arg(long, default_value_t = Limits::default().max_connections)]
    max_connections: usize,
    /// Most batches decoded and checked at once (above: 503 + Retry-After).
    #[arg(long, default_value_t = Limits::default().max_concurrent_batches)]
    max_concurrent_batches: usize,
    /// Checked batches waiting for the store (above: 503 + Retry-After).
    #[arg(long, default_value_t = Limits::default().writer_queue)]
    writer_queue: usize,
    /// Minutes an event's time (a metrics document's end) may be ahead of the collector's
    /// clock.
    #[arg(long, default_value_t = Limits::default().clock_skew.as_secs() / 60)]
    clock_skew_minutes: u64,
    /// Also forward every stored event to this vendor: segment, mixpanel, snowplow, posthog or
    /// otlp (needs --forward-url; SQLite store). The credential comes from CANDOR_FORWARD_KEY,
    /// OTLP headers from CANDOR_FORWARD_HEADERS (`name=value,…`), never from the command line.
    #[arg(long, value_parser = parse_vendor, requires = "forward_url")]
    forward: Option<Vendor>,
    /// The vendor's base URL (e.g. https://api.segment.io); http:// only to loopback.
    #[arg(long, requires = "forward")]
    forward_url: Option<String>,
    /// Snowplow: the Iglu vendor the schemas were exported under (`candor schema --iglu`).
    #[arg(long, requires = "forward")]
    forward_iglu_vendor: Option<String>,
    /// Seconds each request to the vendor may take.
    #[arg(long, default_value_t = 30, requires = "forward")]
    forward_timeout: u64,
    #[command(flatten)]
    compile: CompileArgs,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SyncChoice {
    Normal,
    Full,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let spec = StoreSpec::parse(&args.store)?;
    let Some(registry) = registry_for_output(&args.schemas, &args.compile)? else {
        return Ok(Outcome::Problems);
    };
    let schemas = Schemas::new(&registry).map_err(|e| e.to_string())?;
    let sync = match args.sqlite_sync {
        SyncChoice::Normal => SqliteSync::Normal,
        SyncChoice::Full => SqliteSync::Full,
    };
    // The sink first: a bad forwarding setup is refused before the store is touched.
    let sink = match args.forward {
        Some(vendor) => {
            let fwd = ForwardSpec {
                vendor,
                url: args.forward_url.clone().unwrap_or_default(),
                key: std::env::var("CANDOR_FORWARD_KEY").ok(),
                iglu_vendor: args.forward_iglu_vendor.clone(),
                headers: match std::env::var("CANDOR_FORWARD_HEADERS") {
                    Ok(h) => parse_headers(&h)?,
                    Err(_) => Vec::new(),
                },
                timeout: Duration::from_secs(args.forward_timeout),
            };
            Some(fwd.sink()?.0)
        }
        None => None,
    };
    let mut store = spec.open(sync).map_err(|e| e.to_string())?;
    // Before listening: a second collector on the same SQLite file stops here.
    store.claim().map_err(|e| e.to_string())?;
    let forward = match sink {
        Some(sink) => Some(Forwarding {
            queue: store.forwarding().map_err(|e| e.to_string())?,
            sink,
            options: ForwardOptions::default(),
        }),
        None => None,
    };
    let limits = Limits {
        max_body_bytes: args.max_body_bytes,
        max_decompressed_bytes: args.max_decompressed_bytes,
        max_events_per_batch: args.max_events_per_batch,
        header_timeout: Duration::from_secs(args.header_timeout),
        body_timeout: Duration::from_secs(args.body_timeout),
        max_connections: args.max_connections,
        max_concurrent_batches: args.max_concurrent_batches,
        writer_queue: args.writer_queue,
        clock_skew: Duration::from_secs(args.clock_skew_minutes * 60),
        ..Limits::default()
    };
    let listener = std::net::TcpListener::bind(&args.listen)
        .map_err(|e| format!("cannot listen on `{}`: {e}", args.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    candor_collector::log::line(&format!(
        "listening on http://{addr}/v1/batch, {} event(s) and {} metric(s) from `{}`, store {}",
        schemas.events().len(),
        schemas.metrics().len(),
        args.schemas.display(),
        args.store
    ));
    if let (Some(vendor), Some(url)) = (args.forward, &args.forward_url) {
        candor_collector::log::line(&format!("forwarding stored events to {vendor} at {url}"));
    }
    candor_collector::run(
        listener,
        schemas,
        store,
        limits,
        SweepSchedule::Hourly,
        stop_signal(),
        forward,
    )
    .map_err(|e| e.to_string())?;
    candor_collector::log::line("stopped; everything accepted is stored");
    Ok(Outcome::Clean)
}

fn parse_vendor(s: &str) -> Result<Vendor, String> {
    s.parse::<Vendor>().map_err(|e| e.to_string())
}

/// SIGINT (Ctrl-C) or SIGTERM.
async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let Ok(mut term) = signal(SignalKind::terminate()) else {
            let _ = tokio::signal::ctrl_c().await;
            return;
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
