//! In-memory [`Store`]: one mutex around plain maps. Every call is short and
//! synchronous, so the lock is never held across an await.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Mutex, MutexGuard};

use super::{ExecutionUpdate, ReplayKey, Store, StoreError};
use crate::reference::model::{Execution, NewExecution, Node, RunRecord};
use crate::reference::rules::{self, is_reusable, replay_key_of as key_of};
use crate::reference::run_index::{RunIndex, RunPage, RunQuery, RunSort};

/// The default store. Unbounded by default; [`InMemoryStore::bounded`] keeps at
/// most a given number of executions (see [`Inner::make_room`]).
#[derive(Default)]
pub struct InMemoryStore {
    inner: Mutex<Inner>,
    /// Most executions held; 0 is unbounded.
    max_executions: usize,
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
    /// Per-run aggregates and the run list's sort orders.
    run_index: RunIndex,
    next_seq: u64,
}

impl InMemoryStore {
    /// An empty, unbounded store.
    #[cfg(test)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Ids of every run, for tests that recompute the run list the slow way.
    #[cfg(test)]
    pub fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.lock()?.runs.keys().cloned().collect())
    }

    /// An empty store that holds at most `max_executions` (0: unbounded).
    pub fn bounded(max_executions: usize) -> Self {
        Self {
            max_executions,
            ..Self::default()
        }
    }

    #[cfg(test)]
    fn replay_index_is_empty(&self) -> bool {
        self.lock().is_ok_and(|i| i.replay_index.is_empty())
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".to_owned()))
    }
}

impl Inner {
    /// Makes room for one more execution under `max` by evicting whole runs,
    /// oldest latest start first, that have no active execution. Policy: an
    /// `afc serve` left running for days should keep serving, and the runs
    /// it can best lose are the finished ones nobody touched for longest
    /// (a read or restart of one then answers 404, as for an unknown run).
    /// An active run is never evicted, as its agents will still report on
    /// it; when every stored run is active, the new work is refused.
    fn make_room(&mut self, max: usize) -> Result<(), StoreError> {
        while max > 0 && self.executions.len() >= max {
            let victim = self
                .run_index
                .ordered(RunSort::UpdatedAt, true)
                .find(|id| self.run_index.agg(id).is_some_and(|a| a.active() == 0))
                .map(str::to_owned);
            let Some(run) = victim else {
                return Err(StoreError::Full(max));
            };
            for id in self.runs.remove(&run).unwrap_or_default() {
                if let Some(exec) = self.executions.remove(&id) {
                    self.unindex(&exec);
                }
            }
            self.run_records.remove(&run);
            self.run_index.remove(&run);
        }
        Ok(())
    }

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

impl Store for InMemoryStore {
    fn upsert_node(&self, node: Node) -> Result<Option<Node>, StoreError> {
        Ok(self.lock()?.nodes.insert(node.id.clone(), node))
    }

    fn node(&self, id: &str) -> Result<Option<Node>, StoreError> {
        Ok(self.lock()?.nodes.get(id).cloned())
    }

    fn nodes(&self) -> Result<Vec<Node>, StoreError> {
        Ok(self.lock()?.nodes.values().cloned().collect())
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
        inner.make_room(self.max_executions)?;
        inner.next_seq += 1;
        exec.start_seq = inner.next_seq;
        inner
            .runs
            .entry(exec.run_id.clone())
            .or_default()
            .push(exec.execution_id.clone());
        inner.index(&exec);
        inner.run_index.started(&exec);
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
        // Identity columns are the index key; an update must not move a row.
        next.execution_id.clone_from(&current.execution_id);
        next.run_id.clone_from(&current.run_id);
        next.start_seq = current.start_seq;
        // Touch the index only when the row enters, leaves or moves within it.
        let (was, now) = (is_reusable(current), is_reusable(&next));
        let old_status = (current.status != next.status).then_some(current.status);
        let moved = current.node_id != next.node_id
            || current.reasoner_id != next.reasoner_id
            || current.replay_key != next.replay_key;
        if was && (!now || moved) {
            let before = current.clone();
            inner.unindex(&before);
        }
        if now && (!was || moved) {
            inner.index(&next);
        }
        if let Some(old) = old_status {
            inner
                .run_index
                .status_changed(&next.run_id, old, next.status);
        }

        let slot = inner
            .executions
            .get_mut(id)
            .ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
        *slot = next.clone();
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

    fn workflow_root(&self, run_id: &str) -> Result<Option<Execution>, StoreError> {
        let inner = self.lock()?;
        let Some(ids) = inner.runs.get(run_id) else {
            return Ok(None);
        };
        let rows = ids.iter().filter_map(|id| inner.executions.get(id));
        Ok(rules::run_root(rows).cloned())
    }

    fn list_runs(&self, q: &RunQuery) -> Result<RunPage, StoreError> {
        let inner = self.lock()?;
        let row = |id: Option<&String>| id.and_then(|e| inner.executions.get(e));
        inner.run_index.page(q, |id, agg| {
            let first = inner.runs.get(id).and_then(|ids| ids.first());
            Ok((row(agg.root.as_ref()), row(first)))
        })
    }

    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError> {
        let inner = self.lock()?;
        let mut ids: Vec<(u64, String)> = inner
            .executions
            .values()
            .filter(|e| e.agent_node_id == node_id && e.status.is_active())
            .map(|e| (e.start_seq, e.execution_id.clone()))
            .collect();
        ids.sort();
        Ok(ids.into_iter().map(|(_, id)| id).collect())
    }

    fn replay_candidates(&self, key: &ReplayKey) -> Result<Vec<Execution>, StoreError> {
        let inner = self.lock()?;
        let ids = inner.replay_index.get(key).into_iter().flatten();
        Ok(ids
            .filter_map(|(_, id)| inner.executions.get(id).cloned())
            .collect())
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

#[cfg(test)]
mod tests;
