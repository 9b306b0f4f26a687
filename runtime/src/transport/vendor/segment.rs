//! [`SegmentTransport`]: batches to Segment's HTTP Tracking API (`POST /v1/batch`).

use candor_interop::Segment;

use super::sink::{sink_type, Rules, Sink};
use crate::transport::client::EndpointError;

sink_type!(
    /// Delivers batches to a Segment source through its HTTP Tracking API (`POST /v1/batch`,
    /// gzip'd), encoded by `candor-interop`'s Segment encoder: `messageId` from the event id,
    /// `context.ip` "0.0.0.0", an `anonymousId` that links nothing unless the app enabled
    /// `Config::install_id`. Requests are cut to Segment's limits (32 KB per event, 500 KB per
    /// request); Segment's retry rules apply (408, 429, 460 and 5xx but 501/505 retried,
    /// honouring `Retry-After`; 413 split). Deletion requests are never sent (see
    /// `docs/interop.md`).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = candor::SegmentTransport::new("https://api.segment.io", "WRITE_KEY")?;
    /// let client = candor::Client::start(candor::Config::new("my-app", "1.0.0"), sink)?;
    /// # Ok(()) }
    /// ```
    SegmentTransport,
    Segment,
    "Segment"
);

impl SegmentTransport {
    /// A sink for the Segment source with `write_key`, at `base_url` (`https://api.segment.io`,
    /// or `https://events.eu1.segmentapis.com` for EU workspaces; `http://` only to
    /// loopback). The write key is sent as HTTP Basic credentials.
    pub fn new(base_url: &str, write_key: &str) -> Result<Self, EndpointError> {
        if write_key.is_empty() {
            return Err(EndpointError("the Segment write key is empty".into()));
        }
        Ok(SegmentTransport {
            sink: Sink::new(base_url, Segment::new(write_key))?,
        })
    }
}

impl Rules for Segment {
    /// Segment's SDKs send `Content-Encoding: gzip`.
    const GZIP: bool = true;
}
