//! [`MixpanelTransport`]: batches to Mixpanel's Ingestion API (`POST /import`).

use candor_interop::ids::Id;
use candor_interop::vendor::mixpanel::failed_records;
use candor_interop::Mixpanel;

use super::sink::{sink_type, Rules, Sink};
use crate::transport::client::EndpointError;

sink_type!(
    /// Delivers batches to a Mixpanel project through its Ingestion API
    /// (`POST /import?strict=1&ip=0`, gzip'd), encoded by `candor-interop`'s Mixpanel encoder:
    /// `$insert_id` from the event id, `ip=0` (no geolocation from the request address),
    /// `distinct_id` "" unless the app enabled `Config::install_id`.
    ///
    /// The credential is the **project token**, sent as the HTTP Basic user name with an empty
    /// password, which `/import` accepts when no `project_id` is given. It is the only
    /// Mixpanel credential that belongs in an app: `/import` also takes a service account,
    /// but that is an Owner or Admin secret of the whole project and must never ship in
    /// software people install. (`/track`, the endpoint of Mixpanel's client SDKs, would take
    /// the token too but drops events older than five days, so a batch spooled through an
    /// outage would be lost.)
    ///
    /// Requests are cut to Mixpanel's limits (2000 events, 2 MB); 429 and 5xx are retried,
    /// 413 split. A `400` means Mixpanel imported the valid events and refused the rest: the
    /// answer's `failed_records` are counted as refused, the others as sent, and nothing is
    /// resent. Deletion requests are never sent (see `docs/interop.md`).
    ///
    /// ```no_run
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let sink = candor::MixpanelTransport::new("https://api-eu.mixpanel.com", "PROJECT_TOKEN")?;
    /// # Ok(()) }
    /// ```
    MixpanelTransport,
    Mixpanel,
    "Mixpanel"
);

impl MixpanelTransport {
    /// A sink for the Mixpanel project with `project_token`, at `base_url`
    /// (`https://api.mixpanel.com`, `https://api-eu.mixpanel.com` or
    /// `https://api-in.mixpanel.com` by the project's data residency; `http://` only to
    /// loopback).
    pub fn new(base_url: &str, project_token: &str) -> Result<Self, EndpointError> {
        if project_token.is_empty() {
            return Err(EndpointError("the Mixpanel project token is empty".into()));
        }
        Ok(MixpanelTransport {
            sink: Sink::new(base_url, Mixpanel::new(project_token))?,
        })
    }
}

impl Rules for Mixpanel {
    /// Mixpanel documents `Content-Encoding: gzip` for `/import`.
    const GZIP: bool = true;

    /// A `failed_records` list of a full 2000-event request stays far below this.
    const ANSWER_BYTES: usize = 1 << 20;

    /// With `strict=1`, a 400 names the events that failed validation; the others were
    /// imported. Each failed record must be matched to an event of the request (by its
    /// `$insert_id`, or by its index when it gives none); otherwise nothing is known and
    /// the whole request counts as refused.
    fn refused_part(&self, status: u16, answer: &[u8], ids: &[Id]) -> Option<Vec<bool>> {
        if status != 400 {
            return None;
        }
        let records = failed_records(answer)?;
        if records.is_empty() {
            return None;
        }
        let mut refused = vec![false; ids.len()];
        for r in records {
            let at = match r.insert_id {
                Some(hex) => ids.iter().position(|id| id.hex() == hex)?,
                None => r.index.filter(|&i| i < ids.len())?,
            };
            refused[at] = true;
        }
        Some(refused)
    }
}
