//! gzip'd JSON over HTTPS with `ureq` + rustls (no OpenSSL, no async runtime).

use std::time::Duration;

use flate2::{Compress, Compression, FlushCompress, Status};
use ureq::http::Uri;

use super::{Request, Response, Transport, TransportError};
use crate::retry::parse_retry_after;

/// POSTs each document to one endpoint, gzip'd.
///
/// Only `https://` is accepted, except `http://` to a loopback host
/// (`127.0.0.0/8`, `[::1]`, `localhost`) for local collectors and tests,
/// so events can never cross a network in clear text. Proxy environment
/// variables are ignored: a proxy would see every request.
pub struct HttpTransport {
    agent: ureq::Agent,
    url: String,
    gz: Gzip,
}

impl std::fmt::Debug for HttpTransport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpTransport")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

/// A gzip writer that keeps its deflate state between requests: allocating
/// and zeroing a fresh compressor (hundreds of KiB of tables) per batch cost
/// more than compressing a 500-event batch.
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

/// Why [`HttpTransport::new`] refused an endpoint URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EndpointError(String);

impl std::fmt::Display for EndpointError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for EndpointError {}

impl HttpTransport {
    /// Creates a transport for `url` with a 30 s per-request timeout.
    pub fn new(url: &str) -> Result<Self, EndpointError> {
        Self::with_timeout(url, Duration::from_secs(30))
    }

    /// Creates a transport for `url` with the given per-request timeout.
    pub fn with_timeout(url: &str, timeout: Duration) -> Result<Self, EndpointError> {
        check_endpoint(url)?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .max_redirects(0)
            .timeout_global(Some(timeout))
            .user_agent(concat!("candor/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(HttpTransport {
            agent,
            url: url.to_owned(),
            gz: Gzip::new(),
        })
    }
}

fn check_endpoint(url: &str) -> Result<(), EndpointError> {
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

fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

impl Transport for HttpTransport {
    fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        let body = self.gz.compress(request.json)?;
        let result = self
            .agent
            .post(&self.url)
            .header("Content-Type", "application/json")
            .header("Content-Encoding", "gzip")
            .send(body);
        let mut resp = result.map_err(|e| TransportError::new(e.to_string()))?;
        let retry_after = resp
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        // Drain a small body so the connection can be reused.
        let _ = resp.body_mut().with_config().limit(64 * 1024).read_to_vec();
        Ok(Response {
            status: resp.status().as_u16(),
            retry_after,
        })
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
        assert!(check_endpoint("ftp://127.0.0.1/").is_err());
        assert!(check_endpoint("not a url").is_err());
    }
}
