//! Lowering: checked YAML trees → IR. Each function here validates one level of the schema
//! language and records every problem in a [`Ctxt`] instead of stopping at the first, so one run
//! reports everything.

pub(crate) mod error_report;
pub(crate) mod event;
pub(crate) mod field;
pub(crate) mod file;
pub(crate) mod metric;
pub(crate) mod names;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
use crate::suggest;
use crate::yaml::{Node, NodeKind, Value};
use std::collections::HashMap;

/// Up to this many entries, a mapping is searched for duplicates without an index.
const SMALL_MAP: usize = 16;

/// Collects diagnostics for one compilation.
#[derive(Default)]
pub(crate) struct Ctxt {
    pub diags: Vec<Diagnostic>,
    /// Patterns already compiled in this run: a generated registry repeats the same few.
    patterns: HashMap<String, Result<(), String>>,
}

impl Ctxt {
    /// Checks a field `pattern` by the whole-value rule the runtime matches with
    /// (`candor_core::pattern::check`: one `regex-lite` expression on its own, still one when
    /// anchored), so a pattern that passes here behaves the same on the device.
    pub fn check_pattern(&mut self, pattern: &str) -> Result<(), String> {
        if let Some(r) = self.patterns.get(pattern) {
            return r.clone();
        }
        let r = crate::pattern::check(pattern).map_err(|e| e.to_string());
        self.patterns.insert(pattern.to_string(), r.clone());
        r
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    pub fn error(&mut self, code: Code, span: Span, msg: impl Into<String>) {
        self.push(Diagnostic::error(code, span, msg));
    }
}

/// One `key: value` pair of a mapping whose key is a string.
pub(crate) struct Entry<'a> {
    pub key: &'a str,
    pub key_span: Span,
    pub value: &'a Node<'a>,
}

/// A mapping with string keys and no duplicates (duplicates were reported and dropped).
pub(crate) struct Map<'a> {
    pub entries: Vec<Entry<'a>>,
    pub span: Span,
}

impl<'a> Map<'a> {
    pub fn get(&self, key: &str) -> Option<&Entry<'a>> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// Views `node` as a mapping with string keys. `what` names it in messages ("the event
/// `wallet.opened`"); `duplicate` is the code for a repeated key (`duplicate-field` in a
/// `fields:` mapping, for instance).
pub(crate) fn as_map<'a>(
    cx: &mut Ctxt,
    node: &'a Node<'_>,
    what: &str,
    duplicate: Code,
) -> Option<Map<'a>> {
    let NodeKind::Map(pairs) = &node.kind else {
        cx.push(
            Diagnostic::error(
                Code::WrongType,
                node.span,
                format!(
                    "{what} must be a mapping of `key: value` lines, found {}",
                    node.describe()
                ),
            )
            .with_help("indent the keys that belong to it below it"),
        );
        return None;
    };
    let mut entries: Vec<Entry<'a>> = Vec::with_capacity(pairs.len());
    // Small mappings (nearly all) are searched in place; a large one (`events` of a generated
    // registry, or a hostile file with 100,000 keys) gets an index, so the duplicate check
    // stays linear.
    let mut index: Option<HashMap<&'a str, usize>> =
        (pairs.len() > SMALL_MAP).then(|| HashMap::with_capacity(pairs.len()));
    for (k, v) in pairs {
        let key = match k.value() {
            Some(Value::Str(s)) => s,
            _ => {
                cx.error(
                    Code::WrongType,
                    k.span,
                    format!("keys in {what} must be names, found {}", k.describe()),
                );
                continue;
            }
        };
        let first = match &mut index {
            Some(index) => match index.entry(key) {
                std::collections::hash_map::Entry::Occupied(o) => Some(&entries[*o.get()]),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(entries.len());
                    None
                }
            },
            None => entries.iter().find(|e| e.key == key),
        };
        if let Some(first) = first {
            let noun = match duplicate {
                Code::DuplicateField => "field",
                Code::DuplicateEvent => "event",
                Code::DuplicateMetric => "metric",
                _ => "key",
            };
            cx.push(
                Diagnostic::error(
                    duplicate,
                    k.span,
                    format!("duplicate {noun} `{key}` in {what}"),
                )
                .with_related(first.key_span, "first defined here")
                .with_help(format!(
                    "remove one of the two `{key}` entries or rename one"
                )),
            );
            continue;
        }
        entries.push(Entry {
            key,
            key_span: k.span,
            value: v,
        });
    }
    Some(Map {
        entries,
        span: node.span,
    })
}

/// Reports keys not in `known`. `elsewhere` explains keys that exist in the language but do not
/// apply here (returns `Some(reason)`), so the message can say so instead of "unknown".
pub(crate) fn check_keys(
    cx: &mut Ctxt,
    map: &Map<'_>,
    what: &str,
    known: &[&str],
    elsewhere: impl Fn(&str) -> Option<String>,
) {
    for e in &map.entries {
        if known.contains(&e.key) {
            continue;
        }
        if let Some(reason) = elsewhere(e.key) {
            cx.push(
                Diagnostic::error(
                    Code::KeyNotAllowed,
                    e.key_span,
                    format!("`{}` does not apply to {what}: {reason}", e.key),
                )
                .with_help(format!("remove `{}`", e.key)),
            );
            continue;
        }
        let help = match suggest::did_you_mean(e.key, known.iter().copied()) {
            Some(dym) => format!(
                "{dym} The keys allowed here are {}.",
                suggest::one_of(known.iter().copied())
            ),
            None => format!(
                "the keys allowed here are {}",
                suggest::one_of(known.iter().copied())
            ),
        };
        cx.push(
            Diagnostic::error(
                Code::UnknownKey,
                e.key_span,
                format!("unknown key `{}` in {what}", e.key),
            )
            .with_help(help),
        );
    }
}

/// The keys of a declaration with a `type:`: the ones every such declaration has, and each
/// type's own.
pub(crate) struct TypedKeys<'a, T> {
    pub common: &'a [&'a str],
    pub all: &'a [T],
    pub type_keys: fn(T) -> &'static [&'static str],
    pub name: fn(T) -> &'static str,
}

/// [`check_keys`] for a declaration with a `type:` (a field, a metric): its `common` keys and
/// its type's own are known. While the type is missing or misspelt every type's keys are
/// accepted, rather than reporting `values` as unknown next to `type: enun`; a key of another
/// type is explained by `only_for(types that have it, this type)`.
pub(crate) fn check_typed_keys<T: Copy>(
    cx: &mut Ctxt,
    map: &Map<'_>,
    what: &str,
    ty: Option<T>,
    keys: &TypedKeys<'_, T>,
    only_for: impl Fn(&str, &str) -> String,
) {
    let TypedKeys {
        common,
        all,
        type_keys,
        name,
    } = *keys;
    let mut known: Vec<&str> = common.to_vec();
    let this: [T; 1];
    let types = match ty {
        Some(t) => {
            this = [t];
            &this[..]
        }
        None => all,
    };
    for t in types {
        for key in type_keys(*t) {
            if !known.contains(key) {
                known.push(key);
            }
        }
    }
    check_keys(cx, map, what, &known, |key| {
        let owners: Vec<&str> = all
            .iter()
            .filter(|t| type_keys(**t).contains(&key))
            .map(|t| name(*t))
            .collect();
        match (owners.is_empty(), ty) {
            (false, Some(t)) => Some(only_for(&suggest::one_of(owners.iter().copied()), name(t))),
            _ => None,
        }
    });
}

/// Reports a required key that is missing, pointing at `at` (usually the name of the thing).
pub(crate) fn missing(cx: &mut Ctxt, at: Span, what: &str, key: &str, example: &str) {
    cx.push(
        Diagnostic::error(Code::MissingKey, at, format!("{what} is missing `{key}`"))
            .with_help(format!("add `{key}: {example}`")),
    );
}

/// Which hidden characters a value may hold.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Allowed {
    /// Prose (descriptions, purposes, reasons): line breaks and tabs, as a block scalar
    /// (`description: |`) writes them; nothing else hidden.
    Prose,
    /// One-line values (owners, string values, patterns): nothing hidden at all.
    Line,
}

/// Reports the first character of `s` that a terminal or a Markdown page would act on or hide
/// (see [`crate::diagnostic::is_hidden_char`]) where it can have no meaning; returns whether
/// `s` is clean. Such characters would reach the public docs, the pull-request comment and
/// the CI log, where an escape sequence or a line break can rewrite what a reader sees.
pub(crate) fn plain_text(cx: &mut Ctxt, s: &str, span: Span, what: &str, allowed: Allowed) -> bool {
    let Some((at, c)) = s.char_indices().find(|(_, c)| {
        crate::diagnostic::is_hidden_char(*c)
            && !(allowed == Allowed::Prose && matches!(c, '\n' | '\t'))
    }) else {
        return true;
    };
    let name = match c {
        '\n' => "a line break",
        '\r' => "a carriage return",
        '\t' => "a tab",
        '\u{1b}' => "an escape character",
        '\0' => "a NUL character",
        '\u{2028}' | '\u{2029}' => "a Unicode line or paragraph separator",
        '\u{feff}' => "a byte-order mark",
        c if c.is_control() => "a control character",
        _ => "a bidirectional-text control",
    };
    let position = s[..at].chars().count() + 1;
    cx.push(
        Diagnostic::error(
            Code::ControlCharacter,
            span,
            format!(
                "{what} contains {name} (U+{:04X}) at character {position}",
                c as u32
            ),
        )
        .with_help(match allowed {
            Allowed::Prose => {
                "remove it: text is published, and only line breaks and tabs may appear in it"
            }
            Allowed::Line => "remove it: this value is one line of visible text",
        }),
    );
    false
}

/// A non-empty string value (descriptions, purposes, reasons).
pub(crate) fn text(cx: &mut Ctxt, e: &Entry<'_>, what: &str) -> Option<String> {
    match e.value.value() {
        Some(Value::Str(s)) if !s.trim().is_empty() => {
            let clean = plain_text(
                cx,
                s,
                e.value.span,
                &format!("`{}` of {what}", e.key),
                Allowed::Prose,
            );
            clean.then(|| s.trim().to_string())
        }
        Some(Value::Str(_)) | Some(Value::Null) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    e.value.span,
                    format!("`{}` of {what} is empty", e.key),
                )
                .with_help(format!(
                    "write a sentence for `{}`; reviewers and the public read it",
                    e.key
                )),
            );
            None
        }
        _ => {
            wrong(cx, e, "a string");
            None
        }
    }
}

/// Reports a value of the wrong YAML kind.
pub(crate) fn wrong(cx: &mut Ctxt, e: &Entry<'_>, expected: &str) {
    cx.push(
        Diagnostic::error(
            Code::WrongType,
            e.value.span,
            format!(
                "`{}` must be {expected}, found {}",
                e.key,
                e.value.describe()
            ),
        )
        .with_help(format!("write `{}` as {expected}", e.key)),
    );
}

/// A whole number in `range`, exactly as written: integers never pass through `f64`.
pub(crate) fn integer(
    cx: &mut Ctxt,
    e: &Entry<'_>,
    range: std::ops::RangeInclusive<i128>,
) -> Option<i128> {
    match e.value.value() {
        Some(Value::Int(v)) if range.contains(&v) => Some(v),
        Some(Value::Int(_) | Value::BigInt(_)) => {
            cx.push(
                Diagnostic::error(
                    Code::InvalidValue,
                    e.value.span,
                    format!(
                        "`{}` is {}, outside {}..={}",
                        e.key,
                        written(e.value),
                        range.start(),
                        range.end()
                    ),
                )
                .with_help(format!(
                    "use a whole number from {} to {}",
                    range.start(),
                    range.end()
                )),
            );
            None
        }
        _ => {
            wrong(cx, e, "a whole number");
            None
        }
    }
}

/// A scalar's text as the file spells it, for messages about its value.
pub(crate) fn written<'a>(node: &'a Node<'_>) -> &'a str {
    node.as_scalar().map_or("", |s| &s.text)
}

/// A finite number. An integer is accepted where it converts to `f64` exactly; one that does
/// not (beyond 2^53, where not every integer is a float) would silently become another number.
pub(crate) fn number(cx: &mut Ctxt, e: &Entry<'_>) -> Option<f64> {
    match e.value.value() {
        Some(Value::Int(v)) => exact_float(v).or_else(|| {
            inexact(cx, e.value, &e.key_text());
            None
        }),
        Some(Value::Float(v)) if v.is_finite() => Some(v),
        _ => {
            wrong(cx, e, "a finite number");
            None
        }
    }
}

/// `v` as an `f64`, if that is exactly `v`.
pub(crate) fn exact_float(v: i128) -> Option<f64> {
    let f = v as f64;
    // `f as i128` saturates, so a value beyond the range of i128 cannot compare equal by accident.
    (f as i128 == v && f.is_finite()).then_some(f)
}

/// Reports an integer that a `float` field cannot hold exactly.
pub(crate) fn inexact(cx: &mut Ctxt, node: &Node<'_>, what: &str) {
    cx.push(
        Diagnostic::error(
            Code::InvalidValue,
            node.span,
            format!(
                "{what} {} is not exactly a floating-point number (a `float` field holds integers exactly only up to 2^53)",
                written(node)
            ),
        )
        .with_help("make the field an `integer`, or write a bound that is exactly representable"),
    );
}

impl Entry<'_> {
    /// "`max`", for messages.
    pub(crate) fn key_text(&self) -> String {
        format!("`{}`", self.key)
    }
}

pub(crate) fn boolean(cx: &mut Ctxt, e: &Entry<'_>) -> Option<bool> {
    match e.value.value() {
        Some(Value::Bool(b)) => Some(b),
        _ => {
            wrong(cx, e, "`true` or `false`");
            None
        }
    }
}

/// A list of strings, with the span of each.
pub(crate) fn string_list<'a>(cx: &mut Ctxt, e: &Entry<'a>) -> Option<Vec<(&'a str, Span)>> {
    let NodeKind::Seq(items) = &e.value.kind else {
        wrong(cx, e, "a list such as `[a, b]`");
        return None;
    };
    let mut out = Vec::with_capacity(items.len());
    let mut ok = true;
    for item in items {
        match item.value() {
            Some(Value::Str(s)) => out.push((s, item.span)),
            _ => {
                ok = false;
                cx.error(
                    Code::WrongType,
                    item.span,
                    format!(
                        "each entry of `{}` must be a string, found {}",
                        e.key,
                        item.describe()
                    ),
                );
            }
        }
    }
    ok.then_some(out)
}

/// A keyword from a fixed set (types, classes, consents, units), with a suggestion on typos.
pub(crate) fn keyword<'a, T: Copy>(
    cx: &mut Ctxt,
    e: &Entry<'_>,
    code: Code,
    noun: &str,
    choices: &'a [(&'a str, T)],
) -> Option<T> {
    let Some(Value::Str(s)) = e.value.value() else {
        wrong(
            cx,
            e,
            &format!(
                "a {noun} ({})",
                suggest::one_of(choices.iter().map(|c| c.0))
            ),
        );
        return None;
    };
    if let Some((_, v)) = choices.iter().find(|c| c.0 == s) {
        return Some(*v);
    }
    let names = choices.iter().map(|c| c.0);
    let list = suggest::one_of(names.clone());
    let nouns = match noun.strip_suffix('y') {
        Some(stem) => format!("{stem}ies"),
        None if noun.ends_with('s') => format!("{noun}es"),
        None => format!("{noun}s"),
    };
    let help = match suggest::did_you_mean(s, names) {
        Some(dym) => format!("{dym} The {nouns} are {list}."),
        None => format!("the {nouns} are {list}"),
    };
    cx.push(Diagnostic::error(code, e.value.span, format!("unknown {noun} `{s}`")).with_help(help));
    None
}
