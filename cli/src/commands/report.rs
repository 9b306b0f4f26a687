//! `candor report --store STORE --out DIR`: the public "what we learned" page
//! (`report.html`) and the same numbers as `report.json` and `report.csv`, with a k-anonymity
//! floor on every number. See docs/aggregates.md.

use super::{print_human, CompileArgs};
use crate::Outcome;
use candor_collector::report::{self, Options};
use candor_collector::{SqliteSync, StoreSpec};
use candor_schema::diagnostic::visible;
use candor_schema::Date;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The store: `sqlite:PATH` or `clickhouse:http://HOST:8123/DB`.
    #[arg(long, default_value = "sqlite:telemetry.sqlite")]
    store: String,
    /// Where to write `report.html`, `report.json` and `report.csv` (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// The floor: a number fewer than K contributors produced is not shown.
    #[arg(long, default_value_t = report::DEFAULT_K, value_parser = clap::value_parser!(u32).range(2..))]
    k: u32,
    /// First day to report on (YYYY-MM-DD, UTC). Default: the first day on which at least K
    /// contributors sent events or published metrics.
    #[arg(long, value_parser = super::parse_date)]
    from: Option<Date>,
    /// Last day to report on (YYYY-MM-DD, UTC, inclusive). Default: the last such day.
    #[arg(long, value_parser = super::parse_date)]
    to: Option<Date>,
    /// The schema folder the events and metrics were collected with.
    #[arg(long, default_value = "schemas")]
    schemas: PathBuf,
    /// The page title.
    #[arg(long, default_value_t = Options::default().title)]
    title: String,
    /// Where the transparency page (`candor docs`) is, relative to the report; each event
    /// links to its entry there.
    #[arg(long, default_value_t = Options::default().docs_url)]
    docs_url: String,
    #[command(flatten)]
    compile: CompileArgs,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    if let (Some(from), Some(to)) = (args.from, args.to) {
        if from > to {
            return Err(format!("--from {from} is after --to {to}"));
        }
    }
    let spec = StoreSpec::parse(&args.store)?;
    if let StoreSpec::Sqlite(path) = &spec {
        if !path.is_file() {
            return Err(format!(
                "no SQLite store at `{}`",
                visible(&path.display().to_string())
            ));
        }
    }
    // An event whose `expires` date has passed still has rows within their retention, and a
    // report on them must not fail because the calendar moved: expiry is a warning here.
    if !args.schemas.is_dir() {
        return Err(format!(
            "schema folder `{}` does not exist (pass the folder the events were collected with)",
            visible(&args.schemas.display().to_string())
        ));
    }
    let compilation = candor_schema::compile_dir(
        &args.schemas,
        &candor_schema::Options {
            today: args.compile.today,
            expired_is_warning: true,
        },
    )
    .map_err(|e| e.to_string())?;
    if !compilation.diagnostics.is_empty() {
        print_human(&compilation, &args.compile);
    }
    let Some(reg) = compilation.registry else {
        return Ok(Outcome::Problems);
    };
    let mut store = spec.open(SqliteSync::Normal).map_err(|e| e.to_string())?;
    let options = Options {
        k: args.k,
        from: args.from.map(Date::to_days),
        to: args.to.map(Date::to_days),
        title: args.title,
        docs_url: args.docs_url,
    };
    let built = report::build(&reg, store.as_mut(), &options).map_err(|e| e.to_string())?;
    let written = report::write(&built, &args.out).map_err(|e| {
        format!(
            "cannot write to `{}`: {e}",
            visible(&args.out.display().to_string())
        )
    })?;
    eprintln!(
        "wrote {} files to {}",
        written.len(),
        visible(&args.out.display().to_string())
    );
    Ok(Outcome::Clean)
}
