//! Vendor ids survive restarts: a batch that could not be delivered is spooled, and the next
//! run delivers it with the same vendor ids its failed attempts carried, so a vendor that saw
//! an attempt (and answered too late) keeps one copy.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::support::*;

fn ids_survive_a_restart(vendor: Vendor) {
    let spool = temp_dir("restart-spool");
    let state = temp_dir("restart-state");
    let cfg = || {
        let mut c = config();
        c.spool_dir = Some(spool.clone());
        c.state_dir = Some(state.clone());
        c
    };
    let fake = Fake::start(vendor);
    fake.faults(|_| Some(Answer::status(503)));
    {
        // One batch of the twelve (closed by the flush), so every attempt carries them all.
        let mut first = cfg();
        first.batch_interval = Duration::from_secs(60);
        let c = client(first, fake.sink());
        track(&c, 12);
        assert_eq!(c.flush(Duration::from_millis(100)).pending, 12);
        wait_until(Duration::from_secs(20), || fake.server.request_count() >= 2);
        let report = c.shutdown(Duration::from_millis(200));
        assert_eq!((report.pending, report.spooled), (12, 12), "{vendor}");
    }
    let reqs = fake.server.requests();
    let first_attempts: Vec<BTreeSet<String>> = reqs
        .iter()
        .map(|r| ids(vendor, &r.json).into_iter().collect())
        .collect();
    assert!(first_attempts.len() >= 2);
    assert_eq!(first_attempts[0].len(), 12);
    assert!(
        first_attempts.iter().all(|a| a == &first_attempts[0]),
        "{vendor}: every retry carried the same ids"
    );
    let before = reqs.len();

    fake.heal();
    // The next run: consent from the state directory, the batch from the spool.
    let c = candor::Client::start(cfg(), fake.sink()).unwrap();
    assert!(c.flush(Duration::from_secs(20)).is_complete(), "{vendor}");
    // Normally the next run loads the twelve and sends them. On a slow machine the first
    // run's last request, on the wire when it stopped, may be answered after the fake healed:
    // that run then saw its batch delivered and took it out of the spool, and the next run
    // has nothing to load. Either way the vendor must end up with the twelve, once each.
    let k = c.counters();
    assert!(k.loaded == 12 || k.loaded == 0, "{vendor}: {k:?}");
    assert_eq!(k.sent, k.loaded, "{vendor}: {k:?}");
    c.shutdown(Duration::from_secs(2));
    // At-least-once: a request of the first run still on the wire when it stopped may be
    // answered after the fake healed, and the next start sends the spooled batch again; the
    // same vendor ids make that a duplicate the vendor drops.
    let kept = fake.assert_kept(12);
    assert!(fake.accepted_ids().len() <= 24);
    assert_eq!(
        kept, first_attempts[0],
        "{vendor}: the same vendor ids after the restart"
    );
    if k.loaded == 12 {
        assert!(fake.server.requests().len() > before);
    }
    let _ = std::fs::remove_dir_all(&spool);
    let _ = std::fs::remove_dir_all(&state);
}

#[test]
fn segment_ids_survive_a_restart() {
    ids_survive_a_restart(Vendor::Segment);
}

#[test]
fn mixpanel_ids_survive_a_restart() {
    ids_survive_a_restart(Vendor::Mixpanel);
}

#[test]
fn snowplow_ids_survive_a_restart() {
    ids_survive_a_restart(Vendor::Snowplow);
}

#[test]
fn posthog_ids_survive_a_restart() {
    ids_survive_a_restart(Vendor::PostHog);
}

#[test]
fn otlp_ids_survive_a_restart() {
    ids_survive_a_restart(Vendor::Otlp);
}
