//! A YAML document as a tree of nodes that each know their [`Span`].
//!
//! Built from `saphyr-parser`'s event stream rather than a serde deserializer so that every key
//! and value keeps its position (for `file:line:col` in diagnostics), duplicate keys are seen
//! instead of silently merged, and scalars are typed by our own small YAML 1.2 core-schema rules.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{FileId, Pos, Span};
use saphyr_parser::{Event, Parser, ScalarStyle, Span as YSpan};
use std::borrow::Cow;

mod fast;

/// A YAML node with its position.
#[derive(Debug, Clone, PartialEq)]
pub struct Node<'a> {
    pub kind: NodeKind<'a>,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind<'a> {
    Scalar(Scalar<'a>),
    Seq(Vec<Node<'a>>),
    /// Entries in source order; duplicates are kept so the checker can report them.
    Map(Vec<(Node<'a>, Node<'a>)>),
}

/// A scalar's text and whether it was written plain (unquoted), which decides its type.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar<'a> {
    /// Borrowed from the file unless quoting escapes changed it.
    pub text: Cow<'a, str>,
    pub plain: bool,
}

/// The YAML 1.2 core-schema type of a scalar.
///
/// Integers are kept as integers, never as `f64`: a bound of `2^53 + 1` or `u64::MAX` must reach
/// the registry exactly as written. `i128` holds every `i64` and every `u64`; a longer run of
/// digits is still an integer, only one that fits no field ([`Value::BigInt`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    Null,
    Bool(bool),
    Int(i128),
    /// An integer (by the core schema's syntax) outside the range of `i128`.
    BigInt(&'a str),
    Float(f64),
    Str(&'a str),
}

/// How deeply collections may nest in a schema file. The deepest real schema nests eight
/// levels (file → `events` → event → `fields` → field → `allow` → entry → value); the limit
/// keeps the parsers' and the tree's recursion, and the work spent on hostile input, bounded.
pub const MAX_DEPTH: usize = 64;

impl Scalar<'_> {
    pub fn value(&self) -> Value<'_> {
        if !self.plain {
            return Value::Str(&self.text);
        }
        let t: &str = &self.text;
        // Most scalars are keys and words. One that starts with a letter other than those that
        // begin `null`, `true` or `false` can only be a string: skip the number checks.
        if t.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() && !b"nNtTfF".contains(&b))
        {
            return Value::Str(t);
        }
        match t {
            "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
            "true" | "True" | "TRUE" => return Value::Bool(true),
            "false" | "False" | "FALSE" => return Value::Bool(false),
            ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => {
                return Value::Float(f64::INFINITY)
            }
            "-.inf" | "-.Inf" | "-.INF" => return Value::Float(f64::NEG_INFINITY),
            ".nan" | ".NaN" | ".NAN" => return Value::Float(f64::NAN),
            _ => {}
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8)] {
            let Some(digits) = t.strip_prefix(prefix) else {
                continue;
            };
            // `from_str_radix` would also take a sign after the prefix, which the core schema
            // does not.
            if !digits.is_empty() && digits.bytes().all(|b| (b as char).is_digit(radix)) {
                return match i128::from_str_radix(digits, radix) {
                    Ok(v) => Value::Int(v),
                    Err(_) => Value::BigInt(t),
                };
            }
        }
        let digits = t.strip_prefix(['-', '+']).unwrap_or(t);
        if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return match t.parse::<i128>() {
                Ok(v) => Value::Int(v),
                Err(_) => Value::BigInt(t),
            };
        }
        if looks_like_float(t) {
            if let Ok(v) = t.parse::<f64>() {
                return Value::Float(v);
            }
        }
        Value::Str(t)
    }
}

/// The core schema's float form: `[-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?`.
fn looks_like_float(t: &str) -> bool {
    let b = t.strip_prefix(['-', '+']).unwrap_or(t).as_bytes();
    let mut i = 0;
    let int_digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    i += int_digits;
    let mut frac_digits = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        frac_digits = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        i += frac_digits;
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'-' | b'+')) {
            i += 1;
        }
        let exp = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
        if exp == 0 {
            return false;
        }
        i += exp;
    }
    i == b.len()
}

impl<'a> Node<'a> {
    pub fn as_scalar(&self) -> Option<&Scalar<'a>> {
        match &self.kind {
            NodeKind::Scalar(s) => Some(s),
            _ => None,
        }
    }

    /// The value if this is a scalar.
    pub fn value(&self) -> Option<Value<'_>> {
        self.as_scalar().map(Scalar::value)
    }

    /// What kind of value this is, in words for messages ("a list", "an integer", ...).
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Seq(_) => "a list",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Scalar(s) => match s.value() {
                Value::Null => "nothing (null)",
                Value::Bool(_) => "a boolean",
                Value::Int(_) | Value::BigInt(_) => "an integer",
                Value::Float(_) => "a number",
                Value::Str(_) => "a string",
            },
        }
    }
}

/// Parses one YAML document. A syntax error or an unsupported feature yields a diagnostic at
/// its position and no tree; an empty file yields `None` without a diagnostic.
pub fn parse(text: &str, file: FileId) -> Result<Option<Node<'_>>, Diagnostic> {
    if let Some(at) = lone_carriage_return(text) {
        // YAML counts a lone `\r` as a line break, diagnostics count `\n` only: positions from
        // the parser would point at lines that do not exist for the reader.
        return Err(Diagnostic::error(
            Code::UnsupportedYaml,
            Span {
                file,
                start: at,
                end: Pos {
                    line: at.line,
                    col: at.col + 1,
                },
            },
            "a carriage return without a line feed (old Mac line endings) is not supported",
        )
        .with_help("save the file with `\\n` or `\\r\\n` line endings"));
    }
    if let Some(tree) = fast::parse(text, file) {
        return Ok(tree);
    }
    parse_general(text, file)
}

/// The fast path alone: the tree, or `None` where a file needs the general parser. Public so
/// tests can check that both paths agree.
pub fn parse_fast(text: &str, file: FileId) -> Option<Option<Node<'_>>> {
    // Any `\r` already sends a file to the general parser, lone or not.
    fast::parse(text, file)
}

/// Parses with `saphyr-parser`: any YAML, and every syntax error with its position. The fast
/// path must build exactly the tree this builds for the files it accepts.
pub fn parse_general(text: &str, file: FileId) -> Result<Option<Node<'_>>, Diagnostic> {
    let mut builder = Builder {
        file,
        stack: Vec::new(),
        root: None,
        documents: 0,
        end_of_file: end_of_file(text),
    };
    for item in Parser::new_from_str(text) {
        match item {
            Ok((event, span)) => builder.on_event(event, span)?,
            Err(e) => {
                let at = clamp(pos(e.marker().line(), e.marker().col()), text);
                let span = Span {
                    file,
                    start: at,
                    end: Pos {
                        line: at.line,
                        col: at.col + 1,
                    },
                };
                // The parser's scanner reads ahead over flow brackets and has its own (higher)
                // limit; reaching it is the same problem as reaching ours.
                if e.info() == "recursion limit exceeded" {
                    return Err(too_deep(span));
                }
                return Err(Diagnostic::error(
                    Code::YamlSyntax,
                    span,
                    format!("invalid YAML: {}", e.info()),
                )
                .with_help("check the indentation and quoting around this position; every schema file is one YAML mapping"));
            }
        }
    }
    Ok(builder.root.filter(|root| !is_empty_document(root)))
}

fn too_deep(span: Span) -> Diagnostic {
    Diagnostic::error(
        Code::UnsupportedYaml,
        span,
        format!("collections nested more than {MAX_DEPTH} levels deep are not supported in candor schemas"),
    )
    .with_help("a schema file nests a few levels: file, `events`, event, `fields`, field; flatten the structure")
}

/// A document with nothing in it but a `---` marker: the parser gives it an empty plain
/// scalar as content, which is no more a schema than an empty file is.
fn is_empty_document(root: &Node<'_>) -> bool {
    matches!(&root.kind, NodeKind::Scalar(s) if s.plain && s.text.is_empty())
}

/// The position of the first `\r` not followed by `\n`, if any.
fn lone_carriage_return(text: &str) -> Option<Pos> {
    let (i, _) = text
        .match_indices('\r')
        .find(|(i, _)| !text[i + 1..].starts_with('\n'))?;
    let before = &text[..i];
    let line_start = before.rfind('\n').map_or(0, |n| n + 1);
    Some(Pos {
        line: before.matches('\n').count() as u32 + 1,
        col: before[line_start..].chars().count() as u32 + 1,
    })
}

/// `at`, moved back inside the text if the parser placed it beyond: it reports an unexpected
/// end of input on a line after the last, and some errors after unprintable characters at a
/// byte rather than character column. The caret then lands where the reader can see it.
fn clamp(at: Pos, text: &str) -> Pos {
    let lines = text.split('\n').count() as u32;
    let line = at.line.min(lines);
    let width = text
        .split('\n')
        .nth(line as usize - 1)
        .map_or(0, |l| l.strip_suffix('\r').unwrap_or(l).chars().count()) as u32;
    Pos {
        line,
        col: if line < at.line {
            width + 1
        } else {
            at.col.min(width + 1)
        },
    }
}

/// The position just after the last character (on the empty last line after a final line
/// break).
fn end_of_file(text: &str) -> Pos {
    let last = text.rsplit('\n').next().unwrap_or("");
    Pos {
        line: text.bytes().filter(|b| *b == b'\n').count() as u32 + 1,
        col: last.strip_suffix('\r').unwrap_or(last).chars().count() as u32 + 1,
    }
}

fn pos(line: usize, col0: usize) -> Pos {
    Pos {
        line: line.max(1) as u32,
        col: col0 as u32 + 1,
    }
}

enum Open<'a> {
    Seq(Pos, Vec<Node<'a>>),
    Map(Pos, Vec<Node<'a>>),
}

struct Builder<'a> {
    file: FileId,
    stack: Vec<Open<'a>>,
    root: Option<Node<'a>>,
    documents: usize,
    /// Just after the last character of the file.
    end_of_file: Pos,
}

impl<'a> Builder<'a> {
    fn span(&self, s: YSpan) -> Span {
        Span {
            file: self.file,
            start: self.pos(s.start.line(), s.start.col()),
            end: self.pos(s.end.line(), s.end.col()),
        }
    }

    /// A parser position, kept inside the file: the parser places what it finds at the end of
    /// input (an empty document after `---`, a collection closed by the end of the file) on a
    /// line after the last.
    fn pos(&self, line: usize, col0: usize) -> Pos {
        let at = pos(line, col0);
        if at.line > self.end_of_file.line {
            self.end_of_file
        } else {
            at
        }
    }

    /// Refuses to open a collection beyond [`MAX_DEPTH`].
    fn check_depth(&self, s: YSpan) -> Result<(), Diagnostic> {
        if self.stack.len() < MAX_DEPTH {
            return Ok(());
        }
        Err(too_deep(self.span(s)))
    }

    fn unsupported(&self, s: YSpan, what: &str, help: &str) -> Diagnostic {
        Diagnostic::error(
            Code::UnsupportedYaml,
            self.span(s),
            format!("{what} are not supported in candor schemas"),
        )
        .with_help(help)
    }

    fn on_event(&mut self, event: Event<'a>, s: YSpan) -> Result<(), Diagnostic> {
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
            Event::DocumentStart(_) => {
                self.documents += 1;
                if self.documents > 1 {
                    return Err(self.unsupported(
                        s,
                        "several YAML documents in one file",
                        "put each namespace in its own file",
                    ));
                }
            }
            Event::Alias(_) => {
                return Err(self.unsupported(
                    s,
                    "aliases (`*name`)",
                    "write the value out in full: reviewers read each event on its own",
                ))
            }
            Event::Scalar(text, style, anchor, tag) => {
                self.check_anchor_tag(anchor, tag.is_some(), s)?;
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        text,
                        plain: style == ScalarStyle::Plain,
                    }),
                    span: self.span(s),
                };
                self.push(node);
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_anchor_tag(anchor, tag.is_some(), s)?;
                self.check_depth(s)?;
                self.stack.push(Open::Seq(self.span(s).start, Vec::new()));
            }
            Event::MappingStart(anchor, tag) => {
                self.check_anchor_tag(anchor, tag.is_some(), s)?;
                self.check_depth(s)?;
                self.stack.push(Open::Map(self.span(s).start, Vec::new()));
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let end = self.span(s).end;
                let node = match self.stack.pop() {
                    Some(Open::Seq(start, items)) => Node {
                        kind: NodeKind::Seq(items),
                        span: self.range(start, end),
                    },
                    Some(Open::Map(start, items)) => {
                        let mut pairs = Vec::with_capacity(items.len() / 2);
                        let mut it = items.into_iter();
                        while let (Some(k), Some(v)) = (it.next(), it.next()) {
                            pairs.push((k, v));
                        }
                        Node {
                            kind: NodeKind::Map(pairs),
                            span: self.range(start, end),
                        }
                    }
                    None => return Ok(()),
                };
                self.push(node);
            }
        }
        Ok(())
    }

    fn range(&self, start: Pos, end: Pos) -> Span {
        Span {
            file: self.file,
            start,
            end: end.max(start),
        }
    }

    fn check_anchor_tag(&self, anchor: usize, tagged: bool, s: YSpan) -> Result<(), Diagnostic> {
        if anchor != 0 {
            return Err(self.unsupported(
                s,
                "anchors (`&name`)",
                "write the value out in full: reviewers read each event on its own",
            ));
        }
        if tagged {
            return Err(self.unsupported(
                s,
                "YAML tags (`!tag`)",
                "remove the tag; quote the value if it must be a string",
            ));
        }
        Ok(())
    }

    fn push(&mut self, node: Node<'a>) {
        match self.stack.last_mut() {
            Some(Open::Seq(_, items)) | Some(Open::Map(_, items)) => items.push(node),
            None => self.root = Some(node),
        }
    }
}
