//! The generating half of `#[derive(Event)]`: `impl candor::Event` from a checked
//! [`EventPlan`], with an encoder that writes each field straight into the wire format. Nothing
//! here checks or reports; every decision was made by `internals::check`.

use crate::internals::plan::{
    Coarsen, Encoding, EnumCheck, EventPlan, FieldPlan, Randomize, TextCheck,
};
use candor_core::pattern::simple::OwnedSteps;
use candor_core::{Consent, DurationUnit};
use candor_schema::derive_support::SCHEMAS_ENV;
use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned, ToTokens};
use syn::{Generics, Ident};

/// `include_bytes!` of the schema files, so that cargo rebuilds the crate when one changes
/// (new files need the `build.rs` line in docs/derive.md). Reading the folder variable through
/// `option_env!` makes rustc record it, so cargo also rebuilds when it changes. `None`: another
/// derive of the crate emits them.
pub fn includes(paths: Option<&[String]>) -> TokenStream {
    let Some(paths) = paths else {
        return TokenStream::new();
    };
    quote! {
        const _: () = {
            let _ = ::core::option_env!(#SCHEMAS_ENV);
            #( let _ = ::core::include_bytes!(#paths); )*
        };
    }
}

/// The impl for a struct that was refused: it keeps the rest of the crate compiling, so the
/// user sees the derive's errors rather than "trait not implemented" wherever the event is used.
pub fn stub(ident: &Ident, generics: &Generics) -> TokenStream {
    let (impl_generics, ty_generics, where_clause) = generics.split_for_impl();
    quote! {
        impl #impl_generics ::candor::Event for #ident #ty_generics #where_clause {
            const META: ::candor::EventMeta = ::candor::EventMeta {
                name: "",
                version: 0,
                consent: ::candor::Consent::Usage,
                retention_days: 0,
                fingerprint: "",
                expires_day: ::candor::EventMeta::NEVER_EXPIRES,
            };
            fn encode_fields(
                &self,
                _: &mut ::candor::FieldWriter<'_>,
            ) -> ::core::result::Result<(), ::candor::EncodeError> {
                ::core::result::Result::Ok(())
            }
        }
    }
}

/// The impl of a struct that fits its event.
pub fn event_impl(plan: &EventPlan<'_>) -> TokenStream {
    let ident = plan.ident;
    let (impl_generics, ty_generics, where_clause) = plan.generics.split_for_impl();
    let meta = &plan.meta;
    let (full_name, version, retention, fingerprint, expires_day) = (
        &meta.full_name,
        meta.version,
        meta.retention_days,
        &meta.fingerprint,
        meta.expires_day,
    );
    let consent = format_ident!(
        "{}",
        match meta.consent {
            Consent::Usage => "Usage",
            Consent::Diagnostics => "Diagnostics",
            Consent::Performance => "Performance",
        }
    );
    let mut prelude = EncoderPrelude::default();
    let writes: Vec<TokenStream> = plan
        .fields
        .iter()
        .map(|f| present_field(f, &mut prelude))
        .collect();
    let prelude = prelude.tokens();
    let report = meta
        .error_report
        .map(|limits| error_report_impl(plan, limits))
        .unwrap_or_default();
    quote! {
        #report

        impl #impl_generics ::candor::Event for #ident #ty_generics #where_clause {
            const META: ::candor::EventMeta = ::candor::EventMeta {
                name: #full_name,
                version: #version,
                consent: ::candor::Consent::#consent,
                retention_days: #retention,
                fingerprint: #fingerprint,
                expires_day: #expires_day,
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
        }
    }
}

/// `impl ErrorReport` of an `error_report: true` event: the panic hook's scrubbed report into
/// the struct's three fields (the schema check made sure they are the only ones).
fn error_report_impl(plan: &EventPlan<'_>, (site_max, frames_max): (u32, u32)) -> TokenStream {
    let ident = plan.ident;
    let (impl_generics, ty_generics, where_clause) = plan.generics.split_for_impl();
    let member = |name: &str| {
        plan.fields
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.member)
    };
    let (Some(site), Some(frames), Some(omitted)) =
        (member("site"), member("frames"), member("frames_omitted"))
    else {
        return TokenStream::new();
    };
    let (site_max, frames_max) = (site_max as usize, frames_max as usize);
    quote! {
        impl #impl_generics ::candor::ErrorReport for #ident #ty_generics #where_clause {
            fn from_report(__r: &::candor::PanicReport) -> Self {
                let (__site, __frames, __omitted) = __r.fit(#site_max, #frames_max);
                Self {
                    #site: ::core::convert::From::from(__site),
                    #frames: ::core::convert::From::from(__frames),
                    #omitted: ::candor::__private::count_from(__omitted),
                }
            }
        }
    }
}

/// The field's value as `__v: &Inner` (through `Option` and references), then its write.
fn present_field(field: &FieldPlan<'_>, prelude: &mut EncoderPrelude) -> TokenStream {
    let write = write_field(field, prelude);
    let member = field.member;
    let deref = (0..field.ty.refs).map(|_| quote!(let __v = &**__v;));
    if field.ty.optional {
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
    probe_methods: bool,
}

impl EncoderPrelude {
    /// The checks, and imports of the probe traits that the lookups use: each `use` is work for
    /// rustc in every one of possibly hundreds of encoders, so only those needed.
    fn tokens(&self) -> TokenStream {
        let traits = match (self.enum_text, self.probe_methods) {
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
fn write_field(field: &FieldPlan<'_>, prelude: &mut EncoderPrelude) -> TokenStream {
    let fname = field.name.as_str();
    let ty = &field.ty;
    let inner = ty.inner;
    let span = ty.name_span();
    let fv = quote!(::candor::__private::field_value);
    // Types the table recognised are std types, never personal: call their value trait
    // directly. Others go through the probe that routes personal types to their own error.
    let mut convert = |probe_method: &str,
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
            prelude.probe_methods = true;
            // The method's span is where rustc reports its failed bound: the user's type.
            let probe_method = format_ident!("{probe_method}", span = span);
            quote_spanned!(span=> (&::candor::__private::personal::Probe::<#inner>::new()).#probe_method(__v #extra))
        }
    };
    match &field.encoding {
        Encoding::Bool => {
            let value = convert("bool_of", "BoolValue", "to_bool", quote!());
            let value = match &field.randomize {
                Some(r) => {
                    let rule = rule(r);
                    quote!(::candor::__private::rr_bool(#fname, #value, #rule)?)
                }
                None => value,
            };
            quote!(__w.bool(#fname, #value);)
        }
        Encoding::Integer(c) => {
            let value = convert("integer_of", "IntegerValue", "to_i64", quote!());
            let value = randomize_bucket(fname, coarsen("i64", value, c), c, field);
            quote!(__w.i64(#fname, #value);)
        }
        Encoding::Float(c) => {
            let value = convert("float_of", "FloatValue", "to_f64", quote!());
            let value = randomize_bucket(fname, coarsen("f64", value, c), c, field);
            quote!(__w.f64(#fname, #value)?;)
        }
        Encoding::Count(c) => {
            let value = convert("count_of", "CountValue", "to_u64", quote!());
            let value = randomize_bucket(fname, coarsen("u64", value, c), c, field);
            quote!(__w.u64(#fname, #value);)
        }
        Encoding::Duration { unit, coarsen: c } => {
            let unit = format_ident!(
                "{}",
                match unit {
                    DurationUnit::Us => "Us",
                    DurationUnit::Ms => "Ms",
                    DurationUnit::S => "S",
                }
            );
            let value = convert(
                "duration_of",
                "DurationValue",
                "to_units",
                quote!(, #fv::DurationUnit::#unit),
            );
            let value = randomize_bucket(fname, coarsen("u64", value, c), c, field);
            quote!(__w.u64(#fname, #value);)
        }
        Encoding::Text(check) => {
            let text = convert("text_of", "StringValue", "as_text", quote!());
            let text = match field.randomize.as_ref() {
                Some(r) => randomize_value(fname, text, r),
                None => text,
            };
            text_write(fname, text, check)
        }
        Encoding::Enum(check) => enum_write(field, check, prelude),
    }
}

/// A string field: one constant `StrCheck`, whose logic (values, simple walk, regular
/// expression) stays in the runtime rather than being unrolled into every event, which keeps
/// crates with hundreds of events quick to compile.
fn text_write(fname: &str, text: TokenStream, check: &TextCheck) -> TokenStream {
    let p = quote!(::candor::__private);
    let max_len = opt(check.max_len);
    let (pattern_static, pattern_ref) = match &check.regex {
        Some(src) => (
            quote!(static __PATTERN: #p::LazyPattern = #p::LazyPattern::new(#src);),
            quote!(::core::option::Option::Some(&__PATTERN)),
        ),
        None => (quote!(), quote!(::core::option::Option::None)),
    };
    let simple = opt_tokens(check.simple.as_ref().map(|s| {
        let steps = simple_steps(&s.steps);
        let exact = s.exact;
        quote!(&#p::SimplePattern { steps: &[#(#steps),*], exact: #exact })
    }));
    let values = opt_tokens(check.values.as_ref().map(|v| quote!(&[#(#v),*])));
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

/// `Some(v)` or `None` as an expression.
fn opt<T: ToTokens>(v: Option<T>) -> TokenStream {
    opt_tokens(v.map(|v| v.into_token_stream()))
}

/// `Some(tokens)` or `None` as an expression.
fn opt_tokens(t: Option<TokenStream>) -> TokenStream {
    match t {
        Some(t) => quote!(::core::option::Option::Some(#t)),
        None => quote!(::core::option::Option::None),
    }
}

/// The steps of a simple pattern as `candor::__private::PatternStep` literals, for the
/// runtime's greedy walk (`candor_core`'s, proptested against the regular expression). As a
/// constant table they are promoted to a `'static`.
fn simple_steps(steps: &OwnedSteps) -> Vec<TokenStream> {
    let p = quote!(::candor::__private);
    steps
        .iter()
        .map(|step| {
            let ranges = step.ranges.iter().map(|&(lo, hi)| {
                let (lo, hi) = (
                    proc_macro2::Literal::u8_suffixed(lo),
                    proc_macro2::Literal::u8_suffixed(hi),
                );
                quote!((#lo, #hi))
            });
            let (min, max) = (step.min, step.max);
            quote!(#p::PatternStep { ranges: &[#(#ranges),*], min: #min, max: #max })
        })
        .collect()
}

/// `value` clamped into the schema's `min`/`max` and rounded down to its `buckets`, through
/// the runtime's `clamp_<number>`/`bucket_<number>` for `number` `i64`, `f64` or `u64`.
fn coarsen<T: ToTokens + Copy>(number: &str, value: TokenStream, c: &Coarsen<T>) -> TokenStream {
    let p = quote!(::candor::__private);
    let mut value = value;
    if c.min.is_some() || c.max.is_some() {
        let clamp = format_ident!("clamp_{number}");
        let (min, max) = (opt(c.min), opt(c.max));
        value = quote!(#p::#clamp(#value, #min, #max));
    }
    if let Some(b) = &c.buckets {
        let bucket = format_ident!("bucket_{number}");
        value = quote!(#p::#bucket(#value, &[#(#b),*]));
    }
    value
}

/// Writes an `EventEnum` value and queues the compile-time check that the enum's variants are
/// exactly the YAML values.
///
/// The value is converted through the function path `Probe::<T>::enum_text` (see
/// `candor::__private::personal`), and the check, a `const _` in `encode_fields`, names that same path as
/// well as `Probe::<T>::values_fingerprint`, all at the span of the type's name. So a mistake
/// is one error: inside the constant rustc drops a failed bound that another failed bound at
/// the same place implies (for a personal type, `PersonalDataIsNeverSent` implies
/// `EventEnum`), and the encoder's failure is the same diagnostic as the constant's, which
/// rustc prints once. A named constant holding the conversion would add an "erroneous
/// constant" note at its use; a closure would cost build time in crates with many events.
fn enum_write(
    field: &FieldPlan<'_>,
    check: &EnumCheck,
    prelude: &mut EncoderPrelude,
) -> TokenStream {
    let fname = field.name.as_str();
    let inner = field.ty.inner;
    let span = field.ty.name_span();
    let (expected, message) = (check.expected, &check.message);
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
    let value = quote_spanned!(span=> __f(__v));
    let value = match field.randomize.as_ref() {
        Some(r) => randomize_value(fname, value, r),
        None => value,
    };
    quote_spanned! {span=>
        let __f: fn(&#inner) -> &'static str = ::candor::__private::personal::Probe::<#inner>::enum_text;
        __w.enum_value(#fname, #value);
    }
}

/// `&DeviceRule { .. }`: a constant expression, promoted to a `'static` by rustc.
fn rule(r: &Randomize) -> TokenStream {
    let (k, keep_below) = (r.rule.k, r.rule.keep_below);
    quote!(&::candor::__private::DeviceRule { k: #k, keep_below: #keep_below })
}

/// A bucketed number's randomized response over its bounds (the checker accepts `privacy`
/// on a number only with `buckets`).
fn randomize_bucket<T: ToTokens>(
    fname: &str,
    value: TokenStream,
    c: &Coarsen<T>,
    field: &FieldPlan<'_>,
) -> TokenStream {
    match (field.randomize.as_ref(), &c.buckets) {
        (Some(r), Some(b)) => {
            let rule = rule(r);
            quote!(::candor::__private::rr_bucket(#fname, #value, &[#(#b),*], #rule)?)
        }
        _ => value,
    }
}

/// A value out of a list, randomised among the list in the schema's order.
fn randomize_value(fname: &str, value: TokenStream, r: &Randomize) -> TokenStream {
    let rule = rule(r);
    let values = r.values.as_deref().unwrap_or_default();
    quote!(::candor::__private::rr_value(#fname, #value, &[#(#values),*], #rule)?)
}
