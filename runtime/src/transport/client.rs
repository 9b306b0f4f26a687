//! The one HTTP client every HTTP transport of the runtime uses ([`HttpTransport`] and the
//! vendor sinks): the endpoint rules, a blocking `ureq` agent with rustls, and a reusable gzip
//! writer. Written once so that every request that leaves an app obeys the same rules:
//!
//! - `https://` only, or `http://` to a loopback host (`127.0.0.0/8`, `[::1]`, `localhost`),
//!   so events never cross a network in clear text;
//! - proxies from the environment ignored (a proxy would see every request);
//! - redirects never followed (a redirect could move events to another host);
//! - one timeout per request; `User-Agent: candor/<version>`, nothing else about the machine.
//!
//! [`HttpTransport`]: super::HttpTransport

use std::time::Duration;

use flate2::{Compress, Compression, FlushCompress, Status};
use ureq::http::Uri;

use super::TransportError;
use crate::retry::parse_retry_after;

/// Why a transport refused its configuration: an endpoint URL that breaks the rules above,
/// or a vendor credential or header it cannot send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(pub(crate) String);

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EndpointError {}

/// Checks `url` against the endpoint rules: a valid URL, `https://` with a host, or `http://`
/// to a loopback host.
pub(crate) fn check_endpoint(url: &str) -> Result<(), EndpointError> {
    let uri: Uri = url
        .parse()
        .map_err(|_| EndpointError("endpoint is not a valid URL".into()))?;
    let host = uri.host().unwrap_or("");
    match uri.scheme_str() {
        Some("https") if !host.is_empty() => Ok(()),
        Some("http") if is_loopback(host) => Ok(()),
        Some("http") => Err(EndpointError(
            "plain http:// is only allowed to a loopback host".into(),
        )),
        _ => Err(EndpointError("endpoint must be https://".into())),
    }
}

#[cfg(any(
    feature = "segment",
    feature = "mixpanel",
    feature = "snowplow",
    feature = "posthog",
    feature = "otlp"
))]
/// Checks a base URL that request paths are appended to: the endpoint rules, no query or
/// fragment (a path appended after them would not be a path), and no credentials in it
/// (`user:password@`: a sink takes its credential as a parameter and never prints it, while a
/// URL is shown by `Debug`).
pub(crate) fn check_base_url(url: &str) -> Result<(), EndpointError> {
    check_endpoint(url)?;
    if url.contains(['?', '#']) {
        return Err(EndpointError(
            "a base URL may not have a query or a fragment".into(),
        ));
    }
    let authority = url.parse::<Uri>().ok().and_then(|u| u.authority().cloned());
    if authority.is_some_and(|a| a.as_str().contains('@')) {
        return Err(EndpointError(
            "a base URL may not hold credentials; pass them to the constructor".into(),
        ));
    }
    Ok(())
}

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What came back: the status, `Retry-After`, and the body when the caller asked for it.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: u16,
    pub retry_after: Option<Duration>,
    /// Up to the requested number of bytes; empty when the body was longer (or not kept).
    /// Only the vendor sinks read answers.
    #[cfg_attr(
        not(any(
            feature = "segment",
            feature = "mixpanel",
            feature = "snowplow",
            feature = "posthog",
            feature = "otlp"
        )),
        allow(dead_code)
    )]
    pub body: Vec<u8>,
}

/// One outgoing request.
pub(crate) struct Post<'a> {
    pub url: &'a str,
    /// Headers besides `Content-Encoding` (added when `gzip`), `Content-Length`, `Host` and
    /// `User-Agent`.
    pub headers: &'a [(&'a str, &'a str)],
    pub body: &'a [u8],
    pub gzip: bool,
    /// Largest answer body to keep (0: read and drop up to a small limit, so the connection
    /// can be reused).
    pub keep_body: usize,
}

/// Answer bodies read (and dropped) so that a kept-alive connection can be reused.
const DRAIN: usize = 64 * 1024;

/// The agent and its gzip writer. One per transport; used only from the sender thread.
pub(crate) struct HttpClient {
    agent: ureq::Agent,
    gz: Gzip,
}

impl HttpClient {
    pub(crate) fn new(timeout: Duration) -> HttpClient {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("candor/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        HttpClient {
            agent,
            gz: Gzip::new(),
        }
    }

    /// POSTs one body and reads the answer. `Err` when no status came back (connection
    /// refused or reset, timeout, TLS failure): always worth retrying.
    pub(crate) fn post(&mut self, post: &Post<'_>) -> Result<Answer, TransportError> {
        let mut req = self.agent.post(post.url);
        for (name, value) in post.headers {
            req = req.header(*name, *value);
        }
        let result = if post.gzip {
            let body = self.gz.compress(post.body)?;
            req.header("Content-Encoding", "gzip").send(body)
        } else {
            req.send(post.body)
        };
        let mut resp = result.map_err(|e| TransportError::new(e.to_string()))?;
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let limit = post.keep_body.max(DRAIN) as u64;
        let body = resp
            .body_mut()
            .with_config()
            .limit(limit)
            .read_to_vec()
            .ok()
            .filter(|b| b.len() <= post.keep_body)
            .unwrap_or_default();
        Ok(Answer {
            status: resp.status().as_u16(),
            retry_after,
            body,
        })
    }
}

/// A gzip writer that keeps its deflate state between requests: allocating and zeroing a
/// fresh compressor (hundreds of KiB of tables) per batch cost more than compressing a
/// 500-event batch.
struct Gzip {
    deflate: Compress,
    out: Vec<u8>,
}

impl Gzip {
    fn new() -> Self {
        Gzip {
            deflate: Compress::new(Compression::fast(), false),
            out: Vec::new(),
        }
    }

    /// Compresses `input` into a complete gzip member (RFC 1952).
    fn compress(&mut self, input: &[u8]) -> Result<&[u8], TransportError> {
        // Header: magic, deflate, no flags, mtime 0, no extra flags, OS unknown.
        self.out.clear();
        self.out
            .extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
        self.deflate.reset();
        self.out.reserve(input.len() / 3 + 64);
        loop {
            let consumed = self.deflate.total_in() as usize;
            let status = self
                .deflate
                .compress_vec(&input[consumed..], &mut self.out, FlushCompress::Finish)
                .map_err(|e| TransportError::new(format!("gzip: {e}")))?;
            match status {
                Status::StreamEnd => break,
                // Output full: grow and continue where it stopped.
                Status::Ok | Status::BufError => self.out.reserve(self.out.capacity().max(4096)),
            }
        }
        self.out
            .extend_from_slice(&crc32fast::hash(input).to_le_bytes());
        self.out
            .extend_from_slice(&(input.len() as u32).to_le_bytes());
        Ok(&self.out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gzip_members_decode_and_state_is_reused() {
        use std::io::Read;
        let mut gz = Gzip::new();
        for input in [
            &b""[..],
            b"{\"a\":1}",
            &[b'x'; 300_000][..],
            b"second use after a big one",
        ] {
            let out = gz.compress(input).unwrap().to_vec();
            let mut back = Vec::new();
            flate2::read::GzDecoder::new(&out[..])
                .read_to_end(&mut back)
                .unwrap();
            assert_eq!(back, input);
        }
    }

    #[test]
    fn only_https_or_loopback_http() {
        assert!(check_endpoint("https://telemetry.example.org/v1").is_ok());
        assert!(check_endpoint("http://127.0.0.1:8080/v1").is_ok());
        assert!(check_endpoint("http://127.1.2.3/v1").is_ok());
        assert!(check_endpoint("http://[::1]:9/v1").is_ok());
        assert!(check_endpoint("http://localhost:9/").is_ok());
        assert!(check_endpoint("http://telemetry.example.org/v1").is_err());
        assert!(check_endpoint("http://10.0.0.1/v1").is_err());
        assert!(check_endpoint("http://[::ffff:127.0.0.1]/v1").is_err());
        assert!(check_endpoint("ftp://127.0.0.1/").is_err());
        assert!(check_endpoint("https:///v1").is_err());
        assert!(check_endpoint("not a url").is_err());
    }

    #[test]
    #[cfg(any(
        feature = "segment",
        feature = "mixpanel",
        feature = "snowplow",
        feature = "posthog",
        feature = "otlp"
    ))]
    fn base_urls_take_no_query_or_fragment() {
        assert!(check_base_url("https://api.segment.io").is_ok());
        assert!(check_base_url("https://proxy.example.org/segment/").is_ok());
        assert!(check_base_url("https://api.segment.io?x=1").is_err());
        assert!(check_base_url("https://api.segment.io/#a").is_err());
        assert!(check_base_url("http://api.segment.io").is_err());
        assert!(check_base_url("https://key:@api.segment.io").is_err());
        assert!(check_base_url("http://user@127.0.0.1:9").is_err());
    }

    #[test]
    fn answers_keep_their_body_only_when_asked_and_small_enough() {
        let server = candor_testkit::Server::start();
        server.script([
            candor_testkit::Answer::status(400).body("x".repeat(10)),
            candor_testkit::Answer::status(400).body("x".repeat(10)),
            candor_testkit::Answer::status(503)
                .retry_after("7")
                .body("y".repeat(100)),
        ]);
        let mut c = HttpClient::new(Duration::from_secs(10));
        let url = server.url();
        let post = |keep_body| Post {
            url: &url,
            headers: &[("Content-Type", "application/json")],
            body: b"{}",
            gzip: false,
            keep_body,
        };
        let a = c.post(&post(10)).unwrap();
        assert_eq!((a.status, a.body.len()), (400, 10));
        let b = c.post(&post(0)).unwrap();
        assert_eq!((b.status, b.body.len()), (400, 0));
        let d = c.post(&post(99)).unwrap();
        assert_eq!(d.status, 503);
        assert_eq!(d.retry_after, Some(Duration::from_secs(7)));
        assert!(d.body.is_empty(), "longer than asked for: dropped");
        let reqs = server.requests();
        assert!(reqs.iter().all(|r| r.header("content-encoding").is_none()));
    }
}
