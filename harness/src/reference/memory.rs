//! In-memory [`Store`]: one mutex around plain maps. Every call is short and
//! synchronous, so the lock is never held across an await.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::model::{Execution, NewExecution, Node, RunRecord};
use super::store::{is_reusable, key_of, ExecutionUpdate, ReplayKey, Store, StoreError};

/// The default store: everything lives as long as the control plane.
#[derive(Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    nodes: HashMap<String, Node>,
    executions: HashMap<String, Execution>,
    /// Execution ids per run, in start order (sequence numbers only grow).
    runs: HashMap<String, Vec<String>>,
    /// Reusable executions per replay key, ordered by start sequence, so the
    /// earliest candidate is the first element.
    replay_index: HashMap<ReplayKey, BTreeSet<(u64, String)>>,
    run_records: HashMap<String, RunRecord>,
    next_seq: u64,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".to_owned()))
    }
}

impl Inner {
    fn index(&mut self, exec: &Execution) {
        if let (true, Some(key)) = (is_reusable(exec), key_of(exec)) {
            self.replay_index
                .entry(key)
                .or_default()
                .insert((exec.start_seq, exec.execution_id.clone()));
        }
    }

    fn unindex(&mut self, exec: &Execution) {
        if let Some(key) = key_of(exec) {
            if let Some(set) = self.replay_index.get_mut(&key) {
                set.remove(&(exec.start_seq, exec.execution_id.clone()));
                if set.is_empty() {
                    self.replay_index.remove(&key);
                }
            }
        }
    }
}

impl Store for MemoryStore {
    fn upsert_node(&self, node: Node) -> Result<Option<Node>, StoreError> {
        Ok(self.lock()?.nodes.insert(node.id.clone(), node))
    }

    fn node(&self, id: &str) -> Result<Option<Node>, StoreError> {
        Ok(self.lock()?.nodes.get(id).cloned())
    }

    fn update_node(
        &self,
        id: &str,
        f: &mut dyn FnMut(&mut Node),
    ) -> Result<Option<Node>, StoreError> {
        let mut inner = self.lock()?;
        Ok(inner.nodes.get_mut(id).map(|n| {
            f(n);
            n.clone()
        }))
    }

    fn insert_execution(&self, mut exec: NewExecution) -> Result<Execution, StoreError> {
        let mut inner = self.lock()?;
        inner.next_seq += 1;
        exec.start_seq = inner.next_seq;
        inner
            .runs
            .entry(exec.run_id.clone())
            .or_default()
            .push(exec.execution_id.clone());
        inner.index(&exec);
        inner
            .executions
            .insert(exec.execution_id.clone(), exec.clone());
        Ok(exec)
    }

    fn execution(&self, id: &str) -> Result<Option<Execution>, StoreError> {
        Ok(self.lock()?.executions.get(id).cloned())
    }

    fn update_execution(&self, id: &str, f: ExecutionUpdate<'_>) -> Result<Execution, StoreError> {
        let mut inner = self.lock()?;
        let Some(current) = inner.executions.get(id) else {
            return Err(StoreError::NotFound(id.to_owned()));
        };
        let mut next = current.clone();
        f(&mut next)?;
        let before = current.clone();
        // Identity columns are the index key; an update must not move a row.
        next.execution_id = before.execution_id.clone();
        next.run_id = before.run_id.clone();
        next.start_seq = before.start_seq;
        inner.unindex(&before);
        inner.index(&next);
        inner.executions.insert(id.to_owned(), next.clone());
        Ok(next)
    }

    fn run_executions(&self, run_id: &str) -> Result<Vec<Execution>, StoreError> {
        let inner = self.lock()?;
        Ok(inner
            .runs
            .get(run_id)
            .map(|ids| {
                ids.iter()
                    .filter_map(|id| inner.executions.get(id).cloned())
                    .collect()
            })
            .unwrap_or_default())
    }

    fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.lock()?.runs.keys().cloned().collect())
    }

    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError> {
        let inner = self.lock()?;
        let mut ids: Vec<(u64, String)> = inner
            .executions
            .values()
            .filter(|e| e.agent_node_id == node_id && super::model::is_active(&e.status))
            .map(|e| (e.start_seq, e.execution_id.clone()))
            .collect();
        ids.sort();
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    }

    fn replay_candidate(
        &self,
        key: &ReplayKey,
        before_seq: Option<u64>,
    ) -> Result<Option<Execution>, StoreError> {
        let inner = self.lock()?;
        let Some((seq, id)) = inner.replay_index.get(key).and_then(|set| set.first()) else {
            return Ok(None);
        };
        // The earliest candidate is the only one that can satisfy "started before".
        if before_seq.is_some_and(|boundary| *seq >= boundary) {
            return Ok(None);
        }
        Ok(inner.executions.get(id).cloned())
    }

    fn run_record(&self, run_id: &str) -> Result<Option<RunRecord>, StoreError> {
        Ok(self.lock()?.run_records.get(run_id).cloned())
    }

    fn put_run_record(&self, mut record: RunRecord) -> Result<(), StoreError> {
        let mut inner = self.lock()?;
        if let Some(existing) = inner.run_records.get(&record.run_id) {
            record.created_at = existing.created_at;
        }
        inner.run_records.insert(record.run_id.clone(), record);
        Ok(())
    }
}
