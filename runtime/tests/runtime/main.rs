//! Runtime integration tests, against a real HTTP server on 127.0.0.1 that
//! each test starts itself (see `support`). One test binary keeps link time
//! down; every test uses its own server, client and directories.

mod support;

mod accounting;
mod consent;
mod crash_report;
mod deferred_secrets;
mod delivery;
mod expiry;
mod metrics;
mod queue_full;
mod resilience;
mod scanner_corpus;
mod sent_log;
mod shutdown;
mod spool_kill;
