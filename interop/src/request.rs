//! What an encoder produces: vendor requests (path, headers, body) that respect the vendor's
//! documented limits, the events it could not send, and how to read the vendor's answer.

use std::fmt;

/// One HTTP request for a vendor. Always a `POST` of a JSON body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendorRequest {
    /// Path and query to append to the configured base URL, starting with `/`.
    pub path: String,
    /// Headers to send, in order (`Content-Type` first). Credentials are here, never in logs.
    pub headers: Vec<(&'static str, String)>,
    /// The uncompressed JSON body.
    pub body: Vec<u8>,
    /// Indices (into the batch's `events`) of the events this request carries, ascending.
    pub events: Vec<usize>,
}

impl VendorRequest {
    /// The value of header `name` (ASCII case-insensitive), if set.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// `base` (without a trailing `/`) joined with [`VendorRequest::path`].
    pub fn url(&self, base: &str) -> String {
        format!("{}{}", base.trim_end_matches('/'), self.path)
    }
}

/// Why an event was left out of every request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// Encoded, it is larger than the vendor accepts for one event (or one request).
    TooLarge,
    /// It has more properties than the vendor accepts for one event.
    TooManyProperties,
    /// Its time cannot be expressed in the vendor's format, or the vendor refuses it
    /// (e.g. before 1971 for Mixpanel, after 2554 for OTLP's nanoseconds).
    TimeOutOfRange,
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RejectReason::TooLarge => "too large for the vendor",
            RejectReason::TooManyProperties => "too many properties for the vendor",
            RejectReason::TimeOutOfRange => "time outside what the vendor accepts",
        })
    }
}

/// An event that no request carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rejected {
    /// Index into the batch's `events`.
    pub index: usize,
    /// Why.
    pub reason: RejectReason,
}

/// The result of encoding one batch: every event is in exactly one request or in `rejected`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Encoded {
    /// Requests to send, in order.
    pub requests: Vec<VendorRequest>,
    /// Events that cannot be sent to this vendor.
    pub rejected: Vec<Rejected>,
}

/// What to do with a vendor's HTTP status, by the vendor's documented rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Accepted.
    Delivered,
    /// Try the same request again later (honouring `Retry-After` when sent).
    Retry,
    /// The request was too large: send its events in smaller requests.
    Split,
    /// Refused for good: do not resend.
    Reject,
}

/// A vendor's size and count limits. `None` means the vendor documents no limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Largest encoded event, in bytes.
    pub max_event_bytes: Option<usize>,
    /// Largest request body, in bytes (hard).
    pub max_request_bytes: Option<usize>,
    /// Size a request is filled up to before a new one is started; a single event larger than
    /// this still goes alone, up to the hard limits (Snowplow's trackers work this way).
    pub target_request_bytes: Option<usize>,
    /// Most events in one request.
    pub max_events: Option<usize>,
    /// Most properties on one event (vendor-added properties included).
    pub max_properties: Option<usize>,
}

impl Limits {
    /// No limits at all.
    pub const NONE: Limits = Limits {
        max_event_bytes: None,
        max_request_bytes: None,
        target_request_bytes: None,
        max_events: None,
        max_properties: None,
    };
}

/// A packed body and the indices of the events in it.
pub(crate) type Packed = (Vec<u8>, Vec<usize>);

/// Packs encoded events into bodies: `prefix`, the events joined by `,`, `suffix`. Greedy and
/// order-preserving, so the same batch always yields the same requests. `encoded[i]` is
/// `Err` for an event the encoder already refused.
pub(crate) fn pack(
    limits: &Limits,
    prefix: &[u8],
    suffix: &[u8],
    encoded: Vec<Result<Vec<u8>, RejectReason>>,
) -> (Vec<Packed>, Vec<Rejected>) {
    let overhead = prefix.len() + suffix.len();
    let hard = limits.max_request_bytes.unwrap_or(usize::MAX);
    let target = limits.target_request_bytes.unwrap_or(hard).min(hard);
    let max_events = limits.max_events.unwrap_or(usize::MAX).max(1);
    let mut bodies = Vec::new();
    let mut rejected = Vec::new();
    let mut body = prefix.to_vec();
    let mut members: Vec<usize> = Vec::new();
    let flush = |body: &mut Vec<u8>, members: &mut Vec<usize>, out: &mut Vec<_>| {
        if !members.is_empty() {
            body.extend_from_slice(suffix);
            out.push((
                std::mem::replace(body, prefix.to_vec()),
                std::mem::take(members),
            ));
        }
    };
    for (index, event) in encoded.into_iter().enumerate() {
        let event = match event {
            Ok(e) => e,
            Err(reason) => {
                rejected.push(Rejected { index, reason });
                continue;
            }
        };
        let too_big_alone = limits.max_event_bytes.is_some_and(|m| event.len() > m)
            || overhead.saturating_add(event.len()) > hard;
        if too_big_alone {
            rejected.push(Rejected {
                index,
                reason: RejectReason::TooLarge,
            });
            continue;
        }
        let grown = body.len() + usize::from(!members.is_empty()) + event.len() + suffix.len();
        if !members.is_empty() && (members.len() >= max_events || grown > target) {
            flush(&mut body, &mut members, &mut bodies);
        }
        if !members.is_empty() {
            body.push(b',');
        }
        body.extend_from_slice(&event);
        members.push(index);
    }
    flush(&mut body, &mut members, &mut bodies);
    (bodies, rejected)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sizes(limits: &Limits, events: &[usize]) -> (Vec<Vec<usize>>, Vec<Rejected>) {
        let encoded = events.iter().map(|&n| Ok(vec![b'x'; n])).collect();
        let (bodies, rejected) = pack(limits, b"[", b"]", encoded);
        for (body, _) in &bodies {
            assert!(body.len() <= limits.max_request_bytes.unwrap_or(usize::MAX));
        }
        (bodies.into_iter().map(|(_, m)| m).collect(), rejected)
    }

    #[test]
    fn packs_by_count_and_size_in_order() {
        let by_count = Limits {
            max_events: Some(2),
            ..Limits::NONE
        };
        assert_eq!(
            sizes(&by_count, &[1, 1, 1, 1, 1]).0,
            vec![vec![0, 1], vec![2, 3], vec![4]]
        );
        // Body "[" + "xxxx" + "," + "xxxx" + "]" = 11 bytes.
        let by_size = Limits {
            max_request_bytes: Some(11),
            ..Limits::NONE
        };
        assert_eq!(sizes(&by_size, &[4, 4, 4]).0, vec![vec![0, 1], vec![2]]);
        let tight = Limits {
            max_request_bytes: Some(10),
            ..Limits::NONE
        };
        assert_eq!(sizes(&tight, &[4, 4, 4]).0, vec![vec![0], vec![1], vec![2]]);
    }

    #[test]
    fn oversized_events_are_rejected_not_sent() {
        let limits = Limits {
            max_event_bytes: Some(5),
            max_request_bytes: Some(100),
            ..Limits::NONE
        };
        let (chunks, rejected) = sizes(&limits, &[5, 6, 5]);
        assert_eq!(chunks, vec![vec![0, 2]]);
        assert_eq!(
            rejected,
            vec![Rejected {
                index: 1,
                reason: RejectReason::TooLarge
            }]
        );
    }

    #[test]
    fn a_target_is_soft_for_a_single_event() {
        let limits = Limits {
            target_request_bytes: Some(10),
            max_request_bytes: Some(1000),
            ..Limits::NONE
        };
        assert_eq!(
            sizes(&limits, &[3, 50, 3, 3]).0,
            vec![vec![0], vec![1], vec![2, 3]]
        );
    }
}
