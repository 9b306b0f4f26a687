//! The check pass of `#[derive(Event)]`: finds and compiles the schema folder, then holds the
//! parsed struct against its event — the event exists, the version matches, every field is
//! declared, collectable, `Option` exactly where `optional`, of a fitting type, and no
//! required field is missing — and decides how each field is written. Every problem is
//! recorded in the [`Ctxt`]; the [`EventPlan`] is only used when there is none.

use super::ast::{Container, Field};
use super::ctxt::Ctxt;
use super::plan::{Coarsen, Encoding, EnumCheck, EventPlan, FieldPlan, Meta, Randomize, TextCheck};
use candor_core::fingerprint::values_fingerprint;
use candor_core::pattern::SimplePattern;
use candor_core::types::RustScalar;
use candor_schema::derive_support::{self as support, check_fit, load_cached, resolve_dir, Loaded};
use candor_schema::ir::{self, FieldType, PrivacyClass};
use candor_schema::Options;
use quote::ToTokens;
use std::path::PathBuf;
use std::sync::Arc;

/// What the check found: the schema folder (if it could be read) and, when the struct fits its
/// event, the plan.
pub struct Checked<'a> {
    pub loaded: Option<Arc<Loaded>>,
    pub plan: Option<EventPlan<'a>>,
}

/// Checks `cont` against its schema.
pub fn event<'a>(cx: &Ctxt, cont: &Container<'a>) -> Checked<'a> {
    let loaded = load_schema(cx, cont);
    // A struct of the wrong shape has no fields to compare, so it is not also told that it
    // lacks every required field: one error, about the shape.
    let plan = match (&loaded, &cont.attr.name, &cont.fields) {
        (Some(loaded), Some(name), Some(fields)) => against_schema(cx, cont, name, loaded, fields),
        _ => None,
    };
    Checked { loaded, plan }
}

/// The schema folder the struct names, compiled once per compiler process; its errors, or why
/// it cannot be read, are reported at the attribute.
fn load_schema(cx: &Ctxt, cont: &Container<'_>) -> Option<Arc<Loaded>> {
    let attr = &cont.attr;
    let Some(name) = &attr.name else {
        cx.error_spanned_by(
            cont.ident,
            "missing `#[event(name = \"namespace.event\")]`: name the schema event this struct \
             records",
        );
        return None;
    };
    load_folder(cx, attr.schemas.as_ref(), name)
}

/// Loads the schema folder a derive names (`schemas = "..."`, else the environment variable,
/// else the default), once per folder per compilation; its errors and a folder that cannot be
/// read are reported at `schemas`, or at `fallback` when the attribute has none. Every derive
/// goes through here, so all read the folder with the same options.
pub(crate) fn load_folder(
    cx: &Ctxt,
    schemas: Option<&syn::LitStr>,
    fallback: &dyn ToTokens,
) -> Option<Arc<Loaded>> {
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let env = std::env::var(support::SCHEMAS_ENV).ok();
    let written = schemas.map(syn::LitStr::value);
    let dir = resolve_dir(&manifest, written.as_deref(), env.as_deref());
    let at: &dyn ToTokens = match schemas {
        Some(s) => s,
        None => fallback,
    };
    // A passed `expires` does not fail the build (rebuilding an old release must work): the
    // runtime stops collecting the event on that date, and `candor check` fails on it.
    let options = Options {
        expired_is_warning: true,
        ..Options::default()
    };
    match load_cached(&dir, &options) {
        Err(failure) => {
            cx.error_spanned_by(at, failure.0);
            None
        }
        Ok(loaded) => {
            if let Some(rendered) = loaded.errors() {
                cx.error_spanned_by(
                    at,
                    format!(
                        "the schema folder `{}` has errors; fix them (or run `candor check {}`):\n\n{}",
                        loaded.dir.shown,
                        loaded.dir.shown,
                        rendered.trim_end()
                    ),
                );
            }
            Some(loaded)
        }
    }
}

/// The struct against its event in a folder that compiled.
fn against_schema<'a>(
    cx: &Ctxt,
    cont: &Container<'a>,
    name: &syn::LitStr,
    loaded: &Loaded,
    fields: &[Field<'a>],
) -> Option<EventPlan<'a>> {
    let registry = loaded.registry()?;
    let full_name = name.value();
    let Some(event) = registry.event(&full_name) else {
        cx.error_spanned_by(
            name,
            format!(
                "no schema in `{}` declares the event `{full_name}`; {}",
                loaded.dir.shown,
                support::unknown_event_help(registry, &full_name)
            ),
        );
        return None;
    };
    if let Some(version) = &cont.attr.version {
        match version.base10_parse::<u32>() {
            Ok(v) if v == event.version => {}
            Ok(v) => cx.error_spanned_by(
                version,
                format!(
                    "`{full_name}` is version {} in {}, not {v}; update the struct to the \
                     reviewed schema and its version",
                    event.version,
                    loaded.location(event.span)
                ),
            ),
            Err(e) => cx.syn_error(e),
        }
    }

    let planned = fields
        .iter()
        .filter_map(|field| one_field(cx, loaded, event, fields, field))
        .collect();
    missing_fields(cx, cont, loaded, event, fields);

    Some(EventPlan {
        ident: cont.ident,
        generics: cont.generics,
        meta: Meta {
            full_name,
            version: event.version,
            consent: event.consent,
            retention_days: event.retention_days,
            fingerprint: event.fingerprint.clone(),
            expires_day: match &event.expires {
                ir::Expiry::On { date } => candor_core::date::expiry_day(*date),
                ir::Expiry::Never { .. } => candor_core::date::NEVER_EXPIRES,
            },
            error_report: event.error_report.then(|| {
                let max = |name: &str| match event.field(name).map(|f| &f.ty) {
                    Some(FieldType::String {
                        max_len: Some(n), ..
                    }) => *n,
                    _ => u32::MAX,
                };
                (max("site"), max("frames"))
            }),
        },
        fields: planned,
    })
}

/// One field against the schema's declaration of it.
fn one_field<'a>(
    cx: &Ctxt,
    loaded: &Loaded,
    event: &ir::Event,
    fields: &[Field<'a>],
    field: &Field<'a>,
) -> Option<FieldPlan<'a>> {
    let fname = field.name.as_str();
    let full_name = &event.full_name;
    let Some(yaml) = event.field(fname) else {
        let names = event
            .collected_fields()
            .map(|f| f.name.as_str())
            .filter(|n| !fields.iter().any(|f| f.name == *n));
        let advice = match candor_schema::suggest::did_you_mean(fname, names) {
            Some(hint) => format!("{} If not, add", capitalize(&hint)),
            None => "Add".to_string(),
        };
        cx.error_spanned_by(
            field.member,
            format!(
                "field `{fname}` is not declared by `{full_name}` ({}). {advice} it to the \
                 schema and have it reviewed, or remove it",
                loaded.location(event.span)
            ),
        );
        return None;
    };
    if yaml.class == PrivacyClass::Pii {
        cx.error_spanned_by(
            field.member,
            format!(
                "field `{fname}` is personal data: {} classes it `pii`, and candor never \
                 sends personal data; remove this field (the schema declares it only so it \
                 is listed as never collected)",
                loaded.location(yaml.class_span)
            ),
        );
        return None;
    }
    let ty = &field.ty;
    let at = loaded.location(yaml.span);
    match (yaml.optional, ty.optional) {
        (true, false) => cx.error_spanned_by(
            field.written,
            format!(
                "field `{fname}` is `optional: true` in the schema ({at}); declare it as \
                 `Option<{}>`",
                field.written.to_token_stream()
            ),
        ),
        (false, true) => cx.error_spanned_by(
            field.written,
            format!(
                "field `{fname}` is required by the schema ({at}); drop the `Option`, or \
                 make the field `optional: true` in the schema"
            ),
        ),
        _ => {}
    }
    if let Some(scalar) = ty.scalar {
        if let Err(why) = check_fit(scalar, &ty.inner_text(), &yaml.ty) {
            cx.error_spanned_by(
                ty.inner,
                format!(
                    "field `{fname}` is `type: {}` in the schema ({at}): {why}",
                    yaml.ty.name()
                ),
            );
            return None;
        }
    }
    Some(FieldPlan {
        member: field.member,
        name: field.name.clone(),
        ty: ty.clone(),
        encoding: encoding(yaml, field, full_name, &at),
        randomize: yaml.randomized_response().map(|rr| Randomize {
            rule: rr.device_rule(),
            values: match &yaml.ty {
                FieldType::Enum { values }
                | FieldType::String {
                    values: Some(values),
                    ..
                } => Some(values.clone()),
                _ => None,
            },
        }),
    })
}

/// How a field that fits is written.
fn encoding(yaml: &ir::Field, field: &Field<'_>, full_name: &str, at: &str) -> Encoding {
    let enum_check = |values: &[String]| {
        Encoding::Enum(EnumCheck {
            expected: values_fingerprint(values.iter().map(String::as_str)),
            message: format!(
                "the variants of `{}` (field `{}` of `{full_name}`) must be, in snake_case, \
                 exactly the YAML values declared at {at}: {}",
                field.ty.inner_text(),
                field.name,
                values.join(", ")
            ),
        })
    };
    match &yaml.ty {
        FieldType::Bool => Encoding::Bool,
        FieldType::Integer { min, max, buckets } => Encoding::Integer(Coarsen {
            min: *min,
            max: *max,
            buckets: buckets.clone(),
        }),
        FieldType::Float { min, max, buckets } => Encoding::Float(Coarsen {
            min: *min,
            max: *max,
            buckets: buckets.clone(),
        }),
        FieldType::Count { max, buckets } => Encoding::Count(Coarsen {
            min: None,
            max: *max,
            buckets: buckets.clone(),
        }),
        FieldType::Duration { unit, max, buckets } => Encoding::Duration {
            unit: *unit,
            coarsen: Coarsen {
                min: None,
                max: *max,
                buckets: buckets.clone(),
            },
        },
        FieldType::Enum { values } => enum_check(values),
        FieldType::String {
            values: Some(values),
            ..
        } if !matches!(field.ty.scalar, Some(RustScalar::Text)) => enum_check(values),
        FieldType::String {
            values,
            max_len,
            pattern,
        } => {
            // The runtime tests `values` exactly; for a pattern it tries the simple walk
            // before the regular expression, and an exact walk replaces the regular
            // expression (and its `static`) entirely.
            let simple = match (values, pattern) {
                (None, Some(src)) => SimplePattern::parse(src),
                _ => None,
            };
            let exact = simple.as_ref().is_some_and(|s| s.exact);
            Encoding::Text(TextCheck {
                max_len: max_len.map(|n| n as usize),
                values: values.clone(),
                regex: pattern.clone().filter(|_| values.is_none() && !exact),
                simple,
            })
        }
    }
}

/// Required fields of the schema that the struct lacks, reported at the struct's name.
fn missing_fields(
    cx: &Ctxt,
    cont: &Container<'_>,
    loaded: &Loaded,
    event: &ir::Event,
    fields: &[Field<'_>],
) {
    let missing: Vec<&ir::Field> = event
        .collected_fields()
        .filter(|f| !f.optional)
        .filter(|f| !fields.iter().any(|s| s.name == f.name))
        .collect();
    if missing.is_empty() {
        return;
    }
    let list = missing
        .iter()
        .map(|f| {
            format!(
                "`{}` ({}, {})",
                f.name,
                f.ty.name(),
                loaded.location(f.span)
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let (s, it) = if missing.len() == 1 {
        ("", "it")
    } else {
        ("s", "them")
    };
    cx.error_spanned_by(
        cont.ident,
        format!(
            "`{}` lacks the required field{s} {list} of `{}`; add {it}, or make {it} \
             `optional: true` in the schema",
            cont.ident, event.full_name
        ),
    );
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The schema files the generated code must `include_bytes!` so that cargo rebuilds the crate
/// when one changes: all of them from the first derive of the crate (one set is enough for
/// cargo, and 500 copies slowed the build), none from the others. `Some(empty)` when the folder
/// could not be read: the generated code still names the folder variable.
pub fn includes(loaded: Option<&Loaded>) -> Option<Vec<String>> {
    match loaded {
        Some(l) if l.claim_includes() => Some(
            l.files
                .iter()
                .map(|p| p.to_string_lossy().into_owned())
                .collect(),
        ),
        Some(_) => None,
        None => Some(Vec::new()),
    }
}
