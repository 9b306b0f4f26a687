//! Property tests: no input makes the compiler panic, and every diagnostic it reports points at
//! a real place in the file (line and column inside the text, related locations too).
//!
//! Three kinds of input: arbitrary text (including invalid UTF-8 made lossy, control characters
//! and tabs), structure-aware YAML built from the schema vocabulary with random nesting, style
//! and indentation, and mutations of a valid schema (one character dropped, doubled or replaced).
//! Each property runs a few hundred cases, a few seconds in all.

use candor_schema::diagnostic::Color;
use candor_schema::{compile_str, Compilation, Date, Diagnostic, Options, Span};
use proptest::prelude::*;

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    }
}

/// Why `span` does not lie inside `text`, if it does not. Line `n + 1` after a final newline
/// counts as inside (end of file), and a column may sit one past the last character (end of line).
fn outside(span: Span, text: &str) -> Option<String> {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(line) = (span.start.line as usize)
        .checked_sub(1)
        .and_then(|i| lines.get(i))
    else {
        return Some(format!(
            "line {} of a file with {} lines",
            span.start.line,
            lines.len()
        ));
    };
    let width = line.strip_suffix('\r').unwrap_or(line).chars().count() as u32;
    if span.start.col == 0 || span.start.col > width + 1 {
        return Some(format!(
            "column {} of line {} with {width} characters",
            span.start.col, span.start.line
        ));
    }
    if span.end < span.start {
        return Some(format!("ends ({:?}) before it starts", span.end));
    }
    None
}

/// Compiles `text` and checks the invariants; any panic inside fails the property too.
fn check(text: &str) -> Result<(), TestCaseError> {
    let c: Compilation = compile_str("fuzz.yaml", text, &options());
    for d in &c.diagnostics {
        let spans = std::iter::once(d.span).chain(d.related.as_ref().map(|r| r.0));
        for span in spans {
            if let Some(why) = outside(span, text) {
                return Err(TestCaseError::fail(format!(
                    "{} points outside the file: {why}\n{}",
                    describe(d),
                    text
                )));
            }
        }
        prop_assert!(!d.message.is_empty(), "{} has no message", describe(d));
    }
    // Rendering walks the same positions; it must not panic either.
    let human = c.render(Color::Never);
    let _ = c.render(Color::Always);
    let json: serde_json::Value = serde_json::from_str(&c.render_json()).expect("valid JSON");
    prop_assert_eq!(json["errors"].as_u64(), Some(c.error_count() as u64));
    prop_assert_eq!(c.registry.is_some(), c.error_count() == 0, "{}", human);
    Ok(())
}

fn describe(d: &Diagnostic) -> String {
    format!(
        "{}[{}] {}:{}",
        d.code.as_str(),
        d.message,
        d.span.start.line,
        d.span.start.col
    )
}

const KEYS: &[&str] = &[
    "namespace",
    "description",
    "owners",
    "defaults",
    "events",
    "purpose",
    "version",
    "consent",
    "retention_days",
    "expires",
    "expiry_justification",
    "fields",
    "type",
    "class",
    "optional",
    "justification",
    "review",
    "allow",
    "values",
    "max_len",
    "pattern",
    "unit",
    "min",
    "max",
    "buckets",
    "lint",
    "reason",
    "max_retention_days",
    "max_expiry_days",
    "max_string_len",
    "extra_personal_words",
    "email",
    "client_ip",
    "wallet_count",
    "Bad-Name",
    "x",
];

const SCALARS: &[&str] = &[
    "usage",
    "diagnostics",
    "performance",
    "technical",
    "interaction",
    "sensitive",
    "pii",
    "bool",
    "integer",
    "float",
    "enum",
    "string",
    "duration",
    "count",
    "us",
    "ms",
    "s",
    "personal-name",
    "sensitive-in-usage",
    "never",
    "2027-06-30",
    "2026-11-21",
    "2026-12-01",
    "2099-01-01",
    "2027-02-30",
    "0",
    "1",
    "-1",
    "30",
    "99999999999999999999",
    "1.5",
    "-0.0",
    ".inf",
    ".nan",
    "0x1F",
    "true",
    "null",
    "~",
    "\"\"",
    "''",
    "\"[a-z\"",
    "\"[a-z_]+\"",
    "\"ünïcödé «text»\"",
    "team@example.org",
    "A sentence: with a colon",
    "'quoted # not a comment'",
    "&anchor value",
    "*alias",
    "!!str tagged",
    "[]",
    "{}",
    "[a, b, a]",
    "[0, 10, 5]",
    "{ lint: personal-name, reason: why }",
];

/// A YAML value as a tree, rendered in block or flow style.
#[derive(Debug, Clone)]
enum Tree {
    Scalar(String),
    Seq(Vec<Tree>),
    Map(Vec<(String, Tree)>),
}

fn tree() -> impl Strategy<Value = Tree> {
    let leaf = prop_oneof![
        4 => proptest::sample::select(SCALARS).prop_map(|s| Tree::Scalar(s.to_string())),
        1 => "[a-zA-Z0-9_ .:-]{0,12}".prop_map(Tree::Scalar),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Tree::Seq),
            prop::collection::vec(
                (
                    prop_oneof![
                        8 => proptest::sample::select(KEYS).prop_map(str::to_string),
                        1 => "[a-z_]{1,8}",
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(Tree::Map),
        ]
    })
}

fn render(t: &Tree, indent: usize, step: usize, flow: bool, out: &mut String) {
    let pad = " ".repeat(indent);
    match t {
        Tree::Scalar(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Tree::Seq(items) if flow || items.is_empty() => {
            out.push_str(&flow_text(t));
            out.push('\n');
        }
        Tree::Map(entries) if flow || entries.is_empty() => {
            out.push_str(&flow_text(t));
            out.push('\n');
        }
        Tree::Seq(items) => {
            out.push('\n');
            for item in items {
                out.push_str(&pad);
                out.push_str("- ");
                render(item, indent + 2, step, flow, out);
            }
        }
        Tree::Map(entries) => {
            out.push('\n');
            for (k, v) in entries {
                out.push_str(&pad);
                out.push_str(k);
                out.push_str(": ");
                render(v, indent + step, step, flow, out);
            }
        }
    }
}

fn flow_text(t: &Tree) -> String {
    match t {
        Tree::Scalar(s) => s.clone(),
        Tree::Seq(items) => format!(
            "[{}]",
            items.iter().map(flow_text).collect::<Vec<_>>().join(", ")
        ),
        Tree::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{k}: {}", flow_text(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A structure-aware document: a top-level mapping, random indentation width, block or flow.
fn document() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((proptest::sample::select(KEYS), tree()), 0..7),
        prop_oneof![Just(1usize), Just(2), Just(4)],
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(entries, step, flow, crlf)| {
            let mut out = String::new();
            for (k, v) in entries {
                out.push_str(k);
                out.push_str(": ");
                render(&v, step, step, flow, &mut out);
            }
            if crlf {
                out = out.replace('\n', "\r\n");
            }
            out
        })
}

const VALID: &str = include_str!("corpus/valid/002-every-type.yaml");

/// How to damage a valid schema at one character position.
#[derive(Debug, Clone)]
enum Mutation {
    Drop,
    Double,
    Replace(char),
    Insert(char),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let nasty = proptest::sample::select(vec![
        ':', '-', '\t', ' ', '\n', '"', '\'', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>',
        '%', '@', '`', ',', '?', 'é', '\u{feff}', '\r',
    ]);
    prop_oneof![
        Just(Mutation::Drop),
        Just(Mutation::Double),
        nasty.clone().prop_map(Mutation::Replace),
        nasty.prop_map(Mutation::Insert),
    ]
}

fn mutate(text: &str, at: usize, m: &Mutation) -> String {
    let chars: Vec<char> = text.chars().collect();
    let i = at % chars.len();
    let mut out: Vec<char> = chars[..i].to_vec();
    match m {
        Mutation::Drop => {}
        Mutation::Double => out.extend([chars[i], chars[i]]),
        Mutation::Replace(c) => out.push(*c),
        Mutation::Insert(c) => out.extend([*c, chars[i]]),
    }
    out.extend(&chars[i + 1..]);
    out.into_iter().collect()
}

proptest! {
    // No regression files: a failure prints its minimal input, which belongs in the corpus.
    #![proptest_config(ProptestConfig {
        cases: 400,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC*|[\\t\\r\\n :\\-\\[\\]{}#&*!|>'\"a-z0-9]{0,200}") {
        check(&text)?;
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        check(&String::from_utf8_lossy(&bytes))?;
    }

    #[test]
    fn structured_yaml_from_the_schema_vocabulary_never_panics(text in document()) {
        check(&text)?;
    }

    #[test]
    fn damaged_valid_schemas_never_panic(
        edits in prop::collection::vec((any::<usize>(), mutation()), 1..4)
    ) {
        let mut text = VALID.to_string();
        for (at, m) in &edits {
            text = mutate(&text, *at, m);
        }
        check(&text)?;
    }
}

#[test]
fn the_valid_seed_of_the_mutations_is_clean() {
    let c = compile_str("seed.yaml", VALID, &options());
    assert!(c.diagnostics.is_empty(), "{}", c.render(Color::Never));
}

#[test]
fn the_position_check_catches_positions_outside_the_file() {
    use candor_schema::source::{FileId, Pos};
    let at = |line, col| Span {
        file: FileId(0),
        start: Pos { line, col },
        end: Pos { line, col },
    };
    assert_eq!(outside(at(1, 1), "ab\n"), None);
    assert_eq!(outside(at(1, 3), "ab\n"), None, "end of line");
    assert_eq!(outside(at(2, 1), "ab\n"), None, "end of file");
    assert!(outside(at(0, 0), "ab\n").is_some(), "the default span");
    assert!(outside(at(1, 4), "ab\n").is_some());
    assert!(outside(at(3, 1), "ab\n").is_some());
}
