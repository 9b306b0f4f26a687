//! The part every vendor sink shares: one `candor.batch/1` document in, the vendor's requests
//! out through the vendor's encoder (from `candor-interop`, the one encoder per vendor), and
//! the vendor's answers turned into the one answer the runtime's retry policy reads.
//!
//! For each document:
//! 1. A deletion request, or a document of any other kind, is refused without sending
//!    anything (a vendor's ingestion credentials cannot erase data; other kinds have no
//!    vendor form). A batch that does not read as `candor.batch/1` is refused the same way.
//! 2. Events the [`Ledger`] says were finished in an earlier attempt are left out; the rest
//!    are encoded. Events the encoder cannot put in any request are refused at once.
//! 3. The requests are sent in order, each only if consent was not revoked, nor the client
//!    shut down, since the document was written ([`Request::still_wanted`]; otherwise the
//!    runtime is told to retry at once, and writes the document again without the revoked
//!    events, or keeps the batch spooled after shutdown). An accepted request's events are
//!    delivered (except as many as an OTLP partial success counts refused); a refused
//!    request's events are refused (all of them, or those the vendor's answer names, for a
//!    vendor that takes part of a request); either way the next request follows. A request
//!    to retry, or one the vendor finds too large, stops the attempt: the runtime is told to
//!    retry the batch (honouring the vendor's `Retry-After`) or to split it, and the next
//!    attempt skips what is finished. No answer at all (connection refused or reset,
//!    timeout) is reported as the network error it is: retried.
//! 4. When every event is finished, the runtime is told: refused (status
//!    [`REFUSED`]) if none was delivered, otherwise 200 with the count of refused events.
//!
//! The runtime reads 2xx as delivered, [`RETRY`] (with or without `Retry-After`) as retry,
//! [`SPLIT`] as split, and [`REFUSED`] as refused for good; these are the only statuses a
//! sink reports, whatever the vendor answered, because the vendor's own retry rules (e.g.
//! OTLP's "retry only 429, 502, 503, 504") have already been applied.

use std::time::Duration;

use candor_interop::ids::Id;
use candor_interop::{Batch, Encoder, VendorRequest, Verdict};

use super::ledger::{Ledger, Outcome};
use super::stats::{Cells, SinkMonitor};
use crate::transport::client::{check_base_url, EndpointError, HttpClient, Post};
use crate::transport::{Request, RequestKind, Response, TransportError};

/// Status a sink reports for "retry the batch later".
pub(crate) const RETRY: u16 = 503;
/// Status a sink reports for "split the batch".
pub(crate) const SPLIT: u16 = 413;
/// Status a sink reports for "every event of the document was refused for good".
pub(crate) const REFUSED: u16 = 422;

/// Per-request timeout, as [`HttpTransport`](crate::HttpTransport)'s.
const TIMEOUT: Duration = Duration::from_secs(30);

/// What a sink needs to know about its vendor beyond the encoder.
pub(crate) trait Rules: Encoder + Clone + Send + 'static {
    /// Whether the vendor accepts `Content-Encoding: gzip` request bodies.
    const GZIP: bool;

    /// Largest answer body worth reading (0: none is read).
    const ANSWER_BYTES: usize = 0;

    /// For a request the vendor refused with `status` and `answer`, which of its events (by
    /// position in the request) were refused when the answer says the others were taken.
    /// `None`: all of them.
    fn refused_part(&self, _status: u16, _answer: &[u8], _ids: &[Id]) -> Option<Vec<bool>> {
        None
    }

    /// For a request the vendor accepted with `answer`, how many of its events the vendor
    /// says it refused all the same (an OTLP partial success). The vendor names none, so
    /// which ones are counted refused does not matter: none of them is sent again.
    fn refused_of_accepted(&self, _answer: &[u8]) -> usize {
        0
    }
}

/// The state of one sink: its encoder, where it sends, its HTTP client, what it remembers of
/// the batch in progress, and its counts.
pub(crate) struct Sink<E> {
    pub(crate) encoder: E,
    pub(crate) base_url: String,
    /// Headers sent with every request besides the encoder's (OTLP receivers' credentials).
    pub(crate) extra_headers: Vec<(String, String)>,
    http: HttpClient,
    ledger: Ledger,
    stats: SinkMonitor,
}

impl<E: Rules> Sink<E> {
    pub(crate) fn new(base_url: &str, encoder: E) -> Result<Sink<E>, EndpointError> {
        check_base_url(base_url)?;
        Ok(Sink {
            encoder,
            base_url: base_url.trim_end_matches('/').to_owned(),
            extra_headers: Vec::new(),
            http: HttpClient::new(TIMEOUT),
            ledger: Ledger::default(),
            stats: SinkMonitor::default(),
        })
    }

    pub(crate) fn set_timeout(&mut self, timeout: Duration) {
        self.http = HttpClient::new(timeout);
    }

    pub(crate) fn monitor(&self) -> SinkMonitor {
        self.stats.clone()
    }

    fn cells(&self) -> &Cells {
        &self.stats.0
    }

    pub(crate) fn send(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        match request.kind {
            RequestKind::Batch => self.batch(request),
            RequestKind::Deletion => {
                Cells::add(&self.cells().deletions_refused, 1);
                Ok(Response::new(REFUSED))
            }
            // A document kind added to the runtime later has no vendor form until a sink is
            // taught one: refused, never sent.
            #[allow(unreachable_patterns)]
            _ => {
                Cells::add(&self.cells().documents_refused, 1);
                Ok(Response::new(REFUSED))
            }
        }
    }

    fn batch(&mut self, request: &Request<'_>) -> Result<Response, TransportError> {
        let Ok(batch) = Batch::read(request.json) else {
            Cells::add(&self.cells().documents_refused, 1);
            return Ok(Response::new(REFUSED));
        };
        let ids: Vec<Id> = batch.events.iter().map(|e| e.id).collect();
        self.ledger.begin(&ids);
        let pending = Batch {
            app: batch.app,
            install_id: batch.install_id,
            sent_at: batch.sent_at,
            events: batch
                .events
                .iter()
                .filter(|e| self.ledger.outcome(&e.id).is_none())
                .cloned()
                .collect(),
        };
        if !pending.events.is_empty() {
            let encoded = self.encoder.encode(&pending);
            for r in &encoded.rejected {
                self.ledger
                    .record(pending.events[r.index].id, Outcome::Refused);
            }
            Cells::add(
                &self.cells().events_unsendable,
                encoded.rejected.len() as u64,
            );
            for req in &encoded.requests {
                if !request.still_wanted() {
                    // Consent was revoked, or the client shut down, meanwhile: no request may
                    // start with the document as written. After an opt-out the runtime writes
                    // it again, at once, without the revoked events; what is finished stays
                    // finished.
                    return Ok(Response::new(RETRY).with_retry_after(Some(Duration::ZERO)));
                }
                let ids: Vec<Id> = req.events.iter().map(|&i| pending.events[i].id).collect();
                if let Some(wait) = self.deliver(req, &ids)? {
                    return Ok(wait);
                }
            }
        }
        let (delivered, refused) = self.ledger.finish(&ids);
        Ok(if delivered == 0 {
            Response::new(REFUSED)
        } else {
            Response::new(200).with_rejected(refused)
        })
    }

    /// Sends one vendor request. `None` when its events are finished (delivered or refused),
    /// or the answer that makes the runtime come back later (retry or split).
    fn deliver(
        &mut self,
        req: &VendorRequest,
        ids: &[Id],
    ) -> Result<Option<Response>, TransportError> {
        let url = req.url(&self.base_url);
        let headers: Vec<(&str, &str)> = req
            .headers
            .iter()
            .map(|(n, v)| (*n, v.as_str()))
            .chain(
                self.extra_headers
                    .iter()
                    .map(|(n, v)| (n.as_str(), v.as_str())),
            )
            .collect();
        let answer = self.http.post(&Post {
            url: &url,
            headers: &headers,
            body: &req.body,
            gzip: E::GZIP,
            keep_body: E::ANSWER_BYTES,
        });
        let answer = match answer {
            Ok(a) => a,
            Err(e) => {
                Cells::add(&self.cells().unanswered, 1);
                return Err(e);
            }
        };
        Cells::add(&self.cells().requests, 1);
        match self.encoder.verdict(answer.status) {
            Verdict::Delivered => {
                let refused = self
                    .encoder
                    .refused_of_accepted(&answer.body)
                    .min(ids.len());
                for (k, id) in ids.iter().enumerate() {
                    let outcome = if k < ids.len() - refused {
                        Outcome::Delivered
                    } else {
                        Outcome::Refused
                    };
                    self.ledger.record(*id, outcome);
                }
                Cells::add(&self.cells().events_delivered, (ids.len() - refused) as u64);
                Cells::add(&self.cells().events_refused, refused as u64);
                Ok(None)
            }
            Verdict::Reject => {
                let part = self
                    .encoder
                    .refused_part(answer.status, &answer.body, ids)
                    .filter(|p| p.len() == ids.len());
                let mut refused = 0;
                for (k, id) in ids.iter().enumerate() {
                    let outcome = match &part {
                        Some(p) if !p[k] => Outcome::Delivered,
                        _ => {
                            refused += 1;
                            Outcome::Refused
                        }
                    };
                    self.ledger.record(*id, outcome);
                }
                Cells::add(&self.cells().events_refused, refused as u64);
                Cells::add(&self.cells().events_delivered, (ids.len() - refused) as u64);
                Ok(None)
            }
            Verdict::Retry => Ok(Some(
                Response::new(RETRY).with_retry_after(answer.retry_after),
            )),
            Verdict::Split => Ok(Some(Response::new(SPLIT))),
        }
    }
}

/// The public type of one vendor sink: the struct around a [`Sink`], its shared builder
/// methods, `Debug` without credentials, and the [`Transport`](crate::Transport) impl.
macro_rules! sink_type {
    ($(#[$doc:meta])* $name:ident, $encoder:ty, $vendor:literal) => {
        $(#[$doc])*
        pub struct $name {
            sink: $crate::transport::vendor::sink::Sink<$encoder>,
        }

        impl $name {
            /// Replaces the per-request timeout (default 30 s). A batch that becomes several
            /// vendor requests may take that long per request.
            pub fn with_timeout(mut self, timeout: ::std::time::Duration) -> Self {
                self.sink.set_timeout(timeout);
                self
            }

            #[doc = concat!("Cuts requests to `limits` instead of ", $vendor, "'s documented ones (e.g. a proxy or self-hosted instance that takes less). The runtime's 413 split stays the fallback when the vendor still finds a request too large.")]
            pub fn with_limits(mut self, limits: $crate::transport::vendor::Limits) -> Self {
                self.sink.encoder = self.sink.encoder.clone().with_limits(limits);
                self
            }

            /// A handle to this sink's counts, usable after the sink moved into a client.
            pub fn monitor(&self) -> $crate::transport::vendor::SinkMonitor {
                self.sink.monitor()
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                // Never the credentials.
                f.debug_struct(stringify!($name))
                    .field("base_url", &self.sink.base_url)
                    .finish_non_exhaustive()
            }
        }

        impl $crate::transport::Transport for $name {
            fn send(
                &mut self,
                request: &$crate::transport::Request<'_>,
            ) -> Result<$crate::transport::Response, $crate::transport::TransportError> {
                self.sink.send(request)
            }

            /// Never: the vendor's ingestion credentials cannot erase data.
            fn delivers_deletion_requests(&self) -> bool {
                false
            }
        }
    };
}

pub(crate) use sink_type;
