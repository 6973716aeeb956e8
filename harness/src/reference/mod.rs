//! The reference control plane: AgentField's restart / fork / replay contract
//! over HTTP (the newest by default, v0.1.96's on request: `contract`).
//!
//! [`serve`] runs one control plane on a listener the caller bound, until the
//! caller's shutdown future resolves. Each call builds its own state, so two
//! control planes in one process share nothing. Module map: `rules` (the
//! contract's rules, one function each, citing its section), `routes` (HTTP
//! surface), `prepare` + `replay` (the execute boundary), `dispatch` (calls to
//! agents), `store` (state: rows and indexes, no rules; `store::in_memory` and
//! `store::sqlite` its two backends),
//! `canonical` + `payload` (Go-compatible JSON), `views` + `summary` (read shapes).

use std::sync::Arc;
use std::time::Duration;

mod admission;
mod agent_request;
mod auth;
pub mod canonical;
mod client_error;
pub mod contract;
mod dispatch;
mod error;
mod ids;
mod kv;
pub mod limits;
mod model;
mod payload;
pub mod perturb;
mod pointers;
pub mod pool;
mod prepare;
pub mod process;
mod replay;
mod restart_wait;
mod resume;
mod routes;
mod rules;
mod run_index;
mod run_metadata;
mod server;
mod state;
mod status;
mod store;
mod summary;
mod texts;
mod tree;
mod views;

/// Settings of one reference control plane.
#[derive(Clone, Debug)]
pub struct Config {
    /// When set, every `/api/*` request but health must carry this key
    /// (`X-API-Key` or `Authorization: Bearer`), as agent-protocol §6.1.
    pub api_key: Option<String>,
    /// HTTP timeout of a dispatch and deadline of a sync execute's wait.
    pub agent_timeout: Duration,
    /// In-flight dispatches allowed per agent node; 0 is unlimited
    /// (v0.1.96's `AGENTFIELD_MAX_CONCURRENT_PER_AGENT`).
    pub max_concurrent_per_agent: usize,
    /// How long a client may take to send a request head; also how long a
    /// kept-alive connection may sit idle before it is closed.
    pub header_read_timeout: Duration,
    /// After the shutdown signal, how long requests in flight may still run
    /// before they are abandoned.
    pub shutdown_timeout: Duration,
    /// How long a client may take to send a whole request body; past it the
    /// request is answered 408 and the connection closed.
    pub body_read_timeout: Duration,
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// Largest agent answer read; a larger one fails its execution.
    pub max_agent_response_bytes: usize,
    /// Executions held at most (0: unbounded); the oldest finished runs are
    /// evicted to make room, and new work is refused with 503 when every
    /// stored run is active (`store::in_memory::InMemoryStore::bounded`).
    pub max_executions: usize,
    /// Incidental behaviour perturbed, or contract values broken, for the
    /// neutrality self-check (`perturb`); off by default.
    pub perturb: perturb::Perturb,
    /// Which contract is served where versions differ (`AFC_CONTRACT`,
    /// `afc serve --contract`); the newest by default.
    pub contract: contract::Contract,
    /// Resume interrupted roots automatically (newest contract only;
    /// upstream `AGENTFIELD_RESUME_INTERRUPTED_RUNS`, off by default).
    pub resume_interrupted_runs: bool,
    /// Resumes in a row a run may get (upstream `…_MAX_ATTEMPTS`, 1).
    pub resume_max_attempts: u32,
    /// Newest contract: async admission places are `async_workers +
    /// async_queue_capacity` (upstream `AGENTFIELD_EXEC_ASYNC_WORKERS`,
    /// default max(CPUs, 16); `pool`).
    pub async_workers: usize,
    /// Newest contract: upstream `AGENTFIELD_EXEC_ASYNC_QUEUE_CAPACITY` (1024).
    pub async_queue_capacity: usize,
    /// Newest contract: how long a dispatch that could not dial a
    /// long-running node waits for it to re-register (`restart_wait`);
    /// zero fails at once. Upstream's default is 15 s; the reference's is
    /// zero, so a scenario's downed agent fails at once on either contract
    /// (a wait there would end only at the deadline, a clock).
    pub agent_restart_grace: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: None,
            // v0.1.96's agent_call_timeout when no config file sets it.
            agent_timeout: Duration::from_secs(90),
            max_concurrent_per_agent: 0,
            // hyper's own default; longer than the idle expiry of common HTTP
            // clients (httpx 5 s), so they close first and never race our close.
            header_read_timeout: Duration::from_secs(30),
            shutdown_timeout: Duration::from_secs(10),
            // 64 MiB (the body cap) at ~1 MiB/s, far slower than loopback.
            body_read_timeout: Duration::from_secs(60),
            // Well under the usual 1,024 file descriptors of a process, which
            // the dispatch connections to agents share.
            max_connections: 512,
            max_agent_response_bytes: limits::DEFAULT_MAX_AGENT_RESPONSE_BYTES,
            max_executions: limits::DEFAULT_MAX_EXECUTIONS,
            perturb: perturb::Perturb::default(),
            contract: contract::Contract::default(),
            resume_interrupted_runs: false,
            resume_max_attempts: 1,
            async_workers: pool::default_workers(),
            async_queue_capacity: pool::DEFAULT_QUEUE_CAPACITY,
            agent_restart_grace: Duration::ZERO,
        }
    }
}

pub use store::sqlite::Sync as SqliteSync;
pub use store::StoreError;

/// Where one reference keeps its state: in memory (bounded by
/// [`Config::max_executions`]), or in SQLite in a data dir, where it survives
/// a restart (bounded by the disk).
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn store::Store>,
    kv: Arc<kv::Kv>,
}

impl Storage {
    /// In memory, holding at most `max_executions` (0: unbounded).
    pub fn memory(max_executions: usize) -> Self {
        Self {
            store: Arc::new(store::in_memory::InMemoryStore::bounded(max_executions)),
            kv: Arc::default(),
        }
    }

    /// SQLite in `dir` (created if missing), with the given commit
    /// durability: the executions and the key–value memory both.
    pub fn sqlite(dir: &std::path::Path, sync: SqliteSync) -> Result<Self, StoreError> {
        let store = store::sqlite::SqliteStore::open_with(dir, sync)?;
        let kv = kv::Kv::persistent(store::sqlite::kv::KvDisk::open(dir, sync)?)?;
        Ok(Self {
            store: Arc::new(store),
            kv: Arc::new(kv),
        })
    }
}

/// Serves the reference, in memory, on an already bound listener until
/// `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let storage = Storage::memory(config.max_executions);
    serve_on(listener, config, storage, shutdown).await
}

/// Serves the reference on `storage` until `shutdown` resolves.
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    config: Config,
    storage: Storage,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // Dispatches reuse kept-alive connections, as Go's transport does: a fresh
    // connection per dispatch doubled the cost of a hop. The idle timeout stays
    // below uvicorn's 5 s keep-alive. No dispatch is ever sent twice
    // (`dispatch::send`) and no redirect is followed: a 3xx fails the execution.
    let http = reqwest::Client::builder()
        .timeout(config.agent_timeout)
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .map_err(std::io::Error::other)?;
    let perturber = perturb::Perturber::new(config.perturb.clone());
    let state = Arc::new(state::AppState {
        store: storage.store,
        config: config.clone(),
        http,
        completions: state::Completions::default(),
        slots: Default::default(),
        pool: pool::AsyncPool::new(config.async_workers, config.async_queue_capacity),
        node_changes: tokio::sync::watch::channel(0).0,
        kv: storage.kv,
        perturb: perturber.clone(),
    });
    resume::on_startup(&state);
    // Upstream stops its async pool on shutdown (`StopAsyncWorkerPool`):
    // from then on a request still in flight is refused
    // `control_plane_shutdown` before it writes anything.
    let pool = state.pool.clone();
    let shutdown = async move {
        shutdown.await;
        pool.stop();
    };
    let app = perturb::wrap(routes::router(state), perturber);
    server::run(listener, app, &config, shutdown).await
}
