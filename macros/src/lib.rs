//! `candor-macros`: the proc macros behind `candor`'s `#[derive(Event)]`,
//! `#[derive(EventEnum)]` and `#[candor::personal]`.
//!
//! This crate is a shim: it reads tokens with `syn`, asks `candor-schema` (which owns the
//! rules about schemas) and `candor-core` (the type table, patterns, fingerprints) and writes
//! tokens with `quote`. Use it through the `candor` crate, which re-exports the macros next to
//! the traits they implement.
//!
//! Module map, in the shape of serde_derive: `internals` is the checking half — `ast` (the
//! parsed struct), `attr` (`#[event(...)]`), `ty` (field types), `check` (against the schema,
//! producing a `plan`) and `ctxt` (every error, reported at once, never dropped unchecked);
//! `gen` is the generating half, which reads only the plan. `event`, `event_enum` and
//! `personal` are the three macros' entry points.
#![forbid(unsafe_code)]

mod event;
mod event_enum;
mod gen;
mod internals;
mod metrics;
mod personal;

use proc_macro::TokenStream;
use syn::{parse_macro_input, DeriveInput};

/// Implements `candor::Event` for a struct after checking it against its YAML schema.
///
/// ```ignore
/// #[derive(candor::Event)]
/// #[event(name = "wallet.transaction_signed")] // optional: version = 1, schemas = "path"
/// struct TransactionSigned { network: Network, confirm_ms: u64, hardware_wallet: Option<bool> }
/// ```
///
/// The schema folder is `schemas/` beside the crate's `Cargo.toml`, or the folder named by
/// `schemas = "..."` (relative to that `Cargo.toml`), or by the `CANDOR_SCHEMAS` environment
/// variable. Every field must be declared by the event's schema with a fitting type, every
/// required schema field must be present, and no field may be of class `pii` or of a personal
/// type. See `docs/derive.md`.
#[proc_macro_derive(Event, attributes(event))]
pub fn derive_event(input: TokenStream) -> TokenStream {
    event::expand(&parse_macro_input!(input as DeriveInput)).into()
}

/// Implements `candor::EventEnum` for a fieldless enum: each variant is sent as its name in
/// snake_case, and the derive of every event using the enum checks those names against the
/// YAML `values`.
#[proc_macro_derive(EventEnum)]
pub fn derive_event_enum(input: TokenStream) -> TokenStream {
    event_enum::expand(&parse_macro_input!(input as DeriveInput)).into()
}

/// Implements `candor::Metrics` and a `const fn new()` for a struct of metrics after
/// checking each field against the schema's `metrics:`.
///
/// ```ignore
/// #[derive(candor::Metrics)]
/// #[metrics(namespace = "node")] // optional: schemas = "path"
/// struct NodeMetrics { blocks_synced: Counter, sync_time: Distribution }
/// static NODE: NodeMetrics = NodeMetrics::new();
/// ```
///
/// Each field is named like a metric of the namespace and has its type: `Counter`,
/// `LabeledCounter<E>` (`E` a `#[derive(EventEnum)]` enum whose variants are the schema's
/// `labels`), `Distribution` or `Quantity`. See `docs/derive.md`.
#[proc_macro_derive(Metrics, attributes(metrics))]
pub fn derive_metrics(input: TokenStream) -> TokenStream {
    metrics::expand(&parse_macro_input!(input as DeriveInput)).into()
}

/// Marks a type as personal data (`#[candor::personal] struct Email(String);`): using it as
/// an event field is then a compile error that says why.
#[proc_macro_attribute]
pub fn personal(args: TokenStream, item: TokenStream) -> TokenStream {
    let item2 = proc_macro2::TokenStream::from(item.clone());
    match syn::parse::<DeriveInput>(item) {
        Ok(input) => personal::expand(args.into(), item2, &input).into(),
        Err(e) => e.to_compile_error().into(),
    }
}
