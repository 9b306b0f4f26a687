//! `#[derive(Metrics)]`: a struct of metric fields (`Counter`, `LabeledCounter<E>`,
//! `Distribution`, `Quantity`), each named like a metric of the namespace given in
//! `#[metrics(namespace = "...")]`. Parsed, checked against the schema (one error per
//! mistake: unknown metric, wrong metric type, labels that are not the schema's), then
//! generated: a `const fn new()` that fills every field with its schema metadata, for a
//! `static`, and `candor::Metrics` so a client can bind the set.

use crate::internals::ctxt::Ctxt;
use candor_core::fingerprint::values_fingerprint;
use candor_schema::derive_support::Loaded;
use candor_schema::ir::{Expiry, Metric, MetricKind, MetricType, Namespace};
use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use std::sync::Arc;
use syn::spanned::Spanned;
use syn::{Data, DeriveInput, Fields, GenericArgument, LitStr, PathArguments, Type};

/// The keys `#[metrics(...)]` accepts.
const KEYS: [&str; 2] = ["namespace", "schemas"];

#[derive(Default)]
struct Attr {
    namespace: Option<LitStr>,
    schemas: Option<LitStr>,
}

/// One field: its name, its type as written, which metric type that is, and for a labeled
/// counter the label enum.
struct FieldIn<'a> {
    ident: &'a syn::Ident,
    name: String,
    ty: &'a Type,
    kind: Option<MetricType>,
    label: Option<&'a Type>,
}

pub fn expand(input: &DeriveInput) -> TokenStream {
    let cx = Ctxt::new();
    let attr = parse_attr(&cx, input);
    let fields = fields(&cx, input);
    let loaded = attr.namespace.as_ref().and_then(|ns| load(&cx, &attr, ns));
    let mut planned: Vec<TokenStream> = Vec::new();
    let mut checks: Vec<TokenStream> = Vec::new();
    if let (Some(loaded), Some(ns_lit), Some(fields)) = (&loaded, &attr.namespace, &fields) {
        if let Some(registry) = loaded.registry() {
            let ns_name = ns_lit.value();
            match registry.namespaces.iter().find(|n| n.name == ns_name) {
                None => {
                    let names: Vec<&str> = registry
                        .namespaces
                        .iter()
                        .map(|n| n.name.as_str())
                        .collect();
                    let hint =
                        candor_schema::suggest::did_you_mean(&ns_name, names.iter().copied())
                            .unwrap_or_else(|| {
                                format!(
                                    "declared namespaces: {}",
                                    candor_schema::suggest::one_of(names)
                                )
                            });
                    cx.error_spanned_by(
                        ns_lit,
                        format!(
                            "no schema in `{}` declares the namespace `{ns_name}`; {hint}",
                            loaded.dir.shown
                        ),
                    );
                }
                Some(ns) => {
                    for f in fields {
                        if let Some((init, check)) = field(&cx, loaded, ns, f) {
                            planned.push(init);
                            checks.extend(check);
                        }
                    }
                }
            }
        }
    }
    let includes =
        crate::gen::includes(crate::internals::check::includes(loaded.as_deref()).as_deref());
    let ident = &input.ident;
    let vis = &input.vis;
    if let Err(errors) = cx.check() {
        // Errors, plus an impl of the trait so uses of the struct do not add a cascade.
        return quote! {
            #errors
            #includes
            impl ::candor::Metrics for #ident {
                fn cells(&'static self) -> ::std::vec::Vec<&'static dyn ::candor::metrics::MetricCell> {
                    ::std::vec::Vec::new()
                }
            }
        };
    }
    let fields = fields.unwrap_or_default();
    let members: Vec<&syn::Ident> = fields.iter().map(|f| f.ident).collect();
    let doc = format!(
        "Every metric of the struct with its schema metadata, recording nothing until a \
         client it is registered with opens it: `static M: {ident} = {ident}::new();`."
    );
    quote! {
        #includes
        #(#checks)*
        impl #ident {
            #[doc = #doc]
            #[allow(clippy::new_without_default)]
            #vis const fn new() -> Self {
                Self { #(#members: #planned,)* }
            }
        }
        impl ::candor::Metrics for #ident {
            fn cells(&'static self) -> ::std::vec::Vec<&'static dyn ::candor::metrics::MetricCell> {
                ::std::vec![#(&self.#members as &'static dyn ::candor::metrics::MetricCell),*]
            }
        }
    }
}

fn parse_attr(cx: &Ctxt, input: &DeriveInput) -> Attr {
    let mut out = Attr::default();
    for attr in input.attrs.iter().filter(|a| a.path().is_ident("metrics")) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            let slot = match key.as_str() {
                "namespace" => &mut out.namespace,
                "schemas" => &mut out.schemas,
                _ => {
                    let hint = candor_schema::suggest::did_you_mean(&key, KEYS)
                        .map(|h| format!("; {h}"))
                        .unwrap_or_default();
                    cx.error_spanned_by(
                        &meta.path,
                        format!(
                            "unknown `#[metrics]` key `{key}`{hint} (accepted: {})",
                            candor_schema::suggest::one_of(KEYS)
                        ),
                    );
                    if meta.input.peek(syn::Token![=]) {
                        meta.value()?.parse::<syn::Expr>()?;
                    }
                    return Ok(());
                }
            };
            let value: LitStr = meta.value()?.parse()?;
            if slot.is_some() {
                cx.error_spanned_by(&value, format!("`{key}` is given twice in `#[metrics]`"));
            } else {
                *slot = Some(value);
            }
            Ok(())
        });
        if let Err(e) = result {
            cx.syn_error(e);
        }
    }
    if out.namespace.is_none() {
        cx.error_spanned_by(
            &input.ident,
            "missing `#[metrics(namespace = \"...\")]`: name the schema namespace whose \
             `metrics:` these fields record",
        );
    }
    if let Some(g) = input.generics.params.first() {
        cx.error_spanned_by(
            g,
            "a metrics struct cannot be generic: it is built by a `const fn` into a `static`",
        );
    }
    out
}

fn fields<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<FieldIn<'a>>> {
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(n) => &n.named,
            _ => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Metrics)] needs named fields: each field is named like a metric \
                     of the schema",
                );
                return None;
            }
        },
        _ => {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(Metrics)] is for structs whose fields are `candor::Counter`, \
                 `LabeledCounter<_>`, `Distribution` or `Quantity`",
            );
            return None;
        }
    };
    let mut out = Vec::new();
    for f in named {
        let Some(ident) = f.ident.as_ref() else {
            continue;
        };
        let name = ident.to_string();
        let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
        let (kind, label) = metric_type(&f.ty);
        if kind.is_none() {
            cx.error_spanned_by(
                &f.ty,
                format!(
                    "field `{name}` is not a metric: use `candor::Counter`, \
                     `candor::LabeledCounter<Labels>`, `candor::Distribution` or \
                     `candor::Quantity`, as the schema declares it"
                ),
            );
        }
        out.push(FieldIn {
            ident,
            name,
            ty: &f.ty,
            kind,
            label,
        });
    }
    Some(out)
}

/// Which metric type a field's type names (by its last path segment), and the label enum of a
/// `LabeledCounter<E>`.
fn metric_type(ty: &Type) -> (Option<MetricType>, Option<&Type>) {
    let Type::Path(p) = ty else {
        return (None, None);
    };
    let Some(last) = p.path.segments.last() else {
        return (None, None);
    };
    let kind = MetricType::ALL
        .into_iter()
        .find(|t| last.ident == t.rust_type());
    let label = match (&kind, &last.arguments) {
        (Some(MetricType::LabeledCounter), PathArguments::AngleBracketed(a)) => {
            a.args.iter().find_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            })
        }
        _ => None,
    };
    (kind, label)
}

fn load(cx: &Ctxt, attr: &Attr, ns: &LitStr) -> Option<Arc<Loaded>> {
    crate::internals::check::load_folder(cx, attr.schemas.as_ref(), ns)
}

/// One field against its metric: the initializer, and for a labeled counter the compile-time
/// check of its label enum.
fn field(
    cx: &Ctxt,
    loaded: &Loaded,
    ns: &Namespace,
    f: &FieldIn<'_>,
) -> Option<(TokenStream, Option<TokenStream>)> {
    let kind = f.kind?;
    let Some(metric) = ns.metrics.iter().find(|m| m.name == f.name) else {
        let names: Vec<&str> = ns.metrics.iter().map(|m| m.name.as_str()).collect();
        let hint = candor_schema::suggest::did_you_mean(&f.name, names.iter().copied())
            .unwrap_or_else(|| match names.len() {
                0 => format!("`{}` declares no metrics", ns.file),
                _ => format!("its metrics: {}", candor_schema::suggest::one_of(names)),
            });
        let what = if ns.events.iter().any(|e| e.name == f.name) {
            format!("`{}.{}` is an event, not a metric", ns.name, f.name)
        } else {
            format!("no metric `{}.{}` in `{}`", ns.name, f.name, ns.file)
        };
        cx.error_spanned_by(f.ident, format!("{what}; {hint}"));
        return None;
    };
    let declared = metric.kind.metric_type();
    if declared != kind {
        cx.error_spanned_by(
            f.ty,
            format!(
                "`{}` is a `{declared}` in {}; record it with `candor::{}`",
                metric.full_name,
                loaded.location(metric.type_span),
                declared.rust_type()
            ),
        );
        return None;
    }
    let meta = meta(metric);
    let ty = f.ty;
    let init = quote_spanned!(ty.span()=> <#ty>::new(#meta));
    let check = match (&metric.kind, f.label) {
        (MetricKind::LabeledCounter { labels }, Some(label)) => {
            let expected = values_fingerprint(labels.iter().map(String::as_str));
            let message = format!(
                "the variants of this enum must be exactly the labels of `{}`: {} \
                 (one `#[derive(EventEnum)]` variant per label, named in UpperCamelCase)",
                metric.full_name,
                labels.join(", ")
            );
            Some(quote_spanned! {label.span()=>
                const _: () = ::core::assert!(
                    <#label as ::candor::EventEnum>::VALUES_FINGERPRINT == #expected,
                    #message
                );
            })
        }
        _ => None,
    };
    Some((init, check))
}

/// `::candor::metrics::MetricUnit::Ms` and the like.
fn unit_tokens(unit: candor_schema::ir::MetricUnit) -> TokenStream {
    let variant = syn::Ident::new(&format!("{:?}", unit), proc_macro2::Span::call_site());
    quote!(::candor::metrics::MetricUnit::#variant)
}

/// The `MetricMeta` literal of `m`.
fn meta(m: &Metric) -> TokenStream {
    let name = &m.full_name;
    let version = m.version;
    let consent = syn::Ident::new(
        match m.consent {
            candor_schema::ir::Consent::Usage => "Usage",
            candor_schema::ir::Consent::Diagnostics => "Diagnostics",
            candor_schema::ir::Consent::Performance => "Performance",
        },
        proc_macro2::Span::call_site(),
    );
    let retention = m.retention_days;
    let expires_day: u32 = match &m.expires {
        Expiry::On { date } => u32::try_from(date.to_days()).unwrap_or(u32::MAX),
        Expiry::Never { .. } => u32::MAX,
    };
    let fingerprint = &m.fingerprint;
    let p = quote!(::candor::metrics::MetricShape);
    let shape = match &m.kind {
        MetricKind::Counter => quote!(#p::Counter),
        MetricKind::LabeledCounter { .. } => quote!(#p::LabeledCounter),
        MetricKind::Distribution { unit, buckets } => {
            let unit = unit_tokens(*unit);
            quote!(#p::Distribution { unit: #unit, buckets: &[#(#buckets),*] })
        }
        MetricKind::Quantity { unit, min, max } => {
            let unit = unit_tokens(*unit);
            let min = min.unwrap_or(0);
            let max = max.unwrap_or(u64::MAX);
            quote!(#p::Quantity { unit: #unit, min: #min, max: #max })
        }
    };
    quote! {
        ::candor::metrics::MetricMeta {
            name: #name,
            version: #version,
            consent: ::candor::Consent::#consent,
            retention_days: #retention,
            expires_day: #expires_day,
            fingerprint: #fingerprint,
            shape: #shape,
        }
    }
}
