//! String-field patterns. The rule — a pattern is one expression on its own, matched against
//! the whole value, spelled `^(?:p)$` in JSON Schema and `\A(?:p)\z` for `regex-lite` — is
//! `candor_core::pattern`, shared with the derive and the runtime; this module re-exports it
//! where the compiler's users have always found it.

pub use candor_core::pattern::*;
