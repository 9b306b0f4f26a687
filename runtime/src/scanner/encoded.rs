//! The sender-side stage: the full scan over the string values of an
//! already encoded event, read back from its JSON.
//!
//! `track()` only prescreens (`super::prescreen`); a record whose strings
//! need the full scan is queued with a flag, and the sender runs this on the
//! record's `fields` object before the record gets an id, a batch, a spool
//! record or a request. The strings are unescaped exactly as JSON defines
//! (every escape, surrogate pairs), so the scanner sees the value the app
//! passed to `track()`, byte for byte. Anything that does not parse is
//! reported as [`Verdict::Unreadable`]: the caller deletes it rather than
//! sending what it could not check.

use super::{scan, SecretKind};

/// What the full scan found in a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// No string value holds a secret.
    Clean,
    /// A string value holds this kind of secret.
    Secret(SecretKind),
    /// The record is not the JSON the encoder writes.
    Unreadable,
}

/// Nesting the walker follows; the encoder writes one flat object.
const MAX_DEPTH: u32 = 32;

/// Scans every string value of a record tail as the queue holds it
/// (`"name":…,"version":…,"time":…,"fields":{…}}`): the values of its
/// `fields` object only, which are the app's; the name and time are the
/// schema's and the clock's.
pub fn scan_tail(tail: &[u8]) -> Verdict {
    let mut c = Cursor { b: tail, i: 0 };
    let mut text = Vec::new();
    // The tail is an object's members without the opening brace.
    loop {
        c.ws();
        let Some(key) = c.string(&mut text) else {
            return Verdict::Unreadable;
        };
        let is_fields = key == b"fields";
        c.ws();
        if !c.eat(b':') {
            return Verdict::Unreadable;
        }
        c.ws();
        if is_fields {
            return match c.peek() {
                Some(b'{') => scan_fields(&tail[c.i..]),
                _ => Verdict::Unreadable,
            };
        }
        if !c.value(0, &mut text, &mut |_| true) {
            return Verdict::Unreadable;
        }
        c.ws();
        if !c.eat(b',') {
            // The encoder writes `fields` last but always writes it.
            return Verdict::Unreadable;
        }
    }
}

/// Scans every string value (not the keys) of one JSON object, which may be
/// followed by other bytes.
pub fn scan_fields(object: &[u8]) -> Verdict {
    let mut c = Cursor { b: object, i: 0 };
    let mut text = Vec::new();
    let mut found = None;
    let mut bad = false;
    let ok = c.value(0, &mut text, &mut |s| {
        // Nothing shorter can match (`scan` skips it too).
        if s.len() < super::MIN_LEN {
            return true;
        }
        let Ok(s) = std::str::from_utf8(s) else {
            bad = true;
            return false;
        };
        found = scan(s);
        found.is_none()
    });
    match found {
        Some(kind) => Verdict::Secret(kind),
        None if ok && !bad => Verdict::Clean,
        None => Verdict::Unreadable,
    }
}

/// The verdict on `s` of both stages together, as for a string field of a
/// tracked event: the prescreen on the caller, then, if it could not clear
/// the string, the full scan on the string read back from its encoding.
/// What the corpus figures measure: what may leave the device.
pub fn two_stage(s: &str) -> Option<SecretKind> {
    if super::prescreen(s) == super::Prescreen::Clean {
        return None;
    }
    let mut object = b"{\"v\":\"".to_vec();
    crate::encode::write_escaped(&mut object, s);
    object.extend_from_slice(b"\"}");
    match scan_fields(&object) {
        Verdict::Secret(kind) => Some(kind),
        Verdict::Clean => None,
        Verdict::Unreadable => unreachable!("the encoder's output reads back"),
    }
}

/// Index of the first `"` or `\\` in `b`, eight bytes at a time.
fn quote_or_backslash(b: &[u8]) -> Option<usize> {
    const L: u64 = 0x0101_0101_0101_0101;
    const H: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    let mut at = 0;
    for chunk in &mut chunks {
        let x = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        let (q, s) = (x ^ (u64::from(b'"') * L), x ^ (u64::from(b'\\') * L));
        // A zero byte in `q` or `s`; exact for the lowest one, which is all
        // that is used (borrows only run upwards from a zero byte).
        let hit = (q.wrapping_sub(L) & !q | s.wrapping_sub(L) & !s) & H;
        if hit != 0 {
            return Some(at + hit.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|n| at + n)
}

struct Cursor<'a> {
    b: &'a [u8],
    i: usize,
}

impl<'a> Cursor<'a> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// One value; `on_str` sees every string value (not object keys),
    /// unescaped, and stops the walk by returning false.
    fn value(
        &mut self,
        depth: u32,
        text: &mut Vec<u8>,
        on_str: &mut impl FnMut(&[u8]) -> bool,
    ) -> bool {
        if depth > MAX_DEPTH {
            return false;
        }
        match self.peek() {
            Some(b'"') => {
                let Some(s) = self.string(text) else {
                    return false;
                };
                on_str(s)
            }
            Some(b'{') => {
                self.i += 1;
                self.ws();
                if self.eat(b'}') {
                    return true;
                }
                loop {
                    self.ws();
                    if self.string(text).is_none() {
                        return false;
                    }
                    self.ws();
                    if !self.eat(b':') {
                        return false;
                    }
                    self.ws();
                    if !self.value(depth + 1, text, on_str) {
                        return false;
                    }
                    self.ws();
                    if self.eat(b'}') {
                        return true;
                    }
                    if !self.eat(b',') {
                        return false;
                    }
                }
            }
            Some(b'[') => {
                self.i += 1;
                self.ws();
                if self.eat(b']') {
                    return true;
                }
                loop {
                    self.ws();
                    if !self.value(depth + 1, text, on_str) {
                        return false;
                    }
                    self.ws();
                    if self.eat(b']') {
                        return true;
                    }
                    if !self.eat(b',') {
                        return false;
                    }
                }
            }
            Some(_) => {
                // Numbers, `true`, `false`, `null`: the bytes up to the next
                // delimiter, none of which can be a string.
                let start = self.i;
                while let Some(c) = self.peek() {
                    if matches!(c, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r') {
                        break;
                    }
                    if !(c.is_ascii_alphanumeric() || matches!(c, b'-' | b'+' | b'.')) {
                        return false;
                    }
                    self.i += 1;
                }
                self.i > start
            }
            None => false,
        }
    }

    /// A JSON string, unescaped: borrowed from the record when it has no
    /// escape (the common case), else built in `scratch`.
    fn string<'s>(&mut self, scratch: &'s mut Vec<u8>) -> Option<&'s [u8]>
    where
        'a: 's,
    {
        if !self.eat(b'"') {
            return None;
        }
        let start = self.i;
        let n = quote_or_backslash(&self.b[start..])?;
        self.i += n;
        if self.eat(b'"') {
            return Some(&self.b[start..start + n]);
        }
        scratch.clear();
        scratch.extend_from_slice(&self.b[start..start + n]);
        loop {
            self.i += 1; // the backslash
            let e = self.peek()?;
            self.i += 1;
            let c = match e {
                b'"' => '"',
                b'\\' => '\\',
                b'/' => '/',
                b'b' => '\u{8}',
                b'f' => '\u{c}',
                b'n' => '\n',
                b'r' => '\r',
                b't' => '\t',
                b'u' => self.unicode_escape()?,
                _ => return None,
            };
            let mut utf8 = [0u8; 4];
            scratch.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
            let rest = &self.b[self.i..];
            let n = quote_or_backslash(rest)?;
            scratch.extend_from_slice(&rest[..n]);
            self.i += n;
            if self.eat(b'"') {
                return Some(scratch);
            }
        }
    }

    /// The code point of `\uXXXX` (after the `u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Option<char> {
        let hi = self.hex4()?;
        if !(0xd800..0xe000).contains(&hi) {
            return char::from_u32(hi);
        }
        if hi >= 0xdc00 || !self.b[self.i..].starts_with(b"\\u") {
            return None;
        }
        self.i += 2;
        let lo = self.hex4()?;
        if !(0xdc00..0xe000).contains(&lo) {
            return None;
        }
        char::from_u32(0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00))
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.b.get(self.i..self.i + 4)?;
        let mut v = 0;
        for &d in digits {
            v = v * 16 + char::from(d).to_digit(16)?;
        }
        self.i += 4;
        Some(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::{FieldWriter, StrCheck};

    /// The strings `scan_fields` hands the scanner, collected.
    fn strings_of(object: &[u8]) -> Option<Vec<String>> {
        let mut c = Cursor { b: object, i: 0 };
        let mut text = Vec::new();
        let mut seen = Vec::new();
        c.value(0, &mut text, &mut |s| match std::str::from_utf8(s) {
            Ok(s) => {
                seen.push(s.to_owned());
                true
            }
            Err(_) => false,
        })
        .then_some(seen)
    }

    /// A `fields` object as the encoder writes it (its escaping, numbers,
    /// booleans), without running the scanner on the values.
    fn encoded(values: &[&str]) -> Vec<u8> {
        let mut buf = b"{".to_vec();
        for (i, v) in values.iter().enumerate() {
            buf.extend_from_slice(format!("\"f{i}\":\"").as_bytes());
            crate::encode::write_escaped(&mut buf, v);
            buf.extend_from_slice(
                format!("\",\"n{i}\":{i},\"x{i}\":-1.5e-7,\"b{i}\":true,").as_bytes(),
            );
        }
        buf.extend_from_slice(b"\"z\":false}");
        buf
    }

    #[test]
    fn the_field_writer_output_is_read_back() {
        let mut buf = Vec::new();
        let mut w = FieldWriter::new(&mut buf);
        w.begin();
        w.str("a", "say \"hi\"\n", &StrCheck::NONE).unwrap();
        w.u64("b", 7);
        w.i64("c", -7);
        w.f64("d", 1e300).unwrap();
        w.bool("e", false);
        w.enum_value("f", "bitcoin");
        w.end();
        assert_eq!(
            strings_of(&buf).unwrap(),
            vec!["say \"hi\"\n".to_string(), "bitcoin".into()]
        );
    }

    #[test]
    fn reads_back_every_escape_and_code_point() {
        let values = [
            "plain",
            "quote \" and backslash \\ and slash /",
            "tab\tnew\nline\rcr \u{1} \u{1f} \u{7f}",
            "über — ✓ 😀 \u{10ffff}",
            "",
            "\"fields\":{\"x\":\"y\"}",
        ];
        assert_eq!(
            strings_of(&encoded(&values)).unwrap(),
            values.iter().map(|s| s.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn json_escapes_the_encoder_does_not_write_are_read_too() {
        let got = strings_of(br#"{"a":"\u00e9\ud83d\ude00\/\b\f","b":[1,"x",{"c":null}]}"#);
        assert_eq!(got.unwrap(), vec!["é😀/\u{8}\u{c}".to_string(), "x".into()]);
        for bad in [
            &br#"{"a":"\ud83d"}"#[..],
            br#"{"a":"\ude00"}"#,
            br#"{"a":"\x"}"#,
            br#"{"a":"open"#,
            br#"{"a" "b"}"#,
            br#"{"a":"b" "c":"d"}"#,
            br#"{"a":"\u12"}"#,
            br#"{"a":@}"#,
        ] {
            assert_eq!(strings_of(bad), None, "{}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn finds_a_secret_behind_escapes_and_only_in_field_values() {
        // The e-mail split by an escaped quote is two words; the one written
        // with escapes for its letters is whole once unescaped.
        let tail = br#""name":"alice@example.com","version":1,"time":"2026-11-30T04:00Z","fields":{"note":"mail \u0061lice@ex\u0061mple.com\n","n":3}}"#;
        assert_eq!(scan_tail(tail), Verdict::Secret(SecretKind::Email));
        let tail = br#""name":"alice@example.com","version":1,"time":"2026-11-30T04:00Z","fields":{"note":"ok","n":3}}"#;
        assert_eq!(scan_tail(tail), Verdict::Clean);
        assert_eq!(
            scan_tail(br#""name":"x","version":1,"fields":"#),
            Verdict::Unreadable
        );
        assert_eq!(
            scan_tail(br#""name":"x","version":1}"#),
            Verdict::Unreadable
        );
        assert_eq!(scan_tail(b""), Verdict::Unreadable);
    }

    #[test]
    fn finds_the_first_quote_or_backslash_at_every_offset() {
        for len in 0..40 {
            for at in 0..=len {
                for (c, filler) in [(b'"', b'a'), (b'\\', 0xffu8), (b'"', 0x22 ^ 0x80)] {
                    let mut b = vec![filler; len];
                    if at < len {
                        b[at] = c;
                        // A second hit after the first never hides it.
                        if at + 1 < len {
                            b[at + 1] = b'\\';
                        }
                    }
                    let want = b.iter().position(|&x| x == b'"' || x == b'\\');
                    assert_eq!(quote_or_backslash(&b), want, "{len} {at} {b:?}");
                }
            }
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(scan_fields(deep.as_bytes()), Verdict::Unreadable);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

        #[test]
        fn unescaping_inverts_the_encoder(values in proptest::collection::vec(proptest::prelude::any::<String>(), 0..5)) {
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            proptest::prop_assert_eq!(strings_of(&encoded(&refs)).unwrap(), values);
        }
    }
}
