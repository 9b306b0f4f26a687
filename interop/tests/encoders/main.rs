//! The five encoders, request by request: exact paths, credentials, bodies, privacy flags and
//! ids; limits and splitting; verdicts; golden bodies; properties over arbitrary batches.

mod all_vendors;
#[path = "../common/iglu.rs"]
mod iglu;
mod mixpanel;
mod otlp;
mod posthog;
mod properties;
mod segment;
mod snowplow;
mod support;
