//! The one storage seam of the reference. Routes talk only to [`Store`]; the
//! in-memory [`in_memory::InMemoryStore`] is the default, and a
//! persistent one ([`sqlite::SqliteStore`]) implements the same calls, each of
//! which is a single short transaction that never waits on an agent. Stores
//! keep rows; the contract's rules live in [`super::rules`].

use crate::reference::model::{Execution, NewExecution, Node, RunRecord};
use crate::reference::rules;
pub use crate::reference::run_index::{RunFilter, RunPage, RunQuery, RunSort};

pub mod in_memory;
pub mod sqlite;
#[cfg(test)]
mod tests;

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
    /// The store holds its maximum of executions and none can be evicted
    /// (every stored run is still active).
    #[error("the store holds its maximum of {0} executions, all in active runs")]
    Full(usize),
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
    /// The run's root as [`rules::run_root`] defines it; `None` when the run
    /// has no executions. A store may answer without copying the run.
    fn workflow_root(&self, run_id: &str) -> Result<Option<Execution>, StoreError> {
        Ok(rules::run_root(&self.run_executions(run_id)?).cloned())
    }
    /// One page of the run list, from indexes kept in its sort orders.
    fn list_runs(&self, query: &RunQuery) -> Result<RunPage, StoreError>;
    /// Ids of the node's executions that are still active (the orphan reaper's input).
    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError>;

    /// Every reusable row ([`rules::is_reusable`]) under `key`, in start
    /// order. Must not scan the source run: an index lookup.
    fn replay_candidates(&self, key: &ReplayKey) -> Result<Vec<Execution>, StoreError>;

    /// The run's metadata row, if one was written.
    fn run_record(&self, run_id: &str) -> Result<Option<RunRecord>, StoreError>;
    /// Upserts the whole run metadata row, keeping an existing `created_at`.
    fn put_run_record(&self, record: RunRecord) -> Result<(), StoreError>;
}
