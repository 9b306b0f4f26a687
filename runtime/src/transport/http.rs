//! [`HttpTransport`]: each document gzip'd and POSTed to one candor collector endpoint, through
//! the shared HTTP client (`super::client`).

use std::time::Duration;

use super::client::{check_endpoint, EndpointError, HttpClient, Post};
use super::{Request, Response, Transport, TransportError};

/// POSTs each document to one endpoint, gzip'd.
///
/// Only `https://` is accepted, except `http://` to a loopback host
/// (`127.0.0.0/8`, `[::1]`, `localhost`) for local collectors and tests,
/// so events can never cross a network in clear text. Proxy environment
/// variables are ignored: a proxy would see every request. Redirects are not followed.
pub struct HttpTransport {
    client: HttpClient,
    url: String,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl HttpTransport {
    /// Creates a transport for `url` with a 30 s per-request timeout.
    pub fn new(url: &str) -> Result<Self, EndpointError> {
        Self::with_timeout(url, Duration::from_secs(30))
    }

    /// Creates a transport for `url` with the given per-request timeout.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, EndpointError> {
        check_endpoint(url)?;
        Ok(HttpTransport {
            client: HttpClient::new(timeout),
            url: url.to_owned(),
        })
    }
}

impl Transport for HttpTransport {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        let answer = self.client.post(&Post {
            url: &self.url,
            headers: &[("Content-Type", "application/json")],
            body: request.json,
            gzip: true,
            keep_body: 0,
        })?;
        Ok(Response::new(answer.status).with_retry_after(answer.retry_after))
    }
}
