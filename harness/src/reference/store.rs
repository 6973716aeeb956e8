//! The one storage seam of the reference. Routes talk only to [`Store`]; the
//! in-memory [`crate::reference::memory::MemoryStore`] is the default, and a
//! persistent store (SQLite, say) could implement the same calls, each of
//! which is a single short transaction that never waits on an agent.

use super::model::{Execution, NewExecution, Node, RunRecord};

/// Why a store call failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The record does not exist.
    #[error("execution {0} not found")]
    NotFound(String),
    /// An update was refused (for example a status transition guard).
    #[error("{0}")]
    Rejected(String),
    /// The backend itself failed.
    #[error("storage failure: {0}")]
    Backend(String),
}

/// A replay index key (contract §3.4): the source run, the target and the
/// canonical `{"input","context"?}` envelope.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ReplayKey {
    /// The run the candidate belongs to (the Source header).
    pub run_id: String,
    /// Stored `node_id` column.
    pub node_id: String,
    /// Reasoner or skill name.
    pub reasoner_id: String,
    /// Canonical envelope text.
    pub envelope: String,
}

/// An in-place update applied atomically to one execution; returning an error
/// leaves the row untouched.
pub type ExecutionUpdate<'a> = &'a mut dyn FnMut(&mut Execution) -> Result<(), StoreError>;

/// All state of one control plane.
pub trait Store: Send + Sync {
    /// Inserts or replaces a node; returns the previous record if there was one.
    fn upsert_node(&self, node: Node) -> Result<Option<Node>, StoreError>;
    /// One node by id.
    fn node(&self, id: &str) -> Result<Option<Node>, StoreError>;
    /// Every node, in no particular order.
    fn nodes(&self) -> Result<Vec<Node>, StoreError>;
    /// Updates a node in place; `None` if it does not exist.
    fn update_node(
        &self,
        id: &str,
        f: &mut dyn FnMut(&mut Node),
    ) -> Result<Option<Node>, StoreError>;

    /// Inserts a new execution, stamping the next start sequence number.
    fn insert_execution(&self, exec: NewExecution) -> Result<Execution, StoreError>;
    /// One execution by id.
    fn execution(&self, id: &str) -> Result<Option<Execution>, StoreError>;
    /// Atomically updates one execution and keeps the replay index in step.
    fn update_execution(&self, id: &str, f: ExecutionUpdate<'_>) -> Result<Execution, StoreError>;
    /// Every execution of a run, in start order.
    fn run_executions(&self, run_id: &str) -> Result<Vec<Execution>, StoreError>;
    /// The root a workflow restart re-runs (contract §2.1): the earliest
    /// parentless execution of the run, else its earliest one; `None` when the
    /// run has no executions. A store can answer without copying the run.
    fn workflow_root(&self, run_id: &str) -> Result<Option<Execution>, StoreError> {
        let runs = self.run_executions(run_id)?;
        Ok(runs
            .iter()
            .find(|e| is_parentless(e))
            .or_else(|| runs.first())
            .cloned())
    }
    /// Ids of every run that has at least one execution.
    fn run_ids(&self) -> Result<Vec<String>, StoreError>;
    /// Ids of the node's executions that are still active (the orphan reaper's input).
    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError>;

    /// The earliest-started reusable execution under `key` whose start sequence
    /// is below `before_seq` (when given). Must not scan the source run.
    fn replay_candidate(
        &self,
        key: &ReplayKey,
        before_seq: Option<u64>,
    ) -> Result<Option<Execution>, StoreError>;

    /// The run's metadata row, if one was written.
    fn run_record(&self, run_id: &str) -> Result<Option<RunRecord>, StoreError>;
    /// Upserts the whole run metadata row, keeping an existing `created_at`.
    fn put_run_record(&self, record: RunRecord) -> Result<(), StoreError>;
}

/// No parent, or a blank one (v0.1.96 trims the column before comparing).
pub fn is_parentless(exec: &Execution) -> bool {
    exec.parent_execution_id
        .as_deref()
        .is_none_or(|p| p.trim().is_empty())
}

/// Whether a row may serve as a replay source (contract §3.4 rules 1 and 3).
pub fn is_reusable(exec: &Execution) -> bool {
    exec.status == "succeeded"
        && exec.result_payload.as_ref().is_some_and(|r| !r.is_empty())
        && exec.replay_key.is_some()
}

/// The index key of a row, if it has a parseable payload.
pub fn key_of(exec: &Execution) -> Option<ReplayKey> {
    exec.replay_key.as_ref().map(|envelope| ReplayKey {
        run_id: exec.run_id.clone(),
        node_id: exec.node_id.clone(),
        reasoner_id: exec.reasoner_id.clone(),
        envelope: envelope.clone(),
    })
}
