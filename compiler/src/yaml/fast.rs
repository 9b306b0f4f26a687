//! The fast path of [`super::parse`]: a line-based scanner for the plain block style that
//! schema files are written in (block mappings and sequences, one-line flow collections, plain
//! and single-line quoted scalars, comments).
//!
//! It exists for speed only (the general parser spends most of a large check in per-character
//! state machines). It never decides what YAML means on its own: whenever a file uses anything
//! outside that subset — anchors, tags, block scalars, multi-line scalars, tabs, unusual escapes,
//! or anything malformed — it gives up and the file goes through `saphyr-parser`, which also
//! produces every syntax error. A differential test checks that, on files it accepts, it builds
//! exactly the tree the general path builds, spans included.

use super::{Node, NodeKind, Scalar, MAX_DEPTH};
use crate::source::{FileId, Pos, Span};
use std::borrow::Cow;
use std::cell::Cell;

/// The tree of `text`, `Some(None)` for a document without content, or `None` when the file
/// needs the general parser.
pub(super) fn parse(text: &str, file: FileId) -> Option<Option<Node<'_>>> {
    if has_unusual_characters(text) {
        return None;
    }
    let mut lines = Vec::new();
    let mut seen_content = false;
    // The last line and its number, for where the file ends (the general parser's
    // `end_of_file`, without a second pass over the text).
    let mut last = (0, "");
    for (n, raw) in text.split('\n').enumerate() {
        last = (n, raw);
        let trimmed = raw.trim_start_matches(' ');
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let indent = raw.len() - trimmed.len();
        if indent == 0 && (raw.starts_with("---") || raw.starts_with("...") || raw.starts_with('%'))
        {
            // A leading `---` alone is harmless, but it shifts nothing we could not handle;
            // every other marker or directive goes to the general parser.
            return None;
        }
        seen_content = true;
        lines.push(Line {
            no: n as u32 + 1,
            indent,
            text: raw,
            ascii: raw.is_ascii(),
            cursor: Cell::new((0, 0)),
        });
    }
    if !seen_content {
        return Some(None);
    }
    let eof = Pos {
        line: last.0 as u32 + 1,
        col: last.1.chars().count() as u32 + 1,
    };
    let mut p = Scanner {
        lines,
        i: 0,
        file,
        eof,
        depth: 0,
    };
    let first = p.lines[0].indent;
    let root = p.block(first)?;
    (p.i == p.lines.len()).then_some(Some(root))
}

/// Whether `text` holds a character the fast path leaves to the general parser: tabs and
/// carriage returns (indentation and line-break rules), every other C0 control and DEL, C1
/// controls, the byte-order mark anywhere, the Unicode line and paragraph separators and the
/// non-characters U+FFFE/U+FFFF. YAML gives some of them meaning and refuses others; the
/// general parser decides which, so both paths agree on them by construction. One pass over
/// the bytes, so it costs little on the large files the fast path is for.
fn has_unusual_characters(text: &str) -> bool {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' | b' '..=b'~' => i += 1,
            0..=0x1f | 0x7f => return true,
            // C1 controls: U+0080–U+009F.
            0xc2 if matches!(b.get(i + 1), Some(0x80..=0x9f)) => return true,
            // U+2028, U+2029.
            0xe2 if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0xa8 | 0xa9)) => {
                return true
            }
            // U+FEFF, U+FFFE, U+FFFF.
            0xef if matches!(
                (b.get(i + 1), b.get(i + 2)),
                (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
            ) =>
            {
                return true
            }
            _ => i += 1,
        }
    }
    false
}

/// A line with content (blank and comment-only lines are dropped up front).
struct Line<'a> {
    no: u32,
    /// Where the content starts, in bytes. A compact sequence item (`- key: v`) moves it to
    /// the item's content so the nested mapping reads like any other.
    indent: usize,
    text: &'a str,
    /// Bytes are columns on an ASCII line; decided once per line, not per token.
    ascii: bool,
    /// The last (byte, character column) looked up on a non-ASCII line: tokens are visited
    /// left to right, so counting characters from there keeps a long line linear.
    cursor: Cell<(usize, usize)>,
}

struct Scanner<'a> {
    lines: Vec<Line<'a>>,
    i: usize,
    file: FileId,
    eof: Pos,
    /// Collections open around the current one; beyond [`MAX_DEPTH`] the file goes to the
    /// general parser, which reports it.
    depth: usize,
}

/// Characters that cannot start a plain scalar in block context (or that we leave to the
/// general parser: anchors, aliases, tags, block scalars, directives, reserved).
fn starts_special(c: u8) -> bool {
    matches!(
        c,
        b'&' | b'*' | b'!' | b'|' | b'>' | b'%' | b'@' | b'`' | b'?' | b'#' | b',' | b']' | b'}'
    )
}

impl<'a> Scanner<'a> {
    fn pos(&self, line: &Line<'a>, byte: usize) -> Pos {
        let col = if line.ascii {
            byte
        } else {
            let (mut from, mut col) = line.cursor.get();
            if byte < from {
                (from, col) = (0, 0);
            }
            col += line.text[from..byte].chars().count();
            line.cursor.set((byte, col));
            col
        };
        Pos {
            line: line.no,
            col: col as u32 + 1,
        }
    }

    fn span(&self, line: &Line<'a>, start: usize, end: usize) -> Span {
        Span {
            file: self.file,
            start: self.pos(line, start),
            end: self.pos(line, end),
        }
    }

    /// Where the next token starts: the next content line, or the end of input. Block
    /// collections end there, as in the general parser.
    fn next_token(&self) -> Pos {
        match self.lines.get(self.i) {
            Some(l) => self.pos(l, l.indent),
            None => self.eof,
        }
    }

    fn content(&self) -> &'a str {
        let l = &self.lines[self.i];
        &l.text[l.indent..]
    }

    /// A block node whose first line is the current one, at `indent`.
    fn block(&mut self, indent: usize) -> Option<Node<'a>> {
        let c = self.content();
        if is_dash(c) {
            self.seq(indent, false)
        } else {
            self.map(indent)
        }
    }

    /// Counts a collection opening. A failed parse is abandoned as a whole, so only the
    /// successful path closes it again ([`Scanner::close`]).
    fn open(&mut self) -> Option<()> {
        (self.depth < MAX_DEPTH).then(|| self.depth += 1)
    }

    fn close(&mut self) {
        self.depth -= 1;
    }

    fn map(&mut self, indent: usize) -> Option<Node<'a>> {
        self.open()?;
        let start = self.next_token();
        let mut pairs = Vec::with_capacity(8);
        while self.i < self.lines.len() && self.lines[self.i].indent == indent {
            if is_dash(self.content()) {
                return None;
            }
            let line_index = self.i;
            let (key, after_colon) = self.key()?;
            let line = &self.lines[line_index];
            let rest_start = skip_spaces(line.text, after_colon);
            let rest = &line.text[rest_start..];
            let value = if rest.is_empty() || rest.starts_with('#') {
                // The general parser places an empty value at the key's colon.
                let empty_at = self.pos(line, after_colon - 1);
                self.i += 1;
                match self.lines.get(self.i) {
                    Some(next) if next.indent > indent => self.block(next.indent)?,
                    Some(next) if next.indent == indent && is_dash(&next.text[next.indent..]) => {
                        self.seq(indent, true)?
                    }
                    _ => Node {
                        kind: NodeKind::Scalar(Scalar {
                            text: Cow::Borrowed(""),
                            plain: true,
                        }),
                        span: Span {
                            file: self.file,
                            start: empty_at,
                            end: empty_at,
                        },
                    },
                }
            } else {
                let node = self.inline(line_index, rest_start)?;
                self.i += 1;
                if self.lines.get(self.i).is_some_and(|n| n.indent > indent) {
                    return None;
                }
                node
            };
            pairs.push((key, value));
        }
        if self.lines.get(self.i).is_some_and(|n| n.indent > indent) {
            return None;
        }
        self.close();
        let end = self.next_token();
        Some(Node {
            kind: NodeKind::Map(pairs),
            span: Span {
                file: self.file,
                start,
                end,
            },
        })
    }

    /// A block sequence at `indent`. `indentless`: its dashes sit at the parent key's
    /// indentation (`key:\n- a`), where the general parser starts the span at the first item.
    fn seq(&mut self, indent: usize, indentless: bool) -> Option<Node<'a>> {
        self.open()?;
        let dash_line = &self.lines[self.i];
        let first_item = skip_spaces(dash_line.text, indent + 1);
        let start = if indentless {
            self.pos(dash_line, first_item)
        } else {
            self.pos(dash_line, indent)
        };
        let mut items = Vec::new();
        while self.i < self.lines.len()
            && self.lines[self.i].indent == indent
            && is_dash(self.content())
        {
            let line_index = self.i;
            let text = self.lines[line_index].text;
            let at = skip_spaces(text, indent + 1);
            let rest = &text[at..];
            if rest.is_empty() || rest.starts_with('#') || at == indent + 1 || is_dash(rest) {
                return None;
            }
            let item = if self.line_is_entry(line_index, at) {
                // `- key: value`: a mapping whose first line starts after the dash.
                self.lines[line_index].indent = at;
                self.map(at)?
            } else {
                let node = self.inline(line_index, at)?;
                self.i += 1;
                if self.lines.get(self.i).is_some_and(|n| n.indent > indent) {
                    return None;
                }
                node
            };
            items.push(item);
        }
        if self.lines.get(self.i).is_some_and(|n| n.indent > indent) {
            return None;
        }
        self.close();
        let end = self.next_token();
        Some(Node {
            kind: NodeKind::Seq(items),
            span: Span {
                file: self.file,
                start,
                end,
            },
        })
    }

    /// Whether the text at `at` on a line is a `key:` entry.
    fn line_is_entry(&self, line_index: usize, at: usize) -> bool {
        let text = &self.lines[line_index].text[at..];
        match text.as_bytes()[0] {
            b'"' | b'\'' | b'[' | b'{' => false,
            _ => plain_key_end(text).is_some(),
        }
    }

    /// The key of the current line and the byte just after its colon.
    fn key(&mut self) -> Option<(Node<'a>, usize)> {
        let line = &self.lines[self.i];
        let start = line.indent;
        let text = &line.text[start..];
        let first = text.as_bytes()[0];
        if starts_special(first)
            || first == b'['
            || first == b'{'
            || first == b'"'
            || first == b'\''
            || first == b'-'
            || first == b':'
        {
            return None;
        }
        let colon = plain_key_end(text)?;
        let key = text[..colon].trim_end_matches(' ');
        if find_pair(key, b' ', b'#').is_some() {
            return None;
        }
        let node = Node {
            kind: NodeKind::Scalar(Scalar {
                text: Cow::Borrowed(key),
                plain: true,
            }),
            span: self.span(line, start, start + key.len()),
        };
        Some((node, start + colon + 1))
    }

    /// A value that ends on this line: a flow collection, a quoted or a plain scalar, then
    /// nothing but an optional comment.
    fn inline(&self, line_index: usize, at: usize) -> Option<Node<'a>> {
        let line = &self.lines[line_index];
        let text = line.text;
        let bytes = text.as_bytes();
        let c = bytes[at];
        if starts_special(c)
            || (matches!(c, b'-' | b':') && matches!(bytes.get(at + 1), None | Some(b' ')))
        {
            return None;
        }
        let (node, end) = match c {
            b'[' | b'{' => self.flow(line, at, self.depth)?,
            b'"' | b'\'' => self.quoted(line, at)?,
            _ => {
                let rest = &text[at..];
                let stop = find_pair(rest, b' ', b'#').unwrap_or(rest.len());
                let value = rest[..stop].trim_end_matches(' ');
                if find_pair(value, b':', b' ').is_some() || value.ends_with(':') {
                    return None;
                }
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        text: Cow::Borrowed(value),
                        plain: true,
                    }),
                    span: self.span(line, at, at + value.len()),
                };
                return Some(node);
            }
        };
        let tail = &text[end..];
        let after = tail.trim_start_matches(' ');
        (after.is_empty() || (after.starts_with('#') && after.len() < tail.len())).then_some(node)
    }

    /// A single-line quoted scalar at `at`; returns it and the byte after the closing quote.
    /// Borrowed from the line unless it contains an escape.
    fn quoted(&self, line: &Line<'a>, at: usize) -> Option<(Node<'a>, usize)> {
        let text = line.text;
        let bytes = text.as_bytes();
        let quote = bytes[at];
        let body = at + 1;
        let close = body
            + bytes[body..]
                .iter()
                .position(|b| *b == quote || *b == b'\\')?;
        let plain_body =
            bytes[close] == quote && (quote == b'"' || bytes.get(close + 1) != Some(&b'\''));
        let (value, end): (Cow<'a, str>, usize) = if plain_body {
            (Cow::Borrowed(&text[body..close]), close + 1)
        } else {
            let (owned, end) = unescape(text, at)?;
            (Cow::Owned(owned), end)
        };
        let node = Node {
            kind: NodeKind::Scalar(Scalar {
                text: value,
                plain: false,
            }),
            span: self.span(line, at, swallow(text, end)),
        };
        Some((node, end))
    }

    /// A flow collection that closes on the same line; returns it and the byte after it.
    /// `depth` collections are open around it.
    fn flow(&self, line: &Line<'a>, at: usize, depth: usize) -> Option<(Node<'a>, usize)> {
        if depth >= MAX_DEPTH {
            return None;
        }
        let text = line.text;
        let bytes = text.as_bytes();
        let is_map = bytes[at] == b'{';
        let close = if is_map { b'}' } else { b']' };
        let mut i = skip_spaces(text, at + 1);
        let mut seq = Vec::new();
        let mut pairs = Vec::new();
        if bytes.get(i) != Some(&close) {
            loop {
                if is_map {
                    let (key, after) = self.flow_scalar(line, i, true)?;
                    if bytes.get(after) != Some(&b':') {
                        return None;
                    }
                    let v = skip_spaces(text, after + 1);
                    if v == after + 1 {
                        return None;
                    }
                    let (value, after_value) = self.flow_item(line, v, depth + 1)?;
                    pairs.push((key, value));
                    i = skip_spaces(text, after_value);
                } else {
                    let (item, after) = self.flow_item(line, i, depth + 1)?;
                    seq.push(item);
                    i = skip_spaces(text, after);
                }
                match bytes.get(i) {
                    Some(b',') => {
                        i = skip_spaces(text, i + 1);
                        if matches!(bytes.get(i), Some(b']' | b'}') | None) {
                            return None;
                        }
                    }
                    Some(c) if *c == close => break,
                    _ => return None,
                }
            }
        }
        let end = i + 1;
        let kind = if is_map {
            NodeKind::Map(pairs)
        } else {
            NodeKind::Seq(seq)
        };
        Some((
            Node {
                kind,
                span: self.span(line, at, swallow(text, end)),
            },
            end,
        ))
    }

    fn flow_item(&self, line: &Line<'a>, at: usize, depth: usize) -> Option<(Node<'a>, usize)> {
        match line.text.as_bytes().get(at)? {
            b'[' | b'{' => self.flow(line, at, depth),
            _ => self.flow_scalar(line, at, false),
        }
    }

    /// A scalar inside a flow collection. Plain ones end at `,`, a bracket, or (for keys) `:`;
    /// any colon in a plain value, and anything unusual, goes to the general parser.
    fn flow_scalar(&self, line: &Line<'a>, at: usize, key: bool) -> Option<(Node<'a>, usize)> {
        let text = line.text;
        let bytes = text.as_bytes();
        match *bytes.get(at)? {
            b'"' | b'\'' => {
                let (node, end) = self.quoted(line, at)?;
                let after = skip_spaces(text, end);
                Some((node, if key { after } else { end }))
            }
            c if starts_special(c) || matches!(c, b'[' | b'{' | b'-' | b':') => None,
            _ => {
                let rest = &text[at..];
                let stop = rest
                    .find([',', '[', ']', '{', '}', ':', '#'])
                    .unwrap_or(rest.len());
                let stopper = rest.as_bytes().get(stop).copied();
                if stopper == Some(b'#') || (stopper == Some(b':') && !key) || stopper.is_none() {
                    return None;
                }
                let value = rest[..stop].trim_end_matches(' ');
                if value.is_empty() {
                    return None;
                }
                if key
                    && stopper == Some(b':')
                    && !matches!(rest.as_bytes().get(stop + 1), Some(b' '))
                {
                    return None;
                }
                let end = at + value.len();
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        text: Cow::Borrowed(value),
                        plain: true,
                    }),
                    span: self.span(line, at, end),
                };
                Some((node, if key { at + stop } else { end }))
            }
        }
    }
}

/// Where the general parser ends the span of a token that closes with a quote or bracket: past
/// the spaces after it, or at the end of the line when a comment follows.
fn swallow(text: &str, end: usize) -> usize {
    let after = skip_spaces(text, end);
    if after > end && text.as_bytes().get(after) == Some(&b'#') {
        text.len()
    } else {
        after
    }
}

/// The value of a quoted scalar with escapes, and the byte after its closing quote. Escapes
/// beyond the common ones are left to the general parser.
fn unescape(text: &str, at: usize) -> Option<(String, usize)> {
    let bytes = text.as_bytes();
    let quote = bytes[at];
    let mut value = String::new();
    let mut i = at + 1;
    loop {
        let b = *bytes.get(i)?;
        if b == quote {
            if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') {
                value.push('\'');
                i += 2;
                continue;
            }
            return Some((value, i + 1));
        }
        if quote == b'"' && b == b'\\' {
            value.push(match *bytes.get(i + 1)? {
                b'\\' => '\\',
                b'"' => '"',
                b'/' => '/',
                b'n' => '\n',
                b't' => '\t',
                _ => return None,
            });
            i += 2;
            continue;
        }
        let ch = text[i..].chars().next()?;
        value.push(ch);
        i += ch.len_utf8();
    }
}

/// The first `a` immediately followed by `b`, without building a substring searcher (this runs
/// for every value of every file).
fn find_pair(text: &str, a: u8, b: u8) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(i) = bytes[from..].iter().position(|c| *c == a) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&b) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// `- ` or a lone `-`: a block sequence entry.
fn is_dash(content: &str) -> bool {
    content == "-" || content.starts_with("- ")
}

fn skip_spaces(text: &str, from: usize) -> usize {
    from + text.as_bytes()[from.min(text.len())..]
        .iter()
        .take_while(|b| **b == b' ')
        .count()
}

/// The byte offset of the colon ending a plain key: the first `:` followed by a space or the
/// end of the line. `None` if there is none, or if a comment or flow indicator comes first.
fn plain_key_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => return Some(i),
            b'#' if i > 0 && bytes[i - 1] == b' ' => return None,
            _ => {}
        }
    }
    None
}
