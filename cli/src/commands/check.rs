//! `candor check [DIR]`: validate schemas; human or JSON report.

use super::{compile, print_human, CompileArgs};
use crate::Outcome;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The schema folder.
    #[arg(default_value = "schemas")]
    dir: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail (exit 1) on warnings too.
    #[arg(long)]
    deny_warnings: bool,
    #[command(flatten)]
    compile: CompileArgs,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum Format {
    Human,
    Json,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let compilation = compile(&args.dir, &args.compile)?;
    match args.format {
        Format::Human => {
            print_human(&compilation, &args.compile);
            if let Some(registry) = &compilation.registry {
                let events = registry.events().count();
                let fields: usize = registry.events().map(|e| e.fields.len()).sum();
                // Metrics are named only where there are some, so the line stays as it was
                // for folders without.
                let metrics = match registry.metrics().count() {
                    0 => String::new(),
                    1 => ", 1 metric".to_string(),
                    n => format!(", {n} metrics"),
                };
                eprintln!(
                    "checked {} files: {} namespaces, {events} events, {fields} fields{metrics}",
                    compilation.sources.len(),
                    registry.namespaces.len()
                );
            }
        }
        Format::Json => print!("{}", compilation.render_json()),
    }
    let failed =
        compilation.error_count() > 0 || (args.deny_warnings && compilation.warning_count() > 0);
    Ok(if failed {
        Outcome::Problems
    } else {
        Outcome::Clean
    })
}
