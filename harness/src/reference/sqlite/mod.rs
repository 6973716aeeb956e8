//! Persistent [`Store`]: one SQLite database in a data dir (`afc serve
//! --data-dir DIR`), in WAL mode with `synchronous = FULL`, so a store call's
//! transaction is on disk when the call returns; routes answer only after
//! their store calls return, so an acknowledged write survives `kill -9` at
//! any moment (and a power cut). Every call is one short transaction under
//! one connection's mutex; nothing waits on an agent while holding it.
//!
//! Nothing is cached: every answer is read from the database, so there is no
//! second copy to keep consistent. The replay index is a table maintained in
//! the same transaction as the row it indexes; the contract's rules that
//! decide what enters it are [`rules::is_reusable`] and
//! [`rules::replay_key_of`], exactly as for the in-memory store.

mod rows;
mod schema;

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::model::{Execution, NewExecution, Node, RunRecord};
use super::rules::{self, is_reusable};
use super::store::{ExecutionUpdate, ReplayKey, Store, StoreError};
use rows::{EXEC_COLUMNS, NODE_COLUMNS};
use schema::backend;

/// The database file inside a data dir.
pub const DB_FILE: &str = "afc.sqlite3";

/// When a commit reaches the disk.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Sync {
    /// `synchronous = FULL`: the WAL is synced at every commit, so an
    /// acknowledged write survives a power cut as well as `kill -9`.
    #[default]
    Full,
    /// `synchronous = NORMAL`: a commit is written to the WAL (the OS keeps
    /// it when the process dies, so `kill -9` loses nothing acknowledged) but
    /// synced only at checkpoints: a power cut may lose the last commits.
    Normal,
}

/// The SQLite store of one control plane.
pub struct SqliteStore {
    conn: Mutex<Connection>,
    path: PathBuf,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`, migrating its schema,
    /// with [`Sync::Full`].
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, Sync::Full)
    }

    /// Opens the store in `dir` with the given commit durability.
    pub fn open_with(dir: &Path, sync: Sync) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create data dir {}: {e}", dir.display()))
        })?;
        let path = dir.join(DB_FILE);
        let mut conn = Connection::open(&path)
            .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
        let mode: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(backend)?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Backend(format!(
                "{} refused WAL mode (journal_mode = {mode})",
                path.display()
            )));
        }
        let level = match sync {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", level)
            .map_err(backend)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(backend)?;
        schema::migrate(&mut conn)?;
        Ok(Self {
            conn: Mutex::new(conn),
            path,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".to_owned()))
    }

    /// Runs `f` in one write transaction and commits it (synced) on success.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut conn = self.lock()?;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let out = f(&tx)?;
        tx.commit().map_err(backend)?;
        Ok(out)
    }
}

fn index(tx: &Transaction<'_>, exec: &Execution) -> Result<(), StoreError> {
    if let (true, Some(k)) = (is_reusable(exec), rules::replay_key_of(exec)) {
        tx.prepare_cached(
            "INSERT OR IGNORE INTO replay_index (run_id, node_id, reasoner_id, envelope, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                k.run_id,
                k.node_id,
                k.reasoner_id,
                k.envelope,
                seq(exec)
            ])
        })
        .map_err(backend)?;
    }
    Ok(())
}

fn unindex(tx: &Transaction<'_>, exec: &Execution) -> Result<(), StoreError> {
    if let Some(k) = rules::replay_key_of(exec) {
        tx.prepare_cached(
            "DELETE FROM replay_index WHERE run_id = ?1 AND node_id = ?2 AND reasoner_id = ?3 \
             AND envelope = ?4 AND seq = ?5",
        )
        .and_then(|mut s| {
            s.execute(params![
                k.run_id,
                k.node_id,
                k.reasoner_id,
                k.envelope,
                seq(exec)
            ])
        })
        .map_err(backend)?;
    }
    Ok(())
}

fn seq(exec: &Execution) -> i64 {
    i64::try_from(exec.start_seq).unwrap_or(i64::MAX)
}

fn load(tx: &Connection, id: &str) -> Result<Option<Execution>, StoreError> {
    tx.prepare_cached(&format!(
        "SELECT {EXEC_COLUMNS} FROM executions WHERE execution_id = ?1"
    ))
    .and_then(|mut s| s.query_row([id], rows::execution).optional())
    .map_err(backend)
}

impl Store for SqliteStore {
    fn upsert_node(&self, node: Node) -> Result<Option<Node>, StoreError> {
        self.write(|tx| {
            let previous = node_row(tx, &node.id)?;
            rows::write_node(tx, &node)?;
            Ok(previous)
        })
    }

    fn node(&self, id: &str) -> Result<Option<Node>, StoreError> {
        node_row(&*self.lock()?, id)
    }

    fn update_node(
        &self,
        id: &str,
        f: &mut dyn FnMut(&mut Node),
    ) -> Result<Option<Node>, StoreError> {
        self.write(|tx| {
            let Some(mut node) = node_row(tx, id)? else {
                return Ok(None);
            };
            f(&mut node);
            // The id is the key; an update must not move the row.
            node.id = id.to_owned();
            rows::write_node(tx, &node)?;
            Ok(Some(node))
        })
    }

    fn insert_execution(&self, mut exec: NewExecution) -> Result<Execution, StoreError> {
        self.write(|tx| {
            let rowid = rows::write_execution(tx, &exec, true)?;
            exec.start_seq = u64::try_from(rowid)
                .map_err(|_| StoreError::Backend(format!("negative row id {rowid}")))?;
            index(tx, &exec)?;
            Ok(exec)
        })
    }

    fn execution(&self, id: &str) -> Result<Option<Execution>, StoreError> {
        load(&*self.lock()?, id)
    }

    fn update_execution(&self, id: &str, f: ExecutionUpdate<'_>) -> Result<Execution, StoreError> {
        self.write(|tx| {
            let current = load(tx, id)?.ok_or_else(|| StoreError::NotFound(id.to_owned()))?;
            let mut next = current.clone();
            // An error here drops the transaction: nothing was written.
            f(&mut next)?;
            next.execution_id.clone_from(&current.execution_id);
            next.run_id.clone_from(&current.run_id);
            next.start_seq = current.start_seq;
            let (was, now) = (is_reusable(&current), is_reusable(&next));
            let moved = current.node_id != next.node_id
                || current.reasoner_id != next.reasoner_id
                || current.replay_key != next.replay_key;
            if was && (!now || moved) {
                unindex(tx, &current)?;
            }
            if now && (!was || moved) {
                index(tx, &next)?;
            }
            rows::write_execution(tx, &next, false)?;
            Ok(next)
        })
    }

    fn run_executions(&self, run_id: &str) -> Result<Vec<Execution>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {EXEC_COLUMNS} FROM executions WHERE run_id = ?1 ORDER BY seq"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([run_id], rows::execution).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn run_ids(&self) -> Result<Vec<String>, StoreError> {
        let conn = self.lock()?;
        let mut stmt = conn
            .prepare_cached("SELECT DISTINCT run_id FROM executions")
            .map_err(backend)?;
        let rows = stmt.query_map([], |r| r.get(0)).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError> {
        let conn = self.lock()?;
        // The status list repeats the partial index's, so SQLite uses it.
        let mut stmt = conn
            .prepare_cached(
                "SELECT execution_id FROM executions WHERE agent_node_id = ?1 \
                 AND status IN ('running', 'waiting', 'pending', 'queued') ORDER BY seq",
            )
            .map_err(backend)?;
        let rows = stmt.query_map([node_id], |r| r.get(0)).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn replay_candidates(&self, key: &ReplayKey) -> Result<Vec<Execution>, StoreError> {
        let conn = self.lock()?;
        let cols = EXEC_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = conn
            .prepare_cached(&format!(
                "SELECT {cols} FROM replay_index i JOIN executions e ON e.seq = i.seq \
                 WHERE i.run_id = ?1 AND i.node_id = ?2 AND i.reasoner_id = ?3 \
                 AND i.envelope = ?4 ORDER BY i.seq"
            ))
            .map_err(backend)?;
        let rows = stmt
            .query_map(
                params![key.run_id, key.node_id, key.reasoner_id, key.envelope],
                rows::execution,
            )
            .map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn run_record(&self, run_id: &str) -> Result<Option<RunRecord>, StoreError> {
        let conn = self.lock()?;
        conn.prepare_cached(
            "SELECT run_id, status, root_execution_id, metadata, created_at \
             FROM run_records WHERE run_id = ?1",
        )
        .and_then(|mut s| s.query_row([run_id], rows::run_record).optional())
        .map_err(backend)
    }

    fn put_run_record(&self, record: RunRecord) -> Result<(), StoreError> {
        self.write(|tx| rows::write_run_record(tx, &record))
    }
}

fn node_row(conn: &Connection, id: &str) -> Result<Option<Node>, StoreError> {
    conn.prepare_cached(&format!("SELECT {NODE_COLUMNS} FROM nodes WHERE id = ?1"))
        .and_then(|mut s| s.query_row([id], rows::node).optional())
        .map_err(backend)
}

#[cfg(test)]
mod tests;
