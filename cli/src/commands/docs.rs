//! `candor docs [DIR] --out OUT`: the public transparency page (`index.html` + `README.md`).
//! With `--check`, writes nothing and fails (exit 1) when the files in OUT are not exactly what
//! would be generated: the CI staleness check.

use super::{registry_for_output, write_all, CompileArgs};
use crate::Outcome;
use candor_schema::docs::{self, SiteOptions};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The schema folder.
    #[arg(default_value = "schemas")]
    dir: PathBuf,
    /// Where to write the pages (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// The page title.
    #[arg(long, default_value_t = SiteOptions::default().title)]
    title: String,
    /// Write nothing; exit 1 if the pages in OUT are missing or differ from what would be written.
    #[arg(long)]
    check: bool,
    #[command(flatten)]
    compile: CompileArgs,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let Some(reg) = registry_for_output(&args.dir, &args.compile)? else {
        return Ok(Outcome::Problems);
    };
    let files = docs::site(&reg, &SiteOptions { title: args.title });
    if !args.check {
        write_all(&args.out, &files)?;
        eprintln!("wrote {} files to {}", files.len(), args.out.display());
        return Ok(Outcome::Clean);
    }
    let stale: Vec<String> = files
        .iter()
        .filter(|f| {
            std::fs::read(args.out.join(&f.path)).ok().as_deref() != Some(f.contents.as_bytes())
        })
        .map(|f| args.out.join(&f.path).display().to_string())
        .collect();
    if stale.is_empty() {
        eprintln!("{} is up to date", args.out.display());
        return Ok(Outcome::Clean);
    }
    for path in &stale {
        eprintln!("stale: {path}");
    }
    eprintln!(
        "the transparency docs do not match the schemas; regenerate them with `candor docs {} --out {}` and commit the result",
        args.dir.display(),
        args.out.display()
    );
    Ok(Outcome::Problems)
}
