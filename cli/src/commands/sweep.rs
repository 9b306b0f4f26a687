//! `candor sweep`: deletes every stored event and metrics entry past its retention, as
//! `candor collect` does on its own every hour.

use crate::Outcome;
use candor_collector::{SqliteSync, StoreSpec};
use candor_schema::Date;

#[derive(clap::Args)]
pub struct Args {
    /// The store: `sqlite:PATH` or `clickhouse:http://HOST:8123/DB`.
    #[arg(long, default_value = "sqlite:telemetry.sqlite")]
    store: String,
    /// Sweep as if today were this day (YYYY-MM-DD, UTC). Default: today.
    #[arg(long, value_parser = super::parse_date)]
    now: Option<Date>,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let spec = StoreSpec::parse(&args.store)?;
    if let StoreSpec::Sqlite(path) = &spec {
        if !path.exists() {
            return Err(format!("no SQLite store at `{}`", path.display()));
        }
    }
    let mut store = spec.open(SqliteSync::Normal).map_err(|e| e.to_string())?;
    let today = args.now.unwrap_or_else(Date::from_clock);
    let swept = store.sweep(today.to_days()).map_err(|e| e.to_string())?;
    let what = match spec {
        StoreSpec::Sqlite(_) => "row(s) (events and metrics entries)",
        StoreSpec::ClickHouse(_) => "daily partition(s)",
    };
    println!(
        "removed {} {what} past their retention (as of {today})",
        swept.removed
    );
    Ok(Outcome::Clean)
}
