//! Per-agent concurrency admission, as v0.1.96 runs it (contract §0.1, §1.3):
//! checked after the rows exist and after the replay lookup, so a replay hit
//! never takes a slot, and a rejection fails the row that was already written
//! (`status_reason=concurrency_limit`) and answers 429 without `Retry-After`.
//! The slot is held until the dispatch has its answer. The newest contract
//! admits a restart root and an execute before their rows instead
//! ([`admit_before_rows`], called by `prepare::prepare_admitting`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use chrono::Utc;

use super::error::ApiError;
use super::model::Execution;
use super::state::AppState;
use super::status::Status;

/// In-flight dispatches per target node.
#[derive(Default)]
pub struct Slots {
    held: Mutex<HashMap<String, usize>>,
}

/// One held slot; dropping it frees the slot.
pub struct Slot {
    slots: Arc<Slots>,
    node: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.node) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                held.remove(&self.node);
            }
        }
    }
}

impl Slots {
    fn try_acquire(self: &Arc<Self>, node: &str, limit: usize) -> Option<Slot> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(node.to_owned()).or_insert(0);
        if *n >= limit {
            return None;
        }
        *n += 1;
        Some(Slot {
            slots: self.clone(),
            node: node.to_owned(),
        })
    }
}

/// The newest contract's admission of a restart root (§1.3 step 9, §1.5;
/// V-adm): the slot of `node` is taken before any row exists, and a refusal
/// writes nothing and answers 429 with `retry_after` (and so `Retry-After`).
/// Upstream: `prepareExecutionForTargetWithAdmission` in
/// `handlers/execute_restart.go`, asserted by
/// `TestRestartHandler_ConcurrencyRejectionHasNoPersistence`.
pub fn admit_before_rows(state: &AppState, node: &str) -> Result<Option<Slot>, ApiError> {
    let limit = state.config.max_concurrent_per_agent;
    if limit == 0 {
        return Ok(None);
    }
    match state.slots.try_acquire(node, limit) {
        Some(slot) => Ok(Some(slot)),
        None => Err(ApiError {
            status: StatusCode::TOO_MANY_REQUESTS,
            body: serde_json::json!({
                "error": format!("agent {node} has reached max concurrent executions ({limit})"),
                "error_category": "concurrency_limit",
                "retry_after": 1,
            }),
        }),
    }
}

/// Admits a dispatch of `exec`, or fails its row and answers 429.
/// `None` when no limit is configured.
pub fn admit(state: &AppState, exec: &Execution) -> Result<Option<Slot>, ApiError> {
    let limit = state.config.max_concurrent_per_agent;
    if limit == 0 {
        return Ok(None);
    }
    if let Some(slot) = state.slots.try_acquire(&exec.node_id, limit) {
        return Ok(Some(slot));
    }
    let message = format!(
        "agent {} has reached max concurrent executions ({limit})",
        exec.node_id
    );
    let now = Utc::now();
    let failed = state.update_execution(&exec.execution_id, &mut |e| {
        e.status = Status::Failed;
        e.status_reason = Some("concurrency_limit".to_owned());
        e.error_message = Some(message.clone());
        e.completed_at = Some(now);
        Ok(())
    });
    if let Err(e) = failed {
        tracing::warn!(execution_id = %exec.execution_id, error = %e, "could not fail a rejected execution");
    }
    Err(ApiError::categorized(
        StatusCode::TOO_MANY_REQUESTS,
        message,
        "concurrency_limit",
    ))
}
