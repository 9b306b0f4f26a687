//! `candor diff BASE HEAD` / `candor diff --git REV [HEAD_REV]`: what a change to the schemas
//! does, as Markdown for a pull-request comment or as JSON.
//!
//! Exit codes: 0 no blocking problem; 1 HEAD has schema errors, an event needed a version bump
//! it did not get, or a class was raised without a `review` note; 2 usage or I/O errors, and a
//! BASE that does not compile (there is nothing trustworthy to compare against).

use super::{compile, print_human, CompileArgs};
use crate::Outcome;
use candor_schema::diff::{self, git};
use candor_schema::{compile_sources, Compilation, Options};
use std::path::PathBuf;

#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  candor diff old/schemas schemas\n  candor diff --git origin/main            # origin/main:schemas vs. the working tree\n  candor diff --git origin/main HEAD       # two revisions"
)]
pub struct Args {
    /// Without --git: the BASE and HEAD schema folders. With --git: an optional HEAD revision
    /// (default: the working tree).
    #[arg(num_args = 0..=2, value_name = "BASE HEAD")]
    sides: Vec<String>,
    /// Compare the schema folder at this git revision (BASE) instead of a folder.
    #[arg(long, value_name = "REV")]
    git: Option<String>,
    /// With --git: the schema folder inside the repository.
    #[arg(long, default_value = "schemas", value_name = "DIR")]
    schemas: PathBuf,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = Format::Markdown)]
    format: Format,
    /// Also write the JSON report to this file (for CI artifacts).
    #[arg(long, value_name = "FILE")]
    json_out: Option<PathBuf>,
    #[command(flatten)]
    compile: CompileArgs,
}

#[derive(clap::ValueEnum, Clone, Copy)]
enum Format {
    Markdown,
    Json,
}

/// One compiled side and how to name it.
struct Side {
    label: String,
    compilation: Compilation,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let (base, head) = load_sides(&args)?;
    let Some(base_reg) = &base.compilation.registry else {
        print_human(&base.compilation, &args.compile);
        return Err(format!(
            "BASE `{}` has schema errors (above), so there is nothing reliable to compare against; fix BASE or pick another revision",
            base.label
        ));
    };
    let Some(head_reg) = &head.compilation.registry else {
        print_human(&head.compilation, &args.compile);
        eprintln!(
            "HEAD `{}` has schema errors; fix them before reviewing the diff",
            candor_schema::diagnostic::visible(&head.label)
        );
        return Ok(Outcome::Problems);
    };
    if head.compilation.warning_count() > 0 {
        print_human(&head.compilation, &args.compile);
    }
    let report = diff::diff(&base.label, base_reg, &head.label, head_reg);
    match args.format {
        Format::Markdown => print!("{}", report.to_markdown()),
        Format::Json => print!("{}", report.to_json()),
    }
    if let Some(path) = &args.json_out {
        crate::output::write_file(path, report.to_json().as_bytes())?;
    }
    Ok(if report.ok {
        Outcome::Clean
    } else {
        Outcome::Problems
    })
}

fn load_sides(args: &Args) -> Result<(Side, Side), String> {
    let folder = |dir: &str| -> Result<Side, String> {
        Ok(Side {
            label: dir.to_string(),
            compilation: compile(&PathBuf::from(dir), &args.compile)?,
        })
    };
    let Some(rev) = &args.git else {
        return match args.sides.as_slice() {
            [base, head] => Ok((folder(base)?, folder(head)?)),
            _ => Err("give two schema folders (`candor diff BASE HEAD`), or a git revision with `--git REV`".to_string()),
        };
    };
    let at_rev = |rev: &str| -> Result<Side, String> {
        let sources = git::load_at(&args.schemas, rev)?;
        // Compiled as of the day the revision was committed, when it last passed its checks.
        let today = git::commit_date(&args.schemas, rev)?;
        Ok(Side {
            label: format!("{rev}:{}", args.schemas.display()),
            compilation: compile_sources(
                sources,
                &Options {
                    today: Some(today),
                    ..Options::default()
                },
            ),
        })
    };
    let base = at_rev(rev)?;
    let head = match args.sides.as_slice() {
        [] => folder(&args.schemas.display().to_string())?,
        [head_rev] => at_rev(head_rev)?,
        _ => return Err("with `--git REV`, give at most one more revision (HEAD); the default HEAD is the working tree".to_string()),
    };
    Ok((base, head))
}
