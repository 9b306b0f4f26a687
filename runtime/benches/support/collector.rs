//! The collector the criterion benchmark `runtime/benches/e2e.rs` and the example
//! `runtime/examples/loopback_throughput.rs` measure against: `candor-testkit`'s loopback
//! server with recording off (a run delivers millions of events), gunzipping every body and
//! counting its events. Included by both with `#[path = ...]`; not a target of its own (cargo
//! only builds `benches/*.rs` and `benches/*/main.rs`).

use candor_testkit::Server;

/// Starts the collector on a free 127.0.0.1 port. `Server::counted()` is the number of events
/// acknowledged so far, added before each 200 is written.
pub fn start() -> std::io::Result<Server> {
    Server::builder()
        .record(false)
        .counter(count_events)
        .start()
}

/// `{"id":"` can only appear at the start of an event object: inside JSON strings the quotes
/// are escaped.
fn count_events(raw: &[u8]) -> u64 {
    // Jump from '{' to '{' instead of comparing every 7-byte window: the server shares the
    // cores with the pipeline it measures.
    let mut n = 0;
    let mut at = 0;
    while let Some(p) = raw[at..].iter().position(|&b| b == b'{') {
        at += p + 1;
        if raw[at..].starts_with(b"\"id\":\"") {
            n += 1;
        }
    }
    n
}
