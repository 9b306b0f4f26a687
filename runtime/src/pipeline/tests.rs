//! The pipeline's decisions, driven directly: no thread, socket or clock. Time is an
//! `Instant` and a minute the test moves by hand; ids count up; answers are verdicts.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU8;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::*;
use crate::queue::Queue;

const USAGE: u8 = 1;
const DIAG: u8 = 2;
/// A minute in 2026.
const MIN: u32 = 29_500_000;

fn limits() -> Limits {
    Limits {
        batch_max_events: 3,
        batch_max_bytes: 1 << 20,
        batch_interval: Duration::from_secs(5),
        max_pending_bytes: 1 << 20,
        retry: RetryPolicy {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(3600),
        },
        install_id: false,
        deletion_request: false,
    }
}

fn tmpdir(name: &str) -> PathBuf {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static N: AtomicUsize = AtomicUsize::new(0);
    let d = std::env::temp_dir().join(format!(
        "candor-pipeline-{name}-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn start(limits: Limits, spool: Option<&Path>, choice: Option<u8>, now: Instant) -> Pipeline {
    Pipeline::new(
        Start {
            limits,
            app: AppInfo::new("t", "1"),
            spool: spool.map(|d| Spool::open(d, false).unwrap()),
            choice,
            may_send: true,
            install_id: None,
            metrics: Outbox::open(None, false, Instant::now()),
        },
        now,
        MIN,
    )
}

/// Queue records for events `(consent bit, retention days, minute, tag)`, flagged for the
/// full secret scan as `track()` flags them (by the scanner's prescreen of the tag).
fn records(events: &[(u8, u32, u32, &str)]) -> Vec<u8> {
    let q = Queue::new(1 << 20, 1 << 30, 1 << 20, 1 << 30);
    let open = AtomicU8::new(0xff);
    for &(bit, retention_days, minute, tag) in events {
        let tail = format!(r#""name":"t.e","version":1,"time":"x","fields":{{"tag":"{tag}"}}}}"#);
        let meta = Meta {
            bit,
            retention_days,
            minute,
        };
        let flag = crate::scanner::prescreen(tag) == crate::scanner::Prescreen::Check;
        q.push(meta, flag, tail.as_bytes(), &open);
    }
    let mut out = Vec::new();
    q.take(&mut out);
    out
}

fn usage(tags: &[&str]) -> Vec<u8> {
    let ev: Vec<(u8, u32, u32, &str)> = tags.iter().map(|t| (USAGE, 30, MIN, *t)).collect();
    records(&ev)
}

/// Ids 1, 2, 3, ... as the first byte.
fn counting_ids() -> impl FnMut() -> Option<[u8; 16]> {
    let mut n = 0u8;
    move || {
        n = n.wrapping_add(1);
        Some([n; 16])
    }
}

fn tags(body: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(body).expect("document is JSON");
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fields"]["tag"].as_str().unwrap().to_owned())
        .collect()
}

fn ids_of(body: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(body).unwrap();
    v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The accounting identity, with `accepted` events fed to the pipeline by the test.
fn assert_balanced(p: &Pipeline, accepted: u64) {
    let t = p.tally();
    let out =
        t.sent + t.rejected + t.revoked + t.expired + t.overflow + t.internal + t.secret_deferred;
    assert_eq!(
        accepted + t.loaded,
        out + p.pending() as u64,
        "identity broken: {t:?}, pending {}",
        p.pending()
    );
}

fn spooled_tags(dir: &Path) -> Vec<String> {
    let (_, loaded) = Spool::open(dir, false).unwrap();
    let mut out = Vec::new();
    for b in &loaded.batches {
        let mut body = Vec::new();
        crate::wire::write_events(&mut body, b);
        let doc = [b"{\"events\":[", &body[..], b"]}"].concat();
        out.extend(tags(&doc));
    }
    out
}

#[test]
fn sends_the_oldest_due_batch_and_nothing_else_while_it_is_on_the_wire() {
    let now = Instant::now();
    let mut p = start(limits(), None, Some(USAGE), now);
    p.drain(
        Records(&usage(&["a", "b", "c", "d", "e"])),
        counting_ids(),
        now,
        MIN,
    );
    let mut body = Vec::new();
    let out = p
        .next_request(now, MIN, &mut body)
        .expect("a full batch is due");
    assert_eq!((out.kind, out.events), (RequestKind::Batch, 3));
    assert_eq!(tags(&body), ["a", "b", "c"]);
    assert_eq!(ids_of(&body)[0], "01".repeat(16));
    assert_eq!(
        p.next_request(now, MIN, &mut body),
        None,
        "one request at a time"
    );
    p.verdict(out.ticket, Verdict::Delivered, now, 0);
    assert_eq!(p.tally().sent, 3);
    // The open batch (d, e) is not due before its interval, unless forced.
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    assert_eq!(p.wake_at(), Some(now + Duration::from_secs(5)));
    p.close_due(now + Duration::from_secs(4), false);
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    p.close_due(now, true);
    let out = p.next_request(now, MIN, &mut body).unwrap();
    assert_eq!(tags(&body), ["d", "e"]);
    p.verdict(out.ticket, Verdict::Delivered, now, 0);
    assert!(p.settled());
    assert_balanced(&p, 5);
}

#[test]
fn nothing_is_sent_before_the_choice_is_known_or_while_the_environment_opts_out() {
    let dir = tmpdir("unknown");
    let now = Instant::now();
    {
        let mut p = start(limits(), Some(&dir), Some(USAGE), now);
        p.drain(Records(&usage(&["a", "b"])), counting_ids(), now, MIN);
    }
    // A later start without a persisted choice: kept, not sent, not deleted.
    let mut p = start(limits(), Some(&dir), None, now);
    assert_eq!(p.tally().loaded, 2);
    let mut body = Vec::new();
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    assert!(p.settled(), "a flush has nothing to wait for");
    assert_eq!(spooled_tags(&dir), ["a", "b"]);
    p.set_choice(USAGE, now, MIN, || None);
    assert!(p.next_request(now, MIN, &mut body).is_some());

    // The environment switch: the person's choice is known, nothing leaves.
    let mut p = Pipeline::new(
        Start {
            limits: limits(),
            app: AppInfo::new("t", "1"),
            spool: Some(Spool::open(&dir, false).unwrap()),
            choice: Some(USAGE),
            may_send: false,
            install_id: None,
            metrics: Outbox::open(None, false, Instant::now()),
        },
        now,
        MIN,
    );
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    assert_eq!(p.wake_at(), None);
    assert!(p.settled());
    assert_eq!(spooled_tags(&dir), ["a", "b"], "kept untouched");
    assert_balanced(&p, 0);
}

#[test]
fn server_errors_retry_with_backoff_and_resend_the_same_ids() {
    let now = Instant::now();
    let mut p = start(limits(), None, Some(USAGE), now);
    p.drain(Records(&usage(&["a", "b", "c"])), counting_ids(), now, MIN);
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    let first_ids = ids_of(&body);
    // Full jitter: random(0, base * 2^0) with base 1 s; this "random" picks 0.4 s.
    p.verdict(out.ticket, Verdict::Retry(None), now, 400_000_000);
    assert_eq!(p.tally().retried, 1);
    let at = now + Duration::from_millis(400);
    assert_eq!(p.wake_at(), Some(at));
    assert_eq!(
        p.next_request(at - Duration::from_millis(1), MIN, &mut body),
        None
    );
    let out = p.next_request(at, MIN, &mut body).unwrap();
    assert_eq!(ids_of(&body), first_ids, "a retry resends the same ids");
    // 429/503 with Retry-After: exactly that long, whatever the jitter.
    p.verdict(
        out.ticket,
        Verdict::Retry(Some(Duration::from_secs(7))),
        at,
        0,
    );
    assert_eq!(p.wake_at(), Some(at + Duration::from_secs(7)));
    let out = p
        .next_request(at + Duration::from_secs(7), MIN, &mut body)
        .unwrap();
    p.verdict(out.ticket, Verdict::Delivered, at, 0);
    let t = p.tally();
    assert_eq!((t.retried, t.sent), (2, 3));
    assert_balanced(&p, 3);
}

#[test]
fn a_413_splits_in_order_and_a_single_event_answered_413_is_rejected() {
    let dir = tmpdir("split");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE), now);
    p.drain(Records(&usage(&["a", "b", "c"])), counting_ids(), now, MIN);
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.verdict(out.ticket, Verdict::Split, now, 0);
    // Both halves are on disk in their own files, in order.
    assert_eq!(spooled_tags(&dir), ["a", "b", "c"]);
    let out = p.next_request(now, MIN, &mut body).unwrap();
    assert_eq!(tags(&body), ["a"]);
    p.verdict(out.ticket, Verdict::Split, now, 0);
    assert_eq!(
        p.tally().rejected,
        1,
        "one event that is too large never fits"
    );
    let out = p.next_request(now, MIN, &mut body).unwrap();
    assert_eq!(tags(&body), ["b", "c"]);
    p.verdict(out.ticket, Verdict::Delivered, now, 0);
    assert_eq!(p.tally().sent, 2);
    assert!(spooled_tags(&dir).is_empty());
    assert_balanced(&p, 3);
}

#[test]
fn other_4xx_rejects_the_whole_batch_and_deletes_its_file() {
    let dir = tmpdir("reject");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE), now);
    p.drain(Records(&usage(&["a", "b"])), counting_ids(), now, MIN);
    p.close_due(now, true);
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.verdict(out.ticket, Verdict::Reject, now, 0);
    assert_eq!((p.tally().rejected, p.tally().sent), (2, 0));
    assert!(spooled_tags(&dir).is_empty());
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    assert_balanced(&p, 2);
}

#[test]
fn a_2xx_that_refuses_part_of_the_batch_counts_each_event_once_and_deletes_the_file() {
    let dir = tmpdir("partly");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE), now);
    p.drain(Records(&usage(&["a", "b", "c"])), counting_ids(), now, MIN);
    p.close_due(now, true);
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.verdict(out.ticket, Verdict::DeliveredExcept(1), now, 0);
    assert_eq!((p.tally().sent, p.tally().rejected), (2, 1));
    assert!(spooled_tags(&dir).is_empty(), "nothing of it is resent");
    assert_balanced(&p, 3);
    // A receiver claiming more refusals than the document held cannot unbalance the count.
    p.drain(Records(&usage(&["d", "e"])), counting_ids(), now, MIN);
    p.close_due(now, true);
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.verdict(out.ticket, Verdict::DeliveredExcept(u64::MAX), now, 0);
    assert_eq!((p.tally().sent, p.tally().rejected), (2, 3));
    assert!(p.settled());
    assert_balanced(&p, 5);
}

#[test]
fn an_opt_out_removes_the_category_from_every_batch_and_spool_file() {
    let dir = tmpdir("purge");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE | DIAG), now);
    let recs = records(&[
        (USAGE, 30, MIN, "u1"),
        (DIAG, 30, MIN, "d1"),
        (USAGE, 30, MIN, "u2"),
        (USAGE, 30, MIN, "u3"),
        (DIAG, 30, MIN, "d2"),
    ]);
    p.drain(Records(&recs), counting_ids(), now, MIN);
    assert_eq!(p.tally().spooled, 5);
    p.set_choice(DIAG, now, MIN, || None);
    assert_eq!(p.tally().revoked, 3);
    assert_eq!(
        spooled_tags(&dir),
        ["d1", "d2"],
        "gone from disk when it returns"
    );
    // Events still arriving from the queue for the revoked category are dropped.
    p.drain(
        Records(&records(&[(USAGE, 30, MIN, "late"), (DIAG, 30, MIN, "d3")])),
        counting_ids(),
        now,
        MIN,
    );
    assert_eq!(p.tally().revoked, 4);
    p.close_due(now, true);
    let mut body = Vec::new();
    let mut sent = Vec::new();
    while let Some(out) = p.next_request(now, MIN, &mut body) {
        sent.extend(tags(&body));
        p.verdict(out.ticket, Verdict::Delivered, now, 0);
    }
    assert_eq!(sent, ["d1", "d2", "d3"]);
    assert_balanced(&p, 7);
}

#[test]
fn events_on_the_wire_at_an_opt_out_are_sent_if_delivered_and_revoked_otherwise() {
    for (verdict, sent, revoked) in [
        (Verdict::Delivered, 3, 0),
        (Verdict::Retry(None), 0, 3),
        (Verdict::Reject, 0, 3),
    ] {
        let dir = tmpdir("wire");
        let now = Instant::now();
        let mut p = start(limits(), Some(&dir), Some(USAGE), now);
        p.drain(Records(&usage(&["a", "b", "c"])), counting_ids(), now, MIN);
        let mut body = Vec::new();
        let out = p.next_request(now, MIN, &mut body).unwrap();
        p.set_choice(0, now, MIN, || None);
        // Deleted from disk and memory at once; pending until the answer says what it was.
        assert!(spooled_tags(&dir).is_empty());
        assert_eq!((p.pending(), p.tally().revoked), (3, 0));
        assert_balanced(&p, 3);
        p.verdict(out.ticket, verdict.clone(), now, 0);
        let t = p.tally();
        assert_eq!((t.sent, t.revoked), (sent, revoked), "{verdict:?}");
        assert_eq!(p.pending(), 0);
        assert_balanced(&p, 3);
        assert_eq!(
            p.next_request(now + Duration::from_secs(600), MIN, &mut body),
            None
        );
    }
}

#[test]
fn part_of_a_batch_revoked_on_the_wire_is_counted_once_whatever_the_answer() {
    let now = Instant::now();
    let mut p = start(limits(), None, Some(USAGE | DIAG), now);
    let recs = records(&[
        (USAGE, 30, MIN, "u"),
        (DIAG, 30, MIN, "d"),
        (USAGE, 30, MIN, "v"),
    ]);
    p.drain(Records(&recs), counting_ids(), now, MIN);
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.set_choice(DIAG, now, MIN, || None);
    p.verdict(out.ticket, Verdict::Retry(Some(Duration::ZERO)), now, 0);
    assert_eq!(p.tally().revoked, 2);
    let out = p.next_request(now, MIN, &mut body).unwrap();
    assert_eq!(
        tags(&body),
        ["d"],
        "the retry carries only what is still granted"
    );
    p.verdict(out.ticket, Verdict::Delivered, now, 0);
    assert_eq!((p.tally().sent, p.tally().revoked), (1, 2));
    assert_balanced(&p, 3);
}

#[test]
fn retention_deletes_expired_events_on_drain_sweep_and_before_a_send() {
    let dir = tmpdir("retention");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE), now);
    let day = 1440;
    let recs = records(&[
        (USAGE, 1, MIN - 2 * day, "stale"),
        (USAGE, 1, MIN, "one-day"),
        (USAGE, 30, MIN, "month"),
    ]);
    p.drain(Records(&recs), counting_ids(), now, MIN);
    assert_eq!(p.tally().expired, 1, "already past retention when drained");
    p.sweep(MIN + day);
    assert_eq!(p.tally().expired, 1, "a day old is still within one day");
    p.sweep(MIN + day + 1);
    assert_eq!(p.tally().expired, 2);
    assert_eq!(spooled_tags(&dir), ["month"]);
    p.close_due(now, true);
    let mut body = Vec::new();
    // Right before a send, retention is applied again.
    assert_eq!(p.next_request(now, MIN + 31 * day, &mut body), None);
    assert_eq!(p.tally().expired, 3);
    assert!(spooled_tags(&dir).is_empty());
    assert_balanced(&p, 3);
}

#[test]
fn a_deletion_request_goes_first_and_is_given_up_after_eight_attempts() {
    let now = Instant::now();
    let mut l = limits();
    l.install_id = true;
    l.deletion_request = true;
    let mut p = Pipeline::new(
        Start {
            limits: l,
            app: AppInfo::new("t", "1"),
            spool: None,
            choice: Some(USAGE | DIAG),
            may_send: true,
            install_id: Some("a".repeat(32)),
            metrics: Outbox::open(None, false, now),
        },
        now,
        MIN,
    );
    let recs = records(&[
        (DIAG, 30, MIN, "d1"),
        (DIAG, 30, MIN, "d2"),
        (DIAG, 30, MIN, "d3"),
    ]);
    p.drain(Records(&recs), counting_ids(), now, MIN);
    let effect = p.set_choice(DIAG, now, MIN, || Some("b".repeat(32)));
    assert!(effect.install_id_changed);
    assert_eq!(p.install_id(), Some(&*"b".repeat(32)), "rotated");
    let mut body = Vec::new();
    let mut at = now;
    for attempt in 0..DELETION_ATTEMPTS {
        let out = p.next_request(at, MIN, &mut body).unwrap();
        assert_eq!(out.kind, RequestKind::Deletion, "attempt {attempt}");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["install_id"], "a".repeat(32));
        assert_eq!(v["categories"], serde_json::json!(["usage"]));
        assert!(!p.settled());
        p.verdict(out.ticket, Verdict::Retry(None), at, u64::MAX);
        at += Duration::from_secs(120);
    }
    let out = p.next_request(at, MIN, &mut body).unwrap();
    assert_eq!(
        out.kind,
        RequestKind::Batch,
        "given up after eight attempts"
    );
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["install_id"], "b".repeat(32));
    p.verdict(out.ticket, Verdict::Delivered, at, 0);
    assert!(p.settled());
}

#[test]
fn the_pending_bound_stops_draining_and_an_oversized_spool_loses_its_oldest_batches() {
    let dir = tmpdir("bound");
    let now = Instant::now();
    let mut l = limits();
    l.max_pending_bytes = 400;
    let mut p = start(l.clone(), Some(&dir), Some(USAGE), now);
    let mut fed = 0;
    while p.accepts_more() {
        p.drain(Records(&usage(&["x", "y", "z"])), counting_ids(), now, MIN);
        fed += 3;
    }
    assert!(fed >= 3);
    assert_eq!(
        p.tally().overflow,
        0,
        "accepted events are never pushed out"
    );
    assert_balanced(&p, fed);
    drop(p);
    // Restarted with a lower bound: the oldest batches go, counted.
    l.max_pending_bytes = 150;
    let p = start(l, Some(&dir), Some(USAGE), now);
    assert!(p.tally().overflow > 0);
    assert_eq!(p.tally().loaded, fed);
    assert!(p.accepts_more() || p.pending() > 0);
    assert_balanced(&p, 0);
    let left = spooled_tags(&dir).len() as u64;
    assert_eq!(left, fed - p.tally().overflow, "the newest are kept");
}

#[test]
fn a_halted_pipeline_starts_nothing_and_writes_no_new_file() {
    let dir = tmpdir("halt");
    let now = Instant::now();
    let mut p = start(limits(), Some(&dir), Some(USAGE), now);
    p.drain(
        Records(&usage(&["a", "b", "c", "d", "e", "f"])),
        counting_ids(),
        now,
        MIN,
    );
    let mut body = Vec::new();
    let out = p.next_request(now, MIN, &mut body).unwrap();
    p.halt();
    let files = || std::fs::read_dir(&dir).unwrap().count();
    let before = files();
    // The request on the wire is answered 413: no split files after shutdown.
    p.verdict(out.ticket, Verdict::Split, now, 0);
    assert_eq!(files(), before);
    assert_eq!(p.next_request(now, MIN, &mut body), None);
    assert_eq!(p.wake_at(), None);
    assert!(p.settled());
    assert_eq!(
        spooled_tags(&dir).len(),
        6,
        "everything stays for the next start"
    );
    assert_balanced(&p, 6);
}

#[test]
fn no_ids_means_dropped_as_internal_not_lost_from_the_count() {
    let now = Instant::now();
    let mut p = start(limits(), None, Some(USAGE), now);
    p.drain(Records(&usage(&["a", "b"])), || None, now, MIN);
    assert_eq!((p.tally().internal, p.pending()), (2, 0));
    assert_balanced(&p, 2);
}

/// A secret of each kind the scanner knows, each only found by the full scan.
const SECRETS: &[&str] = &[
    "mail alice@example.com now",
    "peer 192.168.1.20 lost",
    "from 2001:db8::ff00:42:8329",
    "to 0x52908400098527886E0F7030069857D2E4169EE7",
    "pay 3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy now",
    "legal winner thank year wave sausage worth useful legal winner thank yellow",
    "card 5500-0000-0000-0004 declined",
    "sk_live_4eC39HqLyjWDarjtT1zdp7dc",
];

#[test]
fn a_flagged_secret_is_deleted_before_it_gets_an_id_a_batch_or_a_spool_record() {
    for (i, secret) in SECRETS.iter().enumerate() {
        assert_eq!(
            crate::scanner::prescreen(secret),
            crate::scanner::Prescreen::Check,
            "{secret}"
        );
        assert!(crate::scanner::scan(secret).is_some(), "{secret}");
        let dir = tmpdir("deferred");
        let now = Instant::now();
        let mut p = start(limits(), Some(&dir), Some(USAGE), now);
        // A harmless string the prescreen cannot clear travels with the flag too.
        let harmless = "wallet.transaction_signed";
        let mut issued = 0;
        p.drain(
            Records(&usage(&["a", secret, harmless, secret])),
            || {
                issued += 1;
                Some([issued; 16])
            },
            now,
            MIN,
        );
        assert_eq!(issued, 2, "no id for a secret ({i})");
        assert_eq!(p.tally().secret_deferred, 2);
        assert_eq!(spooled_tags(&dir), ["a", harmless]);
        let raw: Vec<u8> = std::fs::read_dir(&dir)
            .unwrap()
            .flat_map(|e| std::fs::read(e.unwrap().path()).unwrap())
            .collect();
        assert!(
            !raw.windows(secret.len()).any(|w| w == secret.as_bytes()),
            "{secret} in the spool"
        );
        p.close_due(now, true);
        let mut body = Vec::new();
        let out = p.next_request(now, MIN, &mut body).unwrap();
        assert_eq!(tags(&body), ["a", harmless]);
        p.verdict(out.ticket, Verdict::Delivered, now, 0);
        assert!(p.settled());
        assert_balanced(&p, 4);
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[test]
fn a_flagged_record_that_does_not_parse_is_deleted_not_sent() {
    let q = Queue::new(16, 1 << 20, 16, 1 << 20);
    let open = AtomicU8::new(0xff);
    let meta = Meta {
        bit: USAGE,
        retention_days: 30,
        minute: MIN,
    };
    q.push(
        meta,
        true,
        br#""name":"t.e","version":1,"fields":{"tag":"unterminated}"#,
        &open,
    );
    let mut buf = Vec::new();
    q.take(&mut buf);
    let now = Instant::now();
    let mut p = start(limits(), None, Some(USAGE), now);
    p.drain(Records(&buf), counting_ids(), now, MIN);
    assert_eq!((p.tally().internal, p.pending()), (1, 0));
    assert_balanced(&p, 1);
}

#[derive(Clone, Debug)]
enum Op {
    Track(u8, u8, bool),
    Close,
    Send,
    Answer(u8),
    Choose(u8),
    Sweep(u32),
    Halt,
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (1u8..=5, 1u8..=3, any::<bool>()).prop_map(|(n, bits, secret)| Op::Track(n, bits, secret)),
        2 => Just(Op::Close),
        4 => Just(Op::Send),
        4 => (0u8..7).prop_map(Op::Answer),
        2 => (0u8..4).prop_map(Op::Choose),
        1 => (0u32..3).prop_map(Op::Sweep),
        1 => Just(Op::Halt),
        1 => Just(Op::Restart),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Whatever the interleaving of events, consent changes, answers and restarts, every
    /// accepted or loaded event is counted exactly once: sent, dropped, or pending. And what
    /// is spooled survives a restart.
    #[test]
    fn every_event_is_counted_exactly_once(ops in proptest::collection::vec(op(), 1..40)) {
        let dir = tmpdir("prop");
        let now = Instant::now();
        let mut choice = USAGE | DIAG;
        let mut p = start(limits(), Some(&dir), Some(choice), now);
        let mut accepted = 0u64;
        let mut minute = MIN;
        let mut body = Vec::new();
        let mut out: Option<Outgoing> = None;
        let mut id = 0u8;
        for op in ops {
            match op {
                Op::Track(n, bits, secret) => {
                    // Only what the gate lets through enters the queue. With `secret`, every
                    // other event carries a secret that only the sender's full scan finds.
                    let ev: Vec<(u8, u32, u32, &str)> = (0..n)
                        .map(|i| match bits {
                            3 if i % 2 == 0 => USAGE,
                            3 => DIAG,
                            b => b,
                        })
                        .enumerate()
                        .filter(|(_, bit)| bit & choice != 0)
                        .map(|(i, bit)| {
                            let tag = if secret && i % 2 == 1 { SECRETS[i % SECRETS.len()] } else { "e" };
                            (bit, 1, minute, tag)
                        })
                        .collect();
                    if !p.halted() && p.accepts_more() {
                        accepted += ev.len() as u64;
                        p.drain(Records(&records(&ev)), || { id = id.wrapping_add(1); Some([id; 16]) }, now, minute);
                    }
                }
                Op::Close => p.close_due(now, true),
                Op::Send => {
                    if out.is_none() {
                        out = p.next_request(now, minute, &mut body);
                        if out.is_some() {
                            prop_assert!(tags(&body).iter().all(|t| t == "e"), "{:?}", tags(&body));
                        }
                    }
                }
                Op::Answer(k) => {
                    if let Some(o) = out.take() {
                        let v = match k {
                            0 => Verdict::Delivered,
                            1 => Verdict::Retry(Some(Duration::ZERO)),
                            2 => Verdict::Split,
                            3 => Verdict::Reject,
                            // A receiver that took part of the document (a vendor sink);
                            // possibly claiming more refusals than the document holds.
                            4 => Verdict::DeliveredExcept(1),
                            5 => Verdict::DeliveredExcept(u64::MAX),
                            _ => Verdict::Retry(None),
                        };
                        p.verdict(o.ticket, v, now, 0);
                    }
                }
                Op::Choose(c) => {
                    choice = c & (USAGE | DIAG);
                    p.set_choice(choice, now, minute, || None);
                }
                Op::Sweep(days) => {
                    minute += days * 1440 + 1;
                    p.sweep(minute);
                }
                Op::Halt => p.halt(),
                Op::Restart => {
                    if out.is_none() {
                        p.close_due(now, true);
                        let before = p.spooled();
                        assert_balanced(&p, accepted);
                        drop(p);
                        p = start(limits(), Some(&dir), Some(choice), now);
                        // Restarted at the same minute: what was spooled is all back
                        // (retention and consent were applied before the restart).
                        let loaded_now = p.pending();
                        prop_assert_eq!(loaded_now, before);
                        prop_assert!(spooled_tags(&dir).iter().all(|t| t == "e"));
                        accepted = 0;
                    }
                }
            }
            assert_balanced(&p, accepted);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
