//! Checkpoints off the writer's thread: a thread with its own connection copies the WAL's
//! pages into the database file (and fsyncs it) while the writer goes on committing.
//!
//! With SQLite's automatic checkpoint the writer itself does that copy every thousand pages,
//! inside the `COMMIT` that crosses the line, so a batch waits for pages of earlier batches to
//! be written back: measured, that was about 40 % of the writer's time per batch
//! (docs/benchmarks.md "Collector"). Here the writer only nudges this thread after a commit;
//! the thread runs a `PASSIVE` checkpoint (which never blocks the writer or readers) at most
//! every [`INTERVAL`].
//!
//! Durability is unchanged: a commit is in the WAL before it is acknowledged, whichever thread
//! later copies it into the database file. The writer keeps SQLite's automatic checkpoint at a
//! high mark ([`WRITER_MARK`] pages): a passive checkpoint cannot reset the WAL while commits
//! keep arriving, so the writer's own checkpoint, with little left to copy, is what lets the
//! WAL start over and keeps it bounded.
//!
//! The WAL truncation after a deletion or a sweep (which erases old page images of deleted
//! rows) takes [`Checkpointer::hold`] first, so it never finds this thread mid-checkpoint
//! and skips its work.

use std::path::Path;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Least time between two background checkpoints.
pub(super) const INTERVAL: Duration = Duration::from_millis(50);

/// WAL pages at which the writer checkpoints by itself (SQLite's `wal_autocheckpoint`).
pub(super) const WRITER_MARK: u32 = 4000;

#[derive(Default)]
struct State {
    /// Commits since the last checkpoint.
    nudged: bool,
    stop: bool,
}

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    /// Held for the length of any checkpoint of this file by this process.
    busy: Mutex<()>,
}

/// The checkpointing thread of one writer; stopped and joined on drop.
pub(super) struct Checkpointer {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread with its own connection to `path`. Without one, the writer's own
    /// automatic checkpoint still keeps the WAL bounded.
    pub(super) fn start(path: &Path) -> Checkpointer {
        let shared = Arc::new(Shared {
            state: Mutex::new(State::default()),
            wake: Condvar::new(),
            busy: Mutex::new(()),
        });
        let thread = Connection::open(path).ok().and_then(|conn| {
            let _ = conn.busy_timeout(Duration::from_millis(100));
            let s = shared.clone();
            std::thread::Builder::new()
                .name("candor-sqlite-checkpoint".into())
                .spawn(move || run(&conn, &s))
                .ok()
        });
        Checkpointer { shared, thread }
    }

    /// After a commit: there are pages to copy.
    pub(super) fn nudge(&self) {
        if let Ok(mut st) = self.shared.state.lock() {
            if !st.nudged {
                st.nudged = true;
                self.shared.wake.notify_one();
            }
        }
    }

    /// Waits for a running checkpoint to end and keeps the thread from starting one while
    /// the guard lives.
    pub(super) fn hold(&self) -> MutexGuard<'_, ()> {
        self.shared
            .busy
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        if let Ok(mut st) = self.shared.state.lock() {
            st.stop = true;
        }
        self.shared.wake.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn run(conn: &Connection, shared: &Shared) {
    let mut last = Instant::now() - INTERVAL;
    loop {
        {
            let Ok(mut st) = shared.state.lock() else {
                return;
            };
            while !st.nudged && !st.stop {
                st = match shared.wake.wait(st) {
                    Ok(st) => st,
                    Err(_) => return,
                };
            }
            if st.stop {
                return;
            }
            st.nudged = false;
        }
        // Commits arriving meanwhile set `nudged` again and are copied by the next round.
        let wait = INTERVAL.saturating_sub(last.elapsed());
        if !wait.is_zero() {
            std::thread::sleep(wait);
        }
        let _busy = shared.busy.lock();
        // Best effort: a failed or partial checkpoint leaves pages in the WAL, where they are
        // as durable as in the database file, for the next round or the writer's own.
        let _ = conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()));
        last = Instant::now();
    }
}
