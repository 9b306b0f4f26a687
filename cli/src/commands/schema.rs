//! `candor schema [DIR] --out OUT`: JSON Schema per event version, `registry.json` and the
//! schema of `registry.json`. Writes nothing when the schemas have errors.

use super::{compile, print_human, CompileArgs};
use crate::Outcome;
use candor_schema::emit::{json_schema, registry, OutputFile};
use std::path::{Path, PathBuf};

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
    let compilation = compile(&args.dir, &args.compile)?;
    let Some(reg) = &compilation.registry else {
        print_human(&compilation, &args.compile);
        return Ok(Outcome::Problems);
    };
    if compilation.warning_count() > 0 {
        print_human(&compilation, &args.compile);
    }
    let mut files = json_schema::all(reg);
    files.push(registry::registry_json(reg));
    files.push(registry::registry_schema());
    write_all(&args.out, &files)?;
    eprintln!("wrote {} files to {}", files.len(), args.out.display());
    Ok(Outcome::Clean)
}

/// Writes generated files below `out`, creating folders as needed.
pub fn write_all(out: &Path, files: &[OutputFile]) -> Result<(), String> {
    for f in files {
        let path = out.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create `{}`: {e}", parent.display()))?;
        }
        std::fs::write(&path, &f.contents)
            .map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    }
    Ok(())
}
