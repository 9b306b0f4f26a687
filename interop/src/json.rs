//! The little JSON the encoders need: a strict scanner for reading (strings, numbers, literals,
//! punctuation, each returned as a slice of the input) and writers that escape strings.
//!
//! No tree is ever built: the batch reader walks the one document shape it accepts and keeps
//! slices, so a value is copied once, into the vendor body.

use std::borrow::Cow;

/// Why a document was refused, with the byte offset where reading stopped.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadError {
    /// Byte offset into the document.
    pub offset: usize,
    /// What was wrong there (never contains document data).
    pub reason: &'static str,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} at byte {}", self.reason, self.offset)
    }
}

impl std::error::Error for ReadError {}

/// A JSON string as it appears in the document, without its quotes and with its escapes
/// intact: writing it back into another JSON document is a plain copy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct JsonStr<'a> {
    raw: &'a str,
}

impl<'a> JsonStr<'a> {
    /// The escaped text between the quotes.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Whether the text has no escape sequence (then [`JsonStr::raw`] is the value).
    pub fn is_plain(&self) -> bool {
        !self.raw.contains('\\')
    }

    /// The decoded value; borrows when there is nothing to unescape.
    pub fn decode(&self) -> Cow<'a, str> {
        if self.is_plain() {
            return Cow::Borrowed(self.raw);
        }
        let mut out = String::with_capacity(self.raw.len());
        let mut chars = self.raw.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            // The scanner validated every escape, so each arm below is reachable only with
            // well-formed input.
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some('b') => out.push('\u{8}'),
                Some('f') => out.push('\u{c}'),
                Some('u') => {
                    let hi = hex4(&mut chars);
                    let code = if (0xD800..0xDC00).contains(&hi) {
                        chars.next(); // '\'
                        chars.next(); // 'u'
                        let lo = hex4(&mut chars);
                        0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                    } else {
                        hi
                    };
                    out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                }
                Some(other) => out.push(other), // '"', '\\', '/'
                None => {}
            }
        }
        Cow::Owned(out)
    }
}

fn hex4(chars: &mut std::str::Chars<'_>) -> u32 {
    (0..4).fold(0, |acc, _| {
        acc * 16 + chars.next().and_then(|c| c.to_digit(16)).unwrap_or(0)
    })
}

/// A cursor over one JSON document.
#[derive(Clone, Debug)]
pub(crate) struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        Scanner { text, pos: 0 }
    }

    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    pub(crate) fn error(&self, reason: &'static str) -> ReadError {
        ReadError {
            offset: self.pos,
            reason,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    pub(crate) fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes().get(self.pos) {
            self.pos += 1;
        }
    }

    /// The next non-space byte, not consumed.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.bytes().get(self.pos).copied()
    }

    /// Consumes `b` (after spaces) or fails with `reason`.
    pub(crate) fn expect(&mut self, b: u8, reason: &'static str) -> Result<(), ReadError> {
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.error(reason))
        }
    }

    /// After the last value: only spaces may follow.
    pub(crate) fn end(&mut self) -> Result<(), ReadError> {
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(self.error("unexpected data after the document")),
        }
    }

    /// Walks the members of an object whose `{` is next, calling `member` with each key; the
    /// callback must consume the value. Refuses a key seen twice.
    pub(crate) fn object<F>(&mut self, mut member: F) -> Result<(), ReadError>
    where
        F: FnMut(&mut Self, JsonStr<'a>, usize) -> Result<(), ReadError>,
    {
        self.expect(b'{', "expected an object")?;
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(());
        }
        loop {
            let at = {
                self.skip_ws();
                self.pos
            };
            let key = self.string()?;
            self.expect(b':', "expected `:` after a key")?;
            member(self, key, at)?;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(());
                }
                _ => return Err(self.error("expected `,` or `}` in an object")),
            }
        }
    }

    /// Walks the elements of an array whose `[` is next; the callback consumes each element.
    pub(crate) fn array<F>(&mut self, mut element: F) -> Result<usize, ReadError>
    where
        F: FnMut(&mut Self) -> Result<(), ReadError>,
    {
        self.expect(b'[', "expected an array")?;
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(0);
        }
        let mut n = 0;
        loop {
            element(self)?;
            n += 1;
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => {
                    self.pos += 1;
                    return Ok(n);
                }
                _ => return Err(self.error("expected `,` or `]` in an array")),
            }
        }
    }

    /// A string: validates escapes (including surrogate pairs) and refuses raw control
    /// characters, as RFC 8259 does.
    pub(crate) fn string(&mut self) -> Result<JsonStr<'a>, ReadError> {
        self.expect(b'"', "expected a string")?;
        let start = self.pos;
        let bytes = self.bytes();
        loop {
            // Runs of plain bytes are passed over in one tight loop; only `"`, `\` and
            // control characters stop it.
            let plain = bytes[self.pos..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                .unwrap_or(bytes.len() - self.pos);
            self.pos += plain;
            match bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    let raw = &self.text[start..self.pos];
                    self.pos += 1;
                    return Ok(JsonStr { raw });
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match bytes.get(self.pos) {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {
                            self.pos += 1
                        }
                        Some(b'u') => {
                            self.pos += 1;
                            let hi = self.hex4()?;
                            if (0xDC00..0xE000).contains(&hi) {
                                return Err(self.error("lone low surrogate in a string"));
                            }
                            if (0xD800..0xDC00).contains(&hi) {
                                if bytes.get(self.pos..self.pos + 2) != Some(b"\\u") {
                                    return Err(self.error("lone high surrogate in a string"));
                                }
                                self.pos += 2;
                                let lo = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&lo) {
                                    return Err(self.error("bad surrogate pair in a string"));
                                }
                            }
                        }
                        _ => return Err(self.error("bad escape in a string")),
                    }
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    fn hex4(&mut self) -> Result<u32, ReadError> {
        let digits = self
            .bytes()
            .get(self.pos..self.pos + 4)
            .ok_or_else(|| self.error("short \\u escape"))?;
        let mut v = 0;
        for &d in digits {
            let n = (d as char)
                .to_digit(16)
                .ok_or_else(|| self.error("bad \\u escape"))?;
            v = v * 16 + n;
        }
        self.pos += 4;
        Ok(v)
    }

    /// A number, as its exact text. Follows the RFC 8259 grammar (no leading zeros, no `+`, no
    /// bare `.`); returns whether it has a fraction or exponent.
    pub(crate) fn number(&mut self) -> Result<(&'a str, bool), ReadError> {
        self.skip_ws();
        let start = self.pos;
        let bytes = self.bytes();
        let digits = |pos: &mut usize| {
            let from = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            *pos - from
        };
        let mut pos = self.pos;
        if bytes.get(pos) == Some(&b'-') {
            pos += 1;
        }
        match bytes.get(pos) {
            Some(b'0') => pos += 1,
            Some(b'1'..=b'9') => {
                digits(&mut pos);
            }
            _ => return Err(self.error("expected a number")),
        }
        let mut float = false;
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            float = true;
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("expected digits after `.`"));
            }
        }
        if let Some(b'e' | b'E') = bytes.get(pos) {
            pos += 1;
            float = true;
            if let Some(b'+' | b'-') = bytes.get(pos) {
                pos += 1;
            }
            if digits(&mut pos) == 0 {
                self.pos = pos;
                return Err(self.error("expected digits in an exponent"));
            }
        }
        self.pos = pos;
        Ok((&self.text[start..pos], float))
    }

    /// `true` or `false`.
    pub(crate) fn boolean(&mut self) -> Result<bool, ReadError> {
        self.skip_ws();
        let rest = &self.bytes()[self.pos..];
        if rest.starts_with(b"true") {
            self.pos += 4;
            Ok(true)
        } else if rest.starts_with(b"false") {
            self.pos += 5;
            Ok(false)
        } else {
            Err(self.error("expected true or false"))
        }
    }

    /// Consumes any one value (used only to read vendors' answers, never candor documents):
    /// `null`, literals, numbers, strings, and arrays and objects nested at most `depth`
    /// deep.
    pub(crate) fn skip_value(&mut self, depth: usize) -> Result<(), ReadError> {
        match self.peek() {
            Some(b'"') => self.string().map(drop),
            Some(b't' | b'f') => self.boolean().map(drop),
            Some(b'-' | b'0'..=b'9') => self.number().map(drop),
            Some(b'n') if self.bytes()[self.pos..].starts_with(b"null") => {
                self.pos += 4;
                Ok(())
            }
            Some(b'[' | b'{') if depth == 0 => Err(self.error("nested too deep")),
            Some(b'[') => self.array(|s| s.skip_value(depth - 1)).map(drop),
            Some(b'{') => self.object(|s, _, _| s.skip_value(depth - 1)),
            _ => Err(self.error("expected a value")),
        }
    }

    /// The text of the value that starts at `from` and ends at the current position.
    pub(crate) fn slice_from(&self, from: usize) -> &'a str {
        &self.text[from..self.pos]
    }
}

/// Appends `s` as the inside of a JSON string (no quotes), escaping `"`, `\` and control
/// characters the way the candor runtime does.
pub fn push_escaped(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let esc: &[u8] = match b {
            b'"' => b"\\\"",
            b'\\' => b"\\\\",
            b'\n' => b"\\n",
            b'\r' => b"\\r",
            b'\t' => b"\\t",
            0x00..=0x1f => b"",
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if esc.is_empty() {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xf) as usize],
            ]);
        } else {
            out.extend_from_slice(esc);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
}

/// Appends `"s"` with `s` escaped.
pub fn push_string(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    push_escaped(out, s);
    out.push(b'"');
}

/// Appends an already-escaped string (e.g. [`JsonStr::raw`]) with quotes.
pub fn push_raw_string(out: &mut Vec<u8>, raw: &str) {
    out.push(b'"');
    out.extend_from_slice(raw.as_bytes());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(src: &str) -> Result<String, ReadError> {
        let mut s = Scanner::new(src);
        let v = s.string()?;
        s.end()?;
        Ok(v.decode().into_owned())
    }

    #[test]
    fn strings_decode_every_escape() {
        assert_eq!(
            string(r#""a\"b\\c\/d\n\t\r\b\f""#).unwrap(),
            "a\"b\\c/d\n\t\r\u{8}\u{c}"
        );
        assert_eq!(string(r#""\u00e9\u20ac""#).unwrap(), "é€");
        assert_eq!(string(r#""\ud83d\ude00""#).unwrap(), "😀");
        assert_eq!(string("\"plain ünïcode\"").unwrap(), "plain ünïcode");
    }

    #[test]
    fn strings_refuse_what_rfc_8259_refuses() {
        for bad in [
            "\"abc",
            "\"a\\x\"",
            "\"\\u12\"",
            "\"\\uZZZZ\"",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83d\\u0041\"",
            "\"tab\tinside\"",
            "\"nul\u{0}\"",
        ] {
            assert!(string(bad).is_err(), "{bad:?} must be refused");
        }
    }

    #[test]
    fn numbers_follow_the_grammar() {
        for (ok, float) in [
            ("0", false),
            ("-0", false),
            ("12", false),
            ("-12", false),
            ("1.5", true),
            ("1e9", true),
            ("1E-9", true),
            ("-0.0e+1", true),
        ] {
            let mut s = Scanner::new(ok);
            assert_eq!(s.number().unwrap(), (ok, float), "{ok}");
            s.end().unwrap();
        }
        for bad in [
            "01", "+1", ".5", "1.", "1e", "-", "1.e3", "--1", "NaN", "Infinity",
        ] {
            let mut s = Scanner::new(bad);
            let whole = s.number().map(|(t, _)| t.len() == bad.len());
            assert!(!matches!(whole, Ok(true)) || s.end().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn escaping_round_trips_through_serde() {
        let nasty = "q\"b\\s/\n\r\t\u{1}\u{1f}é😀";
        let mut out = Vec::new();
        push_string(&mut out, nasty);
        let back: String = serde_json::from_slice(&out).unwrap();
        assert_eq!(back, nasty);
    }
}
