//! The field types of the schema language, and the table of which Rust types carry each.
//!
//! The derive judges a field's Rust type by this table ([`classify`], [`carries`]) and quotes
//! it in its messages ([`fitting_types`]); the runtime's field-value traits implement it (one
//! trait per YAML type, implemented for exactly the types listed here) and `docs/derive.md`
//! shows it. Those last two are written by hand, so the mirror tests of `candor-tests` compare
//! them with [`RUST_TYPES`]: which type implements which trait, what each trait's message
//! lists, and the rows of the documentation table.

use std::fmt;

/// A field type of the schema language (`type:` in YAML).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum YamlType {
    /// `true` or `false`.
    Bool,
    /// A whole number, with optional `min`, `max` and `buckets`.
    Integer,
    /// A finite number, with optional `min`, `max` and `buckets`.
    Float,
    /// One of a fixed list of `values`.
    Enum,
    /// Text: `values`, or `max_len` and a whole-value `pattern`.
    String,
    /// A non-negative whole number of a `unit`, with optional `max` and `buckets`.
    Duration,
    /// A non-negative count, with optional `max` and `buckets`.
    Count,
}

impl YamlType {
    /// Every type, in the order the schema language documents them.
    pub const ALL: [YamlType; 7] = [
        YamlType::Bool,
        YamlType::Integer,
        YamlType::Float,
        YamlType::Enum,
        YamlType::String,
        YamlType::Duration,
        YamlType::Count,
    ];

    /// The YAML spelling.
    pub const fn as_str(self) -> &'static str {
        match self {
            YamlType::Bool => "bool",
            YamlType::Integer => "integer",
            YamlType::Float => "float",
            YamlType::Enum => "enum",
            YamlType::String => "string",
            YamlType::Duration => "duration",
            YamlType::Count => "count",
        }
    }

    /// Parses the YAML spelling.
    pub fn from_name(name: &str) -> Option<YamlType> {
        YamlType::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

impl fmt::Display for YamlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What the derive knows about a Rust type it recognises by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RustScalar {
    /// `bool`.
    Bool,
    /// A signed integer of this many bits (`isize` counts as 64).
    Signed(u32),
    /// An unsigned integer of this many bits (`usize` counts as 64).
    Unsigned(u32),
    /// `f32` or `f64`.
    Float,
    /// `String`, `str`, or `Box`/`Rc`/`Arc`/`Cow` of `str`.
    Text,
    /// `std::time::Duration`.
    Duration,
}

impl RustScalar {
    /// The values an integer type can hold, as `(lowest, highest)`; `None` for other types.
    pub const fn range(self) -> Option<(i128, i128)> {
        match self {
            RustScalar::Signed(bits) => Some((-(1i128 << (bits - 1)), (1i128 << (bits - 1)) - 1)),
            RustScalar::Unsigned(bits) => Some((0, (1i128 << bits) - 1)),
            _ => None,
        }
    }
}

/// A Rust type of the table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RustType {
    /// The last segment of its path (`Box` of `std::boxed::Box<str>`).
    pub name: &'static str,
    /// Its one generic type argument's last segment, for wrappers (`str` of `Box<str>`).
    pub arg: Option<&'static str>,
    /// How messages and docs write it (`&str`, `Box<str>`, `std::time::Duration`).
    pub shown: &'static str,
    /// What it is.
    pub scalar: RustScalar,
}

const fn ty(name: &'static str, shown: &'static str, scalar: RustScalar) -> RustType {
    RustType {
        name,
        arg: None,
        shown,
        scalar,
    }
}

const fn of_str(name: &'static str, shown: &'static str) -> RustType {
    RustType {
        name,
        arg: Some("str"),
        shown,
        scalar: RustScalar::Text,
    }
}

/// Every Rust type the derive recognises by name, in the order messages list them.
pub const RUST_TYPES: &[RustType] = &[
    ty("bool", "bool", RustScalar::Bool),
    ty("i8", "i8", RustScalar::Signed(8)),
    ty("i16", "i16", RustScalar::Signed(16)),
    ty("i32", "i32", RustScalar::Signed(32)),
    ty("i64", "i64", RustScalar::Signed(64)),
    ty("isize", "isize", RustScalar::Signed(64)),
    ty("u8", "u8", RustScalar::Unsigned(8)),
    ty("u16", "u16", RustScalar::Unsigned(16)),
    ty("u32", "u32", RustScalar::Unsigned(32)),
    ty("u64", "u64", RustScalar::Unsigned(64)),
    ty("usize", "usize", RustScalar::Unsigned(64)),
    ty("f32", "f32", RustScalar::Float),
    ty("f64", "f64", RustScalar::Float),
    ty("String", "String", RustScalar::Text),
    ty("str", "&str", RustScalar::Text),
    of_str("Box", "Box<str>"),
    of_str("Rc", "Rc<str>"),
    of_str("Arc", "Arc<str>"),
    of_str("Cow", "Cow<str>"),
    ty("Duration", "std::time::Duration", RustScalar::Duration),
];

/// Recognises a type by the last segment of its path and, for wrappers, its one generic type
/// argument (`Box<str>` is `("Box", Some("str"))`). `None`: not in [`RUST_TYPES`]; the derive
/// then leaves the judgement to the runtime's field-value traits.
pub fn classify(name: &str, arg: Option<&str>) -> Option<RustScalar> {
    RUST_TYPES
        .iter()
        .find(|t| t.name == name && t.arg == arg)
        .map(|t| t.scalar)
}

/// Whether a type of kind `scalar` can carry a field of type `yaml`, before any range check
/// (an integer must also hold the schema's `min` and `max`). An `enum` is carried by an enum
/// with `#[derive(EventEnum)]`, never by a type of the table; a `string` with `values` also by
/// such an enum.
pub const fn carries(yaml: YamlType, scalar: RustScalar) -> bool {
    matches!(
        (yaml, scalar),
        (YamlType::Bool, RustScalar::Bool)
            | (
                YamlType::Integer,
                RustScalar::Signed(_) | RustScalar::Unsigned(_)
            )
            | (YamlType::Float, RustScalar::Float)
            | (YamlType::String, RustScalar::Text)
            | (
                YamlType::Duration,
                RustScalar::Unsigned(_) | RustScalar::Duration
            )
            | (YamlType::Count, RustScalar::Unsigned(_))
    )
}

/// The types of the table of one kind, as messages write them: `` `u8`, `u16` ``.
fn listed(kind: impl Fn(RustScalar) -> bool) -> String {
    RUST_TYPES
        .iter()
        .filter(|t| kind(t.scalar))
        .map(|t| format!("`{}`", t.shown))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The Rust types that fit a YAML type, with the conditions on them, as the derive's messages
/// say it ("use {this}"). `with_values`: a `string` that has `values`, which an enum can carry.
pub fn fitting_types(yaml: YamlType, with_values: bool) -> String {
    let signed = || listed(|s| matches!(s, RustScalar::Signed(_)));
    let unsigned = || listed(|s| matches!(s, RustScalar::Unsigned(_)));
    let event_enum = "an enum with `#[derive(candor::EventEnum)]`";
    match yaml {
        YamlType::Bool => listed(|s| s == RustScalar::Bool),
        YamlType::Integer => format!(
            "{}; {} when `min >= 0`; the type must hold the schema's `min` and `max`",
            signed(),
            unsigned()
        ),
        YamlType::Float => listed(|s| s == RustScalar::Float),
        YamlType::Count => format!("{}, holding the schema's `max`", unsigned()),
        YamlType::Duration => format!(
            "{}, or {} counted in the schema's `unit` and holding its `max`",
            listed(|s| s == RustScalar::Duration),
            unsigned()
        ),
        YamlType::String if with_values => format!(
            "{} (checked against the `values` when sent), or {event_enum} whose variants are \
             the `values`",
            listed(|s| s == RustScalar::Text)
        ),
        YamlType::String => listed(|s| s == RustScalar::Text),
        YamlType::Enum => format!("{event_enum} whose variants, in snake_case, are the `values`"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for t in YamlType::ALL {
            assert_eq!(YamlType::from_name(t.as_str()), Some(t));
        }
        assert_eq!(YamlType::from_name("int"), None);
    }

    #[test]
    fn classify_knows_wrappers_of_str_only() {
        assert_eq!(classify("Arc", Some("str")), Some(RustScalar::Text));
        assert_eq!(classify("Arc", Some("u8")), None);
        assert_eq!(classify("str", None), Some(RustScalar::Text));
        assert_eq!(classify("usize", None), Some(RustScalar::Unsigned(64)));
        assert_eq!(classify("IpAddr", None), None);
        // Each (name, argument) appears once, so a lookup cannot depend on table order.
        for (i, a) in RUST_TYPES.iter().enumerate() {
            assert!(RUST_TYPES[..i]
                .iter()
                .all(|b| (b.name, b.arg) != (a.name, a.arg)));
        }
    }

    #[test]
    fn ranges_of_integer_types() {
        assert_eq!(RustScalar::Signed(8).range(), Some((-128, 127)));
        assert_eq!(
            RustScalar::Unsigned(64).range(),
            Some((0, u64::MAX as i128))
        );
        assert_eq!(RustScalar::Float.range(), None);
    }

    #[test]
    fn every_yaml_type_but_enum_has_a_carrier_and_messages_list_exactly_them() {
        for yaml in YamlType::ALL {
            let carriers: Vec<&RustType> = RUST_TYPES
                .iter()
                .filter(|t| carries(yaml, t.scalar))
                .collect();
            assert_eq!(carriers.is_empty(), yaml == YamlType::Enum, "{yaml}");
            let message = fitting_types(yaml, false);
            for t in RUST_TYPES {
                assert_eq!(
                    message.contains(&format!("`{}`", t.shown)),
                    carries(yaml, t.scalar),
                    "{yaml}: {} in {message:?}",
                    t.shown
                );
            }
        }
    }

    #[test]
    fn messages_read_as_before() {
        assert_eq!(fitting_types(YamlType::Bool, false), "`bool`");
        assert_eq!(
            fitting_types(YamlType::Integer, false),
            "`i8`, `i16`, `i32`, `i64`, `isize`; `u8`, `u16`, `u32`, `u64`, `usize` when \
             `min >= 0`; the type must hold the schema's `min` and `max`"
        );
        assert_eq!(
            fitting_types(YamlType::Duration, false),
            "`std::time::Duration`, or `u8`, `u16`, `u32`, `u64`, `usize` counted in the \
             schema's `unit` and holding its `max`"
        );
        assert_eq!(
            fitting_types(YamlType::String, true),
            "`String`, `&str`, `Box<str>`, `Rc<str>`, `Arc<str>`, `Cow<str>` (checked against \
             the `values` when sent), or an enum with `#[derive(candor::EventEnum)]` whose \
             variants are the `values`"
        );
    }
}
