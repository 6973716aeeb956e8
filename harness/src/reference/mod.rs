//! The reference control plane: AgentField v0.1.96's restart / fork / replay
//! contract over HTTP, in memory.
//!
//! [`serve`] runs one control plane on a listener the caller bound, until the
//! caller's shutdown future resolves. Each call builds its own state, so two
//! control planes in one process share nothing. Module map: `rules` (the
//! contract's rules, one function each, citing its section), `routes` (HTTP
//! surface), `prepare` + `replay` (the execute boundary), `dispatch` (calls to
//! agents), `store` + `memory` + `sqlite` (state: rows and indexes, no rules),
//! `canonical` + `payload` (Go-compatible JSON), `views` + `summary` (read shapes).

use std::sync::Arc;
use std::time::Duration;

mod admission;
mod auth;
pub mod canonical;
mod dispatch;
mod error;
mod ids;
mod kv;
pub mod limits;
mod memory;
mod model;
mod payload;
mod prepare;
mod replay;
mod routes;
mod rules;
mod run_index;
mod server;
mod sqlite;
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
    /// Connections served at once; one more is answered 503 and closed.
    pub max_connections: usize,
    /// Largest agent answer read; a larger one fails its execution.
    pub max_agent_response_bytes: usize,
    /// Executions held at most (0: unbounded); the oldest finished runs are
    /// evicted to make room, and new work is refused with 503 when every
    /// stored run is active (`memory::MemoryStore::bounded`).
    pub max_executions: usize,
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
            // Well under the usual 1,024 file descriptors of a process, which
            // the dispatch connections to agents share.
            max_connections: 512,
            max_agent_response_bytes: limits::DEFAULT_MAX_AGENT_RESPONSE_BYTES,
            max_executions: limits::DEFAULT_MAX_EXECUTIONS,
        }
    }
}

pub use sqlite::Sync as SqliteSync;
pub use store::StoreError;

/// Where one reference keeps its state: in memory (bounded by
/// [`Config::max_executions`]), or in SQLite in a data dir, where it survives
/// a restart (bounded by the disk).
#[derive(Clone)]
pub struct Storage(Arc<dyn store::Store>);

impl Storage {
    /// In memory, holding at most `max_executions` (0: unbounded).
    pub fn memory(max_executions: usize) -> Self {
        Self(Arc::new(memory::MemoryStore::bounded(max_executions)))
    }

    /// SQLite in `dir` (created if missing), with the given commit durability.
    pub fn sqlite(dir: &std::path::Path, sync: SqliteSync) -> Result<Self, StoreError> {
        Ok(Self(Arc::new(sqlite::SqliteStore::open_with(dir, sync)?)))
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
    // connection per dispatch doubled the cost of a hop. An agent may close a
    // connection the pool still holds (uvicorn does after an unhandled
    // exception's 500), so a dispatch that fails on a pooled connection is sent
    // once more on a fresh one (`dispatch::send`); only that second answer
    // counts, and it is exactly what a fresh connection per dispatch gave.
    // The idle timeout stays below uvicorn's 5 s keep-alive.
    let builder = || {
        reqwest::Client::builder()
            .timeout(config.agent_timeout)
            .no_proxy()
    };
    let http = builder()
        .pool_idle_timeout(std::time::Duration::from_secs(2))
        .build()
        .map_err(std::io::Error::other)?;
    let fresh = builder()
        .pool_max_idle_per_host(0)
        .build()
        .map_err(std::io::Error::other)?;
    let state = Arc::new(state::AppState {
        store: storage.0,
        config: config.clone(),
        http,
        fresh,
        completions: state::Completions::default(),
        slots: Default::default(),
        kv: Default::default(),
    });
    server::run(listener, routes::router(state), &config, shutdown).await
}
