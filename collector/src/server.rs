//! The HTTP side: `POST /v1/batch` and `GET /healthz` on hyper, with every limit of
//! [`Limits`] turned into a clear answer.
//!
//! | answer | when |
//! | --- | --- |
//! | 200 | the batch (or deletion request) is committed; refused events are in the quarantine |
//! | 400 | the body is not a `candor.batch/1` or `candor.deletion/1` document (bad JSON, bad gzip, wrong shape); nothing is stored |
//! | 404 / 405 | another path / another method |
//! | 408 | the body did not arrive within the body timeout |
//! | 413 | the body, its inflated size or its event count is above the limits |
//! | 415 | a `Content-Encoding` other than gzip or identity |
//! | 503 + `Retry-After` | the store failed, or the collector is at capacity (backpressure) |
//!
//! Nothing about the connection is looked at beyond the method, path, `Content-Encoding` and
//! `Content-Length`: the peer address is never read, so it can reach neither store nor log.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{
    HeaderValue, ALLOW, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER,
};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{mpsc, oneshot, watch, Semaphore};

use crate::body::{self, BodyError};
use crate::limits::Limits;
use crate::log;
use crate::minute;
use crate::schemas::Schemas;
use crate::validate::{self, Now};
use crate::wire::{self, Document};
use crate::writer::Job;

/// How often the store is swept for rows past their retention.
#[derive(Clone, Copy, Debug)]
pub enum SweepSchedule {
    /// At start, then just after every full UTC hour (so a day's deletions run seconds after
    /// midnight).
    Hourly,
    /// At start, then every interval (tests).
    Every(Duration),
}

struct State {
    schemas: Arc<Schemas>,
    limits: Limits,
    writer: mpsc::Sender<Job>,
    processing: Semaphore,
}

type Answer = Response<Full<Bytes>>;

fn json(status: StatusCode, body: String) -> Answer {
    let mut r = Response::new(Full::new(Bytes::from(body)));
    *r.status_mut() = status;
    r.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r
}

fn error(status: StatusCode, message: &str) -> Answer {
    json(status, serde_json::json!({ "error": message }).to_string())
}

fn busy(limits: &Limits, message: &str) -> Answer {
    let mut r = error(StatusCode::SERVICE_UNAVAILABLE, message);
    r.headers_mut().insert(
        RETRY_AFTER,
        HeaderValue::from(limits.retry_after.as_secs().max(1)),
    );
    r
}

fn too_large(e: &BodyError) -> Answer {
    let r = Refused::of(e);
    error(r.status, &r.message)
}

/// Serves until `shutdown` resolves, then lets open requests finish and stops the writer after
/// it has written everything it accepted.
pub async fn serve(
    listener: TcpListener,
    schemas: Arc<Schemas>,
    writer: mpsc::Sender<Job>,
    limits: Limits,
    sweep: SweepSchedule,
    shutdown: impl Future<Output = ()>,
) {
    let state = Arc::new(State {
        schemas,
        processing: Semaphore::new(limits.max_concurrent_batches.max(1)),
        limits: limits.clone(),
        writer,
    });
    let connections = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (stop_tx, stop_rx) = watch::channel(false);
    let sweeper = tokio::spawn(sweep_loop(state.writer.clone(), sweep));
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            _ = &mut shutdown => break,
            p = connections.clone().acquire_owned() => p.expect("never closed"),
        };
        let stream = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                // The peer address is dropped here, unread.
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors and the like: wait rather than spin.
                    log::line(&format!("accept failed: {e}"));
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(state.limits.header_timeout)
                .max_buf_size(64 << 10);
            let service = hyper::service::service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, Infallible>(handle(req, &state).await) }
            });
            let conn = builder.serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                _ = stop.changed() => {
                    conn.as_mut().graceful_shutdown();
                    let _ = conn.await;
                }
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    sweeper.abort();
    // Open requests finish (each holds a connection permit) within the body timeout.
    let all = u32::try_from(limits.max_connections.max(1)).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(
        limits.body_timeout + Duration::from_secs(5),
        connections.acquire_many(all),
    )
    .await;
}

async fn handle(req: Request<Incoming>, state: &State) -> Answer {
    match (req.method(), req.uri().path()) {
        (&Method::POST, "/v1/batch") => ingest(req, state).await,
        (&Method::GET | &Method::HEAD, "/healthz") => health(state).await,
        (_, "/v1/batch") => with_allow(error(StatusCode::METHOD_NOT_ALLOWED, "use POST"), "POST"),
        (_, "/healthz") => with_allow(
            error(StatusCode::METHOD_NOT_ALLOWED, "use GET"),
            "GET, HEAD",
        ),
        _ => error(
            StatusCode::NOT_FOUND,
            "not found: batches go to POST /v1/batch, health to GET /healthz",
        ),
    }
}

fn with_allow(mut r: Answer, allow: &'static str) -> Answer {
    r.headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allow));
    r
}

async fn health(state: &State) -> Answer {
    let (reply, answer) = oneshot::channel();
    if state.writer.try_send(Job::Ping { reply }).is_err() {
        return busy(&state.limits, "the store queue is full");
    }
    match tokio::time::timeout(Duration::from_secs(5), answer).await {
        Ok(Ok(Ok(()))) => json(StatusCode::OK, r#"{"status":"ok"}"#.into()),
        Ok(Ok(Err(e))) => busy(&state.limits, &format!("store unavailable: {e}")),
        _ => busy(&state.limits, "the store did not answer in time"),
    }
}

/// What a body turned out to be, once checked.
enum Work {
    Batch(validate::Checked),
    Deletion {
        install_id: [u8; 16],
        categories: Vec<candor_schema::ir::Consent>,
    },
}

async fn ingest(req: Request<Incoming>, state: &State) -> Answer {
    let limits = &state.limits;
    let gzip = match req
        .headers()
        .get(CONTENT_ENCODING)
        .map(|v| v.to_str().map(str::trim))
    {
        None => false,
        Some(Ok(v)) if v.eq_ignore_ascii_case("gzip") || v.eq_ignore_ascii_case("x-gzip") => true,
        Some(Ok(v)) if v.eq_ignore_ascii_case("identity") || v.is_empty() => false,
        _ => {
            return error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "Content-Encoding must be gzip or absent",
            )
        }
    };
    let hint = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let read = body::read_capped(req.into_body(), limits.max_body_bytes, hint);
    let raw = match tokio::time::timeout(limits.body_timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) => return too_large(&e),
        Err(_) => {
            let mut r = error(
                StatusCode::REQUEST_TIMEOUT,
                "the body did not arrive in time",
            );
            r.headers_mut()
                .insert(hyper::header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    let Ok(slot) = state.processing.try_acquire() else {
        return busy(limits, "the collector is at capacity; retry later");
    };
    let schemas = state.schemas.clone();
    let limits_c = limits.clone();
    let checked =
        tokio::task::spawn_blocking(move || check_body(&raw, gzip, &schemas, &limits_c)).await;
    // The slot bounds inflating and checking; waiting for the store is bounded by its queue.
    drop(slot);
    let work = match checked {
        Ok(Ok(w)) => w,
        Ok(Err(refused)) => return error(refused.status, &refused.message),
        Err(_) => return busy(limits, "internal error while checking the batch"),
    };
    let (reply, answer) = oneshot::channel();
    let (job, summary) = match work {
        Work::Batch(checked) => {
            let (accepted, refused) = match &checked.metrics {
                Some(m) => (m.rows.len(), m.refused.len()),
                None => (checked.rows.len(), checked.refused.len()),
            };
            let summary = format!(r#"{{"accepted":{accepted},"refused":{refused}}}"#);
            (Job::Batch { checked, reply }, summary)
        }
        Work::Deletion {
            install_id,
            categories,
        } => (
            Job::Deletion {
                install_id,
                categories,
                day: minute::day_of(minute::now()),
                reply,
            },
            r#"{"deletion":"done"}"#.to_string(),
        ),
    };
    match state.writer.try_send(job) {
        Ok(()) => {}
        Err(mpsc::error::TrySendError::Full(_)) => {
            return busy(limits, "the store is behind; retry later")
        }
        Err(mpsc::error::TrySendError::Closed(_)) => {
            return busy(limits, "the collector is shutting down")
        }
    }
    match answer.await {
        Ok(Ok(())) => json(StatusCode::OK, summary),
        Ok(Err(_)) => busy(limits, "the store is unavailable; retry later"),
        Err(_) => busy(limits, "the collector is shutting down"),
    }
}

/// Inflates, reads and validates a body (CPU work, run off the I/O threads).
/// A refusal decided while checking a body: the status and the message for the client.
struct Refused {
    status: StatusCode,
    message: String,
}

impl Refused {
    fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Refused {
            status,
            message: message.into(),
        }
    }

    fn of(e: &BodyError) -> Self {
        let (status, message) = match e {
            BodyError::TooLarge { inflated, limit } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "the body is larger than {limit} bytes{}; send fewer events per batch",
                    if *inflated { " once inflated" } else { "" }
                ),
            ),
            BodyError::Incomplete => (StatusCode::BAD_REQUEST, "the body ended early".into()),
            BodyError::BadGzip => (
                StatusCode::BAD_REQUEST,
                "the body is not valid gzip (corrupt or truncated)".into(),
            ),
        };
        Refused { status, message }
    }
}

fn check_body(raw: &[u8], gzip: bool, schemas: &Schemas, limits: &Limits) -> Result<Work, Refused> {
    let inflated;
    let text: &[u8] = if gzip {
        inflated =
            body::gunzip_capped(raw, limits.max_decompressed_bytes).map_err(|e| Refused::of(&e))?;
        &inflated
    } else {
        if raw.len() > limits.max_decompressed_bytes {
            return Err(Refused::of(&BodyError::TooLarge {
                inflated: false,
                limit: limits.max_decompressed_bytes,
            }));
        }
        raw
    };
    let doc = wire::parse(text).map_err(|e| {
        Refused::new(
            StatusCode::BAD_REQUEST,
            format!("not a candor document: {}", e.message),
        )
    })?;
    let now = Now {
        minute: minute::now(),
        skew_minutes: (limits.clock_skew.as_secs() / 60) as i64,
    };
    match doc {
        Document::Batch(batch) => {
            if batch.events.len() > limits.max_events_per_batch {
                return Err(Refused::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the batch holds more than {} events; send fewer per batch",
                        limits.max_events_per_batch
                    ),
                ));
            }
            Ok(Work::Batch(validate::check(schemas, &batch, now)))
        }
        Document::Deletion(d) => Ok(Work::Deletion {
            install_id: d.install_id,
            categories: d.categories,
        }),
        Document::Metrics(doc) => {
            // A document names each metric of its category at most once; the batch limit
            // bounds the work of a hostile one.
            if doc.metrics.len() > limits.max_events_per_batch {
                return Err(Refused::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the metrics document holds more than {} metrics",
                        limits.max_events_per_batch
                    ),
                ));
            }
            Ok(Work::Batch(validate::metrics::check(schemas, &doc, now)))
        }
    }
}

async fn sweep_loop(writer: mpsc::Sender<Job>, schedule: SweepSchedule) {
    loop {
        let (reply, answer) = oneshot::channel();
        let today = minute::day_of(minute::now());
        // Waits for queue space: a sweep is never dropped for backpressure.
        if writer.send(Job::Sweep { today, reply }).await.is_err() {
            return;
        }
        match answer.await {
            Ok(Ok(s)) if s.removed > 0 => log::line(&format!(
                "retention sweep removed {} (rows, or ClickHouse partitions)",
                s.removed
            )),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => log::line(&format!("retention sweep failed, retried next time: {e}")),
            Err(_) => return,
        }
        let wait = match schedule {
            SweepSchedule::Every(d) => d,
            SweepSchedule::Hourly => until_just_after_the_hour(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_secs()),
            ),
        };
        tokio::time::sleep(wait).await;
    }
}

/// From `unix_secs`, the wait until one second past the next full UTC hour (so the sweep of
/// a new day runs right after midnight).
fn until_just_after_the_hour(unix_secs: u64) -> Duration {
    Duration::from_secs(3600 - unix_secs % 3600 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hourly_sweep_runs_just_after_every_full_hour() {
        // 2026-11-29T23:59:59Z, then exactly midnight, then a minute past.
        let before_midnight = 1_796_601_599u64;
        for now in [before_midnight, before_midnight + 1, before_midnight + 61] {
            let wait = until_just_after_the_hour(now).as_secs();
            assert!((1..=3601).contains(&wait), "{wait}");
            assert_eq!((now + wait) % 3600, 1, "lands one second past the hour");
        }
        assert_eq!(until_just_after_the_hour(before_midnight).as_secs(), 2);
    }
}
