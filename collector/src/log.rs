//! The collector's log: a few lines on stderr about the collector itself (start, store
//! failures and recovery, sweeps, shutdown). There is no access log, and no line ever carries
//! a client's address, headers or anything from a request body.

/// Writes one line to stderr, prefixed with the UTC minute.
pub fn line(message: &str) {
    eprintln!(
        "{} candor collect: {message}",
        crate::minute::format(crate::minute::now())
    );
}
