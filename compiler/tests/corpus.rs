//! The schema corpus at `compiler/tests/corpus/`.
//!
//! `invalid/` holds one case per file (`NNN-<code>.yaml`) or per folder (`NNN-<code>/`, for
//! problems that span files, such as a namespace declared twice, or that need a policy file).
//! Each case states what the compiler must report in header comments:
//!
//! ```yaml
//! # expect: unknown-class 12:16
//! # expect: missing-key 9:3
//! ```
//!
//! A case passes only if the compiler reports exactly those codes at exactly those positions
//! and nothing else, so a new spurious diagnostic fails it as surely as a missing one. The first
//! `expect:` of a case is its primary problem and must name the code in the case's file name.
//! In a folder case, each file's `expect:` lines refer to positions in that file, and the first
//! file (in load order) that has any carries the primary one.
//!
//! `valid/` holds cases that must compile without a single diagnostic, among them the passing
//! case of every lint (a field with an `allow` and a written reason).
//!
//! Every case is compiled on its own with today fixed at [`TODAY`], so expiry checks do not
//! depend on the day the tests run.

use candor_schema::{compile_dir, compile_sources, Code, Compilation, Date, Options, SourceMap};
use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

/// The fixed "today" of every corpus case.
const TODAY: &str = "2026-11-22";

/// How many invalid cases the corpus must hold at least.
const MIN_INVALID_CASES: usize = 45;

/// Codes that no schema text can produce: `io-error` belongs to reading files, which fails the
/// whole load with a `LoadError` instead of a located diagnostic.
const NOT_FROM_TEXT: &[Code] = &[Code::Io];

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

fn options() -> Options {
    Options {
        today: Some(Date::parse(TODAY).expect("TODAY is a date")),
        ..Default::default()
    }
}

/// One expected or reported diagnostic: file (relative to the case), code, line and column.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Hit {
    file: String,
    code: String,
    line: u32,
    col: u32,
}

impl fmt::Display for Hit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: # expect: {} {}:{}",
            self.file, self.code, self.line, self.col
        )
    }
}

/// A corpus case: a single file or a folder of files.
struct Case {
    name: String,
    path: PathBuf,
}

impl Case {
    fn is_folder(&self) -> bool {
        self.path.is_dir()
    }

    /// The `(relative path, text)` of every schema file of the case, in load order.
    fn files(&self) -> Vec<(String, String)> {
        if self.is_folder() {
            candor_schema::load::schema_files(&self.path)
                .expect("case folder is readable")
                .into_iter()
                .map(|(rel, path)| (rel, std::fs::read_to_string(path).expect("UTF-8 case")))
                .collect()
        } else {
            vec![(
                self.name.clone(),
                std::fs::read_to_string(&self.path).expect("UTF-8 case"),
            )]
        }
    }

    fn compile(&self) -> Compilation {
        if self.is_folder() {
            // Through the real loader, so file discovery and ordering are exercised too.
            compile_dir(&self.path, &options()).expect("case folder loads")
        } else {
            let mut sources = SourceMap::default();
            let (rel, text) = self.files().remove(0);
            sources.add_text(&rel, &text);
            compile_sources(sources, &options())
        }
    }

    /// The `# expect:` lines, in file order then line order.
    fn expected(&self) -> Vec<Hit> {
        let mut out = Vec::new();
        for (file, text) in self.files() {
            for (n, line) in text.lines().enumerate() {
                let Some(rest) = line.trim_start().strip_prefix("# expect:") else {
                    continue;
                };
                out.push(parse_expect(&file, rest).unwrap_or_else(|| {
                    panic!(
                        "{}: line {}: malformed `# expect: <code> <line>:<col>`",
                        self.name,
                        n + 1
                    )
                }));
            }
        }
        out
    }
}

fn parse_expect(file: &str, rest: &str) -> Option<Hit> {
    let mut words = rest.split_whitespace();
    let code = words.next()?.to_string();
    let (line, col) = words.next()?.split_once(':')?;
    if words.next().is_some() {
        return None;
    }
    Some(Hit {
        file: file.to_string(),
        code,
        line: line.parse().ok()?,
        col: col.parse().ok()?,
    })
}

fn reported(c: &Compilation) -> Vec<Hit> {
    c.diagnostics
        .iter()
        .map(|d| Hit {
            file: c.sources.get(d.span.file).relative.clone(),
            code: d.code.as_str().to_string(),
            line: d.span.start.line,
            col: d.span.start.col,
        })
        .collect()
}

fn cases(kind: &str) -> Vec<Case> {
    let dir = corpus_dir().join(kind);
    let mut out: Vec<Case> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .inspect(|p| {
            // A mistyped extension would silently drop a case from the run.
            assert!(
                p.is_dir() || p.extension().is_some_and(|x| x == "yaml" || x == "yml"),
                "{} is neither a case folder nor a .yaml/.yml file",
                p.display()
            )
        })
        .map(|path| Case {
            name: path.file_name().unwrap().to_string_lossy().into_owned(),
            path,
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The code a case's file name announces: `017-unknown-class.yaml` → `unknown-class`.
fn code_in_name(name: &str) -> &str {
    let stem = name
        .strip_suffix(".yaml")
        .or_else(|| name.strip_suffix(".yml"))
        .unwrap_or(name);
    let after_number = stem.split_once('-').map_or(stem, |(_, rest)| rest);
    // Several cases for one code carry a suffix after `--`: `018-bad-name--too-long.yaml`.
    after_number.split("--").next().unwrap_or(after_number)
}

#[test]
fn every_invalid_case_reports_exactly_what_it_expects() {
    let cases = cases("invalid");
    assert!(
        cases.len() >= MIN_INVALID_CASES,
        "the corpus has {} invalid cases, at least {MIN_INVALID_CASES} are required",
        cases.len()
    );
    let mut failures = Vec::new();
    for case in &cases {
        let expected = case.expected();
        let Some(primary) = expected.first() else {
            failures.push(format!("{}: has no `# expect:` line", case.name));
            continue;
        };
        if primary.code != code_in_name(&case.name) {
            failures.push(format!(
                "{}: the first `expect:` is `{}`, but the file name announces `{}`",
                case.name,
                primary.code,
                code_in_name(&case.name)
            ));
        }
        let compilation = case.compile();
        let mut want = expected.clone();
        let mut got = reported(&compilation);
        want.sort();
        got.sort();
        if want != got {
            let list = |v: &[Hit]| {
                v.iter()
                    .map(|h| format!("    {h}"))
                    .collect::<Vec<_>>()
                    .join("\n")
            };
            failures.push(format!(
                "{}:\n  expected:\n{}\n  reported:\n{}\n  rendered:\n{}",
                case.name,
                list(&want),
                list(&got),
                compilation.render(candor_schema::diagnostic::Color::Never)
            ));
        }
        if compilation.error_count() > 0 && compilation.registry.is_some() {
            failures.push(format!(
                "{}: errors were reported, yet a registry was built",
                case.name
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n\n"));
}

#[test]
fn the_corpus_covers_every_code_that_schema_text_can_produce() {
    let mut covered = BTreeSet::new();
    for case in cases("invalid") {
        for hit in case.expected() {
            covered.insert(hit.code);
        }
    }
    let missing: Vec<&str> = Code::ALL
        .iter()
        .filter(|c| !NOT_FROM_TEXT.contains(c))
        .map(|c| c.as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(missing.is_empty(), "no corpus case expects {missing:?}");
}

#[test]
fn every_valid_case_compiles_without_a_single_diagnostic() {
    let cases = cases("valid");
    assert!(!cases.is_empty(), "compiler/tests/corpus/valid/ is empty");
    for case in &cases {
        let compilation = case.compile();
        assert!(
            compilation.diagnostics.is_empty(),
            "{} should be clean:\n{}",
            case.name,
            compilation.render(candor_schema::diagnostic::Color::Never)
        );
        assert!(compilation.registry.is_some(), "{}: no registry", case.name);
    }
}

#[test]
fn the_expect_header_parser_rejects_malformed_lines() {
    assert_eq!(
        parse_expect("a.yaml", " unknown-class 12:16"),
        Some(Hit {
            file: "a.yaml".into(),
            code: "unknown-class".into(),
            line: 12,
            col: 16
        })
    );
    assert_eq!(parse_expect("a.yaml", " unknown-class 12"), None);
    assert_eq!(parse_expect("a.yaml", " unknown-class 12:16 extra"), None);
    assert_eq!(code_in_name("018-bad-name--too-long.yaml"), "bad-name");
    assert_eq!(
        code_in_name("040-duplicate-namespace"),
        "duplicate-namespace"
    );
}
