//! Runtime integration tests, against a real HTTP server on 127.0.0.1 that
//! each test starts itself (see `support`). One test binary keeps link time
//! down; every test uses its own server, client and directories.

mod support;

mod consent;
mod delivery;
mod queue_full;
mod resilience;
mod scanner_corpus;
mod spool_kill;
