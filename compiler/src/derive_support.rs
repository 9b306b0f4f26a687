//! What `#[derive(Event)]` needs from the schema compiler, kept here so the proc-macro crate
//! stays a thin shim: finding the schema folder, compiling it once per compiler process,
//! showing YAML positions, and the table of which Rust types fit which YAML type.
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

/// A Rust type the derive recognises by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustScalar {
    Bool,
    /// A signed integer of this many bits (`isize` counts as 64).
    Signed(u32),
    /// An unsigned integer of this many bits (`usize` counts as 64).
    Unsigned(u32),
    Float,
    /// `String`, `str`, or `Box`/`Rc`/`Arc`/`Cow` of `str`.
    Text,
    /// `std::time::Duration`.
    Duration,
}

/// Recognises a type by the last segment of its path and, for wrappers, its one generic
/// argument (`Box<str>` is `("Box", Some("str"))`). `None`: not a type the table knows; the
/// derive then leaves the judgement to the field-value traits of the runtime.
pub fn classify(name: &str, arg: Option<&str>) -> Option<RustScalar> {
    use RustScalar::*;
    Some(match (name, arg) {
        ("bool", None) => Bool,
        ("i8", None) => Signed(8),
        ("i16", None) => Signed(16),
        ("i32", None) => Signed(32),
        ("i64" | "isize", None) => Signed(64),
        ("u8", None) => Unsigned(8),
        ("u16", None) => Unsigned(16),
        ("u32", None) => Unsigned(32),
        ("u64" | "usize", None) => Unsigned(64),
        ("f32" | "f64", None) => Float,
        ("String" | "str", None) => Text,
        ("Box" | "Rc" | "Arc" | "Cow", Some("str")) => Text,
        ("Duration", None) => Duration,
        _ => return None,
    })
}

/// The Rust types that fit a YAML type, as shown in error messages and `docs/derive.md`.
pub fn fitting_types(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Bool => "`bool`",
        FieldType::Integer { .. } => {
            "`i8`, `i16`, `i32`, `i64`, `isize`; `u8`, `u16`, `u32`, `u64`, `usize` when `min >= 0`; \
             the type must hold the schema's `min` and `max`"
        }
        FieldType::Float { .. } => "`f32`, `f64`",
        FieldType::Count { .. } => {
            "`u8`, `u16`, `u32`, `u64`, `usize`, holding the schema's `max`"
        }
        FieldType::Duration { .. } => {
            "`std::time::Duration`, or `u8`, `u16`, `u32`, `u64`, `usize` counted in the schema's \
             `unit` and holding its `max`"
        }
        FieldType::String { values: Some(_), .. } => {
            "`String`, `&str`, `Box<str>`, `Rc<str>`, `Arc<str>`, `Cow<str>` (checked against the \
             `values` when sent), or an enum with `#[derive(candor::EventEnum)]` whose variants are \
             the `values`"
        }
        FieldType::String { .. } => "`String`, `&str`, `Box<str>`, `Rc<str>`, `Arc<str>`, `Cow<str>`",
        FieldType::Enum { .. } => {
            "an enum with `#[derive(candor::EventEnum)]` whose variants, in snake_case, are the `values`"
        }
    }
}

fn range(scalar: RustScalar) -> Option<(i128, i128)> {
    match scalar {
        RustScalar::Signed(bits) => Some((-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)),
        RustScalar::Unsigned(bits) => Some((0, (1i128 << bits) - 1)),
        _ => None,
    }
}

/// Whether a recognised Rust type can carry a YAML type; the error says what is wrong in
/// words meant to follow "field `x`: ".
pub fn check_fit(scalar: RustScalar, rust: &str, ty: &FieldType) -> Result<(), String> {
    let mismatch = || {
        Err(format!(
            "`{rust}` does not fit YAML type `{}`; use {}",
            ty.name(),
            fitting_types(ty)
        ))
    };
    let holds = |bound: Option<i128>, what: &str| match (range(scalar), bound) {
        (Some((lo, hi)), Some(b)) if b < lo || b > hi => Err(format!(
            "`{rust}` cannot hold the schema's `{what}: {b}`; use a wider integer type"
        )),
        _ => Ok(()),
    };
    match (ty, scalar) {
        (FieldType::Bool, RustScalar::Bool) => Ok(()),
        (FieldType::Float { .. }, RustScalar::Float) => Ok(()),
        (FieldType::String { .. }, RustScalar::Text) => Ok(()),
        (FieldType::Integer { min, max, .. }, RustScalar::Signed(_) | RustScalar::Unsigned(_)) => {
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
        (FieldType::Count { max, .. }, RustScalar::Unsigned(_))
        | (FieldType::Duration { max, .. }, RustScalar::Unsigned(_)) => {
            holds(max.map(i128::from), "max")
        }
        (FieldType::Duration { .. }, RustScalar::Duration) => Ok(()),
        _ => mismatch(),
    }
}

/// One step of a [`simple_pattern`]: a byte from `ranges`, repeated `min..=max` times.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatternAtom {
    /// Inclusive ASCII byte ranges.
    pub ranges: Vec<(u8, u8)>,
    pub min: u32,
    /// `None`: unbounded.
    pub max: Option<u32>,
}

/// The common shape of schema patterns (`[a-z][a-z0-9_]*`, `[A-Z0-9]+`, `v\d{1,3}`) as a list
/// of atoms the derive can match byte by byte, greedily. `None` for anything else (groups,
/// alternation, `.`, negated classes, flags, non-ASCII, lazy quantifiers).
///
/// A greedy walk that consumes the whole value proves the pattern matches it, so generated code
/// may skip the regular expression then; when the walk fails, the regular expression decides,
/// so a pattern this reading gets "wrong" can only cost speed, never let a value through.
pub fn simple_pattern(src: &str) -> Option<Vec<PatternAtom>> {
    let src = src.strip_prefix('^').unwrap_or(src);
    let src = src.strip_suffix('$').unwrap_or(src);
    let b = src.as_bytes();
    if !src.is_ascii() {
        return None;
    }
    let mut atoms = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let ranges = match b[i] {
            b'[' => {
                let end = i + 1 + b[i + 1..].iter().position(|&c| c == b']')?;
                let ranges = class(&b[i + 1..end])?;
                i = end + 1;
                ranges
            }
            b'\\' => {
                let r = escape(*b.get(i + 1)?)?;
                i += 2;
                vec![r]
            }
            c if c.is_ascii_alphanumeric() || c == b'_' || c == b'-' => {
                i += 1;
                vec![(c, c)]
            }
            _ => return None,
        };
        let (min, max, used) = quantifier(&b[i..])?;
        i += used;
        if b.get(i) == Some(&b'?') {
            return None;
        }
        atoms.push(PatternAtom { ranges, min, max });
    }
    (!atoms.is_empty()).then_some(atoms)
}

fn escape(c: u8) -> Option<(u8, u8)> {
    match c {
        b'd' => Some((b'0', b'9')),
        b'.' | b'-' | b'_' | b'+' | b'*' | b'?' | b'[' | b']' | b'{' | b'}' | b'(' | b')'
        | b'|' | b'^' | b'$' | b'\\' | b'/' => Some((c, c)),
        _ => None,
    }
}

fn class(body: &[u8]) -> Option<Vec<(u8, u8)>> {
    if body.is_empty() || body[0] == b'^' {
        return None;
    }
    let mut out = Vec::new();
    let mut i = 0;
    while i < body.len() {
        let lo = match body[i] {
            b'\\' => {
                let (lo, hi) = escape(*body.get(i + 1)?)?;
                i += 2;
                if lo != hi {
                    out.push((lo, hi));
                    continue;
                }
                lo
            }
            b'[' => return None,
            c => {
                i += 1;
                c
            }
        };
        if body.get(i) == Some(&b'-') && i + 1 < body.len() {
            let hi = body[i + 1];
            if hi == b'\\' || hi < lo {
                return None;
            }
            out.push((lo, hi));
            i += 2;
        } else {
            out.push((lo, lo));
        }
    }
    Some(out)
}

/// `(min, max, bytes used)` of the quantifier at the start of `b` (none: exactly once).
fn quantifier(b: &[u8]) -> Option<(u32, Option<u32>, usize)> {
    Some(match b.first() {
        Some(b'+') => (1, None, 1),
        Some(b'*') => (0, None, 1),
        Some(b'?') => (0, Some(1), 1),
        Some(b'{') => {
            let end = b.iter().position(|&c| c == b'}')?;
            let body = std::str::from_utf8(&b[1..end]).ok()?;
            let (min, max) = match body.split_once(',') {
                None => {
                    let n = body.parse().ok()?;
                    (n, Some(n))
                }
                Some((lo, "")) => (lo.parse().ok()?, None),
                Some((lo, hi)) => (lo.parse().ok()?, Some(hi.parse().ok()?)),
            };
            if max.is_some_and(|m| m < min) {
                return None;
            }
            (min, max, end + 1)
        }
        _ => (1, Some(1), 0),
    })
}

/// Whether `value` matches `atoms` by the greedy walk generated code performs. Kept here, next
/// to the parser, so the two are tested together.
pub fn simple_match(atoms: &[PatternAtom], value: &str) -> bool {
    let b = value.as_bytes();
    let mut i = 0;
    for atom in atoms {
        let mut n = 0u32;
        while i < b.len()
            && atom.max.is_none_or(|m| n < m)
            && atom
                .ranges
                .iter()
                .any(|&(lo, hi)| (lo..=hi).contains(&b[i]))
        {
            i += 1;
            n += 1;
        }
        if n < atom.min {
            return false;
        }
    }
    i == b.len()
}

/// Whether the greedy walk of `atoms` ([`simple_match`]) decides the pattern exactly, rejecting
/// only what the regular expression rejects too, so generated code needs no regular expression.
///
/// It does when every atom with a choice of length (`min < max`) shares no byte with the atoms
/// that could take the byte right after it: the following ones up to and including the first
/// that must take at least one byte. Then in any match of the pattern that atom takes the whole
/// run of its bytes (up to `max`): the first byte of the run it left would have to be taken by
/// one of those atoms, which cannot take it. So the match is unique and is the one the greedy
/// walk finds. `[a-z][a-z0-9_]*`, `[A-Z0-9]+`, `[0-9]+\.[0-9]+` qualify; `[a-z]*[a-z]` does not.
pub fn greedy_is_exact(atoms: &[PatternAtom]) -> bool {
    let disjoint = |a: &PatternAtom, b: &PatternAtom| {
        a.ranges
            .iter()
            .all(|&(lo, hi)| b.ranges.iter().all(|&(l2, h2)| hi < l2 || h2 < lo))
    };
    atoms.iter().enumerate().all(|(i, atom)| {
        if atom.max == Some(atom.min) {
            return true;
        }
        let later = &atoms[i + 1..];
        // Up to and including the first atom that cannot take zero bytes.
        let until = later
            .iter()
            .position(|a| a.min > 0)
            .map_or(later.len(), |p| p + 1);
        later[..until].iter().all(|l| disjoint(atom, l))
    })
}

/// A fingerprint of a set of enum values, independent of order: `#[derive(EventEnum)]` stores
/// it for the enum's variants and `#[derive(Event)]` compares it with the YAML `values` in a
/// `const`, which costs the compiler one integer comparison instead of comparing strings in
/// const evaluation (that took a millisecond per event). FNV-1a over the sorted values, each
/// followed by a byte that cannot occur in UTF-8.
pub fn values_fingerprint<'a>(values: impl IntoIterator<Item = &'a str>) -> u64 {
    let mut sorted: Vec<&str> = values.into_iter().collect();
    sorted.sort_unstable();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in sorted.iter().flat_map(|v| v.bytes().chain([0xff])) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0100_0000_01b3);
    }
    hash
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
    fn classify_knows_wrappers_of_str_only() {
        assert_eq!(classify("Arc", Some("str")), Some(RustScalar::Text));
        assert_eq!(classify("Arc", Some("u8")), None);
        assert_eq!(classify("usize", None), Some(RustScalar::Unsigned(64)));
        assert_eq!(classify("IpAddr", None), None);
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

    #[test]
    fn simple_patterns_agree_with_the_regex_whenever_they_accept() {
        for (src, simple) in [
            ("[a-z][a-z0-9_]*", true),
            ("[A-Z0-9]+", true),
            ("^v\\d{1,3}$", true),
            ("[a-f0-9]{8}", true),
            ("[a-z]+-[0-9]{2,}", true),
            ("(a|b)", false),
            ("[^a]+", false),
            (".*", false),
            ("a+?", false),
        ] {
            assert_eq!(simple_pattern(src).is_some(), simple, "{src}");
        }
        let inputs = [
            "",
            "a",
            "abc",
            "a1_",
            "1abc",
            "ABC123",
            "abc123",
            "v1",
            "v1234",
            "v12",
            "deadbeef",
            "deadbeefx",
            "ab-12",
            "ab-1",
            "é",
            "A_B",
            "ab--12",
        ];
        for src in [
            "[a-z][a-z0-9_]*",
            "[A-Z0-9]+",
            "v\\d{1,3}",
            "[a-f0-9]{8}",
            "[a-z]+-[0-9]{2,}",
        ] {
            let atoms = simple_pattern(src).unwrap();
            let re = regex_lite::Regex::new(&format!(r"\A(?:{src})\z")).unwrap();
            for input in inputs {
                assert_eq!(
                    simple_match(&atoms, input),
                    re.is_match(input),
                    "{src} on {input:?}"
                );
            }
        }
        // Greedy can be stricter than the regex (never looser): the fallback then decides.
        let atoms = simple_pattern("[a-z]*[a-z]").unwrap();
        assert!(!simple_match(&atoms, "ab"));
    }

    /// Patterns [`greedy_is_exact`] judges, and whether it calls the walk exact.
    const EXACTNESS: &[(&str, bool)] = &[
        ("[a-z][a-z0-9_]*", true),
        ("[A-Z0-9]+", true),
        ("v\\d{1,3}", true),
        ("[a-f0-9]{8}", true),
        ("[a-z]+-[0-9]{2,}", true),
        ("[a-z]{2}[a-z]{3}", true),
        ("[0-9]+\\.[0-9]+", true),
        ("[a-z]*[a-z]", false),
        ("[a-z0-9]+[a-z]", false),
        ("[a-z]?a", false),
        ("[0-9]{1,3}[0-5]", false),
        ("[a-c]+[c-e]", false),
        ("[a-z]+[0-9]?[a-z]", false),
        ("[a-z]+[0-9][a-z]+", true),
    ];

    #[test]
    fn greedy_is_exact_only_without_overlap_after_a_choice() {
        for &(src, exact) in EXACTNESS {
            let atoms = simple_pattern(src).unwrap();
            assert_eq!(greedy_is_exact(&atoms), exact, "{src}");
        }
    }

    proptest::proptest! {
        /// Where `greedy_is_exact` says so, the walk and the regular expression agree on every
        /// value, accepted or not; elsewhere the walk still never accepts what the regex rejects.
        #[test]
        fn an_exact_walk_agrees_with_the_regex(value in "[a-f0-9_.vA-C-]{0,12}") {
            for &(src, _) in EXACTNESS {
                let atoms = simple_pattern(src).unwrap();
                let re = regex_lite::Regex::new(&format!(r"\A(?:{src})\z")).unwrap();
                let walk = simple_match(&atoms, &value);
                if greedy_is_exact(&atoms) {
                    proptest::prop_assert_eq!(walk, re.is_match(&value), "{} on {:?}", src, value);
                } else {
                    proptest::prop_assert!(!walk || re.is_match(&value), "{} on {:?}", src, value);
                }
            }
        }
    }

    #[test]
    fn values_fingerprint_ignores_order_only() {
        let a = values_fingerprint(["card", "bank_transfer", "voucher"]);
        assert_eq!(a, values_fingerprint(["voucher", "card", "bank_transfer"]));
        assert_ne!(a, values_fingerprint(["card", "bank_transfer"]));
        assert_ne!(
            a,
            values_fingerprint(["card", "bank", "transfer", "voucher"])
        );
        assert_ne!(
            values_fingerprint(["ab", "c"]),
            values_fingerprint(["a", "bc"])
        );
    }
}
