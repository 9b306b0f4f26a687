//! One field: its type and constraints, privacy class, and lint suppressions.

use super::{
    as_map, boolean, check_keys, exact_float, integer, keyword, missing, number, plain_text,
    string_list, text, written, wrong, Allowed, Ctxt, Entry, Map,
};
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{
    Allow, DurationUnit, Field, FieldPrivacy, FieldType, Policy, PrivacyClass,
    RandomizedResponseSpec, YamlType,
};
use crate::lints::LINTS;
use crate::source::Span;
use crate::yaml::{Node, NodeKind, Value};
use candor_core::randomized_response::{MAX_EPSILON, MIN_EPSILON};
use std::ops::RangeInclusive;

const COMMON_KEYS: [&str; 9] = [
    "type",
    "class",
    "description",
    "optional",
    "justification",
    "review",
    "allow",
    "privacy",
    "publish",
];

/// The type-specific keys each type accepts.
fn type_keys(ty: YamlType) -> &'static [&'static str] {
    match ty {
        YamlType::Integer | YamlType::Float => &["min", "max", "buckets"],
        YamlType::Enum => &["values"],
        YamlType::String => &["values", "max_len", "pattern"],
        YamlType::Duration => &["unit", "max", "buckets"],
        YamlType::Count => &["max", "buckets"],
        YamlType::Bool => &[],
    }
}

fn types() -> [(&'static str, YamlType); 7] {
    YamlType::ALL.map(|t| (t.as_str(), t))
}

pub(crate) fn classes() -> [(&'static str, PrivacyClass); 4] {
    PrivacyClass::ALL.map(|c| (c.as_str(), c))
}

/// Lowers `name: { ... }` under `fields:`.
pub(crate) fn lower(
    cx: &mut Ctxt,
    entry: &Entry<'_>,
    event: &str,
    policy: &Policy,
) -> Option<Field> {
    let name = entry.key;
    let what = format!("field `{name}` of `{event}`");
    let valid_name = super::names::check(cx, name, entry.key_span, "field");
    let map = as_map(cx, entry.value, &what, Code::DuplicateKey)?;

    let ty_name = match map.get("type") {
        Some(e) => keyword(cx, e, Code::UnknownType, "type", &types()),
        None => {
            missing(cx, entry.key_span, &what, "type", "enum");
            None
        }
    };
    let class = match map.get("class") {
        Some(e) => keyword(cx, e, Code::UnknownClass, "privacy class", &classes()),
        None => {
            cx.push(
                Diagnostic::error(Code::MissingKey, entry.key_span, format!("{what} is missing `class`"))
                    .with_help("every field names its privacy class, there is no default: add `class: technical`, `interaction`, `sensitive` or `pii`"),
            );
            None
        }
    };
    let description = match map.get("description") {
        Some(e) => text(cx, e, &what),
        None => {
            missing(
                cx,
                entry.key_span,
                &what,
                "description",
                "<what this value means>",
            );
            None
        }
    };

    super::check_typed_keys(
        cx,
        &map,
        &what,
        ty_name,
        &super::TypedKeys {
            common: &COMMON_KEYS,
            all: &YamlType::ALL,
            type_keys,
            name: YamlType::as_str,
        },
        |owners, t| format!("it is only for {owners} fields, and this one is `{t}`"),
    );

    let optional = map
        .get("optional")
        .and_then(|e| boolean(cx, e))
        .unwrap_or(false);
    let justification = map.get("justification").and_then(|e| text(cx, e, &what));
    let review = map.get("review").and_then(|e| text(cx, e, &what));
    let publish = publish(cx, &map, class, &what, "field");
    let allow = map
        .get("allow")
        .map(|e| allows(cx, e, &what))
        .unwrap_or_default();

    let ty = match ty_name {
        Some(t) => lower_type(cx, t, &map, &what, class, policy, entry.key_span),
        None => None,
    };
    let privacy = map
        .get("privacy")
        .map(|e| privacy(cx, e, &what, ty.as_ref(), class));

    if class == Some(PrivacyClass::Sensitive) && justification.is_none() {
        cx.push(
            Diagnostic::error(
                Code::MissingJustification,
                map.get("class").map(|e| e.value.span).unwrap_or(entry.key_span),
                format!("{what} is `sensitive` but has no `justification`"),
            )
            .with_help("add `justification: <why this is needed and why a coarser value will not do>`, or lower the precision and the class"),
        );
    }

    // A `privacy` that did not check drops the field, after every other problem is reported.
    let privacy = match privacy {
        Some(p) => Some(p?),
        None => None,
    };
    Some(Field {
        name: name.to_string(),
        description: description?,
        ty: ty?,
        class: class?,
        optional,
        justification,
        review,
        allow,
        privacy,
        publish,
        span: entry.key_span,
        class_span: map.get("class")?.value.span,
    })
    .filter(|_| valid_name)
}

/// `privacy: { randomized_response: { epsilon: E } }`: the mapping, ε within its bounds, and a
/// field whose values form a closed set of at least two (`ty` is `None` when the type did not
/// lower, and then whether it could carry randomized response is undecidable, so not reported).
fn privacy(
    cx: &mut Ctxt,
    e: &Entry<'_>,
    what: &str,
    ty: Option<&FieldType>,
    class: Option<PrivacyClass>,
) -> Option<FieldPrivacy> {
    let map = as_map(
        cx,
        e.value,
        &format!("`privacy` of {what}"),
        Code::DuplicateKey,
    )?;
    check_keys(cx, &map, "`privacy`", &["randomized_response"], |_| None);
    let Some(rr) = map.get("randomized_response") else {
        missing(
            cx,
            e.key_span,
            &format!("`privacy` of {what}"),
            "randomized_response",
            "{ epsilon: 1.0 }",
        );
        return None;
    };
    let rr_map = as_map(cx, rr.value, "`randomized_response`", Code::DuplicateKey)?;
    check_keys(cx, &rr_map, "`randomized_response`", &["epsilon"], |_| None);
    let Some(eps) = rr_map.get("epsilon") else {
        missing(cx, rr.key_span, "`randomized_response`", "epsilon", "1.0");
        return None;
    };
    let epsilon = number(cx, eps)?;
    let mut ok = true;
    if !(epsilon > MIN_EPSILON && epsilon <= MAX_EPSILON) {
        ok = false;
        cx.push(
            Diagnostic::error(
                Code::BadEpsilon,
                eps.value.span,
                format!(
                    "`epsilon` is {}, but it must be above {MIN_EPSILON} and at most {MAX_EPSILON}",
                    written(eps.value)
                ),
            )
            .with_help("ε is the privacy budget of one report: 0.5 to 2 protects well, larger values keep the true answer nearly every time; at 10 a yes/no answer is true 22,026 times in 22,027, so nothing above is accepted"),
        );
    }
    if class == Some(PrivacyClass::Pii) {
        ok = false;
        cx.push(
            Diagnostic::error(
                Code::RandomizationNotApplicable,
                e.key_span,
                format!("{what} is `pii`: it is never sent, so there is nothing to randomise"),
            )
            .with_help("remove `privacy`, or class the field below `pii` if a randomised value may be collected"),
        );
    } else if let Some(ty) = ty {
        match ty.categories() {
            None => {
                ok = false;
                let how = match ty.kind() {
                    YamlType::String => {
                        "give it `values: [...]` (a closed list) or make it an `enum`"
                    }
                    _ => "give it `buckets`, so that the device randomises among them",
                };
                cx.push(
                    Diagnostic::error(
                        Code::RandomizationNotApplicable,
                        e.key_span,
                        format!(
                            "{what} is a `{}` without a closed set of values, so randomized response has nothing to choose among",
                            ty.name()
                        ),
                    )
                    .with_help(format!("randomized response reports one of a field's possible values: {how}, or remove `privacy`")),
                );
            }
            Some(k) if k < 2 => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        Code::RandomizationNotApplicable,
                        e.key_span,
                        format!("{what} has a single possible value, so randomized response has nothing to choose among"),
                    )
                    .with_help("a field with one value says nothing beyond the event itself: remove `privacy`, or list the other values"),
                );
            }
            Some(_) => {}
        }
    }
    ok.then_some(FieldPrivacy {
        randomized_response: Some(RandomizedResponseSpec {
            epsilon,
            span: eps.value.span,
        }),
    })
}

pub(crate) fn allows(cx: &mut Ctxt, e: &Entry<'_>, what: &str) -> Vec<Allow> {
    let NodeKind::Seq(items) = &e.value.kind else {
        wrong(cx, e, "a list of `{ lint: <code>, reason: <why> }`");
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(m) = as_map(
            cx,
            item,
            &format!("an `allow` entry of {what}"),
            Code::DuplicateKey,
        ) else {
            continue;
        };
        check_keys(cx, &m, "an `allow` entry", &["lint", "reason"], |_| None);
        let lint = match m.get("lint") {
            Some(l) => match l.value.value() {
                Some(Value::Str(s)) if LINTS.contains(&s) => Some(s.to_string()),
                Some(Value::Str(s)) => {
                    let help = match crate::suggest::did_you_mean(s, LINTS.iter().copied()) {
                        Some(d) => format!(
                            "{d} Lints that can be allowed: {}.",
                            crate::suggest::one_of(LINTS.iter().copied())
                        ),
                        None => format!(
                            "lints that can be allowed: {}",
                            crate::suggest::one_of(LINTS.iter().copied())
                        ),
                    };
                    cx.push(
                        Diagnostic::error(
                            Code::UnknownLint,
                            l.value.span,
                            format!("`{s}` is not a lint that can be allowed"),
                        )
                        .with_help(help),
                    );
                    None
                }
                _ => {
                    wrong(cx, l, "a lint name");
                    None
                }
            },
            None => {
                missing(cx, item.span, "this `allow` entry", "lint", "personal-name");
                None
            }
        };
        let reason = match m.get("reason") {
            Some(r) => text(cx, r, "this `allow` entry"),
            None => {
                cx.push(
                    Diagnostic::error(Code::MissingJustification, item.span, "an `allow` entry has no `reason`")
                        .with_help("add `reason: <why this is not personal data>`; the reason is published in the docs"),
                );
                None
            }
        };
        if let (Some(lint), Some(reason)) = (lint, reason) {
            out.push(Allow {
                lint,
                reason,
                span: item.span,
            });
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn lower_type(
    cx: &mut Ctxt,
    ty: YamlType,
    map: &Map<'_>,
    what: &str,
    class: Option<PrivacyClass>,
    policy: &Policy,
    name_span: Span,
) -> Option<FieldType> {
    let mut ok = true;
    let result = match ty {
        YamlType::Bool => FieldType::Bool,
        YamlType::Integer => {
            let min = opt_int(cx, map, "min", I64, &mut ok);
            let max = opt_int(cx, map, "max", I64, &mut ok);
            min_max(cx, map, min, max);
            let buckets = buckets(cx, map, min, max, |n| whole_bound(n, I64));
            let narrow = |v: i128| v as i64; // in range: checked above
            FieldType::Integer {
                min: min.map(narrow),
                max: max.map(narrow),
                buckets: buckets.map(|b| b.into_iter().map(narrow).collect()),
            }
        }
        YamlType::Float => {
            let min = map.get("min").and_then(|e| number(cx, e));
            let max = map.get("max").and_then(|e| number(cx, e));
            min_max(cx, map, min, max);
            let buckets = buckets(cx, map, min, max, float_bound);
            FieldType::Float { min, max, buckets }
        }
        YamlType::Count | YamlType::Duration => {
            let max = opt_int(cx, map, "max", U64, &mut ok);
            let buckets = buckets(cx, map, None, max, |n| whole_bound(n, U64));
            let narrow = |v: i128| v as u64; // in range: checked above
            let max = max.map(narrow);
            let buckets = buckets.map(|b| b.into_iter().map(narrow).collect());
            if ty == YamlType::Count {
                FieldType::Count { max, buckets }
            } else {
                let units = DurationUnit::ALL.map(|u| (u.as_str(), u));
                let unit = match map.get("unit") {
                    Some(e) => keyword(cx, e, Code::UnknownUnit, "duration unit", &units),
                    None => {
                        missing(cx, name_span, what, "unit", "ms");
                        None
                    }
                };
                FieldType::Duration {
                    unit: unit?,
                    max,
                    buckets,
                }
            }
        }
        YamlType::Enum => {
            let Some(e) = map.get("values") else {
                cx.push(
                    Diagnostic::error(
                        Code::EnumWithoutValues,
                        name_span,
                        format!("{what} is an `enum` without `values`"),
                    )
                    .with_help("add `values: [first, second, other]`"),
                );
                return None;
            };
            let values = string_list(cx, e)?;
            if values.is_empty() {
                cx.push(
                    Diagnostic::error(
                        Code::EnumWithoutValues,
                        e.value.span,
                        format!("{what} has an empty `values` list"),
                    )
                    .with_help("list at least one value, e.g. `values: [mainnet, testnet, other]`"),
                );
                return None;
            }
            for (v, span) in &values {
                ok &= super::names::check(cx, v, *span, "enum value");
            }
            ok &= no_duplicates(cx, &values);
            FieldType::Enum {
                values: values.into_iter().map(|(v, _)| v.to_string()).collect(),
            }
        }
        YamlType::String => {
            let values = match map.get("values") {
                Some(e) => {
                    let v = string_list(cx, e);
                    match &v {
                        Some(list) if list.is_empty() => {
                            cx.error(Code::InvalidValue, e.value.span, "`values` is empty");
                            ok = false;
                        }
                        Some(list) => {
                            for (v, span) in list {
                                ok &= plain_text(cx, v, *span, "a string value", Allowed::Line);
                            }
                            ok &= no_duplicates(cx, list);
                        }
                        None => ok = false,
                    }
                    v.map(|l| {
                        l.into_iter()
                            .map(|(s, _)| s.to_string())
                            .collect::<Vec<_>>()
                    })
                }
                None => None,
            };
            let limit = i128::from(policy.max_string_len);
            let max_len = match map.get("max_len") {
                Some(e) => match e.value.value() {
                    Some(Value::Int(v)) if v > limit => {
                        ok = false;
                        cx.push(
                            Diagnostic::error(Code::InvalidValue, e.value.span, format!("`max_len` is {v}, above the policy's limit of {limit}"))
                                .with_help(format!("shorten it to at most {limit}, or raise `max_string_len` in schemas/candor.yaml")),
                        );
                        None
                    }
                    _ => {
                        let v = integer(cx, e, 1..=limit).map(|v| v as u32);
                        ok &= v.is_some();
                        v
                    }
                },
                None => None,
            };
            let pattern = match map.get("pattern") {
                Some(e) => match e.value.value() {
                    Some(Value::Str(p)) => {
                        if !plain_text(cx, p, e.value.span, "`pattern`", Allowed::Line) {
                            ok = false;
                        } else if let Err(msg) = cx.check_pattern(p) {
                            ok = false;
                            cx.push(
                                Diagnostic::error(Code::InvalidPattern, e.value.span, format!("`pattern` is not a valid regular expression: {msg}"))
                                    .with_help("a pattern is one complete expression in Rust `regex` syntax (every group it opens is closed in it), matched against the whole value, e.g. `pattern: \"[a-z0-9_]+\"`"),
                            );
                        }
                        Some(p.to_string())
                    }
                    _ => {
                        wrong(cx, e, "a regular expression string");
                        ok = false;
                        None
                    }
                },
                None => None,
            };
            let bounded =
                values.is_some() || (map.get("max_len").is_some() && map.get("pattern").is_some());
            if !bounded && class.is_some_and(|c| c < PrivacyClass::Pii) {
                cx.push(
                    Diagnostic::error(Code::FreeTextString, name_span, format!("{what} is a free-text `string`"))
                        .with_help("free text can carry anything personal: give it `values: [...]`, or both `max_len` and a `pattern` for its whole value, or make it an `enum`"),
                );
                ok = false;
            }
            FieldType::String {
                values,
                max_len,
                pattern,
            }
        }
    };
    ok.then_some(result)
}

/// The values an `integer` field takes: `i64`, what the runtime and the wire carry.
const I64: RangeInclusive<i128> = i64::MIN as i128..=i64::MAX as i128;
/// The values a `count` or `duration` takes: `u64`.
pub(crate) const U64: RangeInclusive<i128> = 0..=u64::MAX as i128;

/// An optional whole-number key; a present but invalid value clears `ok`.
fn opt_int(
    cx: &mut Ctxt,
    map: &Map<'_>,
    key: &str,
    range: RangeInclusive<i128>,
    ok: &mut bool,
) -> Option<i128> {
    let e = map.get(key)?;
    let v = integer(cx, e, range);
    *ok &= v.is_some();
    v
}

pub(crate) fn no_duplicates(cx: &mut Ctxt, values: &[(&str, Span)]) -> bool {
    let mut ok = true;
    let mut first: std::collections::HashMap<&str, Span> =
        std::collections::HashMap::with_capacity(values.len());
    for (v, span) in values {
        match first.entry(v) {
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(*span);
            }
            std::collections::hash_map::Entry::Occupied(e) => {
                ok = false;
                cx.push(
                    Diagnostic::error(
                        Code::DuplicateValue,
                        *span,
                        format!("value `{v}` is listed twice"),
                    )
                    .with_related(*e.get(), "first listed here")
                    .with_help("remove the repeated value"),
                );
            }
        }
    }
    ok
}

fn min_max<T: PartialOrd + std::fmt::Display>(
    cx: &mut Ctxt,
    map: &Map<'_>,
    min: Option<T>,
    max: Option<T>,
) {
    if let (Some(lo), Some(hi)) = (min, max) {
        if lo > hi {
            let span = map.get("min").map(|e| e.value.span).unwrap_or(map.span);
            cx.push(
                Diagnostic::error(
                    Code::MinGreaterThanMax,
                    span,
                    format!("`min` ({lo}) is greater than `max` ({hi})"),
                )
                .with_help("swap them, or fix whichever is wrong"),
            );
        }
    }
}

/// A bucket bound of a whole-number type: an integer in `range`, or why not.
pub(crate) fn whole_bound(item: &Node<'_>, range: RangeInclusive<i128>) -> Result<i128, String> {
    match item.value() {
        Some(Value::Int(v)) if range.contains(&v) => Ok(v),
        Some(Value::Int(v)) if v < 0 && *range.start() == 0 => Err(format!(
            "bucket bound {} is negative, but this type cannot be",
            written(item)
        )),
        Some(Value::Int(_) | Value::BigInt(_)) => Err(format!(
            "bucket bound {} is outside {}..={}",
            written(item),
            range.start(),
            range.end()
        )),
        _ => Err(format!(
            "bucket bound must be a whole number, found {}",
            item.describe()
        )),
    }
}

/// A bucket bound of a `float`: a finite number, integers only where exactly representable.
fn float_bound(item: &Node<'_>) -> Result<f64, String> {
    match item.value() {
        Some(Value::Int(v)) => exact_float(v).ok_or_else(|| {
            format!(
                "bucket bound {} is not exactly a floating-point number (a `float` field holds integers exactly only up to 2^53)",
                written(item)
            )
        }),
        Some(Value::Float(v)) if v.is_finite() => Ok(v),
        _ => Err(format!(
            "bucket bound must be a finite number, found {}",
            item.describe()
        )),
    }
}

/// Checks `buckets`: at least two bounds, each accepted by `bound`, strictly increasing, and
/// inside `min`/`max` when those are set.
pub(crate) fn buckets<T: Copy + PartialOrd + std::fmt::Display>(
    cx: &mut Ctxt,
    map: &Map<'_>,
    min: Option<T>,
    max: Option<T>,
    bound: impl Fn(&Node<'_>) -> Result<T, String>,
) -> Option<Vec<T>> {
    let e = map.get("buckets")?;
    let bad = |cx: &mut Ctxt, span: Span, msg: String| {
        cx.push(
            Diagnostic::error(Code::BadBuckets, span, msg)
                .with_help("`buckets` are the bounds values are rounded down to, e.g. `buckets: [0, 100, 500, 1000]`: at least two, strictly increasing"),
        );
        None
    };
    let NodeKind::Seq(items) = &e.value.kind else {
        return bad(
            cx,
            e.value.span,
            format!(
                "`buckets` must be a list of numbers, found {}",
                e.value.describe()
            ),
        );
    };
    if items.len() < 2 {
        return bad(
            cx,
            e.value.span,
            format!("`buckets` needs at least two bounds, found {}", items.len()),
        );
    }
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        let v = match bound(item) {
            Ok(v) => v,
            Err(msg) => return bad(cx, item.span, msg),
        };
        if let Some(last) = out.last() {
            if v <= *last {
                return bad(
                    cx,
                    item.span,
                    format!("bucket bounds must increase strictly, but {v} follows {last}"),
                );
            }
        }
        if min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m) {
            return bad(
                cx,
                item.span,
                format!("bucket bound {v} lies outside the field's `min`/`max`"),
            );
        }
        out.push(v);
    }
    Some(out)
}

/// `publish: true`: lets a `sensitive` field's or metric's numbers into the public aggregate
/// report. Technical and interaction data are always there and `pii` is never collected, so
/// the key exists only where it is a choice; elsewhere it is refused with a clear error.
pub(super) fn publish(
    cx: &mut Ctxt,
    map: &Map<'_>,
    class: Option<PrivacyClass>,
    what: &str,
    noun: &str,
) -> bool {
    match map.get("publish") {
        Some(e) if class.is_some_and(|c| c != PrivacyClass::Sensitive) => {
            cx.push(
                Diagnostic::error(
                    Code::KeyNotAllowed,
                    e.key_span,
                    format!("`publish` on {what}, which is not `sensitive`"),
                )
                .with_help(format!("`publish: true` lets a `sensitive` {noun}'s numbers into `candor report`; `technical` and `interaction` {noun}s are always there and `pii` never is: remove it")),
            );
            false
        }
        Some(e) => boolean(cx, e).unwrap_or(false),
        None => false,
    }
}
