//! What diagnostics print when the schema text is hostile: hidden characters (escape
//! sequences, bells, C1 controls, bidirectional-text controls, line separators) are written
//! out as `\u{..}` in the human and the JSON rendering, with carets still under the right
//! text; a megabyte line or key is cut to a window instead of printed whole.

use candor_schema::diagnostic::{visible, Color};
use candor_schema::{compile_str, Date, Options};

fn options() -> Options {
    Options {
        today: Some(Date::parse("2026-11-22").expect("a date")),
        ..Default::default()
    }
}

/// Characters a terminal would act on or a reader would not see.
fn raw_hidden(s: &str) -> Vec<char> {
    s.chars()
        .filter(|c| candor_schema::diagnostic::is_hidden_char(*c) && *c != '\n')
        .collect()
}

#[test]
fn hidden_characters_are_written_out_everywhere() {
    let text = "namespace: x\nnote\u{1b}[2J\u{7}\u{9b}\u{202e}\u{2028}: 1\n";
    let c = compile_str("evil\u{1b}]0;t\u{7}.yaml", text, &options());
    let human = c.render(Color::Never);
    assert!(raw_hidden(&human).is_empty(), "{human:?}");
    assert!(
        human.contains(r"note\u{1b}[2J\u{7}\u{9b}\u{202e}\u{2028}"),
        "{human}"
    );
    assert!(human.contains(r"evil\u{1b}]0;t\u{7}.yaml:2:1"), "{human}");
    // The caret run covers the key as printed, escapes included.
    let key = r"note\u{1b}[2J\u{7}\u{9b}\u{202e}\u{2028}";
    let line = human
        .lines()
        .find(|l| l.contains(key) && l.starts_with('2'))
        .expect("the source line");
    let carets = human
        .lines()
        .skip_while(|l| *l != line)
        .nth(1)
        .expect("the caret line");
    let key_at = line.find(key).unwrap();
    assert_eq!(carets.find('^'), Some(key_at), "{line}\n{carets}");
    assert_eq!(carets.matches('^').count(), key.len(), "{line}\n{carets}");

    let json = c.render_json();
    assert!(raw_hidden(&json).is_empty(), "{json:?}");
    let parsed: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(
        parsed["diagnostics"][0]["file"],
        r"evil\u{1b}]0;t\u{7}.yaml"
    );
}

#[test]
fn colour_codes_are_candor_s_own_only() {
    let c = compile_str("a.yaml", "namespace: x\nk\u{1b}[31m: 1\n", &options());
    let coloured = c.render(Color::Always);
    // Every escape in the coloured output starts one of the renderer's own SGR sequences.
    for (i, _) in coloured.match_indices('\u{1b}') {
        let rest = &coloured[i + 1..];
        assert!(
            rest.starts_with("[0m") || rest.starts_with("[1"),
            "{coloured:?}"
        );
    }
    assert!(coloured.contains(r"k\u{1b}[31m"), "{coloured:?}");
}

#[test]
fn a_megabyte_line_is_cut_around_the_caret() {
    let key = "k".repeat(1 << 20);
    let text = format!("namespace: x\nevents: {{}}\nz: {{ a: 1, {key}: 2 }}\n");
    let c = compile_str("big.yaml", &text, &options());
    let human = c.render(Color::Never);
    assert!(human.len() < 20_000, "{} bytes printed", human.len());
    assert!(human.contains('…'), "{human}");
    let json = c.render_json();
    assert!(json.len() < 20_000, "{} bytes of JSON", json.len());
}

#[test]
fn visible_leaves_ordinary_text_alone() {
    for s in ["plain", "ünïcödé «text»", "tab\tless? no", "emoji 🟩"] {
        let shown = visible(s);
        if s.contains('\t') {
            assert_eq!(shown, s.replace('\t', r"\u{9}"));
        } else {
            assert_eq!(shown, s);
        }
    }
}
