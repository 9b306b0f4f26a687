//! `candor-collector`: the receiving end of candor. It takes the batches, metrics documents and
//! deletion requests the runtime sends, checks every event and metric against the same compiled
//! schemas the app was built with, and keeps the promises on the server side: only declared, non-personal fields are
//! stored; nothing about the connection is kept; rows leave at their retention; a deletion
//! request removes an installation's rows.
//!
//! Module map, in the order a request meets them:
//! - [`server`]: HTTP (`POST /v1/batch`, `GET /healthz`) and the answers to every limit.
//! - [`body`]: capped body reading and capped gzip inflation.
//! - [`wire`]: the `candor.batch/1` / `candor.deletion/1` / `candor.metrics/1` documents, read
//!   borrowing the body.
//! - [`schemas`], [`validate`]: the registry in checkable form, and the per-event and
//!   per-metric-entry checks.
//! - [`writer`]: the single writer thread, bounded queue and group commit.
//! - [`store`]: the [`Store`] interface, SQLite and ClickHouse.
//! - [`forward`]: the relay: stored events forwarded to an analytics vendor from the store's
//!   durable queue, through the runtime's vendor sinks (`candor collect --forward`).
//! - [`report`]: the public aggregates page (`candor report`), read from a store.
//! - [`limits`], [`minute`], [`log`]: defaults, wire times, the collector's own log.
//! - [`keyed_hash`]: the hash of maps whose keys come from clients.
//!
//! `candor collect` and `candor sweep` (crate `candor-cli`) are thin wrappers over [`run`] and
//! [`store::Store::sweep`]. See docs/collector.md.
#![forbid(unsafe_code)]

pub mod body;
pub mod forward;
pub mod keyed_hash;
pub mod limits;
pub mod log;
pub mod minute;
pub mod report;
pub mod schemas;
pub mod server;
pub mod store;
pub mod validate;
pub mod wire;
pub mod writer;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use forward::{ForwardOptions, ForwardSpec, ForwardStats, Forwarder, Forwarding};
pub use limits::Limits;
pub use schemas::Schemas;
pub use server::SweepSchedule;
pub use store::{SqliteSync, Store, StoreSpec};

/// How long a stopping collector waits for the forwarder's request in flight before leaving it
/// (what it had not finished stays queued for the next start).
const FORWARD_GRACE: std::time::Duration = std::time::Duration::from_secs(10);

/// Serves on `listener` until `shutdown` resolves, then finishes open requests and writes
/// everything accepted before returning. With `forward`, a forwarder thread relays stored
/// events to a vendor meanwhile ([`forward`]). Blocks the calling thread; runs its own runtime
/// with one worker per core.
pub fn run(
    listener: std::net::TcpListener,
    schemas: Schemas,
    store: Box<dyn Store>,
    limits: Limits,
    sweep: SweepSchedule,
    shutdown: impl Future<Output = ()> + Send,
    forward: Option<Forwarding>,
) -> std::io::Result<()> {
    // The writer lock first: a refused second collector must not start forwarding either.
    let mut store = store;
    store.claim().map_err(std::io::Error::other)?;
    let forwarder = forward.map(Forwarder::spawn).transpose()?;
    let served = serve(listener, schemas, store, limits, sweep, shutdown);
    if let Some(f) = forwarder {
        f.stop(FORWARD_GRACE);
    }
    served
}

fn serve(
    listener: std::net::TcpListener,
    schemas: Schemas,
    store: Box<dyn Store>,
    limits: Limits,
    sweep: SweepSchedule,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("candor-collect")
        .build()?;
    let schemas = Arc::new(schemas);
    let (tx, writer) = writer::spawn(
        store,
        schemas.clone(),
        limits.writer_queue,
        limits.max_group_batches,
    );
    listener.set_nonblocking(true)?;
    rt.block_on(async {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        server::serve(listener, schemas, tx, limits, sweep, shutdown).await;
        Ok::<_, std::io::Error>(())
    })?;
    // Connection tasks still parked in the runtime hold queue senders; dropping the runtime
    // drops them, so the writer sees the end of its queue once it has drained it.
    drop(rt);
    let _ = writer.join();
    Ok(())
}

// Holds connections, threads or keys: shown by name only.
impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Collector").finish_non_exhaustive()
    }
}

/// A collector running on its own threads (tests, and programs that embed one).
pub struct Collector {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<std::io::Result<()>>>,
}

impl Collector {
    /// Binds `listen` (port 0 picks a free port) and starts serving.
    pub fn start(
        listen: SocketAddr,
        schemas: Schemas,
        store: Box<dyn Store>,
        limits: Limits,
        sweep: SweepSchedule,
    ) -> std::io::Result<Collector> {
        Self::start_forwarding(listen, schemas, store, limits, sweep, None)
    }

    /// [`Collector::start`], relaying stored events with `forward`.
    pub fn start_forwarding(
        listen: SocketAddr,
        schemas: Schemas,
        store: Box<dyn Store>,
        limits: Limits,
        sweep: SweepSchedule,
        forward: Option<Forwarding>,
    ) -> std::io::Result<Collector> {
        let mut store = store;
        store.claim().map_err(std::io::Error::other)?;
        let listener = std::net::TcpListener::bind(listen)?;
        let addr = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("candor-collector".into())
            .spawn(move || {
                run(
                    listener,
                    schemas,
                    store,
                    limits,
                    sweep,
                    async {
                        let _ = stopped.await;
                    },
                    forward,
                )
            })?;
        Ok(Collector {
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR/v1/batch`.
    pub fn batch_url(&self) -> String {
        format!("http://{}/v1/batch", self.addr)
    }

    /// Stops accepting, finishes open requests, writes what was accepted, and returns.
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        self.shutdown();
    }
}
