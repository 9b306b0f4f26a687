//! `error_report: true`: an event the runtime's panic hook fills in. Its fields are the
//! runtime's scrubbed report, so their names and types are fixed here and checked like
//! everything else: `site` (string: the panic site, `crate/src/file.rs:line`), `frames`
//! (string: the app's own function paths), `frames_omitted` (count: frames collapsed or cut),
//! all `technical`, in an event whose consent is `diagnostics`.

use crate::diagnostic::{Code, Diagnostic};
use crate::ir::{Consent, Field, FieldType, PrivacyClass, YamlType};
use crate::source::Span;

use super::Ctxt;

/// The fields of an error report, in the order the runtime writes them, with their types.
pub const FIELDS: [(&str, YamlType); 3] = [
    ("site", YamlType::String),
    ("frames", YamlType::String),
    ("frames_omitted", YamlType::Count),
];

/// Checks an event declared `error_report: true`; reports every mismatch at `at` (the key).
pub(crate) fn check(
    cx: &mut Ctxt,
    at: Span,
    what: &str,
    consent: Option<Consent>,
    fields: &[Field],
) -> bool {
    let mut ok = true;
    let mut err = |cx: &mut Ctxt, span: Span, msg: String, help: &str| {
        ok = false;
        cx.push(Diagnostic::error(Code::ErrorReportShape, span, msg).with_help(help.to_owned()));
    };
    if let Some(c) = consent {
        if c != Consent::Diagnostics {
            err(
                cx,
                at,
                format!(
                    "{what} is an error report, but its consent is `{}`",
                    c.as_str()
                ),
                "error reports are diagnostics: set `consent: diagnostics`",
            );
        }
    }
    for (name, ty) in FIELDS {
        match fields.iter().find(|f| f.name == name) {
            None => err(
                cx,
                at,
                format!("{what} is an error report but has no `{name}` field"),
                "an error report has exactly the fields `site` (string), `frames` (string) and \
                 `frames_omitted` (count)",
            ),
            Some(f) if f.ty.kind() != ty => err(
                cx,
                f.span,
                format!(
                    "`{name}` of error report {what} must be of type `{}`",
                    ty.as_str()
                ),
                "the runtime writes this field; its type is fixed",
            ),
            Some(f) if f.class != PrivacyClass::Technical || f.optional => err(
                cx,
                f.span,
                format!(
                    "`{name}` of error report {what} must be `class: technical` and not optional"
                ),
                "the runtime's scrubbed report holds code locations only, which are technical",
            ),
            Some(f) => {
                if let FieldType::String {
                    values: Some(_), ..
                } = f.ty
                {
                    err(
                        cx,
                        f.span,
                        format!("`{name}` of error report {what} cannot list `values`"),
                        "declare `max_len` and a `pattern` the scrubbed text fits",
                    );
                }
            }
        }
    }
    for f in fields {
        if !FIELDS.iter().any(|(n, _)| *n == f.name) {
            err(
                cx,
                f.span,
                format!("error report {what} cannot have the field `{}`", f.name),
                "an error report has exactly the fields `site`, `frames` and `frames_omitted`",
            );
        }
    }
    ok
}
