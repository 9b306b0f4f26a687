//! What the server does with one request: a status line with headers and a body, after an
//! optional delay, or a dropped connection.

use std::time::Duration;

/// One answer, built from [`Answer::status`] (or [`Answer::ok`], [`Answer::reset`]) and
/// adjusted with the builder methods.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status code. Ignored when `reset` is set.
    pub status: u16,
    /// Extra response headers (`Content-Length` is always written by the server).
    pub headers: Vec<(String, String)>,
    /// Time to wait after reading the request and before answering: a slow server.
    pub delay: Duration,
    /// Close the connection without writing anything: the client sees the connection end
    /// before a status line, as after a reset or a crash of the server.
    pub reset: bool,
    /// Response body.
    pub body: Vec<u8>,
}

impl Answer {
    /// Answers `status` with no extra header and an empty body.
    pub fn status(status: u16) -> Answer {
        Answer {
            status,
            headers: Vec::new(),
            delay: Duration::ZERO,
            reset: false,
            body: Vec::new(),
        }
    }

    /// `200 OK`.
    pub fn ok() -> Answer {
        Answer::status(200)
    }

    /// Drops the connection without answering.
    pub fn reset() -> Answer {
        Answer {
            reset: true,
            ..Answer::status(0)
        }
    }

    /// Adds a response header.
    pub fn header(mut self, name: &str, value: &str) -> Answer {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Adds `Retry-After: <value>` (delta-seconds or an HTTP date).
    pub fn retry_after(self, value: &str) -> Answer {
        self.header("Retry-After", value)
    }

    /// Waits `delay` before answering (or before dropping the connection).
    pub fn delay(mut self, delay: Duration) -> Answer {
        self.delay = delay;
        self
    }

    /// Sets the response body.
    pub fn body(mut self, body: impl Into<Vec<u8>>) -> Answer {
        self.body = body.into();
        self
    }

    /// Whether the client is told the request succeeded (a 2xx status line is written).
    pub fn acknowledges(&self) -> bool {
        !self.reset && (200..300).contains(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builders_compose() {
        let a = Answer::status(429)
            .retry_after("2")
            .delay(Duration::from_millis(5));
        assert_eq!(a.status, 429);
        assert_eq!(a.headers, vec![("Retry-After".into(), "2".into())]);
        assert_eq!(a.delay, Duration::from_millis(5));
        assert!(!a.acknowledges());
        assert!(Answer::ok().acknowledges());
        assert!(Answer::status(204).acknowledges());
        assert!(!Answer::reset().acknowledges());
    }
}
