//! Aggregation under concurrency: whatever the interleaving of recorders and snapshots, the
//! sum over all snapshots equals what was recorded, and nothing records while the gate is
//! closed.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use proptest::prelude::*;

use super::registry::Registry;
use super::*;
use crate::consent::Consent;
use crate::field_value::EventEnum;

#[derive(Clone, Copy, Debug)]
enum L {
    A,
    B,
    C,
}

impl EventEnum for L {
    const VALUES: &'static [&'static str] = &["a", "b", "c"];
    const VALUES_FINGERPRINT: u64 = 0;
    fn value(&self) -> &'static str {
        Self::VALUES[*self as usize]
    }
    fn from_value(_: &str) -> Option<Self> {
        None
    }
}

const fn meta(shape: MetricShape) -> MetricMeta {
    MetricMeta {
        name: "t.m",
        version: 1,
        consent: Consent::Performance,
        retention_days: 30,
        expires_day: u32::MAX,
        fingerprint: "0000000000000000",
        shape,
    }
}

struct Set {
    c: Counter,
    l: LabeledCounter<L>,
    d: Distribution,
    q: Quantity,
}

impl Metrics for Set {
    fn cells(&'static self) -> Vec<&'static dyn MetricCell> {
        vec![&self.c, &self.l, &self.d, &self.q]
    }
}

fn new_set() -> &'static Set {
    Box::leak(Box::new(Set {
        c: Counter::new(meta(MetricShape::Counter)),
        l: LabeledCounter::new(meta(MetricShape::LabeledCounter)),
        d: Distribution::new(meta(MetricShape::Distribution {
            unit: MetricUnit::Ms,
            buckets: &[0, 10, 100],
        })),
        q: Quantity::new(meta(MetricShape::Quantity {
            unit: MetricUnit::Count,
            min: 0,
            max: 1000,
        })),
    }))
}

/// Totals over snapshot documents: (counter, label a+b+c, distribution count, sum).
fn totals(taken: &[registry::Taken], into: &mut [u64; 4]) {
    for t in taken {
        let v: serde_json::Value =
            serde_json::from_slice(&[b"[", &t.entries[..], b"]"].concat()).unwrap();
        for m in v.as_array().unwrap() {
            match m["type"].as_str().unwrap() {
                "counter" => into[0] += m["value"].as_u64().unwrap(),
                "labeled_counter" => {
                    for (_, n) in m["values"].as_object().unwrap() {
                        into[1] += n.as_u64().unwrap();
                    }
                }
                "distribution" => {
                    for n in m["counts"].as_array().unwrap() {
                        into[2] += n.as_u64().unwrap();
                    }
                    into[3] += m["sum"].as_u64().unwrap();
                }
                _ => {}
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Several threads record while another takes snapshots: every increment is in exactly
    /// one snapshot.
    #[test]
    fn concurrent_increments_are_counted_exactly_once(
        threads in 2usize..5,
        per_thread in 1u64..3_000,
        values in proptest::collection::vec(0u64..200, 1..8),
    ) {
        let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        let set = new_set();
        let mut reg = Registry::default();
        reg.add(set);
        reg.refresh(Consent::Performance.bit(), 0);
        let done = AtomicBool::new(false);
        let mut sums = [0u64; 4];
        thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|t| {
                    let values = &values;
                    s.spawn(move || {
                        for i in 0..per_thread {
                            set.c.inc();
                            set.l.inc([L::A, L::B, L::C][(i as usize + t) % 3]);
                            set.d.record(values[i as usize % values.len()]);
                            set.q.set(i);
                        }
                    })
                })
                .collect();
            let snapshots = s.spawn(|| {
                let mut reg = Registry::default();
                reg.add(set);
                let mut sums = [0u64; 4];
                while !done.load(Ordering::Acquire) {
                    totals(&reg.snapshot(Consent::MASK_ALL), &mut sums);
                    thread::yield_now();
                }
                sums
            });
            for w in workers {
                w.join().unwrap();
            }
            done.store(true, Ordering::Release);
            sums = snapshots.join().unwrap();
        });
        totals(&reg.snapshot(Consent::MASK_ALL), &mut sums);
        let n = threads as u64 * per_thread;
        let value_sum: u64 = (0..per_thread).map(|i| values[i as usize % values.len()]).sum::<u64>() * threads as u64;
        prop_assert_eq!(sums, [n, n, n, value_sum]);
    }
}

#[test]
fn a_closed_gate_records_nothing_and_a_revoked_category_is_discarded() {
    let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let set = new_set();
    let mut reg = Registry::default();
    reg.add(set);
    set.c.add(5);
    set.d.record(3);
    set.q.set(1);
    set.l.inc(L::B);
    assert!(reg.snapshot(Consent::MASK_ALL).is_empty(), "never opened");
    reg.refresh(Consent::Usage.bit(), 0);
    set.c.add(5);
    assert!(
        reg.snapshot(Consent::MASK_ALL).is_empty(),
        "another category"
    );
    reg.refresh(Consent::Performance.bit(), 0);
    set.c.add(5);
    // Recorded, then the category is no longer chosen at snapshot time: discarded.
    assert!(reg.snapshot(Consent::Usage.bit()).is_empty());
    assert!(
        reg.snapshot(Consent::MASK_ALL).is_empty(),
        "discarded, not kept"
    );
    set.c.add(2);
    reg.clear(Consent::Performance.bit());
    assert!(
        reg.snapshot(Consent::MASK_ALL).is_empty(),
        "cleared by an opt-out"
    );
}

#[test]
fn an_expired_metric_stays_closed() {
    let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let set: &'static Counter = Box::leak(Box::new(Counter::new(MetricMeta {
        expires_day: 100,
        ..meta(MetricShape::Counter)
    })));
    struct One(&'static Counter);
    impl Metrics for One {
        fn cells(&'static self) -> Vec<&'static dyn MetricCell> {
            vec![self.0]
        }
    }
    let mut reg = Registry::default();
    reg.add(Box::leak(Box::new(One(set))));
    reg.refresh(Consent::MASK_ALL, 99);
    set.inc();
    reg.refresh(Consent::MASK_ALL, 100);
    set.inc();
    set.add(5);
    assert_eq!(
        reg.take_expired(),
        2,
        "each refused recording is counted once"
    );
    assert_eq!(reg.take_expired(), 0);
    // Without consent an expired metric is simply closed: nothing recorded, nothing counted.
    reg.refresh(0, 100);
    set.inc();
    assert_eq!(reg.take_expired(), 0);
    let taken = reg.snapshot(Consent::MASK_ALL);
    assert_eq!(taken.len(), 1);
    assert!(std::str::from_utf8(&taken[0].entries)
        .unwrap()
        .contains("\"value\":1}"));
}

#[test]
fn registering_twice_adds_nothing() {
    let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let set = new_set();
    let mut reg = Registry::default();
    assert_eq!(reg.add(set), 4);
    assert_eq!(reg.add(set), 0);
}

#[test]
fn quantities_keep_the_last_value_clamped_and_distributions_round_down() {
    let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let set = new_set();
    let mut reg = Registry::default();
    reg.add(set);
    reg.refresh(Consent::MASK_ALL, 0);
    set.q.set(5);
    set.q.set(5000);
    set.d.record(9);
    set.d.record(10);
    set.d.record(u64::MAX - 1);
    set.d
        .record_duration(std::time::Duration::from_micros(99_999));
    let taken = reg.snapshot(Consent::MASK_ALL);
    let v: serde_json::Value =
        serde_json::from_slice(&[b"[", &taken[0].entries[..], b"]"].concat()).unwrap();
    let d = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "distribution")
        .unwrap();
    assert_eq!(d["counts"], serde_json::json!([1, 2, 1]));
    let q = v
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["type"] == "quantity")
        .unwrap();
    assert_eq!(q["value"], 1000);
}

/// More threads than slots, started and stopped while snapshots are taken, some adding large
/// amounts: every increment is in exactly one snapshot, whether it went through a thread's
/// own slot, a slot handed over from an exited thread, or the shared atomic.
#[test]
fn counter_sums_exactly_across_slot_handover_and_the_shared_fallback() {
    let _serial = shard::TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let set = new_set();
    let mut reg = Registry::default();
    reg.add(set);
    reg.refresh(Consent::Performance.bit(), 0);
    let done = AtomicBool::new(false);
    let mut total = 0u64;
    let mut expected = 0u64;
    thread::scope(|s| {
        let taker = s.spawn(|| {
            let mut reg = Registry::default();
            reg.add(set);
            let mut sums = [0u64; 4];
            while !done.load(Ordering::Acquire) {
                totals(&reg.snapshot(Consent::MASK_ALL), &mut sums);
                thread::yield_now();
            }
            sums[0]
        });
        for round in 0..6u64 {
            // 24 live threads at once: at least 8 record through the shared atomic.
            let workers: Vec<_> = (0..24u64)
                .map(|t| {
                    s.spawn(move || {
                        for i in 0..2_000u64 {
                            set.c.add(1 + (i + t + round) % 1_000);
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            expected += (0..24u64)
                .map(|t| {
                    (0..2_000u64)
                        .map(|i| 1 + (i + t + round) % 1_000)
                        .sum::<u64>()
                })
                .sum::<u64>();
        }
        done.store(true, Ordering::Release);
        total = taker.join().unwrap();
    });
    let mut sums = [0u64; 4];
    totals(&reg.snapshot(Consent::MASK_ALL), &mut sums);
    assert_eq!(total + sums[0], expected);
}
