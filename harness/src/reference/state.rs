//! Everything one control plane shares between requests: the store, the
//! configuration, the outbound HTTP client and the completion signals that a
//! sync execute waits on.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::HeaderMap;
use tokio::sync::watch;

use super::error::ApiError;
use super::model::Execution;
use super::store::{ExecutionUpdate, Store, StoreError};
use super::Config;

/// Shared state handed to every route.
pub struct AppState {
    /// All records.
    pub store: Arc<dyn Store>,
    /// Settings from the caller of `serve`.
    pub config: Config,
    /// Client for dispatches to agents, keeping connections alive.
    pub http: reqwest::Client,
    /// Wakes sync waiters when an execution changes.
    pub completions: Completions,
    pub slots: std::sync::Arc<super::admission::Slots>,
    /// Bumped by every registration and heartbeat: wakes dispatches waiting
    /// out an agent restart (`restart_wait`).
    pub node_changes: watch::Sender<u64>,
    /// Async admission places (newest contract, §1.3 step 8).
    pub pool: Arc<super::pool::AsyncPool>,
    /// Key–value memory of `/api/v1/memory/*`.
    pub kv: Arc<super::kv::Kv>,
    /// What agents receive, perturbed for the neutrality self-check (or not).
    pub perturb: Arc<super::perturb::Perturber>,
}

/// Shared handle used as axum state.
pub type Shared = Arc<AppState>;

impl AppState {
    /// Wakes whoever waits for a node to change.
    pub fn node_changed(&self) {
        self.node_changes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Updates an execution through the store, then wakes anyone waiting on it.
    pub fn update_execution(
        &self,
        id: &str,
        f: ExecutionUpdate<'_>,
    ) -> Result<Execution, StoreError> {
        let updated = self.store.update_execution(id, f)?;
        self.completions.notify(id);
        Ok(updated)
    }

    /// Loads an execution, mapping a store failure to the 500 body reads use.
    /// A run's executions; 404 `workflow run not found` when it has none, and
    /// a 500 with `storage_message` (each route documents its own) on a store error.
    pub fn run_executions_or_404(
        &self,
        run_id: &str,
        storage_message: &str,
    ) -> Result<Vec<Execution>, ApiError> {
        let execs = self
            .store
            .run_executions(run_id)
            .map_err(|_| ApiError::storage(storage_message))?;
        if execs.is_empty() {
            return Err(ApiError::plain(
                axum::http::StatusCode::NOT_FOUND,
                "workflow run not found",
            ));
        }
        Ok(execs)
    }

    pub fn load_execution(&self, id: &str) -> Result<Option<Execution>, ApiError> {
        self.store
            .execution(id)
            .map_err(|e| ApiError::storage(format!("failed to load execution: {e}")))
    }
}

/// Per-execution change signals. A waiter subscribes before it reads the row,
/// so a change between the read and the wait is never lost.
#[derive(Default)]
pub struct Completions {
    senders: Mutex<HashMap<String, watch::Sender<u64>>>,
}

impl Completions {
    /// A receiver that fires on the next change of `id`.
    pub fn subscribe(&self, id: &str) -> watch::Receiver<u64> {
        let mut map = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        map.entry(id.to_owned())
            .or_insert_with(|| watch::channel(0).0)
            .subscribe()
    }

    /// Signals a change of `id` to current subscribers.
    pub fn notify(&self, id: &str) {
        let map = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(tx) = map.get(id) {
            tx.send_modify(|v| *v += 1);
        }
    }

    /// Drops the channel of `id` once nobody listens, so finished waits free memory.
    pub fn release(&self, id: &str) {
        let mut map = self.senders.lock().unwrap_or_else(|p| p.into_inner());
        if map.get(id).is_some_and(|tx| tx.receiver_count() == 0) {
            map.remove(id);
        }
    }
}

/// A request header, trimmed; empty means absent (contract §4.2).
pub fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}
