//! Retry policy: what a transport answer means for a batch, and how long
//! to wait before the next attempt.
//!
//! - 2xx: delivered (except the events the answer says were refused for good, see
//!   [`Response::rejected`]).
//! - 408, 429, 5xx and network errors: retry with exponential backoff and
//!   full jitter (`random(0, min(cap, base * 2^attempt))`), except that a
//!   `Retry-After` on 429/503 is honoured (capped so a hostile or broken
//!   server cannot park the client forever).
//! - 413: split the batch in two and send the halves (a single event
//!   answered 413 is dropped).
//! - any other status: dropped and counted as rejected.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use crate::transport::{Response, TransportError};

/// Backoff parameters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// First backoff ceiling.
    pub base: Duration,
    /// Largest backoff ceiling.
    pub cap: Duration,
    /// Largest `Retry-After` honoured.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(300),
            max_retry_after: Duration::from_secs(3600),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Delivered,
    /// 2xx, but this many of the document's events were refused for good.
    DeliveredExcept(u64),
    Retry(Option<Duration>),
    Split,
    Reject,
}

pub(crate) fn classify(result: &Result<Response, TransportError>, policy: &RetryPolicy) -> Verdict {
    let r = match result {
        Ok(r) => r,
        Err(_) => return Verdict::Retry(None),
    };
    match r.status {
        200..=299 if r.rejected > 0 => Verdict::DeliveredExcept(r.rejected as u64),
        200..=299 => Verdict::Delivered,
        413 => Verdict::Split,
        429 | 503 => Verdict::Retry(r.retry_after.map(|d| d.min(policy.max_retry_after))),
        408 | 500..=599 => Verdict::Retry(None),
        _ => Verdict::Reject,
    }
}

impl RetryPolicy {
    /// Full-jitter backoff for the given attempt number (0 = first retry);
    /// `random` is a uniformly random u64.
    pub(crate) fn backoff(&self, attempt: u32, random: u64) -> Duration {
        let ceiling = self
            .base
            .saturating_mul(1u32.checked_shl(attempt.min(31)).unwrap_or(u32::MAX))
            .min(self.cap);
        let nanos = ceiling.as_nanos().min(u128::from(u64::MAX)) as u64;
        if nanos == 0 {
            return Duration::ZERO;
        }
        Duration::from_nanos(random % (nanos + 1))
    }
}

/// Parses a `Retry-After` header value: delta-seconds or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`). Dates in the past mean "now". For transports:
/// put the result in [`Response::retry_after`].
pub fn parse_retry_after(v: &str) -> Option<Duration> {
    let v = v.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = parse_imf_fixdate(v)?;
    let now = SystemTime::now().duration_since(UNIX_EPOCH).ok()?.as_secs();
    Some(Duration::from_secs(at.saturating_sub(now)))
}

fn parse_imf_fixdate(v: &str) -> Option<u64> {
    // "Sun, 06 Nov 1994 08:49:37 GMT"
    let mut parts = v.split_ascii_whitespace();
    let _weekday = parts.next()?;
    let day: u64 = parts.next()?.parse().ok()?;
    let month = parts.next()?;
    let year: i64 = parts.next()?.parse().ok()?;
    let time = parts.next()?;
    if parts.next()? != "GMT" {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let m = MONTHS.iter().position(|x| *x == month)? as u8 + 1;
    let mut t = time.split(':').map(|x| x.parse::<u64>().ok());
    let (h, mi, s) = (t.next()??, t.next()??, t.next()??);
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let date = candor_core::Date::new(i32::try_from(year).ok()?, m, u8::try_from(day).ok()?)?;
    u64::try_from(date.to_days())
        .ok()
        .map(|d| d * candor_core::date::SECS_PER_DAY + h * 3600 + mi * 60 + s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(status: u16, retry_after: Option<u64>) -> Result<Response, TransportError> {
        Ok(Response::new(status).with_retry_after(retry_after.map(Duration::from_secs)))
    }

    #[test]
    fn classification() {
        let p = RetryPolicy::default();
        assert_eq!(classify(&ok(200, None), &p), Verdict::Delivered);
        assert_eq!(classify(&ok(204, None), &p), Verdict::Delivered);
        assert_eq!(
            classify(&Ok(Response::new(200).with_rejected(3)), &p),
            Verdict::DeliveredExcept(3)
        );
        assert_eq!(
            classify(&Ok(Response::new(422).with_rejected(3)), &p),
            Verdict::Reject,
            "a count of refused events means nothing without a 2xx"
        );
        assert_eq!(classify(&ok(413, None), &p), Verdict::Split);
        assert_eq!(
            classify(&ok(429, Some(7)), &p),
            Verdict::Retry(Some(Duration::from_secs(7)))
        );
        assert_eq!(
            classify(&ok(503, Some(999_999)), &p),
            Verdict::Retry(Some(p.max_retry_after))
        );
        assert_eq!(classify(&ok(500, Some(7)), &p), Verdict::Retry(None));
        assert_eq!(classify(&ok(408, None), &p), Verdict::Retry(None));
        assert_eq!(classify(&ok(400, None), &p), Verdict::Reject);
        assert_eq!(classify(&ok(404, None), &p), Verdict::Reject);
        assert_eq!(
            classify(&Err(TransportError::new("refused")), &p),
            Verdict::Retry(None)
        );
    }

    #[test]
    fn backoff_is_capped_full_jitter() {
        let p = RetryPolicy {
            base: Duration::from_millis(100),
            cap: Duration::from_secs(1),
            ..Default::default()
        };
        assert_eq!(
            p.backoff(0, u64::MAX),
            Duration::from_nanos(u64::MAX % 100_000_001)
        );
        for attempt in 0..40 {
            for r in [0, 1, 12345, u64::MAX / 3, u64::MAX] {
                let d = p.backoff(attempt, r);
                let ceiling = Duration::from_millis(100 * (1u64 << attempt.min(20))).min(p.cap);
                assert!(d <= ceiling, "attempt {attempt}: {d:?} > {ceiling:?}");
            }
        }
        assert_eq!(p.backoff(3, 0), Duration::ZERO);
    }

    #[test]
    fn retry_after_forms() {
        assert_eq!(parse_retry_after("120"), Some(Duration::from_secs(120)));
        assert_eq!(parse_retry_after(" 0 "), Some(Duration::ZERO));
        assert_eq!(
            parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(784_111_777)
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
        // A day that does not exist is not a date.
        assert_eq!(parse_imf_fixdate("Sat, 30 Feb 2030 08:49:37 GMT"), None);
        assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 PST"), None);
    }
}
