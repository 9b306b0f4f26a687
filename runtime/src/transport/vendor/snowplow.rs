//! [`SnowplowTransport`]: batches to a Snowplow collector (`POST /com.snowplowanalytics.snowplow/tp2`).

use candor_interop::Snowplow;

use super::sink::{sink_type, Rules, Sink};
use crate::transport::client::EndpointError;

sink_type!(
    /// Delivers batches to a Snowplow collector (`POST /com.snowplowanalytics.snowplow/tp2`,
    /// uncompressed: the collector does not decode gzip request bodies), encoded by
    /// `candor-interop`'s Snowplow encoder: self-describing events (`e=ue`) whose Iglu URIs
    /// match the schemas `candor schema --iglu VENDOR` writes, `eid` from the event id, the
    /// `SP-Anonymous: *` header (the collector records neither the IP address nor a network
    /// cookie), no user ids. Requests are filled to 40 000 bytes; the trackers' retry rule
    /// applies (400, 401, 403, 410, 422 final, every other failure retried; 413 split).
    /// Deletion requests are never sent (see `docs/interop.md`).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = candor::SnowplowTransport::new("https://collector.example.org")?
    ///     .with_iglu_vendor("com.example")?; // as given to `candor schema --iglu`
    /// # Ok(()) }
    /// ```
    SnowplowTransport,
    Snowplow,
    "Snowplow"
);

impl SnowplowTransport {
    /// A sink for the collector at `collector_url` (`http://` only to loopback), with Iglu
    /// vendor `candor` until [`SnowplowTransport::with_iglu_vendor`] says otherwise.
    pub fn new(collector_url: &str) -> Result<Self, EndpointError> {
        Ok(SnowplowTransport {
            sink: Sink::new(collector_url, Snowplow::new())?,
        })
    }

    /// Names events `iglu:VENDOR.NAMESPACE/EVENT/jsonschema/N-0-0`, as the schemas
    /// `candor schema --iglu VENDOR` wrote. Fails if `vendor` is not a valid Iglu vendor.
    pub fn with_iglu_vendor(mut self, vendor: &str) -> Result<Self, EndpointError> {
        self.sink.encoder = self
            .sink
            .encoder
            .clone()
            .with_iglu_vendor(vendor)
            .ok_or_else(|| EndpointError(format!("`{vendor}` is not a valid Iglu vendor")))?;
        Ok(self)
    }
}

impl Rules for Snowplow {
    /// The Scala Stream Collector stores request bodies as they come and does not decode
    /// `Content-Encoding: gzip`; no Snowplow tracker compresses.
    const GZIP: bool = false;
}
