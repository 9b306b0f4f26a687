//! # candor-testkit — test support shared by candor's crates
//!
//! One loopback HTTP/1.1 server for every test, benchmark and example that needs a real peer
//! (the runtime's integration tests, its end-to-end benchmark and throughput example, the
//! vendor sinks' tests with servers answering like each vendor, the interop conformance tests
//! the vendors' own SDKs send to, and the collector's relay tests). Real sockets on 127.0.0.1
//! only, `std` threads only, nothing sent anywhere else.
//!
//! - [`Server`]: binds 127.0.0.1 (an ephemeral port, or a given one to come back on a port a
//!   client already knows), reads HTTP/1.1 requests on kept-alive connections, gunzips bodies
//!   sent with `Content-Encoding: gzip`, records them as [`Received`] and answers what the test
//!   says.
//! - [`Answer`]: one scripted answer: a status, headers (`Retry-After`), a delay before it is
//!   written, a body, or [`Answer::reset`] to drop the connection without answering.
//! - Answers come from a script (a queue of answers used in order, [`Server::script`]) and
//!   then from a responder function ([`Server::respond_with`]); the default answers 200.
//! - [`dead_port`]: a loopback port nothing listens on (a server that is down).
//!
//! The crate knows HTTP, not candor's wire format: what counts as an "event" in a body is a
//! function the caller gives ([`Builder::counter`]), so the same server serves any document.
#![forbid(unsafe_code)]
#![warn(missing_docs, missing_debug_implementations)]

mod answer;
mod server;

pub use answer::Answer;
pub use server::{dead_port, Builder, Received, Server};
