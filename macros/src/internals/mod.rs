//! The checking half of the derives, in the shape of serde_derive's `internals`: the input is
//! parsed into an [`ast`] (with its [`attr`]ibutes and field [`ty`]pes), then [`check`]ed
//! against the schema into a [`plan`] that says what to generate. Every problem goes into one
//! [`ctxt::Ctxt`], which reports them all at once. Nothing here writes output tokens; the
//! generating half (`crate::gen`) reads only the plan.

pub mod ast;
pub mod attr;
pub mod check;
pub mod ctxt;
pub mod plan;
pub mod ty;
