//! The vendor sinks of the runtime (`SegmentTransport`, `MixpanelTransport`,
//! `SnowplowTransport`, `PostHogTransport`, `OtlpTransport`) driven by a real `candor::Client`
//! against loopback servers that answer like each vendor (`support`). One test binary keeps
//! link time down; every test starts its own servers and clients.

mod support;

mod consent;
mod exact;
mod faults;
mod limits;
mod restart;
