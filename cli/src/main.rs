//! `candor`: the command line for schema authors, reviewers and CI.
//!
//! Exit codes are part of the interface: 0 clean, 1 problems found in the schemas, 2 a usage or
//! I/O error (a missing folder, an unwritable output).
#![forbid(unsafe_code)]

mod commands;
mod output;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "candor",
    version,
    about = "Privacy-first telemetry schemas: check, emit, document"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate a schema folder and report every problem at once.
    Check(commands::check::Args),
    /// Write one JSON Schema per event version plus `registry.json`.
    Schema(commands::schema::Args),
    /// Write the public transparency page: what is collected, and what never is.
    Docs(commands::docs::Args),
    /// Compare two schema folders or git revisions: changes, privacy impact, version bumps.
    Diff(commands::diff::Args),
    /// Receive batches from apps, check every event against the schemas, store them.
    Collect(commands::collect::Args),
    /// Delete every stored event past its retention.
    Sweep(commands::sweep::Args),
    /// Show what a device holds: its spool (events waiting, crash reports) or its sent log.
    Inspect(commands::inspect::Args),
    /// Write the public "what we learned" page from a store, with a k-anonymity floor.
    Report(commands::report::Args),
}

/// How a command ended; mapped to the exit code.
#[derive(Debug)]
pub enum Outcome {
    Clean,
    Problems,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(a) => commands::check::run(a),
        Command::Schema(a) => commands::schema::run(a),
        Command::Docs(a) => commands::docs::run(a),
        Command::Diff(a) => commands::diff::run(a),
        Command::Collect(a) => commands::collect::run(a),
        Command::Sweep(a) => commands::sweep::run(a),
        Command::Inspect(a) => commands::inspect::run(a),
        Command::Report(a) => commands::report::run(a),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Problems) => ExitCode::from(1),
        Err(message) => {
            // Messages quote paths and git output, which a checkout controls.
            eprintln!("error: {}", candor_schema::diagnostic::visible(&message));
            ExitCode::from(2)
        }
    }
}
