//! The consent gate and the opt-out purge work through a vendor sink exactly as through the
//! HTTP transport, and deletion requests, which no vendor's ingestion credentials can honour,
//! are refused up front.

use std::io::ErrorKind;
use std::time::Duration;

use candor::{Client, Consent};

use crate::support::*;

/// Closes the open batch with everything tracked so far and sends it, without waiting: the
/// test goes on while the batch is on the wire.
fn flush_in_background(c: &Client) {
    let c = c.clone();
    std::thread::spawn(move || c.flush(Duration::from_secs(30)));
}

#[test]
fn nothing_reaches_a_vendor_before_consent() {
    for vendor in Vendor::ALL {
        let fake = Fake::start(vendor);
        let c = Client::start(config(), fake.sink()).unwrap();
        track(&c, 10);
        c.flush(Duration::from_millis(200));
        assert_eq!(c.counters().tracked, 0, "{vendor}: not even recorded");
        c.set_consent(Consent::Diagnostics, true); // another category
        track(&c, 10);
        c.flush(Duration::from_millis(200));
        c.shutdown(Duration::from_secs(1));
        assert_eq!(fake.server.arrivals(), 0, "{vendor}");
    }
}

#[test]
fn an_opt_out_deletes_spooled_and_retrying_batches_and_nothing_reaches_the_vendor_after() {
    for vendor in Vendor::ALL {
        let spool = temp_dir("optout");
        let fake = Fake::start(vendor);
        fake.faults(|_| Some(Answer::status(503)));
        let mut cfg = config();
        cfg.spool_dir = Some(spool.clone());
        let c = client(cfg, sink_with(vendor, &fake.base(), per_request(3)));
        track(&c, 9);
        wait_until(Duration::from_secs(20), || fake.server.request_count() >= 2);
        c.set_consent(Consent::Usage, false);
        // Nothing is left on disk once set_consent returns.
        let left: Vec<_> = std::fs::read_dir(&spool)
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().ends_with(".cnd"))
            .collect();
        assert!(left.is_empty(), "{vendor}: spool files left: {left:?}");
        // A request that had started before set_consent returned may still arrive: wait
        // until its answer is back (its events leave `pending` then). From now on the vendor
        // hears nothing.
        wait_until(Duration::from_secs(10), || c.counters().pending == 0);
        let before = fake.server.arrivals();
        fake.heal();
        assert!(c.flush(Duration::from_millis(300)).is_complete());
        c.shutdown(Duration::from_secs(1));
        assert_eq!(
            fake.server.arrivals(),
            before,
            "{vendor}: a request after the opt-out"
        );
        assert!(fake.accepted_ids().is_empty(), "{vendor}");
        let counters = c.counters();
        assert_eq!(
            (counters.sent, counters.dropped.revoked),
            (0, 9),
            "{vendor}"
        );
        let _ = std::fs::remove_dir_all(&spool);
    }
}

#[test]
fn an_opt_out_stops_a_batch_between_its_vendor_requests() {
    for vendor in Vendor::ALL {
        let fake = Fake::start(vendor);
        // Each answer takes a while: the opt-out lands while the first request is out.
        fake.server.respond_with(move |r| {
            std::thread::sleep(Duration::from_millis(300));
            judge(vendor, r).0
        });
        let mut cfg = config();
        cfg.batch_interval = Duration::from_secs(60);
        let c = client(cfg, sink_with(vendor, &fake.base(), per_request(2)));
        track(&c, 10);
        flush_in_background(&c); // one batch of the ten, five vendor requests
        wait_until(Duration::from_secs(20), || fake.server.arrivals() >= 1);
        c.set_consent(Consent::Usage, false);
        wait_until(Duration::from_secs(10), || c.counters().pending == 0);
        std::thread::sleep(Duration::from_millis(400)); // time for a next request, if any
        c.shutdown(Duration::from_secs(1));
        // Only the request already out when set_consent returned reached the vendor; the
        // four after it never started.
        assert_eq!(fake.server.arrivals(), 1, "{vendor}");
        assert!(fake.accepted_ids().len() <= 2, "{vendor}");
        assert_eq!(c.counters().pending, 0);
    }
}

#[test]
fn shutdown_stops_a_batch_between_its_vendor_requests_and_the_next_start_delivers_it() {
    for vendor in Vendor::ALL {
        let spool = temp_dir("shutdown-spool");
        let state = temp_dir("shutdown-state");
        let cfg = || {
            let mut c = config();
            c.batch_interval = Duration::from_secs(60);
            c.spool_dir = Some(spool.clone());
            c.state_dir = Some(state.clone());
            c
        };
        let fake = Fake::start(vendor);
        fake.server.respond_with(move |r| {
            std::thread::sleep(Duration::from_millis(300));
            judge(vendor, r).0
        });
        let c = client(cfg(), sink_with(vendor, &fake.base(), per_request(2)));
        track(&c, 10);
        flush_in_background(&c); // one batch of the ten, five vendor requests
        wait_until(Duration::from_secs(20), || fake.server.arrivals() >= 1);
        let report = c.shutdown(Duration::from_millis(20));
        assert_eq!(report.spooled, 10, "{vendor}: the batch stays on disk");
        wait_until(Duration::from_secs(10), || fake.server.settled());
        std::thread::sleep(Duration::from_millis(400)); // time for a next request, if any
        assert_eq!(
            fake.server.arrivals(),
            1,
            "{vendor}: nothing started after shutdown"
        );
        drop(c);

        fake.heal();
        let c = Client::start(cfg(), fake.sink()).unwrap();
        assert!(c.flush(Duration::from_secs(20)).is_complete(), "{vendor}");
        c.shutdown(Duration::from_secs(1));
        // Everything arrived; the two events of the request that was out when the first run
        // stopped may have been kept twice (sent again under the same vendor ids, which the
        // vendor deduplicates), nothing else.
        let accepted = fake.accepted_ids();
        let unique: std::collections::BTreeSet<&String> = accepted.iter().collect();
        assert_eq!(unique.len(), 10, "{vendor}");
        assert!(accepted.len() <= 12, "{vendor}: {accepted:?}");
        let _ = std::fs::remove_dir_all(&spool);
        let _ = std::fs::remove_dir_all(&state);
    }
}

#[test]
fn deletion_requests_are_refused_when_the_client_starts() {
    for vendor in Vendor::ALL {
        let state = temp_dir("deletion");
        let mut cfg = config();
        cfg.install_id = true;
        cfg.deletion_request = true;
        cfg.state_dir = Some(state.clone());
        let fake = Fake::start(vendor);
        let err = Client::start(cfg.clone(), fake.sink()).expect_err("refused");
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{vendor}");
        assert!(err.to_string().contains("deletion"), "{err}");
        // Installation ids with rotation, but no promise of erasure: fine.
        cfg.deletion_request = false;
        let c = client(cfg, fake.sink());
        assert!(c.install_id().is_some());
        c.set_consent(Consent::Usage, false);
        c.shutdown(Duration::from_secs(1));
        assert_eq!(fake.server.arrivals(), 0);
        let _ = std::fs::remove_dir_all(&state);
    }
}
