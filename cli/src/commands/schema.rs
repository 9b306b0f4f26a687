//! `candor schema [DIR] --out OUT`: JSON Schema per event version, `registry.json` and the
//! schema of `registry.json`. Writes nothing when the schemas have errors.

use super::{registry_for_output, write_all, CompileArgs};
use crate::Outcome;
use candor_schema::emit::{json_schema, registry};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The schema folder.
    #[arg(default_value = "schemas")]
    dir: PathBuf,
    /// Where to write the files (created if missing).
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    compile: CompileArgs,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let Some(reg) = registry_for_output(&args.dir, &args.compile)? else {
        return Ok(Outcome::Problems);
    };
    let mut files = json_schema::all(&reg);
    files.push(registry::registry_json(&reg));
    files.push(registry::registry_schema());
    write_all(&args.out, &files)?;
    eprintln!("wrote {} files to {}", files.len(), args.out.display());
    Ok(Outcome::Clean)
}
