//! What `#[derive(Event)]` needs from the schema compiler, kept here so the proc-macro crate
//! stays a thin shim: finding the schema folder, compiling it once per compiler process,
//! showing YAML positions, and judging a Rust type against a field by the type table of
//! `candor_core::types`.
//!
//! Nothing here knows about `syn` or token streams; the macro hands in names and strings and
//! turns the answers into spanned errors.

use crate::diagnostic::{self, Color, Severity};
use crate::ir::{FieldType, Registry};
use crate::source::{SourceMap, Span};
use crate::{load, suggest, Compilation, Options};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant, SystemTime};

/// Environment variable naming the schema folder for derives without `schemas = "..."`
/// (absolute, or relative to the crate's manifest directory). Handy in workspaces, set once in
/// `.cargo/config.toml` under `[env]`.
pub const SCHEMAS_ENV: &str = "CANDOR_SCHEMAS";

/// The folder used when neither the attribute nor [`SCHEMAS_ENV`] names one.
pub const DEFAULT_DIR: &str = "schemas";

/// A schema folder as the user named it and where it is on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaDir {
    /// Absolute path.
    pub path: PathBuf,
    /// The spelling shown in messages: what the user wrote, so messages carry no machine paths.
    pub shown: String,
}

/// Picks the schema folder: the attribute's `schemas = "..."` if given, else [`SCHEMAS_ENV`],
/// else [`DEFAULT_DIR`]; relative paths are taken from `manifest_dir`.
pub fn resolve_dir(manifest_dir: &Path, attr: Option<&str>, env: Option<&str>) -> SchemaDir {
    let written = attr
        .or(env.filter(|e| !e.is_empty()))
        .unwrap_or(DEFAULT_DIR);
    let shown = written.trim_end_matches(['/', '\\']).to_string();
    SchemaDir {
        path: manifest_dir.join(written),
        shown: if shown.is_empty() {
            written.to_string()
        } else {
            shown
        },
    }
}

/// A compiled schema folder.
#[derive(Debug)]
pub struct Loaded {
    pub dir: SchemaDir,
    pub compilation: Compilation,
    /// Every file read, absolute: the derive emits `include_bytes!` for each so that cargo
    /// rebuilds the crate when one changes.
    pub files: Vec<PathBuf>,
    includes_claimed: AtomicBool,
    errors_reported: AtomicBool,
}

impl Loaded {
    /// `true` for the first caller only. One set of `include_bytes!` per crate is enough for
    /// cargo to track the files, and emitting it from each of 500 derives measurably slowed
    /// the build; the cache lives as long as the compiler process, i.e. one crate.
    pub fn claim_includes(&self) -> bool {
        !self.includes_claimed.swap(true, Ordering::Relaxed)
    }

    /// The registry, if the folder compiled without errors.
    pub fn registry(&self) -> Option<&Registry> {
        self.compilation.registry.as_ref()
    }

    /// `schemas/wallet.yaml:17:9` for a span in this folder.
    pub fn location(&self, span: Span) -> String {
        let file = self.compilation.sources.get(span.file);
        format!(
            "{}/{}:{}:{}",
            self.dir.shown, file.relative, span.start.line, span.start.col
        )
    }

    /// The folder's errors rendered like the CLI does (warnings are left to `candor check`),
    /// with paths as the user wrote them; `None` if there are no errors.
    ///
    /// In full for the first caller only: every derive of a crate that reads a broken folder
    /// must fail, but the folder's problems are the same for all of them, and a crate with N
    /// derives would print them N times. Later callers get one line that points back to the
    /// full report (the cache lives as long as the compiler process, i.e. one crate).
    pub fn errors(&self) -> Option<String> {
        let errors: Vec<_> = self
            .compilation
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect();
        if errors.is_empty() {
            return None;
        }
        if self.errors_reported.swap(true, Ordering::Relaxed) {
            let n = errors.len();
            return Some(format!(
                "{n} error{} in the folder, shown in full at the first `#[derive(Event)]` of \
                 this crate that reads it",
                if n == 1 { "" } else { "s" }
            ));
        }
        let mut shown = SourceMap::default();
        for (_, file) in self.compilation.sources.files() {
            let mut file = file.clone();
            file.display = format!("{}/{}", self.dir.shown, file.relative);
            shown.add(file);
        }
        Some(diagnostic::render_human(&errors, &shown, Color::Never))
    }
}

/// Why a schema folder could not be compiled at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadFailure(pub String);

type Stamp = Vec<(PathBuf, Option<SystemTime>, u64)>;
/// What the folder looked like, when that was last verified, and its compilation.
type CacheEntry = (Stamp, Instant, Arc<Loaded>);

/// How long a verified cache entry is trusted without looking at the files again. A crate's
/// derives all expand within one compiler run, so this spares hundreds of directory scans
/// while a long-lived process (an IDE's macro server) still sees an edit a second later.
pub const RECHECK_AFTER: Duration = Duration::from_secs(1);

fn cache() -> &'static Mutex<HashMap<PathBuf, CacheEntry>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, CacheEntry>>> = OnceLock::new();
    CACHE.get_or_init(Mutex::default)
}

/// The folder's file list with each file's modification time and size: cheap to take, and
/// different whenever a file is added, removed or edited.
fn stamp(dir: &Path) -> Result<Stamp, load::LoadError> {
    Ok(load::schema_files(dir)?
        .into_iter()
        .map(|(_, path)| {
            let meta = std::fs::metadata(&path).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            let len = meta.map_or(0, |m| m.len());
            (path, modified, len)
        })
        .collect())
}

/// Compiles `dir`, reusing the result of an earlier call in this process while no file in the
/// folder changed (checked at most every [`RECHECK_AFTER`]). A crate with hundreds of derives
/// therefore parses its schemas once.
pub fn load_cached(dir: &SchemaDir, options: &Options) -> Result<Arc<Loaded>, LoadFailure> {
    load_cached_with(dir, options, RECHECK_AFTER)
}

/// [`load_cached`] with an explicit re-check interval (tests use zero).
pub fn load_cached_with(
    dir: &SchemaDir,
    options: &Options,
    recheck_after: Duration,
) -> Result<Arc<Loaded>, LoadFailure> {
    {
        let map = cache().lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, checked, loaded)) = map.get(&dir.path) {
            if checked.elapsed() < recheck_after {
                return Ok(Arc::clone(loaded));
            }
        }
    }
    if !dir.path.is_dir() {
        return Err(LoadFailure(format!(
            "schema folder `{}` not found (relative paths start at the crate's Cargo.toml); \
             create it, or name another with `#[event(schemas = \"path\")]` or the `{SCHEMAS_ENV}` \
             environment variable",
            dir.shown
        )));
    }
    let failure = |e: load::LoadError| {
        LoadFailure(format!(
            "cannot read schema folder `{}`: {}",
            dir.shown, e.error
        ))
    };
    let current = stamp(&dir.path).map_err(failure)?;
    // A poisoned lock only means another derive panicked; the map itself is still sound.
    let mut map = cache().lock().unwrap_or_else(|p| p.into_inner());
    if let Some((seen, checked, loaded)) = map.get_mut(&dir.path) {
        if *seen == current {
            *checked = Instant::now();
            return Ok(Arc::clone(loaded));
        }
    }
    let sources = load::load_dir(&dir.path).map_err(failure)?;
    let files = sources.files().map(|(_, f)| f.path.clone()).collect();
    let loaded = Arc::new(Loaded {
        dir: dir.clone(),
        compilation: crate::compile_sources(sources, options),
        files,
        includes_claimed: AtomicBool::new(false),
        errors_reported: AtomicBool::new(false),
    });
    map.insert(
        dir.path.clone(),
        (current, Instant::now(), Arc::clone(&loaded)),
    );
    Ok(loaded)
}

/// "did you mean ...?" over the folder's event names, or the list of what exists when nothing
/// is close.
pub fn unknown_event_help(registry: &Registry, name: &str) -> String {
    let names: Vec<&str> = registry.events().map(|e| e.full_name.as_str()).collect();
    if let Some(hint) = suggest::did_you_mean(name, names.iter().copied()) {
        return hint;
    }
    match names.len() {
        0 => "the folder declares no events yet".to_string(),
        n if n <= 8 => format!("declared events: {}", suggest::one_of(names)),
        n => format!("the folder declares {n} events; `candor check` lists them"),
    }
}

pub use candor_core::fingerprint::values_fingerprint;
pub use candor_core::types::{classify, RustScalar};

/// The Rust types that fit a YAML type, as error messages say it (from the table in
/// `candor_core::types`, which `docs/derive.md` shows).
pub fn fitting_types(ty: &FieldType) -> String {
    let with_values = matches!(
        ty,
        FieldType::String {
            values: Some(_),
            ..
        }
    );
    candor_core::types::fitting_types(ty.kind(), with_values)
}

/// Whether a recognised Rust type can carry a YAML type; the error says what is wrong in
/// words meant to follow "field `x`: ". Which kinds of type fit which YAML type is the table's
/// (`candor_core::types::carries`); whether an integer type holds the schema's bounds is
/// decided here, where the bounds are known.
pub fn check_fit(scalar: RustScalar, rust: &str, ty: &FieldType) -> Result<(), String> {
    if !candor_core::types::carries(ty.kind(), scalar) {
        return Err(format!(
            "`{rust}` does not fit YAML type `{}`; use {}",
            ty.name(),
            fitting_types(ty)
        ));
    }
    let holds = |bound: Option<i128>, what: &str| match (scalar.range(), bound) {
        (Some((lo, hi)), Some(b)) if b < lo || b > hi => Err(format!(
            "`{rust}` cannot hold the schema's `{what}: {b}`; use a wider integer type"
        )),
        _ => Ok(()),
    };
    match ty {
        FieldType::Integer { min, max, .. } => {
            if matches!(scalar, RustScalar::Unsigned(_)) && min.is_none_or(|m| m < 0) {
                return Err(format!(
                    "`{rust}` cannot hold the negative values the schema allows ({}); use a \
                     signed integer type, or declare `min: 0` in the schema",
                    match min {
                        Some(m) => format!("`min: {m}`"),
                        None => "no `min`".to_string(),
                    }
                ));
            }
            holds(min.map(i128::from), "min")?;
            holds(max.map(i128::from), "max")
        }
        FieldType::Count { max, .. } | FieldType::Duration { max, .. } => {
            holds(max.map(i128::from), "max")
        }
        _ => Ok(()),
    }
}

/// The wire value of an enum variant: its name in snake_case (`HardwareWallet` →
/// `hardware_wallet`, `HTTPError` → `http_error`).
pub fn variant_value(ident: &str) -> String {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = String::with_capacity(ident.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c.is_uppercase() {
            let prev = i.checked_sub(1).map(|p| chars[p]);
            let next = chars.get(i + 1);
            let boundary = match prev {
                None | Some('_') => false,
                Some(p) if p.is_lowercase() || p.is_ascii_digit() => true,
                Some(p) => p.is_uppercase() && next.is_some_and(|n| n.is_lowercase()),
            };
            if boundary {
                out.push('_');
            }
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(min: Option<i64>, max: Option<i64>) -> FieldType {
        FieldType::Integer {
            min,
            max,
            buckets: None,
        }
    }

    #[test]
    fn snake_case_variants() {
        assert_eq!(variant_value("Mainnet"), "mainnet");
        assert_eq!(variant_value("HardwareWallet"), "hardware_wallet");
        assert_eq!(variant_value("HTTPError"), "http_error");
        assert_eq!(variant_value("Tls13"), "tls13");
        assert_eq!(variant_value("V2Beta"), "v2_beta");
    }

    #[test]
    fn integer_fit_follows_min_and_max() {
        let u8_ = RustScalar::Unsigned(8);
        assert!(check_fit(u8_, "u8", &int(Some(0), Some(100))).is_ok());
        assert!(check_fit(u8_, "u8", &int(Some(0), Some(1000)))
            .unwrap_err()
            .contains("max: 1000"));
        assert!(check_fit(u8_, "u8", &int(None, Some(10)))
            .unwrap_err()
            .contains("signed"));
        assert!(check_fit(RustScalar::Signed(8), "i8", &int(Some(-200), None)).is_err());
        assert!(check_fit(RustScalar::Signed(64), "i64", &int(None, None)).is_ok());
        assert!(check_fit(RustScalar::Float, "f64", &int(None, None)).is_err());
    }

    #[test]
    fn resolves_the_folder_in_order_attribute_env_default() {
        let m = Path::new("/crate");
        let d = resolve_dir(m, Some("../shared/"), Some("env"));
        assert_eq!(d.path, Path::new("/crate/../shared/"));
        assert_eq!(d.shown, "../shared");
        assert_eq!(resolve_dir(m, None, Some("/abs")).path, Path::new("/abs"));
        assert_eq!(resolve_dir(m, None, Some("")).shown, "schemas");
        assert_eq!(resolve_dir(m, None, None).path, Path::new("/crate/schemas"));
    }

    #[test]
    fn cache_reuses_until_a_file_changes() {
        let dir = std::env::temp_dir().join(format!("candor-derive-cache-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("a.yaml");
        std::fs::write(&file, "namespace: a\n").unwrap();
        let sd = SchemaDir {
            path: dir.clone(),
            shown: "s".into(),
        };
        let opts = Options::default();
        let first = load_cached_with(&sd, &opts, Duration::ZERO).unwrap();
        let again = load_cached_with(&sd, &opts, Duration::ZERO).unwrap();
        assert!(Arc::ptr_eq(&first, &again));
        std::fs::write(dir.join("b.yaml"), "namespace: b\n").unwrap();
        // Within the re-check interval the entry is trusted as is...
        let trusted = load_cached_with(&sd, &opts, Duration::from_secs(3600)).unwrap();
        assert!(Arc::ptr_eq(&first, &trusted));
        // ...after it, the new file is seen.
        let after = load_cached_with(&sd, &opts, Duration::ZERO).unwrap();
        assert!(!Arc::ptr_eq(&first, &after));
        assert_eq!(after.files.len(), 2);
        assert!(after.claim_includes());
        assert!(!after.claim_includes());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Every derive of a crate reading a broken folder fails, but the folder's problems are
    /// printed once: in full for the first, as one line pointing back for the rest.
    #[test]
    fn folder_errors_are_shown_in_full_once_per_compilation() {
        let dir = std::env::temp_dir().join(format!("candor-derive-once-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("a.yaml"), "namespace: a\nevents: {}\n").unwrap();
        let sd = SchemaDir {
            path: dir.clone(),
            shown: "schemas".into(),
        };
        let opts = Options::default();
        let messages: Vec<String> = (0..5)
            .map(|_| {
                let loaded = load_cached_with(&sd, &opts, Duration::ZERO).unwrap();
                loaded.errors().expect("the folder has errors")
            })
            .collect();
        assert!(
            messages[0].contains("error[missing-key]") && messages[0].contains("schemas/a.yaml:"),
            "{}",
            messages[0]
        );
        for later in &messages[1..] {
            assert!(!later.contains("error["), "{later}");
            assert!(
                later.contains("1 error in the folder, shown in full at the first"),
                "{later}"
            );
        }
        // An edit is a new compilation of the folder: its errors are shown in full again.
        std::fs::write(dir.join("a.yaml"), "namespace: a\n").unwrap();
        let edited = load_cached_with(&sd, &opts, Duration::ZERO).unwrap();
        assert!(edited.errors().unwrap().contains("error[missing-key]"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
