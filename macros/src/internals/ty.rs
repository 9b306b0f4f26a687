//! Reading a field's Rust type: `Option<_>`, references, and the name the type table in
//! `candor_core::types` recognises.

use candor_core::types::{classify, RustScalar};
use quote::ToTokens;
use syn::spanned::Spanned;
use syn::{GenericArgument, PathArguments, Type};

/// A field type taken apart.
#[derive(Clone)]
pub struct FieldTy<'a> {
    /// `Option<T>` at the top.
    pub optional: bool,
    /// The type the value traits are called on: `Option` and references removed.
    pub inner: &'a Type,
    /// How many `&`/`&mut` were removed from `inner`.
    pub refs: usize,
    /// What the type table says about `inner`, if it knows it.
    pub scalar: Option<RustScalar>,
}

impl FieldTy<'_> {
    /// Where errors about the type are reported: its last path segment (`Ipv4Addr` of
    /// `std::net::Ipv4Addr`). A proc macro on stable Rust cannot join spans, and generated
    /// code given one token's span is reported at that token; the type's name says more than
    /// its first token, and every check of one field then points at the same place, which lets
    /// rustc drop an error implied by another one there.
    pub fn name_span(&self) -> proc_macro2::Span {
        match unparen(self.inner) {
            Type::Path(p) if p.qself.is_none() => p
                .path
                .segments
                .last()
                .map_or_else(|| self.inner.span(), |seg| seg.ident.span()),
            _ => self.inner.span(),
        }
    }

    /// `inner` as the user wrote it, for messages.
    pub fn inner_text(&self) -> String {
        self.inner
            .to_token_stream()
            .to_string()
            .replace(" < ", "<")
            .replace(" >", ">")
            .replace("& ", "&")
    }
}

pub fn read(ty: &Type) -> FieldTy<'_> {
    let (optional, ty) = match option_arg(ty) {
        Some(arg) => (true, arg),
        None => (false, ty),
    };
    let (inner, refs) = strip_refs(ty);
    FieldTy {
        optional,
        inner,
        refs,
        scalar: scalar(inner),
    }
}

fn unparen(mut ty: &Type) -> &Type {
    while let Type::Paren(p) = ty {
        ty = &p.elem;
    }
    while let Type::Group(g) = ty {
        ty = &g.elem;
    }
    ty
}

fn strip_refs(mut ty: &Type) -> (&Type, usize) {
    let mut refs = 0;
    while let Type::Reference(r) = unparen(ty) {
        ty = &r.elem;
        refs += 1;
    }
    (unparen(ty), refs)
}

/// The last path segment's name and its single type argument, if any.
fn last_segment(ty: &Type) -> Option<(String, Option<&Type>)> {
    let Type::Path(p) = unparen(ty) else {
        return None;
    };
    if p.qself.is_some() {
        return None;
    }
    let seg = p.path.segments.last()?;
    let arg = match &seg.arguments {
        PathArguments::None => None,
        PathArguments::AngleBracketed(a) => {
            let mut types = a.args.iter().filter_map(|g| match g {
                GenericArgument::Type(t) => Some(t),
                _ => None,
            });
            let first = types.next()?;
            if types.next().is_some() {
                return None;
            }
            Some(first)
        }
        PathArguments::Parenthesized(_) => return None,
    };
    Some((seg.ident.to_string(), arg))
}

fn option_arg(ty: &Type) -> Option<&Type> {
    match last_segment(ty)? {
        (name, Some(arg)) if name == "Option" => Some(arg),
        _ => None,
    }
}

fn scalar(ty: &Type) -> Option<RustScalar> {
    let (name, arg) = last_segment(ty)?;
    let arg_name = match arg {
        Some(a) => Some(last_segment(a)?.0),
        None => None,
    };
    // `Cow<'a, str>` has a lifetime argument too; last_segment already skipped it.
    classify(&name, arg_name.as_deref())
}
