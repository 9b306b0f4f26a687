//! The one writer: a thread that owns the store and takes work from a bounded queue.
//!
//! Every request that needs the store waits on its own reply channel, so a batch is answered
//! 2xx only after the transaction holding it committed. Consecutive batches waiting in the
//! queue are written in one transaction (group commit): under load, many requests share one
//! commit, which is what lets SQLite keep up; alone, a batch is its own group and waits for
//! nobody. The queue is bounded: when it is full the request is answered 503 at once instead
//! of being held in memory (`server`).

use std::sync::Arc;

use candor_schema::ir::Consent;
use tokio::sync::{mpsc, oneshot};

use crate::log;
use crate::schemas::Schemas;
use crate::store::{Store, StoreError, Swept};
use crate::validate::Checked;

// Carries batches and reply channels: shown by name only.
impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Job").finish_non_exhaustive()
    }
}

/// Work for the writer.
pub enum Job {
    Batch {
        checked: Checked,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    Deletion {
        install_id: [u8; 16],
        categories: Vec<Consent>,
        /// Day of receipt (days since the epoch).
        day: i64,
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
    Sweep {
        today: i64,
        reply: oneshot::Sender<Result<Swept, StoreError>>,
    },
    Ping {
        reply: oneshot::Sender<Result<(), StoreError>>,
    },
}

/// Starts the writer thread; it ends when every sender is dropped and the queue is drained.
pub fn spawn(
    mut store: Box<dyn Store>,
    schemas: Arc<Schemas>,
    queue: usize,
    max_group: usize,
) -> (mpsc::Sender<Job>, std::thread::JoinHandle<()>) {
    let (tx, mut rx) = mpsc::channel::<Job>(queue.max(1));
    let handle = std::thread::Builder::new()
        .name("candor-writer".into())
        .spawn(move || {
            let mut health = Health::default();
            let mut held: Option<Job> = None;
            let mut group: Vec<(Checked, oneshot::Sender<Result<(), StoreError>>)> = Vec::new();
            loop {
                let job = match held.take() {
                    Some(j) => j,
                    None => match rx.blocking_recv() {
                        Some(j) => j,
                        None => break,
                    },
                };
                match job {
                    Job::Batch { checked, reply } => {
                        group.push((checked, reply));
                        while group.len() < max_group.max(1) {
                            match rx.try_recv() {
                                Ok(Job::Batch { checked, reply }) => group.push((checked, reply)),
                                Ok(other) => {
                                    held = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        let refs: Vec<&Checked> = group.iter().map(|(c, _)| c).collect();
                        let result = store.write(&schemas, &refs);
                        health.note(&result);
                        for (_, reply) in group.drain(..) {
                            let _ = reply.send(result.clone());
                        }
                    }
                    Job::Deletion {
                        install_id,
                        categories,
                        day,
                        reply,
                    } => {
                        let result = store.delete_install(&install_id, &categories, day);
                        health.note(&result);
                        let _ = reply.send(result);
                    }
                    Job::Sweep { today, reply } => {
                        let result = store.sweep(today);
                        health.note(&result);
                        let _ = reply.send(result);
                    }
                    Job::Ping { reply } => {
                        let result = store.ping();
                        health.note(&result);
                        let _ = reply.send(result);
                    }
                }
            }
        })
        .expect("the writer thread starts");
    (tx, handle)
}

/// Logs when the store starts failing and when it recovers, not every failure.
#[derive(Default)]
struct Health {
    failing: bool,
}

impl Health {
    fn note<T>(&mut self, result: &Result<T, StoreError>) {
        match result {
            Err(e) if !self.failing => {
                self.failing = true;
                log::line(&format!(
                    "store failing, answering 503 until it recovers: {e}"
                ));
            }
            Ok(_) if self.failing => {
                self.failing = false;
                log::line("store recovered");
            }
            _ => {}
        }
    }
}
