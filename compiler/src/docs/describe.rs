//! Plain-language wording shared by the Markdown and HTML renderings, so both say exactly the
//! same thing about a class, a consent category or a field's type.

use crate::ir::{Consent, Event, Expiry, Field, FieldType, PrivacyClass};

/// The label a reader sees next to a field, always shown as text (never colour alone).
pub fn class_label(class: PrivacyClass) -> &'static str {
    match class {
        PrivacyClass::Technical => "Technical",
        PrivacyClass::Interaction => "Interaction",
        PrivacyClass::Sensitive => "Sensitive",
        PrivacyClass::Pii => "Never collected",
    }
}

/// What a privacy class means, for someone who has never seen a schema.
pub fn class_meaning(class: PrivacyClass) -> &'static str {
    match class {
        PrivacyClass::Technical => {
            "About the app or the device, not about you: versions, error codes, timings."
        }
        PrivacyClass::Interaction => {
            "How you use a feature: which option you picked, how long a step took."
        }
        PrivacyClass::Sensitive => {
            "Could help narrow down who you are when combined with other data, so each such \
             detail comes with a written justification, shown with its event."
        }
        PrivacyClass::Pii => {
            "Identifies you or what you own. Listed only so you can see it is never sent."
        }
    }
}

/// The heading of a consent category.
pub fn consent_title(consent: Consent) -> &'static str {
    match consent {
        Consent::Usage => "Usage",
        Consent::Diagnostics => "Diagnostics",
        Consent::Performance => "Performance",
    }
}

/// What a person agrees to when they turn a consent category on.
pub fn consent_meaning(consent: Consent) -> &'static str {
    match consent {
        Consent::Usage => "How features are used, so the team knows what to improve.",
        Consent::Diagnostics => "Errors and crashes, so the team can fix them.",
        Consent::Performance => "Timings and resource use, so the app stays fast.",
    }
}

/// The kinds of personal data candor refuses whatever a schema says: the derive rejects IP
/// address types and types marked `#[candor::personal]`, and the `personal-name` lint rejects
/// fields named like these unless they are classed `pii` (and so never sent).
pub const NEVER_KINDS: [&str; 7] = [
    "wallet addresses, account identifiers and public keys",
    "private keys, passwords and PINs",
    "recovery phrases (seed words)",
    "balances and the amounts you send or receive",
    "your name, email address and phone number",
    "IP addresses and your location",
    "device, install or user identifiers that could follow you over time",
];

/// The sentence before [`NEVER_KINDS`].
pub const NEVER_INTRO: &str = "The app's build refuses events that would include these kinds of \
     data, so they cannot be sent:";

/// The opening paragraph of the page.
pub fn lead(s: &super::summary::Summary<'_>) -> String {
    // Pages without metrics keep their sentence word for word.
    let what = match s.metric_count {
        0 => format!("{} kinds of events", s.event_count),
        1 => format!("{} kinds of events and 1 metric", s.event_count),
        n => format!("{} kinds of events and {n} metrics", s.event_count),
    };
    format!(
        "This page lists every piece of information the app can send, generated from the same \
         definitions the app is built from. There are {what}, in {} categories you choose to \
         allow. Nothing is sent until you opt in, and nothing is kept longer than {}.",
        s.categories.len() + s.metrics_only.len(),
        days(s.max_retention_days)
    )
}

/// How opting in and out works, in order.
pub const OPT_IN_OUT: [&str; 4] = [
    "Nothing is collected until you opt in: every category starts switched off.",
    "Each category is a separate switch, so you can allow one and not the others.",
    "You can switch a category off at any time in the app's settings. From then on no events \
     of that category are recorded, and those still waiting on your device are discarded \
     instead of sent.",
    "Every event stops being collected on its expiry date unless it is reviewed again.",
];

/// "14 days" / "1 day".
pub fn days(n: u32) -> String {
    if n == 1 {
        "1 day".to_string()
    } else {
        format!("{n} days")
    }
}

/// When collection of an event stops.
pub fn expiry(event: &Event) -> String {
    match &event.expires {
        Expiry::On { date } => format!("until {date}"),
        Expiry::Never { .. } => "no end date".to_string(),
    }
}

/// The justification for an event that never expires.
pub fn expiry_justification(event: &Event) -> Option<&str> {
    match &event.expires {
        Expiry::On { .. } => None,
        Expiry::Never { justification } => Some(justification),
    }
}

/// The type as a reader should understand it.
pub fn type_name(ty: &FieldType) -> &'static str {
    match ty {
        FieldType::Bool => "yes/no",
        FieldType::Integer { .. } => "whole number",
        FieldType::Float { .. } => "decimal number",
        FieldType::Enum { .. } => "one of a fixed list",
        FieldType::String {
            values: Some(_), ..
        } => "one of a fixed list",
        FieldType::String { .. } => "short code",
        FieldType::Duration { .. } => "duration",
        FieldType::Count { .. } => "count",
    }
}

/// The unit of a value, where it has one.
pub fn unit(ty: &FieldType) -> Option<&'static str> {
    match ty {
        FieldType::Duration { unit, .. } => Some(unit.plural()),
        _ => None,
    }
}

/// Allowed values, buckets or bounds. `code` wraps literal values (backticks in Markdown, a
/// `<code>` element in HTML) and must escape them.
pub fn allowed(ty: &FieldType, code: &dyn Fn(&str) -> String) -> String {
    let list = |vals: &[String]| vals.iter().map(|v| code(v)).collect::<Vec<_>>().join(", ");
    let buckets = |b: Vec<String>| format!("rounded down to one of: {}", b.join(", "));
    match ty {
        FieldType::Bool => "yes or no".to_string(),
        FieldType::Enum { values }
        | FieldType::String {
            values: Some(values),
            ..
        } => list(values),
        FieldType::String {
            max_len, pattern, ..
        } => match (max_len, pattern) {
            (Some(len), Some(p)) => format!("up to {len} characters matching {}", code(p)),
            (Some(len), None) => format!("up to {len} characters"),
            (None, Some(p)) => format!("matching {}", code(p)),
            (None, None) => "not sent".to_string(),
        },
        FieldType::Integer {
            buckets: Some(b), ..
        } => buckets(b.iter().map(i64::to_string).collect()),
        FieldType::Float {
            buckets: Some(b), ..
        } => buckets(b.iter().map(f64::to_string).collect()),
        FieldType::Duration {
            buckets: Some(b), ..
        }
        | FieldType::Count {
            buckets: Some(b), ..
        } => buckets(b.iter().map(u64::to_string).collect()),
        FieldType::Integer { min, max, .. } => {
            range(min.map(|v| v.to_string()), max.map(|v| v.to_string()))
        }
        FieldType::Float { min, max, .. } => {
            range(min.map(|v| v.to_string()), max.map(|v| v.to_string()))
        }
        FieldType::Duration { max, .. } | FieldType::Count { max, .. } => {
            range(Some("0".to_string()), max.map(|v| v.to_string()))
        }
    }
}

fn range(min: Option<String>, max: Option<String>) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        (Some(a), None) => format!("{a} or more"),
        (None, Some(b)) => format!("at most {b}"),
        (None, None) => "any".to_string(),
    }
}

/// Splits schema text at backticks into `(is_code, text)` pieces, so both renderings show
/// `` `choose_backup` `` as code. An unmatched backtick is kept as plain text.
pub fn code_spans(text: &str) -> Vec<(bool, &str)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((false, &rest[..open]));
        }
        out.push((true, &rest[open + 1..open + 1 + len]));
        rest = &rest[open + len + 2..];
    }
    if !rest.is_empty() {
        out.push((false, rest));
    }
    out
}

/// Whether a field is always in the payload, and randomised when it declares so.
pub fn sent(f: &Field) -> &'static str {
    let randomized = f.randomized_response().is_some();
    if !f.class.is_collectable() {
        "never"
    } else if f.optional {
        if randomized {
            "sometimes, randomised"
        } else {
            "sometimes"
        }
    } else if randomized {
        "always, randomised"
    } else {
        "always"
    }
}

/// "3.7", "12": how many reports `N` in "one time in N", to one decimal below ten.
fn one_in(n: f64) -> String {
    if n >= 10.0 {
        format!("{}", n.round())
    } else {
        let s = format!("{n:.1}");
        s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
    }
}

/// What the device sends for a field randomised on it, in plain words, with ε. `code` renders
/// the field's name. `None` for a field that is not randomised.
pub fn randomized_sentence(f: &Field, code: &dyn Fn(&str) -> String) -> Option<String> {
    let rr = f.randomized_response()?;
    let answer = match f.ty {
        FieldType::Bool => "answer",
        _ => "value",
    };
    let others = match rr.k() {
        2 => format!("the other {answer}"),
        k => format!("one of the other {} {answer}s, chosen at random,", k - 1),
    };
    Some(format!(
        "{}: your device randomises this {answer} before it is sent. One time in {} it reports \
         {others} instead of the true one, so no single report shows your true {answer} for \
         certain; only totals over many people, estimated from the randomised reports, say \
         anything (randomized response, ε = {}; the true {answer} is sent {:.0} % of the time). \
         Each report is randomised anew, so many reports of the same {answer} say more about it \
         than one.",
        code(&f.name),
        one_in(rr.random_answer_one_in()),
        rr.epsilon(),
        rr.keep_probability() * 100.0
    ))
}

/// What kind of written explanation a [`Note`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind<'a> {
    /// Why a `sensitive` field is needed.
    Justification,
    /// A privacy lint switched off for this field, shown openly with its reason.
    Allowed { lint: &'a str },
    /// A reviewer's note accepting a raised class.
    Review,
    /// A `sensitive` field whose counts the public aggregate report shows (`publish: true`).
    Published,
}

/// A justification, suppressed lint or review note on a field.
#[derive(Debug, Clone, Copy)]
pub struct Note<'a> {
    pub field: &'a Field,
    pub kind: NoteKind<'a>,
    pub text: &'a str,
}

/// Every note of an event, field by field, in a fixed order.
pub fn notes(e: &Event) -> Vec<Note<'_>> {
    let mut out = Vec::new();
    for field in &e.fields {
        if let Some(text) = &field.justification {
            out.push(Note {
                field,
                kind: NoteKind::Justification,
                text,
            });
        }
        for a in &field.allow {
            out.push(Note {
                field,
                kind: NoteKind::Allowed { lint: &a.lint },
                text: &a.reason,
            });
        }
        if let Some(text) = &field.review {
            out.push(Note {
                field,
                kind: NoteKind::Review,
                text,
            });
        }
        if field.publish {
            out.push(Note {
                field,
                kind: NoteKind::Published,
                text: "",
            });
        }
    }
    out
}

/// A note as one sentence. `code` renders names, `text` renders schema prose; both escape.
pub fn note_sentence(
    n: &Note<'_>,
    code: &dyn Fn(&str) -> String,
    text: &dyn Fn(&str) -> String,
) -> String {
    let name = code(&n.field.name);
    match n.kind {
        NoteKind::Justification => format!("{name} is collected because: {}", text(n.text)),
        NoteKind::Allowed { lint } => format!(
            "{name}: the {} check is switched off because: {}",
            code(lint),
            text(n.text)
        ),
        NoteKind::Review => format!("{name}: reviewer's note: {}", text(n.text)),
        NoteKind::Published => format!(
            "{name} is sensitive, and its schema lets the app publish how often each of its \
             values occurred in the public aggregate report, counted only where enough people \
             contributed."
        ),
    }
}

/// The first letter in upper case.
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_in_is_rounded_for_reading() {
        assert_eq!(one_in(3.718), "3.7");
        assert_eq!(one_in(2.0), "2");
        assert_eq!(one_in(12.4), "12");
        assert_eq!(one_in(9.96), "10");
    }

    #[test]
    fn splits_code_spans() {
        assert_eq!(
            code_spans("such as `a_b`, or `c`."),
            vec![
                (false, "such as "),
                (true, "a_b"),
                (false, ", or "),
                (true, "c"),
                (false, ".")
            ]
        );
        assert_eq!(code_spans("odd ` tick"), vec![(false, "odd ` tick")]);
        assert_eq!(code_spans("``"), vec![(true, "")]);
    }
}
