//! The `candor-sender` thread: a thin loop around the [`Pipeline`](crate::pipeline::Pipeline).
//! It reads the clock, moves queued events into batches, asks the pipeline what to send,
//! sends it without holding any lock, hands the answer back, and sleeps until something is
//! due. Every decision is the pipeline's; this file only owns the thread, the transport and
//! the clock.

use std::sync::atomic::Ordering;
use std::thread;
use std::time::{Duration, Instant};

use crate::client::{lock, Shared};
use crate::clock::until_next_minute;
use crate::ids::jitter_random;
use crate::pipeline::Outgoing;
use crate::retry::{classify, Verdict};
use crate::transport::{Request, RequestKind, Transport};
use candor_core::frames::SentKind;

/// How often retention is enforced on held batches besides right before each send.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub(crate) fn run<T: Transport>(s: &Shared, mut transport: T) {
    let mut scratch = Vec::new();
    let mut body = Vec::new();
    let interval = s.cfg.batch_interval;
    let mut last_sweep = Instant::now();
    let mut metrics =
        crate::metrics::Interval::new(s.cfg.metrics_interval, s.cfg.clock.now_minute());
    let mut st = lock(&s.state);
    loop {
        let now_min = s.cfg.clock.now_minute();
        s.minute.store(now_min, Ordering::Relaxed);
        let now = Instant::now();
        if !st.pipe.halted() {
            s.drain_queue(&mut st, &mut scratch, now, now_min);
        }
        let force = st.flushers > 0 || st.stop;
        metrics.tick(s, &mut st, now, now_min);
        st.pipe.close_due(now, force);
        if now.duration_since(last_sweep) >= SWEEP_EVERY {
            st.pipe.sweep(now_min);
            last_sweep = now;
        }

        if let Some(out) = st.pipe.next_request(now, now_min, &mut body) {
            // Read under the lock that opt-outs and shutdown take: a revocation or a halt
            // after this point is seen by `Request::still_wanted`.
            let request = Request::new(out.kind, &body, out.events).watching(&s.interrupts);
            drop(st);
            let result = transport.send(&request);
            let verdict = classify(&result, &s.cfg.retry);
            if matches!(verdict, Verdict::Delivered) {
                record_sent(s, &out, &body);
            }
            st = lock(&s.state);
            st.pipe
                .verdict(out.ticket, verdict, Instant::now(), jitter_random());
            s.progress.notify_all();
            continue;
        }

        if st.stop {
            st.done = true;
            s.progress.notify_all();
            return;
        }
        s.progress.notify_all();
        // Sleep until the open batch is due, the head batch or a deletion may be retried,
        // the minute changes or the next retention sweep. Callers unpark us only when a
        // batch fills or on flush, set_consent and shutdown, never per event, so the queue
        // is also polled every interval: an event waits at most about two intervals.
        let now = Instant::now();
        // The minute wake-up below also ends metrics intervals, which end on minutes.
        let mut wake_at = (last_sweep + SWEEP_EVERY)
            .min(now + until_next_minute())
            .min(now + interval);
        if let Some(at) = st.pipe.wake_at() {
            wake_at = wake_at.min(at);
        }
        if st.flushers > 0 {
            // A flush is waiting: events tracked after our last drain would otherwise sit
            // until the next timer, so poll while it waits.
            wake_at = wake_at.min(now + Duration::from_millis(5));
        }
        drop(st);
        let now = Instant::now();
        if wake_at > now {
            thread::park_timeout(wake_at - now);
        }
        st = lock(&s.state);
    }
}

/// Adds a delivered document to the sent log, if enabled (its own lock; the pipeline's is not
/// held here).
fn record_sent(s: &Shared, out: &Outgoing, body: &[u8]) {
    if let Some(log) = lock(&s.sent_log).as_mut() {
        let kind = match out.kind {
            RequestKind::Batch => SentKind::Batch,
            RequestKind::Deletion => SentKind::Deletion,
            RequestKind::Metrics => SentKind::Metrics,
        };
        let _ = log.append(kind, out.bits, s.minute.load(Ordering::Relaxed), body);
    }
}
