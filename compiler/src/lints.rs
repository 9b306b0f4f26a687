//! Privacy lints: rules about what a schema *means*, run on the lowered IR. They are errors
//! unless a field carries `allow: [{ lint: <code>, reason: <why> }]`; every such reason is
//! published in the transparency docs.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Allow, Consent, Field, Policy, PrivacyClass, RandomizedResponse};
use crate::source::Span;

/// Lints that an `allow` entry may name.
pub const LINTS: [&str; 3] = ["personal-name", "sensitive-in-usage", "weak-randomization"];

/// Name segments (snake_case words, or runs of words) that suggest personal data. Matched
/// against whole segments so `ip` hits `client_ip` but not `zip_ms` or `tip`.
pub const PERSONAL_WORDS: &[&str] = &[
    "email",
    "mail",
    "e_mail",
    "ip",
    "ipv4",
    "ipv6",
    "ip_addr",
    "address",
    "addr",
    "wallet",
    "seed",
    "mnemonic",
    "private_key",
    "privkey",
    "secret",
    "password",
    "passwd",
    "passphrase",
    "pin",
    "token",
    "api_key",
    "phone",
    "name",
    "username",
    "first_name",
    "last_name",
    "surname",
    "location",
    "lat",
    "lon",
    "lng",
    "latitude",
    "longitude",
    "geo",
    "gps",
    "balance",
    "user_id",
    "userid",
    "device_id",
    "install_id",
    "account",
    "iban",
    "ssn",
    "xpub",
    "xprv",
    "pubkey",
    "public_key",
    "recipient",
    "sender",
    "birthday",
    "dob",
    "postcode",
    "zip",
    "imei",
    "mac_address",
    "serial",
    "card",
];

/// The personal word that `name` contains as whole segments, if any.
pub fn personal_word<'a>(name: &str, extra: &'a [String]) -> Option<&'a str> {
    PERSONAL_WORDS
        .iter()
        .copied()
        .chain(extra.iter().map(String::as_str))
        .filter(|w| has_segments(name, w))
        .max_by_key(|w| w.len())
}

/// Whether `word` occurs in `name` bounded by `_` or the ends, i.e. as whole segments, also in
/// the plural (`emails`, `addresses`, `wallet_ids` for `wallet`… but not `tips` for `ip`). Runs
/// for every word on every field, so it allocates nothing (names are valid snake_case here).
fn has_segments(name: &str, word: &str) -> bool {
    let bytes = name.as_bytes();
    let mut start = 0;
    loop {
        // Only segment starts can begin a match: a prefix compare there is cheaper than
        // building a substring searcher for every word and field.
        let end = start + word.len();
        if bytes.get(start) == word.as_bytes().first()
            && bytes[start..].starts_with(word.as_bytes())
        {
            let segment_ends = |at: usize| at == bytes.len() || bytes[at] == b'_';
            let plural = |suffix: &[u8]| {
                bytes[end..].starts_with(suffix) && segment_ends(end + suffix.len())
            };
            if segment_ends(end) || plural(b"s") || plural(b"es") {
                return true;
            }
        }
        match bytes[start..].iter().position(|b| *b == b'_') {
            Some(i) => start += i + 1,
            None => return false,
        }
    }
}

/// Runs every lint over the fields of one event and reports `allow` entries that suppress
/// nothing. Called while lowering, with the fields that lowered even if the event as a whole did
/// not, so a privacy problem is reported in the same run as any other mistake nearby. `consent`
/// is `None` when it was missing or misspelt (already reported); `sensitive-in-usage` is then
/// undecidable, so neither it nor an `allow` of it is reported.
pub(crate) fn check_event(
    full_name: &str,
    consent: Option<Consent>,
    fields: &[Field],
    policy: &Policy,
    out: &mut Vec<Diagnostic>,
) {
    for field in fields {
        let mut fired: Vec<&str> = Vec::new();
        if let Some(word) = personal_word(&field.name, &policy.extra_personal_words) {
            if field.class < PrivacyClass::Pii {
                fired.push("personal-name");
                report(field, out, "personal-name", || {
                    Diagnostic::error(
                        Code::PersonalName,
                        field.span,
                        format!(
                            "field `{}` of `{full_name}` is named like personal data (`{word}`) but classed `{}`",
                            field.name, field.class
                        ),
                    )
                    .with_help("class it `pii` so it is never sent, rename it, or if it really is not personal data add `allow: [{ lint: personal-name, reason: \"<why>\" }]`")
                });
            }
        }
        let undecided = consent.is_none() && field.class == PrivacyClass::Sensitive;
        if field.class == PrivacyClass::Sensitive && consent == Some(Consent::Usage) {
            fired.push("sensitive-in-usage");
            report(field, out, "sensitive-in-usage", || {
                Diagnostic::error(
                    Code::SensitiveInUsage,
                    field.class_span,
                    format!(
                        "`sensitive` field `{}` in `{full_name}`, whose consent is `usage`",
                        field.name
                    ),
                )
                .with_help("usage data is the broadest category people opt into: coarsen the field below `sensitive`, move it to a `diagnostics` or `performance` event, or add `allow: [{ lint: sensitive-in-usage, reason: \"<why>\" }]`")
            });
        }
        if let (Some(rr), Some(spec)) = (
            field.randomized_response(),
            field
                .privacy
                .as_ref()
                .and_then(|p| p.randomized_response.as_ref()),
        ) {
            if rr.protects_little() {
                fired.push("weak-randomization");
                report(field, out, "weak-randomization", || {
                    let k = rr.k();
                    Diagnostic::error(
                        Code::WeakRandomization,
                        spec.span,
                        format!(
                            "`epsilon: {}` on field `{}` of `{full_name}` keeps the true value {:.2} % of the time: a single report is the truth with near certainty",
                            spec.epsilon,
                            field.name,
                            rr.keep_probability() * 100.0
                        ),
                    )
                    .with_help(format!(
                        "with {k} possible values, ε above ln(99·{}) = {:.2} randomises fewer than one report in a hundred; lower ε, or if the protection is not the point add `allow: [{{ lint: weak-randomization, reason: \"<why>\" }}]`",
                        k - 1,
                        RandomizedResponse::lint_threshold(k)
                    ))
                });
            }
        }
        for allow in &field.allow {
            if undecided && allow.lint == "sensitive-in-usage" {
                continue;
            }
            if !fired.contains(&allow.lint.as_str()) {
                out.push(
                    Diagnostic::warning(
                        Code::UnusedAllow,
                        allow.span,
                        format!(
                            "`allow: {}` on field `{}` suppresses nothing",
                            allow.lint, field.name
                        ),
                    )
                    .with_help(
                        "remove the entry: stale suppressions would still be published in the docs",
                    ),
                );
            }
        }
    }
}

/// The same lints over one metric: `personal-name` on its name and on each label,
/// `sensitive-in-usage` on its class, and `allow` entries that suppress nothing.
#[allow(clippy::too_many_arguments)]
pub(crate) fn check_metric(
    full_name: &str,
    name: &str,
    name_span: Span,
    labels: &[(&str, Span)],
    class: Option<PrivacyClass>,
    consent: Option<Consent>,
    class_span: Option<Span>,
    allow: &[Allow],
    policy: &Policy,
    out: &mut Vec<Diagnostic>,
) {
    let allowed = |lint: &str| allow.iter().any(|a| a.lint == lint);
    let mut fired: Vec<&str> = Vec::new();
    let named = std::iter::once((name, name_span, "metric"))
        .chain(labels.iter().map(|(l, s)| (*l, *s, "label")));
    for (n, span, kind) in named {
        if let Some(word) = personal_word(n, &policy.extra_personal_words) {
            fired.push("personal-name");
            if !allowed("personal-name") {
                let msg = if kind == "metric" {
                    format!("metric `{full_name}` is named like personal data (`{word}`)")
                } else {
                    format!("label `{n}` of metric `{full_name}` is named like personal data (`{word}`)")
                };
                out.push(
                    Diagnostic::error(Code::PersonalName, span, msg)
                        .with_help("a metric is always sent when its consent holds: count something that is not personal data, rename it, or if it really is not personal data add `allow: [{ lint: personal-name, reason: \"<why>\" }]`"),
                );
            }
        }
    }
    if class == Some(PrivacyClass::Sensitive) && consent == Some(Consent::Usage) {
        fired.push("sensitive-in-usage");
        if !allowed("sensitive-in-usage") {
            out.push(
                Diagnostic::error(
                    Code::SensitiveInUsage,
                    class_span.unwrap_or(name_span),
                    format!("`sensitive` metric `{full_name}`, whose consent is `usage`"),
                )
                .with_help("usage data is the broadest category people opt into: coarsen the metric below `sensitive`, move it to `diagnostics` or `performance`, or add `allow: [{ lint: sensitive-in-usage, reason: \"<why>\" }]`"),
            );
        }
    }
    let undecided = consent.is_none() && class == Some(PrivacyClass::Sensitive);
    for a in allow {
        if undecided && a.lint == "sensitive-in-usage" {
            continue;
        }
        if !fired.contains(&a.lint.as_str()) {
            out.push(
                Diagnostic::warning(
                    Code::UnusedAllow,
                    a.span,
                    format!(
                        "`allow: {}` on metric `{full_name}` suppresses nothing",
                        a.lint
                    ),
                )
                .with_help(
                    "remove the entry: stale suppressions would still be published in the docs",
                ),
            );
        }
    }
}

fn report(field: &Field, out: &mut Vec<Diagnostic>, lint: &str, make: impl FnOnce() -> Diagnostic) {
    if !field.allow.iter().any(|a| a.lint == lint) {
        out.push(make());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_whole_segments() {
        assert_eq!(personal_word("client_ip", &[]), Some("ip"));
        assert_eq!(personal_word("recipient_address", &[]), Some("recipient"));
        assert_eq!(personal_word("private_key_hint", &[]), Some("private_key"));
        assert_eq!(personal_word("zip_ms", &[]), Some("zip"));
        assert_eq!(personal_word("tip_count", &[]), None);
        assert_eq!(personal_word("shipping_ms", &[]), None);
        assert_eq!(personal_word("emails_sent", &[]), Some("email"));
        assert_eq!(personal_word("addresses", &[]), Some("address"));
        assert_eq!(personal_word("wallets_count", &[]), Some("wallet"));
        assert_eq!(personal_word("ips", &[]), Some("ip"));
        assert_eq!(personal_word("tips", &[]), None);
        assert_eq!(personal_word("pinned", &[]), None);
        let extra = vec!["nickname".to_string()];
        assert_eq!(personal_word("nickname", &extra), Some("nickname"));
    }
}
