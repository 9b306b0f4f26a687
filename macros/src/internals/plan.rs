//! What `#[derive(Event)]` generates, decided: the output of [`super::check`] and the only
//! input of the generating half. Everything here has been checked against the schema; a plan
//! exists only for a struct without problems.

use super::ty::FieldTy;
use candor_core::pattern::simple::OwnedSteps;
use candor_core::pattern::SimplePattern;
use candor_core::randomized_response::DeviceRule;
use candor_core::{Consent, DurationUnit};
use syn::{Generics, Ident};

/// The whole impl.
pub struct EventPlan<'a> {
    pub ident: &'a Ident,
    pub generics: &'a Generics,
    pub meta: Meta,
    /// In the struct's field order.
    pub fields: Vec<FieldPlan<'a>>,
}

/// `Event::META`, from the schema.
pub struct Meta {
    pub full_name: String,
    pub version: u32,
    pub consent: Consent,
    pub retention_days: u32,
    pub fingerprint: String,
    /// The `expires` date as a day number, or `candor_core::date::NEVER_EXPIRES`.
    pub expires_day: u32,
    /// `error_report: true`: the `max_len` of `site` and of `frames`.
    pub error_report: Option<(u32, u32)>,
}

/// How one field is written.
pub struct FieldPlan<'a> {
    pub member: &'a Ident,
    /// The wire name.
    pub name: String,
    pub ty: FieldTy<'a>,
    pub encoding: Encoding,
    /// Randomized response, when the schema declares it: applied after coarsening, before the
    /// value is written.
    pub randomize: Option<Randomize>,
}

/// A field's randomized response: the device rule, and for a value out of a list the list in
/// the schema's order (its category order).
pub struct Randomize {
    pub rule: DeviceRule,
    pub values: Option<Vec<String>>,
}

/// A field's conversion and the constraints applied before it is written.
pub enum Encoding {
    Bool,
    Integer(Coarsen<i64>),
    Float(Coarsen<f64>),
    Count(Coarsen<u64>),
    Duration {
        unit: DurationUnit,
        coarsen: Coarsen<u64>,
    },
    Text(TextCheck),
    /// An `enum`, or a `string` with `values` carried by a Rust enum.
    Enum(EnumCheck),
}

/// Clamping into `[min, max]`, then rounding down to `buckets` (`candor_core::coarsen`).
pub struct Coarsen<T> {
    pub min: Option<T>,
    pub max: Option<T>,
    pub buckets: Option<Vec<T>>,
}

/// The runtime's `StrCheck` of a string field.
pub struct TextCheck {
    pub max_len: Option<usize>,
    /// The only values allowed; checked exactly, so no pattern is needed.
    pub values: Option<Vec<String>>,
    /// A pattern the regular expression must decide: absent with `values`, and when the
    /// simple walk is exact.
    pub regex: Option<String>,
    /// The pattern's simple form, when it has one.
    pub simple: Option<SimplePattern<OwnedSteps>>,
}

/// The compile-time check that an enum's variants are the YAML values.
pub struct EnumCheck {
    /// `candor_core::fingerprint::values_fingerprint` of the YAML values.
    pub expected: u64,
    /// The message when the variants differ.
    pub message: String,
}
