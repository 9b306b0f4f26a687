//! Shared helpers for candor's end-to-end tests (the test targets are declared in Cargo.toml).
#![forbid(unsafe_code)]
