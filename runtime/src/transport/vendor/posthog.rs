//! [`PostHogTransport`]: batches to PostHog's capture API (`POST /batch/`).

use candor_interop::PostHog;

use super::sink::{sink_type, Rules, Sink};
use crate::transport::client::EndpointError;

sink_type!(
    /// Delivers batches to a PostHog project through its capture API (`POST /batch/`,
    /// gzip'd), encoded by `candor-interop`'s PostHog encoder: `uuid` from the event id,
    /// `$process_person_profile: false`, `$geoip_disable: true`, `$ip: null`, a
    /// `distinct_id` that links nothing unless the app enabled `Config::install_id`.
    /// Requests are kept to 5 MiB; 408, 429 and 5xx are retried (honouring `Retry-After`),
    /// 413 split. Deletion requests are never sent (see `docs/interop.md`).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = candor::PostHogTransport::new("https://eu.i.posthog.com", "phc_PROJECT_API_KEY")?;
    /// # Ok(()) }
    /// ```
    PostHogTransport,
    PostHog,
    "PostHog"
);

impl PostHogTransport {
    /// A sink for the PostHog project with (public) project API key `api_key`, at `base_url`
    /// (`https://us.i.posthog.com`, `https://eu.i.posthog.com`, or a self-hosted instance;
    /// `http://` only to loopback). The key travels in the body, as PostHog requires.
    pub fn new(base_url: &str, api_key: &str) -> Result<Self, EndpointError> {
        if api_key.is_empty() {
            return Err(EndpointError("the PostHog API key is empty".into()));
        }
        Ok(PostHogTransport {
            sink: Sink::new(base_url, PostHog::new(api_key))?,
        })
    }
}

impl Rules for PostHog {
    /// PostHog's SDKs send `Content-Encoding: gzip`.
    const GZIP: bool = true;
}
