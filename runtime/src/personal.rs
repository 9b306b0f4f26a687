//! Personal data refused by type: values that identify a person are never event fields,
//! whatever a schema says.
//!
//! Generated code converts each field through a [`Probe`] of the field's type, and lookup
//! picks the conversion by type:
//!
//! - most fields call a method on `&Probe<T>`. Two traits offer the same methods: [`ViaPersonal`]
//!   (on `Probe<T>` for [`Personal`] types) is found first, every other type falls through to
//!   [`ViaValue`] (on `&Probe<T>`);
//! - `enum` fields name a function path, `Probe::<T>::enum_text`: an inherent function for
//!   [`Personal`] types, and [`EnumText`]'s for every other type (path lookup tries inherent
//!   functions first and skips those whose impl bounds fail). A path, because the generated
//!   variant check sits in a `const`, where a method call cannot be written; naming the same
//!   path there and in the encoder makes their errors identical, and rustc prints one.
//!
//! The personal conversions require [`PersonalDataIsNeverSent`], which nothing implements, so
//! a personal field fails to compile with exactly one error saying why; the others require the
//! field-value trait of the YAML type (see [`crate::field_value`]), whose message names that
//! type.

use crate::field_value::{
    BoolValue, CountValue, DurationUnit, DurationValue, EventEnum, FloatValue, IntegerValue,
    StringValue,
};
use std::marker::PhantomData;

/// Marks a type as personal data. Implemented here for IP and socket addresses and by
/// `#[candor::personal]` for application types such as `struct Email(String)`.
pub trait Personal {}

/// Never implemented: the bound that fails, with a readable message, when a [`Personal`] type
/// is used as an event field.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is personal data: candor never sends it",
    label = "personal data cannot be an event field",
    note = "IP addresses and types marked `#[candor::personal]` identify a person; remove this field, or send a coarse property of it that the schema declares instead"
)]
// The supertrait is for diagnostics only (nothing implements this trait): an enum field's
// generated variant check asks for `EventEnum` (`Probe::values_fingerprint`) in the same body
// as the conversion, and rustc drops a failed bound that a failed bound at the same place
// implies, so a personal type in an enum field gets this error alone rather than this one and
// an `EventEnum` one.
pub trait PersonalDataIsNeverSent: EventEnum {
    /// Never returns: nothing implements this trait, so code behind this bound needs no
    /// runtime fallback.
    fn refuse() -> !;
}

impl Personal for std::net::IpAddr {}
impl Personal for std::net::Ipv4Addr {}
impl Personal for std::net::Ipv6Addr {}
impl Personal for std::net::SocketAddr {}
impl Personal for std::net::SocketAddrV4 {}
impl Personal for std::net::SocketAddrV6 {}

/// A zero-sized stand-in for a field type `T`, on which the conversions are looked up.
#[derive(Debug)]
pub struct Probe<T: ?Sized>(PhantomData<fn(&T)>);

impl<T: ?Sized> Probe<T> {
    /// The probe for `T`.
    pub const fn new() -> Self {
        Probe(PhantomData)
    }
}

impl<T: ?Sized> Default for Probe<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// Conversions for [`Personal`] types: each one is a compile error.
pub trait ViaPersonal<T: ?Sized> {
    /// Refused.
    fn bool_of(&self, _: &T) -> bool
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
    /// Refused.
    fn integer_of(&self, _: &T) -> i64
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
    /// Refused.
    fn count_of(&self, _: &T) -> u64
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
    /// Refused.
    fn duration_of(&self, _: &T, _: DurationUnit) -> u64
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
    /// Refused.
    fn float_of(&self, _: &T) -> f64
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
    /// Refused.
    fn text_of<'a>(&self, _: &'a T) -> &'a str
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
}

impl<T: ?Sized + Personal> ViaPersonal<T> for Probe<T> {}

/// Conversions for every other type, through the field-value trait of the YAML type.
pub trait ViaValue<T: ?Sized> {
    /// A `bool` field.
    fn bool_of(&self, v: &T) -> bool
    where
        T: BoolValue,
    {
        v.to_bool()
    }
    /// An `integer` field.
    fn integer_of(&self, v: &T) -> i64
    where
        T: IntegerValue,
    {
        v.to_i64()
    }
    /// A `count` field.
    fn count_of(&self, v: &T) -> u64
    where
        T: CountValue,
    {
        v.to_u64()
    }
    /// A `duration` field in `unit`.
    fn duration_of(&self, v: &T, unit: DurationUnit) -> u64
    where
        T: DurationValue,
    {
        v.to_units(unit)
    }
    /// A `float` field.
    fn float_of(&self, v: &T) -> f64
    where
        T: FloatValue,
    {
        v.to_f64()
    }
    /// A `string` field.
    fn text_of<'a>(&self, v: &'a T) -> &'a str
    where
        T: StringValue,
    {
        v.as_text()
    }
}

impl<T: ?Sized> ViaValue<T> for &Probe<T> {}

// `enum` fields: see the module documentation, and `enum_write` in `candor-macros` for the
// code that names these paths.
impl<T: ?Sized + Personal> Probe<T> {
    /// Refused: a personal type in an `enum` field.
    pub fn enum_text(_: &T) -> &'static str
    where
        T: PersonalDataIsNeverSent,
    {
        T::refuse()
    }
}

/// The conversion of an `enum` field (or a `string` with `values` carried by an enum).
pub trait EnumText<T: ?Sized> {
    /// The variant's value.
    fn enum_text(v: &T) -> &'static str
    where
        T: EventEnum,
    {
        v.value()
    }
}

impl<T: ?Sized> EnumText<T> for Probe<T> {}

impl<T: ?Sized> Probe<T> {
    /// The fingerprint of `T`'s variants, read by the constant the derive generates for an
    /// `enum` field. A function path like [`EnumText::enum_text`] beside it, rather than
    /// `<T as EventEnum>::VALUES_FINGERPRINT`, so that a failed bound is reported at the same
    /// place as the conversion's (the path's span, not the whole type's), where rustc can
    /// drop the one implied by the other.
    pub const fn values_fingerprint() -> u64
    where
        T: EventEnum,
    {
        T::VALUES_FINGERPRINT
    }
}
