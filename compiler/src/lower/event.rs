//! One event: identity, purpose, consent, retention, expiry, owners and fields.

use super::{as_map, check_keys, integer, keyword, missing, string_list, text, Ctxt, Entry, Map};
use crate::date::Date;
use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Consent, Event, Expiry, Policy};
use crate::source::Span;
use crate::yaml::Value;

const KEYS: [&str; 10] = [
    "description",
    "purpose",
    "version",
    "consent",
    "retention_days",
    "expires",
    "expiry_justification",
    "owners",
    "fields",
    "error_report",
];

/// Events within this many days of expiry get an `expires-soon` warning.
pub const EXPIRES_SOON_DAYS: i64 = 30;

/// What a file's `defaults:` and `owners:` give every event that does not say otherwise. Each
/// value keeps the span it was written at, so a policy error points where it can be fixed.
#[derive(Default)]
pub(crate) struct Inherited<'a> {
    pub consent: Option<(Consent, Span)>,
    /// `defaults.retention_days`, checked once where it is written (`None` inside: invalid).
    pub retention_days: Option<Option<u32>>,
    pub expires: Option<&'a Entry<'a>>,
    pub owners: Option<Vec<String>>,
    /// The file gives a consent or owners that were invalid and already reported there, so an
    /// event relying on them must not report them missing as well.
    pub consent_invalid: bool,
    pub owners_invalid: bool,
}

/// Where "today" and the limits come from.
pub(crate) struct Env<'a> {
    pub policy: &'a Policy,
    pub today: Date,
    /// A passed `expires` is a warning and the event is kept (the derive's mode).
    pub expired_is_warning: bool,
}

pub(crate) fn consents() -> [(&'static str, Consent); 3] {
    Consent::ALL.map(|c| (c.as_str(), c))
}

pub(crate) fn lower(
    cx: &mut Ctxt,
    entry: &Entry<'_>,
    namespace: &str,
    inherited: &Inherited<'_>,
    env: &Env<'_>,
) -> Option<Event> {
    let name = entry.key;
    let full_name = format!("{namespace}.{name}");
    let what = format!("event `{full_name}`");
    let valid_name = super::names::check(cx, name, entry.key_span, "event");
    let map = as_map(cx, entry.value, &what, Code::DuplicateKey)?;
    check_keys(cx, &map, &what, &KEYS, |_| None);

    let Common {
        description,
        purpose,
        version,
        consent,
        retention_days,
        expires,
        owners,
    } = lower_common(cx, &map, entry, &what, inherited, env, &EVENT);

    let mut fields = Vec::new();
    let mut fields_ok = true;
    if let Some(e) = map.get("fields") {
        if let Some(fmap) = as_map(
            cx,
            e.value,
            &format!("`fields` of {what}"),
            Code::DuplicateField,
        ) {
            for f in &fmap.entries {
                match super::field::lower(cx, f, &full_name, env.policy) {
                    Some(field) => fields.push(field),
                    None => fields_ok = false,
                }
            }
        } else {
            fields_ok = false;
        }
    }

    crate::lints::check_event(&full_name, consent, &fields, env.policy, &mut cx.diags);

    let error_report = match map.get("error_report") {
        Some(e) => match super::boolean(cx, e) {
            Some(true) => {
                fields_ok &= super::error_report::check(cx, e.key_span, &what, consent, &fields);
                true
            }
            Some(false) => false,
            None => return None,
        },
        None => false,
    };

    let mut event = Event {
        full_name,
        namespace: namespace.to_string(),
        name: name.to_string(),
        description: description?,
        purpose: purpose?,
        version: version?,
        owners: owners?,
        consent: consent?,
        retention_days: retention_days?,
        expires: expires?,
        fields,
        error_report,
        fingerprint: String::new(),
        span: entry.key_span,
    };
    if !valid_name || !fields_ok {
        return None;
    }
    event.fingerprint = crate::fingerprint::of_event(&event);
    Some(event)
}

/// What differs between the declarations that share an event's keys (events and metrics):
/// the words their diagnostics use.
pub(crate) struct Declaration {
    /// "event", "metric".
    pub noun: &'static str,
    /// The placeholder a missing `description` suggests.
    pub description_example: &'static str,
    /// The category a missing `consent` suggests.
    pub consent_example: &'static str,
}

const EVENT: Declaration = Declaration {
    noun: "event",
    description_example: "<what happened, in plain words>",
    consent_example: "usage",
};

/// The keys every declaration has, lowered (`None`: missing or invalid, already reported).
pub(crate) struct Common {
    pub description: Option<String>,
    pub purpose: Option<String>,
    pub version: Option<u32>,
    pub consent: Option<Consent>,
    pub retention_days: Option<u32>,
    pub expires: Option<Expiry>,
    pub owners: Option<Vec<String>>,
}

/// Lowers the keys events and metrics share — description, purpose, version, consent,
/// retention, expiry, owners — with the file's `defaults:` and `owners:` filling what the
/// declaration leaves out: one rule for both, so they can never drift apart.
pub(crate) fn lower_common(
    cx: &mut Ctxt,
    map: &Map<'_>,
    entry: &Entry<'_>,
    what: &str,
    inherited: &Inherited<'_>,
    env: &Env<'_>,
    decl: &Declaration,
) -> Common {
    let required_text = |cx: &mut Ctxt, key: &str, example: &str| match map.get(key) {
        Some(e) => text(cx, e, what),
        None => {
            missing(cx, entry.key_span, what, key, example);
            None
        }
    };
    let description = required_text(cx, "description", decl.description_example);
    let purpose = required_text(
        cx,
        "purpose",
        "<why it is collected and what decision it informs>",
    );

    let version = match map.get("version") {
        Some(e) => integer(cx, e, 1..=i128::from(u32::MAX)).map(|v| v as u32),
        None => {
            missing(cx, entry.key_span, what, "version", "1");
            None
        }
    };

    let consent = match map.get("consent") {
        Some(e) => keyword(cx, e, Code::UnknownConsent, "consent category", &consents()),
        None => match inherited.consent {
            Some((c, _)) => Some(c),
            None if inherited.consent_invalid => None,
            None => {
                missing(cx, entry.key_span, what, "consent", decl.consent_example);
                None
            }
        },
    };

    let retention_days = match (map.get("retention_days"), inherited.retention_days) {
        (Some(e), _) => retention(cx, e, env.policy),
        (None, Some(days)) => days,
        (None, None) => {
            missing(
                cx,
                entry.key_span,
                what,
                "retention_days",
                &env.policy.max_retention_days.to_string(),
            );
            None
        }
    };

    let expires = expiry(
        cx,
        map.get("expires").or(inherited.expires),
        map.get("expiry_justification"),
        entry.key_span,
        what,
        env,
    );

    let owners = match map.get("owners") {
        Some(e) => owners(cx, e),
        None => match &inherited.owners {
            Some(o) => Some(o.clone()),
            None if inherited.owners_invalid => None,
            None => {
                cx.push(
                    Diagnostic::error(
                        Code::MissingOwner,
                        entry.key_span,
                        format!("{what} has no owner"),
                    )
                    .with_help(format!(
                        "add `owners: [team@example.org]` to the {} or at the top of the file",
                        decl.noun
                    )),
                );
                None
            }
        },
    };

    Common {
        description,
        purpose,
        version,
        consent,
        retention_days,
        expires,
        owners,
    }
}

pub(crate) fn retention(cx: &mut Ctxt, e: &Entry<'_>, policy: &Policy) -> Option<u32> {
    let days = integer(cx, e, 1..=36_500)? as u32;
    if days > policy.max_retention_days {
        cx.push(
            Diagnostic::error(
                Code::RetentionExceedsPolicy,
                e.value.span,
                format!("`retention_days` is {days}, but the policy allows at most {}", policy.max_retention_days),
            )
            .with_help(format!(
                "keep data at most {} days (the promise made to users), or change `max_retention_days` in schemas/candor.yaml after review",
                policy.max_retention_days
            )),
        );
        return None;
    }
    Some(days)
}

/// Parses an `expires` value (a date, or `never` with a justification) and checks it against
/// today and the policy.
pub(crate) fn expiry(
    cx: &mut Ctxt,
    e: Option<&Entry<'_>>,
    justification: Option<&Entry<'_>>,
    at: Span,
    what: &str,
    env: &Env<'_>,
) -> Option<Expiry> {
    let Some(e) = e else {
        missing(
            cx,
            at,
            what,
            "expires",
            &env.today.add_days(365).to_string(),
        );
        return None;
    };
    let raw = match e.value.value() {
        Some(Value::Str(s)) => s,
        _ => {
            super::wrong(cx, e, "a date `YYYY-MM-DD` or `never`");
            return None;
        }
    };
    if raw == "never" {
        let Some(j) = justification else {
            cx.push(
                Diagnostic::error(Code::MissingJustification, e.value.span, format!("{what} never expires but has no `expiry_justification`"))
                    .with_help("add `expiry_justification: <why this must be collected indefinitely>`, or set a date"),
            );
            return None;
        };
        return text(cx, j, what).map(|justification| Expiry::Never { justification });
    }
    if let Some(j) = justification {
        cx.push(
            Diagnostic::error(
                Code::KeyNotAllowed,
                j.key_span,
                "`expiry_justification` only applies to `expires: never`",
            )
            .with_help("remove it, or set `expires: never`"),
        );
    }
    let Some(date) = Date::parse(raw) else {
        cx.push(
            Diagnostic::error(Code::BadDate, e.value.span, format!("`{raw}` is not a date"))
                .with_help("write the date as `YYYY-MM-DD`, e.g. `2027-06-30`, or `never` with `expiry_justification`"),
        );
        return None;
    };
    let days_left = date.to_days() - env.today.to_days();
    if days_left < 0 {
        let message = format!("{what} expired on {date} (today is {})", env.today);
        let help = "remove the event and its tracking code, or extend `expires` after review";
        if env.expired_is_warning {
            // A build of an old release: the runtime stops collecting the event on its date,
            // so the build itself need not fail.
            cx.push(Diagnostic::warning(Code::Expired, e.value.span, message).with_help(help));
            return Some(Expiry::On { date });
        }
        cx.push(Diagnostic::error(Code::Expired, e.value.span, message).with_help(help));
        return None;
    }
    let limit = i64::from(env.policy.max_expiry_days);
    if days_left > limit {
        cx.push(
            Diagnostic::error(
                Code::ExpiryTooFar,
                e.value.span,
                format!(
                    "`expires` is {days_left} days ahead, but the policy allows at most {limit}"
                ),
            )
            .with_help(format!(
                "set a date no later than {}",
                env.today.add_days(limit)
            )),
        );
        return None;
    }
    if days_left <= EXPIRES_SOON_DAYS {
        cx.push(
            Diagnostic::warning(
                Code::ExpiresSoon,
                e.value.span,
                format!("{what} expires in {days_left} days, on {date}"),
            )
            .with_help("extend `expires` after review, or plan the removal of this event"),
        );
    }
    Some(Expiry::On { date })
}

pub(crate) fn owners(cx: &mut Ctxt, e: &Entry<'_>) -> Option<Vec<String>> {
    let list = string_list(cx, e)?;
    if list.is_empty() {
        cx.push(
            Diagnostic::error(Code::MissingOwner, e.value.span, "`owners` is empty")
                .with_help("name at least one owner, e.g. `owners: [team@example.org]`"),
        );
        return None;
    }
    let mut ok = true;
    for (o, span) in &list {
        if o.trim().is_empty() {
            ok = false;
            cx.error(Code::InvalidValue, *span, "an owner is empty");
        } else {
            ok &= super::plain_text(cx, o, *span, "an owner", super::Allowed::Line);
        }
    }
    ok.then(|| {
        list.into_iter()
            .map(|(o, _)| o.trim().to_string())
            .collect()
    })
}
