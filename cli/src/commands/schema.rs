//! `candor schema [DIR] --out OUT`: JSON Schema per event version, `registry.json` and the
//! schema of `registry.json`; with `--iglu VENDOR`, Iglu schemas for Snowplow (`OUT/iglu`);
//! with `--tracking-plan segment|mixpanel`, the vendor's tracking plan. Writes nothing when the
//! schemas have errors.

use super::{registry_for_output, CompileArgs};
use crate::output::write_all;
use crate::Outcome;
use candor_schema::diagnostic::visible;
use candor_schema::emit::{iglu, json_schema, metric_schema, registry, tracking_plan};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The schema folder.
    #[arg(default_value = "schemas")]
    dir: PathBuf,
    /// Where to write the files (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Also write Iglu self-describing schemas under OUT/iglu, with this Iglu vendor
    /// (e.g. `com.example`; an event `wallet.signed` v2 becomes
    /// `iglu:com.example.wallet/signed/jsonschema/2-0-0`).
    #[arg(long, value_name = "VENDOR", value_parser = iglu_vendor)]
    iglu: Option<String>,
    /// Also write a vendor tracking plan (repeatable): Segment Protocols rules or Mixpanel
    /// Lexicon schemas.
    #[arg(long, value_enum, value_name = "VENDOR")]
    tracking_plan: Vec<PlanArg>,
    #[command(flatten)]
    compile: CompileArgs,
}

/// A usage error (exit 2) before anything is compiled or written.
fn iglu_vendor(s: &str) -> Result<String, String> {
    iglu::check_vendor(s)
        .map(|()| s.to_string())
        .map_err(|e| e.to_string())
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum PlanArg {
    Segment,
    Mixpanel,
}

pub fn run(args: Args) -> Result<Outcome, String> {
    let Some(reg) = registry_for_output(&args.dir, &args.compile)? else {
        return Ok(Outcome::Problems);
    };
    let mut files = json_schema::all(&reg);
    files.extend(metric_schema::all(&reg));
    files.push(registry::registry_json(&reg));
    files.push(registry::registry_schema());
    if let Some(vendor) = &args.iglu {
        files.extend(iglu::all(&reg, vendor).map_err(|e| e.to_string())?);
    }
    for plan in &args.tracking_plan {
        let plan = match plan {
            PlanArg::Segment => tracking_plan::Plan::Segment,
            PlanArg::Mixpanel => tracking_plan::Plan::Mixpanel,
        };
        files.push(tracking_plan::emit(&reg, plan));
    }
    write_all(&args.out, &args.dir, &files)?;
    eprintln!(
        "wrote {} files to {}",
        files.len(),
        visible(&args.out.display().to_string())
    );
    Ok(Outcome::Clean)
}
