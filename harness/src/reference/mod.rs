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
pub mod memory;
pub mod model;
mod payload;
mod prepare;
mod replay;
mod routes;
mod rules;
pub mod sqlite;
mod state;
pub mod store;
mod summary;
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            api_key: None,
            // v0.1.96's agent_call_timeout when no config file sets it.
            agent_timeout: Duration::from_secs(90),
            max_concurrent_per_agent: 0,
        }
    }
}

/// Serves the reference, in memory, on an already bound listener until
/// `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    config: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let store: Arc<dyn store::Store> = Arc::new(memory::MemoryStore::new());
    serve_with_store(listener, config, store, shutdown).await
}

/// The store `afc serve` uses: SQLite in `data_dir` when one is given, else memory.
pub fn open_store(
    data_dir: Option<&std::path::Path>,
) -> Result<Arc<dyn store::Store>, store::StoreError> {
    Ok(match data_dir {
        Some(dir) => Arc::new(sqlite::SqliteStore::open(dir)?),
        None => Arc::new(memory::MemoryStore::new()),
    })
}

/// Serves the reference on `store` (for example a [`sqlite::SqliteStore`]
/// over a data dir) until `shutdown` resolves.
pub async fn serve_with_store(
    listener: tokio::net::TcpListener,
    config: Config,
    store: Arc<dyn store::Store>,
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
        store,
        config,
        http,
        fresh,
        completions: state::Completions::default(),
        slots: Default::default(),
    });
    axum::serve(listener, routes::router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
