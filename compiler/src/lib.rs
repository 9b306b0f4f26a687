//! `candor-schema`: the schema compiler behind every part of candor.
//!
//! It turns a folder of YAML event schemas into one validated [`ir::Registry`] and a list of
//! [`Diagnostic`]s, then emits what others need from that one IR: JSON Schema and
//! `registry.json` ([`emit`]). The derive macro, the CLI and the docs generator all call in here;
//! none of them reads YAML on its own.
//!
//! Pipeline: [`load`] reads files in a fixed order → [`yaml`] parses each into a spanned tree →
//! `lower` checks and converts each file (collecting every problem, privacy [`lints`] included)
//! → `checks` looks across files → a [`Compilation`].
#![forbid(unsafe_code)]

pub mod date;
pub mod derive_support;
pub mod diagnostic;
pub mod diff;
pub mod docs;
pub mod emit;
pub mod fingerprint;
pub mod ir;
pub mod lints;
pub mod load;
pub mod pattern;
pub mod source;
pub mod suggest;
pub mod yaml;

mod checks;
mod lower;

pub use date::Date;
pub use diagnostic::{Code, Diagnostic, Severity};
pub use ir::Registry;
pub use load::LoadError;
pub use source::{SourceMap, Span};

use std::path::Path;

/// The file name of the optional project policy, at the top of the schema folder.
pub const POLICY_FILE: &str = "candor.yaml";

/// Settings of one compilation.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// The date expiry is checked against. `None`: `SOURCE_DATE_EPOCH`, else the system clock.
    pub today: Option<Date>,
    /// Report a passed `expires` date as a warning and keep the event (`#[derive(Event)]`
    /// sets it): rebuilding an old release must not fail because the calendar moved. The
    /// runtime stops collecting the event on that date all the same, and `candor check`
    /// (this flag off, the default) keeps failing on it.
    pub expired_is_warning: bool,
}

/// The result of compiling a schema folder.
#[derive(Debug)]
pub struct Compilation {
    pub sources: SourceMap,
    /// Every problem found, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// The registry, present when there are no errors (warnings allowed).
    pub registry: Option<Registry>,
}

impl Compilation {
    pub fn error_count(&self) -> usize {
        diagnostic::count(&self.diagnostics).0
    }

    pub fn warning_count(&self) -> usize {
        diagnostic::count(&self.diagnostics).1
    }

    /// The diagnostics as rustc-style text.
    pub fn render(&self, color: diagnostic::Color) -> String {
        diagnostic::render_human(&self.diagnostics, &self.sources, color)
    }

    /// The diagnostics as JSON.
    pub fn render_json(&self) -> String {
        diagnostic::render_json(&self.diagnostics, &self.sources)
    }
}

/// Compiles every `*.yaml`/`*.yml` below `dir`. Fails only if the folder itself cannot be read;
/// problems inside files are diagnostics.
pub fn compile_dir(dir: &Path, options: &Options) -> Result<Compilation, LoadError> {
    let sources = load::load_dir(dir)?;
    Ok(compile_sources(sources, options))
}

/// Compiles files already in memory. Files whose relative path is [`POLICY_FILE`] are the policy.
pub fn compile_sources(sources: SourceMap, options: &Options) -> Compilation {
    let mut cx = lower::Ctxt::default();
    let today = options.today.unwrap_or_else(|| {
        date::today_from_env().unwrap_or_else(|msg| {
            cx.push(Diagnostic::error(Code::InvalidValue, Span::default(), msg));
            // Go on with the clock: 1970 would fail every event's expiry as "too far".
            Date::from_clock()
        })
    });

    let policy = match sources.files().find(|(_, f)| f.relative == POLICY_FILE) {
        Some((id, file)) => match yaml::parse(&file.text, id) {
            Ok(tree) => lower::file::lower_policy(&mut cx, tree.as_ref()),
            Err(d) => {
                cx.push(d);
                ir::Policy::default()
            }
        },
        None => ir::Policy::default(),
    };
    let env = lower::event::Env {
        policy: &policy,
        today,
        expired_is_warning: options.expired_is_warning,
    };

    let files: Vec<_> = sources
        .files()
        .filter(|(_, f)| f.relative != POLICY_FILE)
        .collect();
    let namespaces = lower_files(&files, &env, &mut cx);
    let namespaces = checks::duplicates(namespaces, &mut cx.diags);

    let mut diagnostics = cx.diags;
    diagnostic::sort(&mut diagnostics);
    let clean = diagnostic::count(&diagnostics).0 == 0;
    Compilation {
        sources,
        diagnostics,
        registry: clean.then_some(Registry {
            format: ir::REGISTRY_FORMAT,
            policy,
            namespaces,
        }),
    }
}

/// Parses and lowers each namespace file, spreading files over the available cores: files are
/// independent until the cross-file checks, and each tree is dropped as soon as its file is
/// lowered. Results come back in file order, so output does not depend on the thread count.
fn lower_files(
    files: &[(source::FileId, &source::SourceFile)],
    env: &lower::event::Env<'_>,
    cx: &mut lower::Ctxt,
) -> Vec<ir::Namespace> {
    let one = |(id, file): &(source::FileId, &source::SourceFile), cx: &mut lower::Ctxt| {
        match yaml::parse(&file.text, *id) {
            Ok(tree) => lower::file::lower_namespace(cx, tree.as_ref(), *id, &file.relative, env),
            Err(d) => {
                cx.push(d);
                None
            }
        }
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(files.len() / FILES_PER_THREAD);
    if threads <= 1 {
        return files.iter().filter_map(|f| one(f, cx)).collect();
    }
    let chunk = files.len().div_ceil(threads);
    let results: Vec<(Vec<Option<ir::Namespace>>, lower::Ctxt)> = std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut local = lower::Ctxt::default();
                    let out = part.iter().map(|f| one(f, &mut local)).collect();
                    (out, local)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("lowering does not panic"))
            .collect()
    });
    let mut namespaces = Vec::with_capacity(files.len());
    for (part, local) in results {
        namespaces.extend(part.into_iter().flatten());
        cx.diags.extend(local.diags);
    }
    namespaces
}

/// Below this many files per thread, starting threads costs more than it saves.
const FILES_PER_THREAD: usize = 4;

/// Compiles a single in-memory file (tests, fuzzing, examples).
pub fn compile_str(relative: &str, text: &str, options: &Options) -> Compilation {
    let mut sources = SourceMap::default();
    sources.add_text(relative, text);
    compile_sources(sources, options)
}
