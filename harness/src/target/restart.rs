//! The `restart_control_plane` step: how each kind of target is stopped and
//! started again on the same data.
//!
//! - embedded: a scenario that restarts the control plane gets a reference
//!   of its own (the shared one serves every other scenario), on the SQLite
//!   store in a temporary data dir, on its own thread and runtime. `kill`
//!   drops the runtime at once (every task, in-flight request and dispatch is
//!   dropped at its next await; each store call is one transaction, so what
//!   was committed stays and nothing else is written), `graceful` lets
//!   in-flight requests finish first. It comes back on the same address, so
//!   agents and their callbacks find it.
//! - URL: `AFC_RESTART_CMD` is run with `sh -c`, with `AFC_RESTART_MODE`
//!   (`graceful` or `kill`) and `AFC_TARGET_URL` in its environment; afc then
//!   waits for `GET /api/v1/health`. Such scenarios run alone (see
//!   [`exclusive`]), as the restart stops the control plane every scenario shares.
//! - image: the container is stopped (`docker stop`, 10 s grace, or at once
//!   for `kill`) and started again; it keeps its filesystem and its host
//!   network address. The reference image keeps its state in SQLite there
//!   (`harness/docker/Dockerfile`); an image that keeps state in memory fails
//!   these scenarios, as it should. Such scenarios run alone, as for a URL.
//! - a URL without the command: the scenario is skipped with the reason.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use tokio::sync::oneshot;

use super::{ReferenceError, RestartError};
use crate::reference;
use crate::scenario::ControlPlaneStop;

/// How long a restarted control plane may take to answer its health check.
const HEALTHY_WITHIN: Duration = Duration::from_secs(60);
/// How long a graceful stop waits for in-flight requests before it kills.
const GRACE: Duration = Duration::from_secs(10);

/// What a target can do for a `restart_control_plane` step.
#[derive(Clone, Debug)]
pub(crate) enum Restarts {
    /// The shared embedded reference: a scenario gets a private one.
    Embedded,
    /// A private embedded reference, started for one scenario.
    Private(Arc<PrivateReference>),
    /// A URL target restarted by this shell command.
    Command(String),
    /// The target's container, stopped and started again.
    Container,
    /// Not possible, for this reason.
    Unsupported(String),
}

/// Scenarios that restart a shared control plane hold this exclusively;
/// every other scenario holds it shared.
static SHARED_TARGET: RwLock<()> = RwLock::new(());

/// Held while a scenario runs: shared, or exclusive for a restart of a
/// control plane other scenarios use.
pub enum Exclusive {
    /// Other scenarios may run alongside.
    Shared(#[allow(dead_code)] RwLockReadGuard<'static, ()>),
    /// Nothing else runs.
    Alone(#[allow(dead_code)] RwLockWriteGuard<'static, ()>),
}

/// The lock a scenario takes: alone when it restarts a URL target.
pub(crate) fn exclusive(restarts: &Restarts, restarting: bool) -> Exclusive {
    if restarting && matches!(restarts, Restarts::Command(_) | Restarts::Container) {
        Exclusive::Alone(SHARED_TARGET.write().unwrap_or_else(|p| p.into_inner()))
    } else {
        Exclusive::Shared(SHARED_TARGET.read().unwrap_or_else(|p| p.into_inner()))
    }
}

/// A reference of one scenario's own, on SQLite in a temporary data dir.
#[derive(Debug)]
pub(crate) struct PrivateReference {
    dir: tempfile::TempDir,
    addr: SocketAddr,
    running: Mutex<Option<Instance>>,
    /// The start options it runs with (again after a restart).
    options: PrivateOptions,
}

/// The start options a scenario's private reference runs with, from the
/// capabilities the scenario requires that the shared reference runs without.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PrivateOptions {
    /// Automatic resume of interrupted runs on (`resume_interrupted_runs`).
    pub resume: bool,
    /// A pool of two async places, 1 worker + 1 queued, as upstream's
    /// `TestExecuteAsyncHandler_QueueSaturation` (`async_queue_bound`).
    pub tiny_pool: bool,
    /// One in-flight dispatch per agent (`agent_concurrency_limit`).
    pub agent_limit: bool,
    /// A dial failure waited out for a re-registration (`agent_restart_wait`),
    /// with a grace of [`RESTART_GRACE`]: a deadline only, never reached.
    pub restart_wait: bool,
}

/// The agent restart grace a private reference runs with when asked: long
/// enough that a scenario's re-registration, not the clock, ends the wait.
const RESTART_GRACE: Duration = Duration::from_secs(60);

impl PrivateOptions {
    /// The options `requires` asks for.
    pub fn from_requires(requires: &[String]) -> Self {
        let has = |c: &str| requires.iter().any(|r| r == c);
        Self {
            resume: has("resume_interrupted_runs"),
            tiny_pool: has("async_queue_bound"),
            agent_limit: has("agent_concurrency_limit"),
            restart_wait: has("agent_restart_wait"),
        }
    }

    /// Whether any option differs from the shared reference's.
    pub fn any(self) -> bool {
        self != Self::default()
    }
}

#[derive(Debug)]
struct Instance {
    graceful: oneshot::Sender<()>,
    kill: oneshot::Sender<()>,
    thread: std::thread::JoinHandle<()>,
}

impl PrivateReference {
    /// Starts one on 127.0.0.1:0 with `options`.
    pub(crate) fn start(options: PrivateOptions) -> Result<Arc<Self>, ReferenceError> {
        let dir = tempfile::Builder::new()
            .prefix("afc-restart-")
            .tempdir()
            .map_err(ReferenceError::DataDir)?;
        let probe = std::net::TcpListener::bind("127.0.0.1:0").map_err(ReferenceError::Bind)?;
        let (instance, addr) = launch(dir.path(), probe, options)?;
        Ok(Arc::new(Self {
            dir,
            addr,
            options,
            running: Mutex::new(Some(instance)),
        }))
    }

    /// `http://127.0.0.1:<port>`.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops it as `how` says and starts it again on the same data and address.
    pub(crate) fn restart(&self, how: ControlPlaneStop) -> Result<(), RestartError> {
        use backon::BlockingRetryable as _;
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = running.take() {
            i.stop(how);
        }
        // The old listener is closed; the port may still be in TIME_WAIT,
        // which SO_REUSEADDR (set by std on Unix) allows.
        let deadline = Instant::now() + HEALTHY_WITHIN;
        let bind = || std::net::TcpListener::bind(self.addr);
        let listener = bind
            .retry(
                backon::ConstantBuilder::new()
                    .with_delay(Duration::from_millis(20))
                    .without_max_times(),
            )
            .when(|_| Instant::now() < deadline)
            .call()
            .map_err(|source| RestartError::Rebind {
                addr: self.addr,
                source,
            })?;
        let (instance, _) =
            launch(self.dir.path(), listener, self.options).map_err(RestartError::Relaunch)?;
        *running = Some(instance);
        Ok(())
    }
}

impl Drop for PrivateReference {
    fn drop(&mut self) {
        let running = self.running.get_mut().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = running.take() {
            i.stop(ControlPlaneStop::Kill);
        }
    }
}

impl Instance {
    fn stop(self, how: ControlPlaneStop) {
        let _ = match how {
            ControlPlaneStop::Graceful => self.graceful.send(()),
            ControlPlaneStop::Kill => self.kill.send(()),
        };
        if self.thread.join().is_err() {
            tracing::warn!("the private reference thread panicked while stopping");
        }
    }
}

/// Serves the reference on `listener` over the store in `dir`, on a thread
/// and runtime of its own.
fn launch(
    dir: &std::path::Path,
    listener: std::net::TcpListener,
    options: PrivateOptions,
) -> Result<(Instance, SocketAddr), ReferenceError> {
    let addr = listener.local_addr().map_err(ReferenceError::Listener)?;
    listener
        .set_nonblocking(true)
        .map_err(ReferenceError::Listener)?;
    let storage = reference::Storage::sqlite(dir, reference::SqliteSync::Full)
        .map_err(ReferenceError::Store)?;
    let mut config = reference::Config {
        resume_interrupted_runs: options.resume,
        ..super::embedded::config_from_env()?
    };
    if options.tiny_pool {
        (config.async_workers, config.async_queue_capacity) = (1, 1);
    }
    if options.agent_limit {
        config.max_concurrent_per_agent = 1;
    }
    if options.restart_wait {
        config.agent_restart_grace = RESTART_GRACE;
    }
    let (graceful, on_graceful) = oneshot::channel::<()>();
    let (kill, on_kill) = oneshot::channel::<()>();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ReferenceError::Runtime)?;
    let thread = std::thread::Builder::new()
        .name("afc-private-reference".to_owned())
        .spawn(move || {
            let served = runtime.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener)?;
                let shutdown = async move {
                    let _ = on_graceful.await;
                };
                let serve = reference::serve_on(listener, config, storage, shutdown);
                tokio::select! {
                    r = tokio::time::timeout(GRACE * 100, serve) => r.unwrap_or(Ok(())),
                    _ = on_kill => Ok(()),
                }
            });
            if let Err(e) = served {
                tracing::error!("private reference stopped: {e}");
            }
            // Whatever still runs (dispatches, waits) dies here, as in a
            // process that exits; the wait drops every task, and with them
            // the store and its data dir lock, before the next launch.
            runtime.shutdown_timeout(GRACE);
        })
        .map_err(ReferenceError::Thread)?;
    Ok((
        Instance {
            graceful,
            kill,
            thread,
        },
        addr,
    ))
}

/// Runs the URL target's restart command and waits until it is healthy again.
pub(crate) async fn by_command(
    command: &str,
    how: ControlPlaneStop,
    url: &str,
    client: &crate::client::Client,
) -> Result<(), RestartError> {
    let status = tokio::process::Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("AFC_RESTART_MODE", how.as_str())
        .env("AFC_TARGET_URL", url)
        .status()
        .await
        .map_err(RestartError::CommandStart)?;
    if !status.success() {
        return Err(RestartError::CommandFailed {
            command: command.to_owned(),
            status,
        });
    }
    healthy_again(
        client,
        &format!("{url} to answer GET /api/v1/health after AFC_RESTART_CMD"),
    )
    .await
}

/// Waits until the restarted control plane answers its health check.
pub(crate) async fn healthy_again(
    client: &crate::client::Client,
    what: &str,
) -> Result<(), RestartError> {
    crate::client::poll(what, HEALTHY_WITHIN, || async {
        match client.get("/api/v1/health").await {
            Ok(r) if r.status == 200 => (Some(()), "200".to_owned()),
            Ok(r) => (None, format!("HTTP {} {}", r.status, r.body)),
            Err(e) => (None, e.to_string()),
        }
    })
    .await
    .map_err(RestartError::NotHealthy)
}
