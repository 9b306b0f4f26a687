//! Per-thread slots for [`Counter`](super::Counter): which slot of a sharded counter the
//! calling thread owns.
//!
//! A relaxed `fetch_add` on x86-64 is a locked `xadd` (about 20 cycles even on an uncontended
//! line); a thread that owns its slot can instead load, add and store, which is not locked and
//! still exact, because nobody else writes that slot. Slots are numbered `0..SLOTS` and shared
//! by every sharded counter: a thread takes the lowest free number the first time it records,
//! and gives it back when it exits, so pools that start and stop threads keep reusing the
//! same numbers. A thread that finds every number taken (more than `SLOTS` threads
//! recording at once) records through the counter's shared atomic instead, with a
//! `fetch_add`: slower, equally exact.
//!
//! Handing a number over is ordered by the mutex of the free list: the exiting thread's last
//! store to its slots happens before it returns the number, and the next owner takes the
//! number under the same mutex before its first load.

use std::cell::Cell;
use std::sync::Mutex;

/// How many threads can own a slot at once.
pub(crate) const SLOTS: usize = 16;

/// `SLOT` before the thread's first recording.
const UNASSIGNED: u8 = u8::MAX;
/// `SLOT` of a thread that records through the shared atomic for the rest of its life: every
/// number was taken, or the thread is already exiting.
const SHARED: u8 = u8::MAX - 1;

/// Free slot numbers, one bit each.
static FREE: Mutex<u32> = Mutex::new((1u32 << SLOTS) - 1);

thread_local! {
    /// The calling thread's slot number, `UNASSIGNED` or `SHARED`. `const` and without a
    /// destructor, so reading it is one thread-local load and works even while the thread's
    /// other thread-locals are being destroyed.
    static SLOT: Cell<u8> = const { Cell::new(UNASSIGNED) };
    /// Returns the slot number when the thread exits.
    static RETURN_ON_EXIT: Returner = const { Returner };
}

struct Returner;

impl Drop for Returner {
    fn drop(&mut self) {
        let slot = SLOT.with(|s| s.replace(SHARED));
        if usize::from(slot) < SLOTS {
            let mut free = FREE.lock().unwrap_or_else(|e| e.into_inner());
            *free |= 1 << slot;
        }
    }
}

/// The calling thread's slot, or `None` when it records through the shared atomic.
#[inline(always)]
pub(crate) fn current() -> Option<usize> {
    let slot = SLOT.with(Cell::get);
    if usize::from(slot) < SLOTS {
        Some(usize::from(slot))
    } else if slot == UNASSIGNED {
        assign()
    } else {
        None
    }
}

#[cold]
#[inline(never)]
fn assign() -> Option<usize> {
    // Registering the destructor first: a thread that is already exiting cannot register it,
    // and must not take a number it would never give back.
    if RETURN_ON_EXIT.try_with(|_| ()).is_err() {
        SLOT.with(|s| s.set(SHARED));
        return None;
    }
    let mut free = FREE.lock().unwrap_or_else(|e| e.into_inner());
    if *free == 0 {
        drop(free);
        SLOT.with(|s| s.set(SHARED));
        return None;
    }
    let slot = free.trailing_zeros() as u8;
    *free &= !(1 << slot);
    drop(free);
    SLOT.with(|s| s.set(slot));
    Some(usize::from(slot))
}

/// Held by the unit tests whose threads record counters, so that a test counting slots does
/// not see another test's threads holding them.
#[cfg(test)]
pub(crate) static TEST_LOCK: Mutex<()> = Mutex::new(());

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;
    use std::sync::Barrier;

    #[test]
    fn live_threads_never_share_a_slot_and_exited_threads_return_theirs() {
        let _serial = TEST_LOCK.lock().unwrap_or_else(|e| e.into_inner());
        // More threads than slots, alive at once: the numbers handed out are distinct and
        // the rest record through the shared atomic.
        let threads = SLOTS + 8;
        let barrier = Barrier::new(threads);
        let slots: Vec<Option<usize>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let slot = current();
                        assert_eq!(current(), slot, "a thread keeps its slot");
                        barrier.wait();
                        slot
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let owned: Vec<usize> = slots.iter().flatten().copied().collect();
        let distinct: HashSet<usize> = owned.iter().copied().collect();
        assert_eq!(
            owned.len(),
            distinct.len(),
            "two live threads shared a slot"
        );
        assert!(owned.iter().all(|&s| s < SLOTS));
        // Only test-harness threads that recorded before and are still running can hold a
        // number now; every other number must have been handed out.
        assert!(
            owned.len() >= SLOTS - 2,
            "only {} slots handed out",
            owned.len()
        );
        assert_eq!(
            slots.iter().filter(|s| s.is_none()).count(),
            threads - owned.len()
        );
        // Every thread above has exited and returned its number: a new thread gets one.
        let again = std::thread::spawn(current).join().unwrap();
        assert!(again.is_some(), "exited threads did not return their slots");
    }
}
