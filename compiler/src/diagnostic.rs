//! Diagnostics: severity, stable code, message, location and help, plus their two renderings
//! (human, rustc-style with the source line and a caret; and JSON for CI).

use crate::source::{SourceMap, Span};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;

/// How bad a problem is. Errors fail `candor check`; warnings fail it only with `--deny-warnings`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

macro_rules! codes {
    ($($(#[doc = $doc:literal])* $variant:ident = $text:literal,)*) => {
        /// Stable diagnostic codes. CI scripts and suppressions match on the text form, so a code
        /// is never renamed once released; `docs/schema-language.md` lists them all.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code { $($(#[doc = $doc])* $variant,)* }

        impl Code {
            /// Every code, in declaration order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $text,)* }
            }
        }
    };
}

codes! {
    /// The file is not valid YAML.
    YamlSyntax = "yaml-syntax",
    /// A YAML feature schemas do not allow (anchors, aliases, tags, several documents).
    UnsupportedYaml = "unsupported-yaml",
    /// The file could not be read.
    Io = "io-error",
    /// A mapping repeats a key.
    DuplicateKey = "duplicate-key",
    /// A key that is not part of the schema language.
    UnknownKey = "unknown-key",
    /// A known key that does not apply here (e.g. `unit` on an `integer`).
    KeyNotAllowed = "key-not-allowed",
    /// A required key is absent.
    MissingKey = "missing-key",
    /// A value of the wrong YAML kind (a list where a string belongs, ...).
    WrongType = "wrong-type",
    /// A value of the right kind but not allowed (an empty description, version 0, ...).
    InvalidValue = "invalid-value",
    /// A namespace, event, field or enum value that is not snake_case or too long.
    BadName = "bad-name",
    /// The same namespace in two files.
    DuplicateNamespace = "duplicate-namespace",
    /// The same event twice.
    DuplicateEvent = "duplicate-event",
    /// The same field twice in one event.
    DuplicateField = "duplicate-field",
    UnknownType = "unknown-type",
    UnknownClass = "unknown-class",
    UnknownConsent = "unknown-consent",
    UnknownUnit = "unknown-unit",
    /// An `enum` field without `values`, or with an empty list.
    EnumWithoutValues = "enum-without-values",
    /// `values` lists the same value twice.
    DuplicateValue = "duplicate-value",
    /// A `string` below `pii` with neither `values` nor `max_len` + `pattern`.
    FreeTextString = "free-text-string",
    InvalidPattern = "invalid-pattern",
    MinGreaterThanMax = "min-greater-than-max",
    BadBuckets = "bad-buckets",
    /// A date that is not `YYYY-MM-DD`.
    BadDate = "bad-date",
    RetentionExceedsPolicy = "retention-exceeds-policy",
    ExpiryTooFar = "expiry-too-far",
    /// The event's `expires` date has passed.
    Expired = "expired",
    /// An `error_report: true` event whose consent or fields are not those of an error report.
    ErrorReportShape = "error-report-shape",
    /// A `sensitive` field without `justification`, or `never` without `expiry_justification`.
    MissingJustification = "missing-justification",
    /// No `owners` on the file nor on the event.
    MissingOwner = "missing-owner",
    /// Lint: a field whose name suggests personal data, classed below `pii`.
    PersonalName = "personal-name",
    /// Lint: a `sensitive` field in an event whose consent is `usage`.
    SensitiveInUsage = "sensitive-in-usage",
    /// Lint: randomized response whose ε keeps the true value more than 99 times in 100.
    WeakRandomization = "weak-randomization",
    /// A randomized response `epsilon` that is not above 0 and at most 10.
    BadEpsilon = "bad-epsilon",
    /// `privacy` on a field without a closed set of at least two values, or on a `pii` field.
    RandomizationNotApplicable = "randomization-not-applicable",
    /// An `allow` entry naming something that is not a lint.
    UnknownLint = "unknown-lint",
    /// An `allow` entry that suppresses nothing.
    UnusedAllow = "unused-allow",
    /// The event expires within 30 days.
    ExpiresSoon = "expires-soon",
    /// A schema file that declares no events.
    NoEvents = "no-events",
    /// A metric classed `pii`: metrics are sent whenever their consent holds.
    PiiMetric = "pii-metric",
    /// A metric named like an event or another metric of the same namespace.
    DuplicateMetric = "duplicate-metric",
    /// A control character, line break or bidirectional-text control in a value where it can
    /// have no meaning (a name, a value, an owner, a pattern, a date).
    ControlCharacter = "control-character",
}

/// One problem found in the schemas.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    pub span: Span,
    pub help: Option<String>,
    /// A second place that matters, e.g. the first definition of a duplicate.
    pub related: Option<(Span, String)>,
}

impl Diagnostic {
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            message: message.into(),
            span,
            help: None,
            related: None,
        }
    }

    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, span, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, span: Span, note: impl Into<String>) -> Self {
        self.related = Some((span, note.into()));
        self
    }

    /// `file:line:col` of the primary span, or `-` for a problem that is not about a place in a
    /// file (line 0, such as an invalid `SOURCE_DATE_EPOCH`).
    pub fn location(&self, sources: &SourceMap) -> String {
        match file_of(self.span, sources) {
            Some(f) => format!(
                "{}:{}:{}",
                visible(&f.display),
                self.span.start.line,
                self.span.start.col
            ),
            None => "-".to_string(),
        }
    }
}

/// The file `span` is in, unless the span is not about a file at all: line 0 (the default span,
/// used for settings such as `SOURCE_DATE_EPOCH`), or a folder with no files to point into.
fn file_of(span: Span, sources: &SourceMap) -> Option<&crate::source::SourceFile> {
    if span.start.line == 0 {
        return None;
    }
    sources.try_get(span.file)
}

/// Whether a terminal, an editor or a Markdown viewer could act on `c` or hide it instead of
/// showing it: C0 and C1 controls and DEL (escape sequences, line breaks, tabs), the Unicode
/// line and paragraph separators, bidirectional-text controls (text that reads differently
/// from what it is) and the byte-order mark.
pub fn is_hidden_char(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{061c}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// `s` with every [hidden character](is_hidden_char) written out as a Rust-style escape
/// (`\u{1b}`), so text from a schema file, a file name or a command line reaches a terminal or
/// a CI log as something to read, never as something the terminal acts on.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(is_hidden_char) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        push_visible(&mut out, c);
    }
    Cow::Owned(out)
}

/// Longest message, help or note printed whole, in characters.
const MAX_SHOWN_TEXT: usize = 400;

/// A message, help or note as printed: [`visible`], and cut in the middle when a quoted value
/// makes it longer than [`MAX_SHOWN_TEXT`] (a megabyte key would otherwise be printed whole).
fn shown_text(s: &str) -> Cow<'_, str> {
    let s = visible(s);
    let len = s.chars().count();
    if len <= MAX_SHOWN_TEXT {
        return s;
    }
    let head: String = s.chars().take(MAX_SHOWN_TEXT * 3 / 4).collect();
    let tail: String = s.chars().skip(len - MAX_SHOWN_TEXT / 4).collect();
    Cow::Owned(format!("{head} … {tail}"))
}

fn push_visible(out: &mut String, c: char) {
    if is_hidden_char(c) {
        let _ = write!(out, "\\u{{{:x}}}", c as u32);
    } else {
        out.push(c);
    }
}

/// Sorts diagnostics by file, position and code so output is the same on every run.
pub fn sort(diags: &mut [Diagnostic]) {
    diags.sort_by(|a, b| {
        (a.span.file, a.span.start, a.code, &a.message).cmp(&(
            b.span.file,
            b.span.start,
            b.code,
            &b.message,
        ))
    });
}

/// Counts (errors, warnings).
pub fn count(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    (errors, diags.len() - errors)
}

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Color {
    Never,
    Always,
}

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
}

/// Renders diagnostics the way rustc does: header, `-->` location, the source line, a caret
/// under the offending text, then help. Ends with a one-line summary.
pub fn render_human(diags: &[Diagnostic], sources: &SourceMap, color: Color) -> String {
    let style = Style {
        on: color == Color::Always,
    };
    let mut out = String::new();
    let mut long_lines = LongLines::default();
    for d in diags {
        render_one(&mut out, d, sources, &style, &mut long_lines);
        out.push('\n');
    }
    let (errors, warnings) = count(diags);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if errors + warnings == 0 {
        let _ = writeln!(out, "{}", style.paint("1;32", "ok: no problems found"));
    } else {
        let _ = writeln!(
            out,
            "{}: {}, {}",
            if errors > 0 {
                style.paint("1;31", "failed")
            } else {
                style.paint("1;33", "passed with warnings")
            },
            plural(errors, "error"),
            plural(warnings, "warning")
        );
    }
    out
}

fn render_one(
    out: &mut String,
    d: &Diagnostic,
    sources: &SourceMap,
    style: &Style,
    long_lines: &mut LongLines,
) {
    let (word, colour) = match d.severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let _ = writeln!(
        out,
        "{}{} {}",
        style.paint(colour, &format!("{word}[{}]", d.code.as_str())),
        style.paint("1", ":"),
        style.paint("1", &shown_text(&d.message))
    );
    if file_of(d.span, sources).is_some() {
        let mark = Mark {
            colour,
            arrow: "-->",
            label: None,
        };
        snippet(out, d.span, sources, style, &mark, long_lines);
    }
    if let Some((span, note)) = d
        .related
        .as_ref()
        .filter(|r| file_of(r.0, sources).is_some())
    {
        let note = shown_text(note);
        let mark = Mark {
            colour: "1;36",
            arrow: ":::",
            label: Some(&note),
        };
        snippet(out, *span, sources, style, &mark, long_lines);
    }
    if let Some(help) = &d.help {
        let pad = " ".repeat(d.span.start.line.to_string().len());
        let _ = writeln!(
            out,
            "{pad} = {} {}",
            style.paint("1", "help:"),
            shown_text(help)
        );
    }
}

/// How a snippet marks its place: the caret's colour, the arrow before the file name, and a
/// label after the carets.
struct Mark<'a> {
    colour: &'a str,
    arrow: &'a str,
    label: Option<&'a str>,
}

fn snippet(
    out: &mut String,
    span: Span,
    sources: &SourceMap,
    style: &Style,
    mark: &Mark<'_>,
    long_lines: &mut LongLines,
) {
    let Mark {
        colour,
        arrow,
        label,
    } = *mark;
    let file = sources.get(span.file);
    let number = span.start.line.to_string();
    let pad = " ".repeat(number.len());
    let _ = writeln!(
        out,
        "{pad}{} {}:{}:{}",
        style.paint("1;34", arrow),
        visible(&file.display),
        span.start.line,
        span.start.col
    );
    let Some(line) = file.line(span.start.line) else {
        return;
    };
    // Only the part of a long line that can be shown is prepared, so that many diagnostics on
    // one huge line cost what they print, not the line's length each.
    let (line, skipped) = long_lines.window(span, line);
    let span = Span {
        start: crate::source::Pos {
            col: span.start.col.saturating_sub(skipped).max(1),
            ..span.start
        },
        end: if span.end.line == span.start.line {
            crate::source::Pos {
                col: span.end.col.saturating_sub(skipped).max(1),
                ..span.end
            }
        } else {
            span.end
        },
        file: span.file,
    };
    let bar = style.paint("1;34", "|");
    let _ = writeln!(out, "{pad} {bar}");
    // Hidden characters are shown escaped, so the caret columns are counted on the line as
    // printed: `col_at[c]` is where character column `c + 1` starts there.
    let mut shown = String::with_capacity(line.len());
    let mut col_at = Vec::with_capacity(line.len() + 1);
    let mut width = 0;
    for c in line.chars() {
        col_at.push(width);
        let before = shown.len();
        match c {
            '\t' => shown.push(' '),
            c => push_visible(&mut shown, c),
        }
        // Escapes are ASCII, so their bytes are their columns.
        width += if c.is_ascii() || is_hidden_char(c) {
            shown.len() - before
        } else {
            1
        };
    }
    col_at.push(width);
    let line_chars = col_at.len() as u32 - 1;
    let start = span.start.col.clamp(1, line_chars + 1);
    let end = if span.end.line == span.start.line && span.end.col > start {
        span.end.col.min(line_chars + 1)
    } else {
        (line_chars + 1).max(start + 1)
    };
    // Columns past the end of the line continue after its last character.
    let at = |col: u32| {
        let i = col as usize - 1;
        col_at
            .get(i)
            .copied()
            .unwrap_or_else(|| width + (i - line_chars as usize))
    };
    let (from, to) = (at(start), at(end).max(at(start) + 1));
    // A very long line (a minified file, a hostile megabyte scalar) is cut to a window around
    // the caret, marked with `…` where text is left out.
    let (shown, from, to) = if width <= MAX_SHOWN_LINE {
        (shown, from, to)
    } else {
        let to = to.min(from + MAX_SHOWN_LINE / 2);
        let first = from.saturating_sub(CONTEXT);
        let last = (to + CONTEXT).min(width);
        let byte = |col: usize| {
            shown
                .char_indices()
                .nth(col)
                .map_or(shown.len(), |(i, _)| i)
        };
        let mut cut = String::new();
        let mut shift = 0;
        if first > 0 {
            cut.push('…');
            shift = 1;
        }
        cut.push_str(&shown[byte(first)..byte(last)]);
        if last < width {
            cut.push('…');
        }
        (cut, from - first + shift, to - first + shift)
    };
    let _ = writeln!(out, "{} {bar} {shown}", style.paint("1;34", &number));
    let carets = "^".repeat(to - from);
    let label = label.map(|l| format!(" {l}")).unwrap_or_default();
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        " ".repeat(from),
        style.paint(colour, &format!("{carets}{label}"))
    );
}

/// Lines longer than this many bytes are cut to a window of characters around the caret
/// before a snippet is prepared.
const LONG_LINE_BYTES: usize = 8 * MAX_SHOWN_LINE;
/// Characters kept before the caret in that window: more than a line shown whole may have,
/// so the snippet cuts the window (and marks the cut with `…`) as it would cut the whole line
/// (each character prints as one column or more).
const WINDOW_BEFORE: usize = MAX_SHOWN_LINE + CONTEXT;
/// Characters kept from the caret on: more than a cut can show, so the cut (and its `…`) is
/// made by the snippet exactly as on the whole line.
const WINDOW_AFTER: usize = 2 * MAX_SHOWN_LINE;
/// Every this many characters of a long line, its byte offset is remembered.
const MARK_EVERY: usize = 256;

/// Byte offsets of every [`MARK_EVERY`]th character of the long lines met so far, so that the
/// window of each further diagnostic on the same line is found without scanning from its start.
struct LongLines {
    /// Lines up to this many bytes are prepared whole.
    min_bytes: usize,
    /// Per line: the offsets, and the line's length in characters.
    marks: std::collections::HashMap<(crate::source::FileId, u32), (Vec<usize>, usize)>,
}

impl Default for LongLines {
    fn default() -> LongLines {
        LongLines {
            min_bytes: LONG_LINE_BYTES,
            marks: Default::default(),
        }
    }
}

impl LongLines {
    /// The part of `line` worth preparing for a snippet at `span`, and how many characters
    /// were left out before it.
    fn window<'l>(&mut self, span: Span, line: &'l str) -> (&'l str, u32) {
        if line.len() <= self.min_bytes {
            return (line, 0);
        }
        let (marks, chars) = &*self
            .marks
            .entry((span.file, span.start.line))
            .or_insert_with(|| {
                let marks: Vec<usize> = line
                    .char_indices()
                    .step_by(MARK_EVERY)
                    .map(|(i, _)| i)
                    .collect();
                let last = marks.last().copied().unwrap_or(0);
                let chars = (marks.len().max(1) - 1) * MARK_EVERY + line[last..].chars().count();
                (marks, chars)
            });
        let byte_of = |char_index: usize| -> usize {
            match marks.get(char_index / MARK_EVERY) {
                Some(&from) => line[from..]
                    .char_indices()
                    .nth(char_index % MARK_EVERY)
                    .map_or(line.len(), |(i, _)| from + i),
                None => line.len(),
            }
        };
        // A caret past the end of the line is anchored at its end.
        let caret = (span.start.col as usize).saturating_sub(1).min(*chars);
        let first = caret.saturating_sub(WINDOW_BEFORE);
        let last = caret.saturating_add(WINDOW_AFTER);
        let (a, b) = (byte_of(first), byte_of(last));
        (&line[a..b], first as u32)
    }
}

/// Longest source line shown whole in a snippet, in columns as printed.
const MAX_SHOWN_LINE: usize = 200;
/// Columns of context kept on each side of the caret when a line is cut.
const CONTEXT: usize = 60;

/// One diagnostic as CI sees it in `--format json`.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    severity: Severity,
    code: &'static str,
    message: Cow<'a, str>,
    #[serde(flatten)]
    at: JsonLocation<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<Cow<'a, str>>,
    /// A second place that matters, e.g. the first definition of a duplicate.
    #[serde(skip_serializing_if = "Option::is_none")]
    related: Option<JsonRelated<'a>>,
}

/// [`Diagnostic::related`] in `--format json`.
#[derive(Serialize)]
struct JsonRelated<'a> {
    message: Cow<'a, str>,
    #[serde(flatten)]
    at: JsonLocation<'a>,
}

/// Where a diagnostic points, as `file`, `line`, `column`, `end_line`, `end_column`.
#[derive(Serialize)]
struct JsonLocation<'a> {
    /// `null`, with line and column 0, for a problem that is not about a place in a file.
    file: Option<Cow<'a, str>>,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
}

impl<'a> JsonLocation<'a> {
    fn of(span: Span, sources: &'a SourceMap) -> Self {
        JsonLocation {
            file: file_of(span, sources).map(|f| visible(&f.display)),
            line: span.start.line,
            column: span.start.col,
            end_line: span.end.line,
            end_column: span.end.col,
        }
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<JsonDiagnostic<'a>>,
}

/// Renders diagnostics as one JSON document: `{"errors":N,"warnings":N,"diagnostics":[...]}`.
/// Text is passed through [`visible`] as in the human rendering: JSON escapes C0 controls
/// itself, but C1 controls and bidirectional-text controls would reach a terminal that shows
/// the report raw.
pub fn render_json(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let (errors, warnings) = count(diags);
    let report = JsonReport {
        errors,
        warnings,
        diagnostics: diags
            .iter()
            .map(|d| JsonDiagnostic {
                severity: d.severity,
                code: d.code.as_str(),
                message: shown_text(&d.message),
                at: JsonLocation::of(d.span, sources),
                help: d.help.as_deref().map(shown_text),
                related: d.related.as_ref().map(|(span, message)| JsonRelated {
                    message: shown_text(message),
                    at: JsonLocation::of(*span, sources),
                }),
            })
            .collect(),
    };
    let mut s = serde_json::to_string_pretty(&report).expect("diagnostics serialize");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    /// Windowing a long line changes nothing in what is printed: the same snippet as when
    /// the whole line is prepared, for lines with wide, hidden and tab characters and
    /// carets and spans anywhere on them.
    mod long_lines {
        use super::super::*;
        use crate::source::{Pos, SourceMap};
        use proptest::prelude::*;

        fn render(text: &str, spans: &[(u32, u32)], windowed: bool) -> String {
            let mut sources = SourceMap::default();
            let file = sources.add_text("long.yaml", text);
            let mut long_lines = LongLines::default();
            if !windowed {
                long_lines.min_bytes = usize::MAX;
            }
            let mut out = String::new();
            for &(col, len) in spans {
                let span = Span {
                    file,
                    start: Pos { line: 2, col },
                    end: Pos {
                        line: 2,
                        col: col + len,
                    },
                };
                let mark = Mark {
                    colour: "1",
                    arrow: "-->",
                    label: None,
                };
                snippet(
                    &mut out,
                    span,
                    &sources,
                    &Style { on: false },
                    &mark,
                    &mut long_lines,
                );
            }
            out
        }

        proptest! {
            #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]
            #[test]
            fn a_windowed_snippet_prints_what_the_whole_line_does(
                unit in proptest::collection::vec(
                    prop_oneof![Just('a'), Just(' '), Just('\t'), Just('é'), Just('界'), Just('\u{202e}'), Just('\u{7}')],
                    1..40,
                ),
                repeat in 50usize..400,
                spans in proptest::collection::vec((1u32..20_000, 0u32..600), 1..12),
            ) {
                let line: String = unit.iter().cycle().take(unit.len() * repeat).collect();
                let text = format!("first: line\n{line}\nlast: line\n");
                prop_assert_eq!(render(&text, &spans, true), render(&text, &spans, false));
            }
        }
    }
}
