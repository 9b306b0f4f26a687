//! The parsed input of `#[derive(Event)]`: the struct's name and generics, its `#[event]`
//! attribute and its named fields with their types taken apart. Problems of shape — not a
//! struct, unnamed fields, type parameters — are recorded here, before any schema is read.

use super::attr::{self, EventAttr};
use super::ctxt::Ctxt;
use super::ty::{self, FieldTy};
use syn::{Data, DeriveInput, Fields, GenericParam, Generics, Ident, Type};

/// The struct a derive was written on.
pub struct Container<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub attr: EventAttr,
    /// The named fields (none for a unit struct); `None` when the item cannot be an event at
    /// all, which has been reported.
    pub fields: Option<Vec<Field<'a>>>,
}

/// One named field.
pub struct Field<'a> {
    /// The Rust identifier, as written (`r#type`).
    pub member: &'a Ident,
    /// The name the schema and the wire use (`type`).
    pub name: String,
    /// The type as written, for messages and spans.
    pub written: &'a Type,
    /// The type taken apart.
    pub ty: FieldTy<'a>,
}

impl<'a> Container<'a> {
    /// Reads `input`, recording in `cx` why it cannot be an event.
    pub fn from_ast(cx: &Ctxt, input: &'a DeriveInput) -> Container<'a> {
        let attr = attr::parse(cx, &input.attrs);
        let fields = fields(cx, input);
        for param in &input.generics.params {
            if !matches!(param, GenericParam::Lifetime(_)) {
                cx.error_spanned_by(
                    param,
                    "an event cannot be generic over types or consts: its fields are fixed by \
                     the schema (lifetime parameters, e.g. for `&'a str` fields, are fine)",
                );
            }
        }
        Container {
            ident: &input.ident,
            generics: &input.generics,
            attr,
            fields,
        }
    }
}

fn fields<'a>(cx: &Ctxt, input: &'a DeriveInput) -> Option<Vec<Field<'a>>> {
    let named = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(named) => named.named.iter().collect(),
            Fields::Unit => Vec::new(),
            Fields::Unnamed(_) => {
                cx.error_spanned_by(
                    &input.ident,
                    "#[derive(Event)] needs named fields: each field name must match a field \
                     of the YAML schema",
                );
                return None;
            }
        },
        _ => {
            cx.error_spanned_by(
                &input.ident,
                "#[derive(Event)] is for structs; for the values of an `enum` field use \
                 #[derive(candor::EventEnum)]",
            );
            return None;
        }
    };
    Some(
        named
            .into_iter()
            .filter_map(|f| {
                let member = f.ident.as_ref()?;
                let name = member.to_string();
                let name = name.strip_prefix("r#").unwrap_or(&name).to_string();
                Some(Field {
                    member,
                    name,
                    written: &f.ty,
                    ty: ty::read(&f.ty),
                })
            })
            .collect(),
    )
}
