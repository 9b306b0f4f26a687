//! `#[derive(Event)]`: checks a struct against its event's YAML schema and generates
//! `impl candor::Event` with an encoder that writes the fields straight into JSON.
//!
//! All problems of one struct are collected first. If there is any, the output is the errors
//! plus a stub impl, so the user sees those errors and not a cascade of "trait not
//! implemented" ones wherever the event is used.

use crate::attr::{self, EventAttr};
use crate::ctxt::Ctxt;
use crate::ty::{self, FieldTy};
use candor_schema::derive_support::{
    self as support, check_fit, load_cached, resolve_dir, Loaded, RustScalar,
};
use candor_schema::ir::{self, FieldType, PrivacyClass};
use candor_schema::Options;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use std::path::PathBuf;
use syn::{Data, DeriveInput, Fields, GenericParam};

pub fn expand(input: DeriveInput) -> TokenStream {
    let cx = Ctxt::default();
    let attr = attr::parse(&cx, &input.attrs);
    let fields = struct_fields(&cx, &input);
    for param in &input.generics.params {
        if !matches!(param, GenericParam::Lifetime(_)) {
            cx.error_spanned_by(
                param,
                "an event cannot be generic over types or consts: its fields are fixed by the \
                 schema (lifetime parameters, e.g. for `&'a str` fields, are fine)",
            );
        }
    }

    let loaded = load_schema(&cx, &input, &attr);
    let includes = includes(loaded.as_deref());
    // A struct of the wrong shape has no fields to compare, so it is not also told that it
    // lacks every required field: one error, about the shape.
    let body = match (&loaded, &attr.name, &fields) {
        (Some(loaded), Some(name), Some(fields)) => check(&cx, &input, &attr, name, loaded, fields),
        _ => None,
    };
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    match (cx.into_compile_errors(), body) {
        (None, Some(body)) => quote! {
            #includes
            impl #impl_generics ::candor::Event for #ident #ty_generics #where_clause {
                #body
            }
        },
        (errors, _) => quote! {
            #errors
            #includes
            impl #impl_generics ::candor::Event for #ident #ty_generics #where_clause {
                const META: ::candor::EventMeta = ::candor::EventMeta {
                    name: "",
                    version: 0,
                    consent: ::candor::Consent::Usage,
                    retention_days: 0,
                    fingerprint: "",
                };
                fn encode_fields(
                    &self,
                    _: &mut ::candor::FieldWriter<'_>,
                ) -> ::core::result::Result<(), ::candor::EncodeError> {
                    ::core::result::Result::Ok(())
                }
            }
        },
    }
}

/// The named fields of the struct (none for a unit struct), or `None` after reporting why the
/// item cannot be an event.
fn struct_fields<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<&'a syn::Field>> {
    match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => Some(named.named.iter().collect()),
            Fields::Unit => Some(Vec::new()),
            Fields::Unnamed(_) => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Event)] needs named fields: each field name must match a field of \
                     the YAML schema",
                );
                None
            }
        },
        _ => {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(Event)] is for structs; for the values of an `enum` field use \
                 #[derive(candor::EventEnum)]",
            );
            None
        }
    }
}

fn load_schema(cx: &Ctxt, input: &DeriveInput, attr: &EventAttr) -> Option<std::sync::Arc<Loaded>> {
    let Some(name) = &attr.name else {
        cx.error_spanned_by(
            &input.ident,
            "missing `#[event(name = \"namespace.event\")]`: name the schema event this struct \
             records",
        );
        return None;
    };
    let manifest = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_default();
    let env = std::env::var(support::SCHEMAS_ENV).ok();
    let written = attr.schemas.as_ref().map(|s| s.value());
    let dir = resolve_dir(&manifest, written.as_deref(), env.as_deref());
    let at: &dyn ToTokens = match &attr.schemas {
        Some(s) => s,
        None => name,
    };
    match load_cached(&dir, &Options::default()) {
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

/// `include_bytes!` of every schema file read, so that cargo rebuilds the crate when one
/// changes (new files need the `build.rs` line in docs/derive.md); emitted by the first derive
/// of the crate only. Reading the folder variable through `option_env!` makes rustc record it,
/// so cargo also rebuilds when it changes.
fn includes(loaded: Option<&Loaded>) -> TokenStream {
    let env = support::SCHEMAS_ENV;
    let paths: Vec<String> = match loaded {
        Some(l) if l.claim_includes() => l
            .files
            .iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect(),
        Some(_) => return TokenStream::new(),
        None => Vec::new(),
    };
    quote! {
        const _: () = {
            let _ = ::core::option_env!(#env);
            #( let _ = ::core::include_bytes!(#paths); )*
        };
    }
}

/// Checks the struct against the event; if everything fits, returns the impl body.
fn check(
    cx: &Ctxt,
    input: &DeriveInput,
    attr: &EventAttr,
    name: &syn::LitStr,
    loaded: &Loaded,
    fields: &[&syn::Field],
) -> Option<TokenStream> {
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
    if let Some(version) = &attr.version {
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

    let mut writes = Vec::new();
    let mut prelude = EncoderPrelude::default();
    for field in fields {
        let Some(ident) = &field.ident else { continue };
        let fname = ident.to_string();
        let fname = fname.strip_prefix("r#").unwrap_or(&fname);
        let Some(yaml) = event.field(fname) else {
            let names = event
                .collected_fields()
                .map(|f| f.name.as_str())
                .filter(|n| {
                    !fields
                        .iter()
                        .any(|f| f.ident.as_ref().is_some_and(|i| i == n))
                });
            let advice = match candor_schema::suggest::did_you_mean(fname, names) {
                Some(hint) => format!("{} If not, add", capitalize(&hint)),
                None => "Add".to_string(),
            };
            cx.error_spanned_by(
                ident,
                format!(
                    "field `{fname}` is not declared by `{full_name}` ({}). {advice} it to the \
                     schema and have it reviewed, or remove it",
                    loaded.location(event.span)
                ),
            );
            continue;
        };
        if yaml.class == PrivacyClass::Pii {
            cx.error_spanned_by(
                ident,
                format!(
                    "field `{fname}` is personal data: {} classes it `pii`, and candor never \
                     sends personal data; remove this field (the schema declares it only so it \
                     is listed as never collected)",
                    loaded.location(yaml.class_span)
                ),
            );
            continue;
        }
        let ty = ty::read(&field.ty);
        let at = loaded.location(yaml.span);
        match (yaml.optional, ty.optional) {
            (true, false) => cx.error_spanned_by(
                &field.ty,
                format!(
                    "field `{fname}` is `optional: true` in the schema ({at}); declare it as \
                     `Option<{}>`",
                    field.ty.to_token_stream()
                ),
            ),
            (false, true) => cx.error_spanned_by(
                &field.ty,
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
                continue;
            }
        }
        let write = write_field(fname, yaml, &ty, &full_name, &at, &mut prelude);
        let member = ident;
        let deref = (0..ty.refs).map(|_| quote!(let __v = &**__v;));
        writes.push(if ty.optional {
            quote! {
                if let ::core::option::Option::Some(__v) = &self.#member {
                    #(#deref)*
                    #write
                }
            }
        } else {
            quote! {
                {
                    let __v = &self.#member;
                    #(#deref)*
                    #write
                }
            }
        });
    }

    let missing: Vec<&ir::Field> = event
        .collected_fields()
        .filter(|f| !f.optional)
        .filter(|f| {
            !fields
                .iter()
                .any(|s| s.ident.as_ref().is_some_and(|i| i == f.name.as_str()))
        })
        .collect();
    if !missing.is_empty() {
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
        let s = if missing.len() == 1 { "" } else { "s" };
        cx.error_spanned_by(
            &input.ident,
            format!(
                "`{}` lacks the required field{s} {list} of `{full_name}`; add {}, or make \
                 {} `optional: true` in the schema",
                input.ident,
                if missing.len() == 1 { "it" } else { "them" },
                if missing.len() == 1 { "it" } else { "them" },
            ),
        );
    }
    if cx.has_errors() {
        return None;
    }

    let version = event.version;
    let retention = event.retention_days;
    let fingerprint = &event.fingerprint;
    let consent = format_ident!(
        "{}",
        match event.consent {
            ir::Consent::Usage => "Usage",
            ir::Consent::Diagnostics => "Diagnostics",
            ir::Consent::Performance => "Performance",
        }
    );
    let prelude = prelude.tokens();
    let body = quote! {
        const META: ::candor::EventMeta = ::candor::EventMeta {
            name: #full_name,
            version: #version,
            consent: ::candor::Consent::#consent,
            retention_days: #retention,
            fingerprint: #fingerprint,
        };

        #[inline]
        fn encode_fields(
            &self,
            __w: &mut ::candor::FieldWriter<'_>,
        ) -> ::core::result::Result<(), ::candor::EncodeError> {
            #prelude
            __w.begin();
            #(#writes)*
            __w.end();
            ::core::result::Result::Ok(())
        }
    };
    Some(body)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn opt<T: ToTokens>(v: Option<T>) -> TokenStream {
    match v {
        Some(v) => quote!(::core::option::Option::Some(#v)),
        None => quote!(::core::option::Option::None),
    }
}

/// What the field writers need at the top of `encode_fields`, gathered as they are written.
#[derive(Default)]
struct EncoderPrelude {
    /// The compile-time variant checks of enum fields.
    enum_checks: Vec<TokenStream>,
    /// An enum field is converted through `Probe::<T>::enum_text`.
    enum_text: bool,
    /// A field of a type the table does not know is converted through a probe method.
    probe_methods: std::cell::Cell<bool>,
}

impl EncoderPrelude {
    /// The checks, and imports of the probe traits that the lookups use: each `use` is work for
    /// rustc in every one of possibly hundreds of encoders, so only those needed.
    fn tokens(&self) -> TokenStream {
        let traits = match (self.enum_text, self.probe_methods.get()) {
            (false, false) => quote!(),
            (true, false) => quote!(
                use ::candor::__private::personal::EnumText as _;
            ),
            (false, true) => quote!(
                use ::candor::__private::personal::{ViaPersonal as _, ViaValue as _};
            ),
            (true, true) => {
                quote!(
                    use ::candor::__private::personal::{
                        EnumText as _, ViaPersonal as _, ViaValue as _,
                    };
                )
            }
        };
        let checks = &self.enum_checks;
        quote!(#traits #(#checks)*)
    }
}

/// The statement writing one present value `__v: &Inner`.
fn write_field(
    fname: &str,
    yaml: &ir::Field,
    ty: &FieldTy<'_>,
    full_name: &str,
    at: &str,
    prelude: &mut EncoderPrelude,
) -> TokenStream {
    let inner = ty.inner;
    let span = ty.name_span();
    let p = quote!(::candor::__private);
    let fv = quote!(::candor::__private::field_value);
    // Types the table recognised are std types, never personal: call their value trait
    // directly. Others go through the probe that routes personal types to their own error.
    let convert = |probe_method: &str,
                   value_trait: &str,
                   trait_method: &str,
                   extra: TokenStream| {
        if ty.scalar.is_some() {
            let (value_trait, trait_method) = (
                format_ident!("{value_trait}"),
                format_ident!("{trait_method}"),
            );
            quote_spanned!(span=> <#inner as #fv::#value_trait>::#trait_method(__v #extra))
        } else {
            prelude.probe_methods.set(true);
            // The method's span is where rustc reports its failed bound: the user's type.
            let probe_method = format_ident!("{probe_method}", span = span);
            quote_spanned!(span=> (&::candor::__private::personal::Probe::<#inner>::new()).#probe_method(__v #extra))
        }
    };
    match &yaml.ty {
        FieldType::Bool => {
            let value = convert("bool_of", "BoolValue", "to_bool", quote!());
            quote!(__w.bool(#fname, #value);)
        }
        FieldType::Integer { min, max, buckets } => {
            let value = convert("integer_of", "IntegerValue", "to_i64", quote!());
            let value = coarsen("i64", value, *min, *max, buckets.as_deref());
            quote!(__w.i64(#fname, #value);)
        }
        FieldType::Float { min, max, buckets } => {
            let value = convert("float_of", "FloatValue", "to_f64", quote!());
            let value = coarsen("f64", value, *min, *max, buckets.as_deref());
            quote!(__w.f64(#fname, #value)?;)
        }
        FieldType::Count { max, buckets } => {
            let value = convert("count_of", "CountValue", "to_u64", quote!());
            let value = coarsen("u64", value, None, *max, buckets.as_deref());
            quote!(__w.u64(#fname, #value);)
        }
        FieldType::Duration { unit, max, buckets } => {
            let unit = format_ident!(
                "{}",
                match unit {
                    ir::DurationUnit::Us => "Us",
                    ir::DurationUnit::Ms => "Ms",
                    ir::DurationUnit::S => "S",
                }
            );
            let value = convert(
                "duration_of",
                "DurationValue",
                "to_units",
                quote!(, #fv::DurationUnit::#unit),
            );
            let value = coarsen("u64", value, None, *max, buckets.as_deref());
            quote!(__w.u64(#fname, #value);)
        }
        FieldType::Enum { values } => enum_write(fname, values, ty, full_name, at, prelude),
        FieldType::String {
            values: Some(values),
            ..
        } if !matches!(ty.scalar, Some(RustScalar::Text)) => {
            enum_write(fname, values, ty, full_name, at, prelude)
        }
        FieldType::String {
            values,
            max_len,
            pattern,
        } => {
            // One constant check per field; the runtime tests `values` exactly, and for a
            // pattern tries the simple walk before the regular expression. Keeping that logic
            // in the runtime, not unrolled into every event, keeps crates with hundreds of
            // events quick to compile.
            // An exact walk (see `greedy_is_exact`) replaces the regular expression, and its
            // `static`, entirely.
            let simple = match (values, pattern) {
                (None, Some(src)) => support::simple_pattern(src)
                    .map(|atoms| (simple_steps(&atoms), support::greedy_is_exact(&atoms))),
                _ => None,
            };
            let exact = simple.as_ref().is_some_and(|(_, exact)| *exact);
            let pattern = if values.is_some() || exact {
                None
            } else {
                pattern.clone()
            };
            let max_len = opt(max_len.map(|n| n as usize));
            let (pattern_static, pattern_ref) = match pattern {
                Some(src) => (
                    quote!(static __PATTERN: #p::LazyPattern = #p::LazyPattern::new(#src);),
                    quote!(::core::option::Option::Some(&__PATTERN)),
                ),
                None => (quote!(), quote!(::core::option::Option::None)),
            };
            let simple = opt_tokens(simple.map(|(steps, exact)| {
                quote!(&#p::SimplePattern { steps: &[#(#steps),*], exact: #exact })
            }));
            let values = opt_tokens(values.as_ref().map(|v| quote!(&[#(#v),*])));
            let text = convert("text_of", "StringValue", "as_text", quote!());
            quote! {
                #pattern_static
                let __text: &str = #text;
                __w.str(#fname, __text, &#p::StrCheck {
                    max_len: #max_len,
                    pattern: #pattern_ref,
                    simple: #simple,
                    values: #values,
                })?;
            }
        }
    }
}

/// `Some(tokens)` or `None` as an expression.
fn opt_tokens(t: Option<TokenStream>) -> TokenStream {
    match t {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    }
}

/// The steps of a simple pattern as `candor::__private::PatternStep` literals, for the
/// runtime's greedy walk (`SimplePattern::proves`, mirroring
/// `candor_schema::derive_support::simple_match`, which is tested against the regular
/// expression). As a constant table they are promoted to a `'static`.
fn simple_steps(atoms: &[support::PatternAtom]) -> Vec<TokenStream> {
    let p = quote!(::candor::__private);
    atoms
        .iter()
        .map(|atom| {
            let ranges = atom.ranges.iter().map(|&(lo, hi)| {
                let (lo, hi) = (
                    proc_macro2::Literal::u8_suffixed(lo),
                    proc_macro2::Literal::u8_suffixed(hi),
                );
                quote!((#lo, #hi))
            });
            let min = atom.min;
            let max = atom.max.unwrap_or(u32::MAX);
            quote!(#p::PatternStep { ranges: &[#(#ranges),*], min: #min, max: #max })
        })
        .collect()
}

/// `value` clamped into the schema's `min`/`max` and rounded down to its `buckets`, through
/// the runtime's `clamp_<number>`/`bucket_<number>` for `number` `i64`, `f64` or `u64`.
fn coarsen<T: ToTokens + Copy>(
    number: &str,
    value: TokenStream,
    min: Option<T>,
    max: Option<T>,
    buckets: Option<&[T]>,
) -> TokenStream {
    let p = quote!(::candor::__private);
    let mut value = value;
    if min.is_some() || max.is_some() {
        let clamp = format_ident!("clamp_{number}");
        let (min, max) = (opt(min), opt(max));
        value = quote!(#p::#clamp(#value, #min, #max));
    }
    if let Some(b) = buckets {
        let bucket = format_ident!("bucket_{number}");
        value = quote!(#p::#bucket(#value, &[#(#b),*]));
    }
    value
}

/// Writes an `EventEnum` value and queues the compile-time check that the enum's variants are
/// exactly the YAML values.
///
/// The value is converted through the function path `Probe::<T>::enum_text` (see
/// `candor::personal`), and the check, a `const _` in `encode_fields`, names that same path as
/// well as `Probe::<T>::values_fingerprint`, all at the span of the type's name. So a mistake
/// is one error: inside the constant rustc drops a failed bound that another failed bound at
/// the same place implies (for a personal type, `PersonalDataIsNeverSent` implies
/// `EventEnum`), and the encoder's failure is the same diagnostic as the constant's, which
/// rustc prints once. A named constant holding the conversion would add an "erroneous
/// constant" note at its use; a closure would cost build time in crates with many events.
fn enum_write(
    fname: &str,
    values: &[String],
    ty: &FieldTy<'_>,
    full_name: &str,
    at: &str,
    prelude: &mut EncoderPrelude,
) -> TokenStream {
    let inner = ty.inner;
    let span = ty.name_span();
    let message = format!(
        "the variants of `{}` (field `{fname}` of `{full_name}`) must be, in snake_case, exactly \
         the YAML values declared at {at}: {}",
        ty.inner_text(),
        values.join(", ")
    );
    let expected = support::values_fingerprint(values.iter().map(String::as_str));
    // `const` items are evaluated whenever the crate is checked (also by `cargo check`), so a
    // mismatch is a compile error at the field's type, with the expected values in the message.
    prelude.enum_text = true;
    prelude.enum_checks.push(quote_spanned! {span=>
        const _: () = {
            let _: fn(&#inner) -> &'static str = ::candor::__private::personal::Probe::<#inner>::enum_text;
            ::core::assert!(
                ::candor::__private::personal::Probe::<#inner>::values_fingerprint() == #expected,
                #message
            );
        };
    });
    quote_spanned! {span=>
        let __f: fn(&#inner) -> &'static str = ::candor::__private::personal::Probe::<#inner>::enum_text;
        __w.enum_value(#fname, __f(__v));
    }
}
