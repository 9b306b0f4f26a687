//! The Rust-type ↔ YAML-type table of `candor_core::types` against its hand-written copies:
//! the runtime's field-value traits (which types implement each, and what each one's error
//! message lists) and the table in `docs/derive.md`.

use crate::read;
use candor::__private::field_value::{
    BoolValue, CountValue, DurationValue, FloatValue, IntegerValue, StringValue,
};
use candor::EventEnum;
use candor_core::types::{carries, RustType, YamlType, RUST_TYPES};
use std::borrow::Cow;
use std::collections::BTreeSet;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

/// A stand-in for a type, on which the probes below are looked up.
struct Has<T: ?Sized>(PhantomData<T>);

/// Whether `T` implements a trait, answered at run time: method lookup on `&Has<T>` finds the
/// `true` method first when `Has<T>` implements `$yes` (i.e. when `T: $bound`), and falls
/// back to the `false` method on `&Has<T>` otherwise. Works for concrete types, which is all
/// the table has.
macro_rules! probe {
    ($yes:ident, $no:ident, $method:ident, $bound:path) => {
        trait $yes {
            fn $method(&self) -> bool {
                true
            }
        }
        impl<T: ?Sized + $bound> $yes for Has<T> {}
        trait $no {
            fn $method(&self) -> bool {
                false
            }
        }
        impl<T: ?Sized> $no for &Has<T> {}
    };
}

probe!(IsBool, NotBool, bool_value, BoolValue);
probe!(IsInteger, NotInteger, integer_value, IntegerValue);
probe!(IsFloat, NotFloat, float_value, FloatValue);
probe!(IsString, NotString, string_value, StringValue);
probe!(IsDuration, NotDuration, duration_value, DurationValue);
probe!(IsCount, NotCount, count_value, CountValue);
probe!(IsEnum, NotEnum, event_enum, EventEnum);

/// One type of the table as the compiler sees it: its name and argument, and which YAML type's
/// trait it implements, in [`YamlType::ALL`] order.
struct Row {
    name: &'static str,
    arg: Option<&'static str>,
    implements: [(YamlType, bool); 7],
}

macro_rules! rows {
    ($(($name:literal, $arg:expr, $t:ty)),* $(,)?) => {
        vec![$(Row {
            name: $name,
            arg: $arg,
            implements: [
                (YamlType::Bool, (&Has::<$t>(PhantomData)).bool_value()),
                (YamlType::Integer, (&Has::<$t>(PhantomData)).integer_value()),
                (YamlType::Float, (&Has::<$t>(PhantomData)).float_value()),
                (YamlType::Enum, (&Has::<$t>(PhantomData)).event_enum()),
                (YamlType::String, (&Has::<$t>(PhantomData)).string_value()),
                (YamlType::Duration, (&Has::<$t>(PhantomData)).duration_value()),
                (YamlType::Count, (&Has::<$t>(PhantomData)).count_value()),
            ],
        }),*]
    };
}

/// Every type of [`RUST_TYPES`], as a Rust type (checked to be the same list below).
fn rows() -> Vec<Row> {
    rows![
        ("bool", None, bool),
        ("i8", None, i8),
        ("i16", None, i16),
        ("i32", None, i32),
        ("i64", None, i64),
        ("isize", None, isize),
        ("u8", None, u8),
        ("u16", None, u16),
        ("u32", None, u32),
        ("u64", None, u64),
        ("usize", None, usize),
        ("f32", None, f32),
        ("f64", None, f64),
        ("String", None, String),
        ("str", None, str),
        ("Box", Some("str"), Box<str>),
        ("Rc", Some("str"), Rc<str>),
        ("Arc", Some("str"), Arc<str>),
        ("Cow", Some("str"), Cow<'static, str>),
        ("Duration", None, Duration),
    ]
}

// The borrow is the probe: on `Has<T>` by value, lookup could not reach the `false` method.
#[allow(clippy::needless_borrow)]
#[test]
fn the_probe_tells_implemented_from_not() {
    assert!((&Has::<bool>(PhantomData)).bool_value());
    assert!(!(&Has::<String>(PhantomData)).bool_value());
    assert!((&Has::<crate::derived::Payment>(PhantomData)).event_enum());
    assert!(!(&Has::<crate::derived::Payment>(PhantomData)).string_value());
}

#[test]
fn each_value_trait_is_implemented_for_exactly_the_types_the_table_gives_it() {
    let rows = rows();
    let listed: Vec<_> = rows.iter().map(|r| (r.name, r.arg)).collect();
    let table: Vec<_> = RUST_TYPES.iter().map(|t| (t.name, t.arg)).collect();
    assert_eq!(listed, table, "the rows above must be RUST_TYPES, in order");
    for (row, ty) in rows.iter().zip(RUST_TYPES) {
        for (yaml, implemented) in row.implements {
            assert_eq!(
                implemented,
                carries(yaml, ty.scalar),
                "`{}` and the trait of YAML `{yaml}`: the runtime says {implemented}, the table \
                 says {}",
                ty.shown,
                !implemented
            );
        }
    }
}

/// The table's types that `text` names, as whole words (`i8`, `` `Box<str>` ``).
fn named_in(text: &str) -> BTreeSet<&'static str> {
    let words: BTreeSet<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ',' | '`' | ';' | '(' | ')' | '.'))
        .filter(|w| !w.is_empty())
        .collect();
    RUST_TYPES
        .iter()
        .filter(|t| words.contains(t.shown) || (t.arg.is_none() && words.contains(t.name)))
        .map(|t| t.shown)
        .collect()
}

fn carriers(yaml: YamlType) -> BTreeSet<&'static str> {
    RUST_TYPES
        .iter()
        .filter(|t: &&RustType| carries(yaml, t.scalar))
        .map(|t| t.shown)
        .collect()
}

/// Each value trait's `#[diagnostic::on_unimplemented]` note names exactly the types the
/// table gives its YAML type.
#[test]
fn each_value_traits_message_lists_the_tables_types() {
    let source = read("runtime/src/field_value.rs");
    let traits = [
        ("BoolValue", YamlType::Bool),
        ("IntegerValue", YamlType::Integer),
        ("CountValue", YamlType::Count),
        ("DurationValue", YamlType::Duration),
        ("FloatValue", YamlType::Float),
        ("StringValue", YamlType::String),
    ];
    for (name, yaml) in traits {
        let decl = source
            .find(&format!("pub trait {name} "))
            .unwrap_or_else(|| panic!("field_value.rs declares {name}"));
        let attr = source[..decl]
            .rfind("#[diagnostic::on_unimplemented(")
            .expect("every value trait has a message");
        let block = &source[attr..decl];
        let note = block
            .split("note = \"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("{name} has a note"));
        assert!(
            block.contains(&format!("candor `{}` field", yaml.as_str())),
            "{name}'s message names YAML `{yaml}`"
        );
        assert_eq!(named_in(note), carriers(yaml), "{name}'s note: {note:?}");
    }
}

/// The table of `docs/derive.md` ("Which Rust types fit which YAML type") lists, for each YAML
/// type, exactly the table's types.
#[test]
fn the_documented_table_is_the_tables() {
    let doc = read("docs/derive.md");
    let section = doc
        .split("## Which Rust types fit which YAML type")
        .nth(1)
        .expect("docs/derive.md has the type table");
    let mut seen = BTreeSet::new();
    for line in section.lines().skip_while(|l| !l.starts_with("| `")) {
        if !line.starts_with("| `") {
            break;
        }
        let cells: Vec<&str> = line.split(" | ").collect();
        let yaml_name = cells[0]
            .trim_start_matches("| `")
            .split('`')
            .next()
            .unwrap();
        let yaml = YamlType::from_name(yaml_name)
            .unwrap_or_else(|| panic!("`{yaml_name}` is a YAML type"));
        seen.insert((yaml_name, cells[0].contains("`values`")));
        assert_eq!(
            named_in(cells[1]),
            carriers(yaml),
            "docs/derive.md row {line:?}"
        );
        if yaml == YamlType::Enum || cells[0].contains("with `values`") {
            assert!(
                cells[1].contains("EventEnum"),
                "{line:?} names the enum derive"
            );
        }
    }
    for yaml in YamlType::ALL {
        assert!(
            seen.iter().any(|(name, _)| *name == yaml.as_str()),
            "docs/derive.md has no row for `{yaml}`"
        );
    }
}
