//! The YAML fast path builds exactly the tree the general parser (`saphyr-parser`) builds —
//! kinds, scalar text and style, and every span — on every file it accepts, and it accepts the
//! plain block style real schema files use. Inputs: the example app's schemas, the invalid and
//! valid corpora, the golden fixtures, hand-written edge cases, and random YAML.

use candor_schema::source::FileId;
use candor_schema::yaml::{parse_fast, parse_general};
use proptest::prelude::*;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            out.push(p);
        }
    }
}

/// Checks agreement; returns whether the fast path accepted the text.
fn agree(text: &str, what: &str) -> bool {
    compare(text, what).unwrap_or_else(|e| panic!("{e}"))
}

fn compare(text: &str, what: &str) -> Result<bool, String> {
    let Some(fast) = parse_fast(text, FileId(0)) else {
        return Ok(false);
    };
    let general = parse_general(text, FileId(0)).map_err(|d| {
        format!(
            "fast path accepted {what}, which the general parser rejects: {}",
            d.message
        )
    })?;
    if fast != general {
        return Err(format!(
            "trees differ for {what}:\nfast:    {fast:?}\ngeneral: {general:?}"
        ));
    }
    Ok(true)
}

#[test]
fn agrees_on_every_schema_file_in_the_repository() {
    let mut files = Vec::new();
    for dir in [
        "schemas",
        "compiler/tests/corpus",
        "compiler/tests/golden",
        "tests/fixtures",
    ] {
        yaml_files(&repo().join(dir), &mut files);
    }
    assert!(files.len() > 50, "found only {} files", files.len());
    let mut accepted = 0;
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        accepted += usize::from(agree(&text, &f.display().to_string()));
    }
    // Most files are plain block style; the rest exercise what only the general parser takes.
    assert!(
        accepted * 4 > files.len() * 3,
        "fast path took only {accepted} of {} files",
        files.len()
    );
}

#[test]
fn takes_the_example_schemas() {
    let mut files = Vec::new();
    yaml_files(&repo().join("schemas"), &mut files);
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        assert!(
            agree(&text, &f.display().to_string()),
            "fast path refused {}",
            f.display()
        );
    }
}

const CASES: &[&str] = &[
    "",
    "# only a comment\n",
    "a: 1",
    "a: 1\n",
    "a:\n",
    "a:\nb: 2\n",
    "a:   # comment\n  b: 1\n",
    "a: x # comment\n",
    "a: x#not-a-comment\n",
    "a: 'it''s'\n",
    "a: \"q\\\"uote\\\\ \\n\\t\\/\"\n",
    "a: \"\\u00e9\"\n",
    "a: é ü\nb: [é, ü]\n",
    "a: [1, 2.5, x y, \"q\", 'r']\n",
    "a: []\nb: {}\n",
    "a: { b: 1, c: [x, y], d: { e: f } }\n",
    "a: {b: 1}\n",
    "a: [a, b,]\n",
    "a: [a\n  , b]\n",
    "a: {b:1}\n",
    "a: b: c\n",
    "a: -\n",
    "a: - b\n",
    "a: &x 1\nb: *x\n",
    "a: !!str 1\n",
    "a: |\n  text\n",
    "a: >\n  text\n",
    "a: multi\n  line\n",
    "- a\n- b\n",
    "a:\n- x\n- y\nb: 1\n",
    "a:\n  - x\n  - y\nb: 1\n",
    "a:\n  - k: v\n    l: w\n  - k: z\n",
    "a:\n- k: v\n  l: w\nb: 2\n",
    "a:\n  - - x\n",
    "a:\n  -\n    k: v\n",
    "  a: 1\n  b: 2\n",
    "a:\n    b: 1\n  c: 2\n",
    "a: 1\n  b: 2\n",
    "---\na: 1\n",
    "a: 1\n---\nb: 2\n",
    "a: 1\n...\n",
    "%YAML 1.2\n---\na: 1\n",
    "a:\tb\n",
    "a: 1\r\nb: 2\r\n",
    "\u{feff}a: 1\n",
    "\"a\": 1\n",
    "a b: 1\n",
    "a  : 1\n",
    "? a\n: 1\n",
    "a: 1\na: 2\n",
    "a: [x, [y, z], {k: v}]\n",
    "a: \"unterminated\n",
    "a: [unterminated\n",
    "a: x: y\n",
    "key:value\n",
    "a: 12:30\n",
    "a: [12:30]\n",
    "a: http://example.org/x#y\n",
    "a: 'x' y\n",
    "a: \"x\" # c\n",
    "-\n",
    "a:\n  b:\n    c:\n      d: 1\n  e: 2\n",
    "events:\n  e:\n    fields:\n      f: { type: bool, class: technical, description: \"...\", optional: true }\n",
];

#[test]
fn agrees_on_edge_cases() {
    let mut accepted = 0;
    let mut failures = Vec::new();
    for case in CASES {
        match compare(case, &format!("{case:?}")) {
            Ok(took) => accepted += usize::from(took),
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(accepted > 20, "fast path took only {accepted} edge cases");
}

/// Random documents in the block style, built from schema-like keys and awkward scalars.
fn document() -> impl Strategy<Value = String> {
    let scalar = prop_oneof![
        Just("plain".to_string()),
        Just("two words".to_string()),
        Just("30".to_string()),
        Just("'single'".to_string()),
        Just("\"dou\\\"ble\"".to_string()),
        Just("[a, b, 'c']".to_string()),
        Just("{ k: v, n: [1, 2] }".to_string()),
        Just("x # comment".to_string()),
        Just("é".to_string()),
        Just("a: b".to_string()),
        Just("".to_string()),
        Just("-".to_string()),
        Just("[a,".to_string()),
        "[a-z :#,\\[\\]{}'\"-]{0,12}",
    ];
    let line = (
        0usize..4,
        prop_oneof![Just("- "), Just("")],
        "[a-z_]{1,6}",
        prop_oneof![Just(": "), Just(":"), Just(" : ")],
        scalar,
    );
    proptest::collection::vec(line, 1..12).prop_map(|lines| {
        lines
            .into_iter()
            .map(|(depth, dash, key, colon, value)| {
                format!("{}{dash}{key}{colon}{value}\n", "  ".repeat(depth))
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn agrees_on_random_documents(text in document()) {
        agree(&text, "a random document");
    }
}

/// Characters YAML gives a meaning, refuses, or treats unlike a plain character: every C0
/// control, DEL, every C1 control (NEL among them), the byte-order mark, the Unicode line and
/// paragraph separators, the non-characters U+FFFE/U+FFFF, and odd spaces.
fn unusual_chars() -> Vec<char> {
    let mut out: Vec<char> = (0u32..0x20)
        .chain(0x7f..0xa0)
        .filter_map(char::from_u32)
        .collect();
    out.extend([
        '\u{a0}', '\u{2028}', '\u{2029}', '\u{feff}', '\u{fffe}', '\u{ffff}', '\u{200b}',
        '\u{2003}', '\u{3000}', '\u{202e}', '\u{1680}',
    ]);
    out
}

/// Where a character can sit in a small schema-like document.
const PLACES: &[&str] = &[
    "@a: 1\n",
    "a@: 1\n",
    "a:@ 1\n",
    "a: @\n",
    "a: x@y\n",
    "a: x@\n",
    "a: \"x@y\"\n",
    "a: 'x@y'\n",
    "a: 1 # x@y\n",
    "# x@y\na: 1\n",
    "@\na: 1\n",
    "a: 1\n@\n",
    " @a: 1\n",
    "a:\n  @b: 1\n",
    "a:\n @ b: 1\n",
    "a: [x@, y]\n",
    "a: [x, @y]\n",
    "a: {k: @v}\n",
    "a: {k@: v}\n",
    "- @x\n",
    "-@ x\n",
    "a: 1@",
    "a: 1\n@",
];

/// The fast path and `saphyr-parser` agree wherever an unusual character sits, and the fast
/// path leaves every one YAML treats specially to the general parser.
#[test]
fn agrees_on_every_control_character_in_every_place() {
    let mut failures = Vec::new();
    for c in unusual_chars() {
        for place in PLACES {
            let text = place.replace('@', &c.to_string());
            let what = format!("U+{:04X} in {place:?}", c as u32);
            match compare(&text, &what) {
                Ok(accepted) => {
                    // Line feeds are lines to it; the odd spaces are ordinary characters.
                    let ordinary = matches!(
                        c,
                        '\n' | '\u{a0}'
                            | '\u{200b}'
                            | '\u{2003}'
                            | '\u{3000}'
                            | '\u{202e}'
                            | '\u{1680}'
                    );
                    if accepted && !ordinary {
                        failures.push(format!("the fast path took {what}"));
                    }
                }
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_nul_byte_goes_to_the_general_parser_which_refuses_it() {
    for text in ["a: \0\n", "a: b\0\n", "\0", "a: 1\n\0b: 2\n", "a: \"\0\"\n"] {
        assert!(parse_fast(text, FileId(0)).is_none(), "{text:?}");
    }
    assert!(parse_general("a: b\0\n", FileId(0)).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random documents with an unusual character inserted anywhere.
    #[test]
    fn agrees_on_random_documents_with_unusual_characters(
        text in document(),
        at in any::<usize>(),
        pick in any::<usize>(),
    ) {
        let chars = unusual_chars();
        let c = chars[pick % chars.len()];
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mut damaged = text.clone();
        damaged.insert(at, c);
        if let Err(e) = compare(&damaged, "a random document with an unusual character") {
            return Err(TestCaseError::fail(e));
        }
    }
}
