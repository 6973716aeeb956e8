//! `afc serve`'s flags: every bound of `crate::reference::limits`, the
//! store, the perturbation and the contract, and the reference `Config` they
//! make.

use std::time::Duration;

use clap::Args;

use crate::reference::perturb::{Perturb, PerturbError};
use crate::reference::{Config, SqliteSync, Storage, StoreError};

/// The longest any duration flag may be (a day): `Instant + Duration`
/// panics on overflow, so no flag may reach it.
const MAX_DURATION_SECS: u64 = 86_400;

/// Where `afc serve` listens and what it bounds.
#[derive(Args, Clone, Debug)]
pub struct ServeArgs {
    /// Address to listen on. Loopback by default: the reference has no
    /// authentication unless --api-key is given.
    #[arg(long, env = "AFC_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Require this API key on every /api/* request (X-API-Key or Bearer).
    #[arg(long, env = "AFC_API_KEY")]
    pub api_key: Option<String>,
    /// In-flight dispatches allowed per agent node (0: unlimited), as v0.1.96's setting.
    #[arg(long, env = "AGENTFIELD_MAX_CONCURRENT_PER_AGENT", default_value_t = 0)]
    pub max_concurrent_per_agent: usize,
    /// Seconds a dispatch to an agent, and a sync execute's wait, may take
    /// (v0.1.96: 90; at most a day, so a deadline never overflows the clock).
    #[arg(long, env = "AFC_AGENT_CALL_TIMEOUT", default_value_t = 90,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION_SECS))]
    pub agent_call_timeout: u64,
    /// Seconds in-flight requests may run after SIGINT/SIGTERM; a second signal exits at once.
    #[arg(long, env = "AFC_SHUTDOWN_TIMEOUT", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(0..=MAX_DURATION_SECS))]
    pub shutdown_timeout: u64,
    /// Seconds a client may take to send a request head (counted from accept),
    /// and a kept-alive or h2c connection may idle.
    #[arg(long, env = "AFC_HEADER_READ_TIMEOUT", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION_SECS))]
    pub header_read_timeout: u64,
    /// Seconds a client may take to send a whole request body; past it, 408.
    #[arg(long, env = "AFC_BODY_READ_TIMEOUT", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..=MAX_DURATION_SECS))]
    pub body_read_timeout: u64,
    /// Connections served at once; one more is answered 503.
    #[arg(long, env = "AFC_MAX_CONNECTIONS", default_value_t = 512)]
    pub max_connections: usize,
    /// Largest agent answer in bytes; a larger one fails its execution.
    #[arg(long, env = "AFC_MAX_AGENT_RESPONSE_BYTES",
          default_value_t = crate::reference::limits::DEFAULT_MAX_AGENT_RESPONSE_BYTES)]
    pub max_agent_response_bytes: usize,
    /// Executions held at most (0: unbounded): the oldest finished runs are
    /// evicted to make room; new work gets 503 when every stored run is active.
    #[arg(long, env = "AFC_MAX_EXECUTIONS",
          default_value_t = crate::reference::limits::DEFAULT_MAX_EXECUTIONS)]
    pub max_executions: usize,
    /// Keep all state in SQLite in this folder (created if missing), so it
    /// survives a restart; without it, state lives in memory.
    #[arg(long, env = "AFC_DATA_DIR")]
    pub data_dir: Option<std::path::PathBuf>,
    /// With --data-dir: `full` syncs every commit to disk (survives a power
    /// cut), `normal` only writes it (survives kill -9, not a power cut).
    #[arg(long, env = "AFC_SYNC", default_value = "full", value_parser = ["full", "normal"])]
    pub sync: String,
    /// Perturb the reference for the neutrality self-check: `incidental`
    /// (only what the contract leaves free), `contract:<name>` (one contract
    /// value broken), or both comma-separated. Never for real use.
    #[arg(long, env = "AFC_PERTURB", default_value = "off")]
    pub perturb: String,
    /// Seed of the incidental perturbation (key order, added keys, texts).
    #[arg(long, env = "AFC_PERTURB_SEED")]
    pub perturb_seed: Option<String>,
    /// Which AgentField contract to serve where versions differ: `latest`
    /// (the newest upstream control plane: forward pointers, admission before
    /// persistence, the node_unavailable gate, target_not_found; see
    /// docs/contract-latest.md) or `v0.1.96` (release v0.1.96 exactly).
    #[arg(long, env = "AFC_CONTRACT", default_value = "latest",
          value_parser = ["latest", "v0.1.96"])]
    pub contract: String,
    /// Latest contract only: resume interrupted runs automatically (a root
    /// failed by an agent restart is restarted as `kind: resume`, at most
    /// --resume-max-attempts times in a row), as upstream's
    /// AGENTFIELD_RESUME_INTERRUPTED_RUNS; off by default, as there.
    #[arg(long, env = "AGENTFIELD_RESUME_INTERRUPTED_RUNS")]
    pub resume_interrupted_runs: bool,
    /// Resumes in a row one run may get (upstream's default: 1).
    #[arg(
        long,
        env = "AGENTFIELD_RESUME_INTERRUPTED_RUNS_MAX_ATTEMPTS",
        default_value_t = 1
    )]
    pub resume_max_attempts: u32,
    /// Latest contract: async executes and restarts are admitted up to
    /// --async-workers + --async-queue-capacity at once (each held until its
    /// dispatch is answered); one more is refused 503 with Retry-After, as
    /// upstream's pool. 0 or unset: upstream's default, max(CPUs, 16).
    #[arg(long, env = "AGENTFIELD_EXEC_ASYNC_WORKERS")]
    pub async_workers: Option<usize>,
    /// See --async-workers. 0 or unset: upstream's default, 1024.
    #[arg(long, env = "AGENTFIELD_EXEC_ASYNC_QUEUE_CAPACITY")]
    pub async_queue_capacity: Option<usize>,
    /// Latest contract: seconds a dispatch that cannot dial a long-running
    /// agent waits for it to re-register (the row shows `status_reason:
    /// awaiting_agent_restart`), then sends it again. Upstream's default is
    /// 15; 0 (this default) fails the dispatch at once, as v0.1.96 does.
    #[arg(long, default_value_t = 0)]
    pub agent_restart_grace: u64,
}

impl ServeArgs {
    /// The reference's settings these flags ask for; a bad `--perturb` is an error.
    pub fn config(&self) -> Result<Config, PerturbError> {
        let perturb = Perturb::parse(&self.perturb, self.perturb_seed.as_deref())?;
        Ok(Config {
            api_key: self.api_key.clone(),
            agent_timeout: Duration::from_secs(self.agent_call_timeout),
            max_concurrent_per_agent: self.max_concurrent_per_agent,
            header_read_timeout: Duration::from_secs(self.header_read_timeout),
            shutdown_timeout: Duration::from_secs(self.shutdown_timeout),
            body_read_timeout: Duration::from_secs(self.body_read_timeout),
            max_connections: self.max_connections,
            max_agent_response_bytes: self.max_agent_response_bytes,
            max_executions: self.max_executions,
            perturb,
            // The value parser admits only names Contract knows.
            contract: self.contract.parse().unwrap_or_default(),
            resume_interrupted_runs: self.resume_interrupted_runs,
            resume_max_attempts: self.resume_max_attempts,
            // Non-positive values take upstream's defaults, as its env does.
            async_workers: self
                .async_workers
                .filter(|n| *n > 0)
                .unwrap_or_else(crate::reference::pool::default_workers),
            async_queue_capacity: self
                .async_queue_capacity
                .filter(|n| *n > 0)
                .unwrap_or(crate::reference::pool::DEFAULT_QUEUE_CAPACITY),
            agent_restart_grace: Duration::from_secs(self.agent_restart_grace),
        })
    }

    /// Where the reference keeps its state: memory, or SQLite in `--data-dir`.
    pub fn storage(&self) -> Result<Storage, StoreError> {
        match &self.data_dir {
            None => Ok(Storage::memory(self.max_executions)),
            Some(dir) if self.sync == "normal" => Storage::sqlite(dir, SqliteSync::Normal),
            Some(dir) => Storage::sqlite(dir, SqliteSync::Full),
        }
    }
}
