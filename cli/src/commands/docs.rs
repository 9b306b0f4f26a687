//! `candor docs [DIR] --out OUT`: the public transparency page (`index.html` + `README.md`).
//! With `--check`, writes nothing and fails (exit 1) when the files in OUT are not exactly what
//! would be generated: the CI staleness check.

use super::{registry_for_output, CompileArgs};
use crate::output::{holds_exactly, write_all};
use crate::Outcome;
use candor_schema::diagnostic::visible;
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
    let out = visible(&args.out.display().to_string()).into_owned();
    if !args.check {
        write_all(&args.out, &args.dir, &files)?;
        eprintln!("wrote {} files to {out}", files.len());
        return Ok(Outcome::Clean);
    }
    let stale: Vec<String> = files
        .iter()
        .filter(|f| !holds_exactly(&args.out.join(&f.path), f.contents.as_bytes()))
        .map(|f| visible(&args.out.join(&f.path).display().to_string()).into_owned())
        .collect();
    if stale.is_empty() {
        eprintln!("{out} is up to date");
        return Ok(Outcome::Clean);
    }
    for path in &stale {
        eprintln!("stale: {path}");
    }
    eprintln!(
        "the transparency docs do not match the schemas; regenerate them with `candor docs {} --out {out}` and commit the result",
        visible(&args.dir.display().to_string()),
    );
    Ok(Outcome::Problems)
}
