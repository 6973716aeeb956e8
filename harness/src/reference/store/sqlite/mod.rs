//! Persistent [`Store`]: one SQLite database in a data dir (`afc serve
//! --data-dir DIR`), in WAL mode with `synchronous = FULL`, so a store call's
//! transaction is on disk when the call returns; routes answer only after
//! their store calls return, so an acknowledged write survives `kill -9` at
//! any moment (and a power cut). Every call is one short transaction under
//! one connection's mutex; nothing waits on an agent while holding it.
//!
//! The replay index is a table maintained in the same transaction as the row
//! it indexes; the contract's rules that decide what enters it are
//! [`rules::is_reusable`] and [`rules::replay_key_of`], exactly as for the
//! in-memory store. One answer comes from a cache: the run list's per-run
//! aggregates and sort orders ([`RunIndex`], the in-memory store's own),
//! which would otherwise cost a scan of every execution per page. It stays
//! consistent because it is rebuilt from the executions table when the store
//! opens, and changed only under the same mutex as the connection, after the
//! transaction it mirrors has committed (a failed commit leaves it
//! untouched), and this process is the database's only writer. Unlike the
//! in-memory store, nothing is evicted: the disk is the bound.

mod guard;
pub mod kv;
mod list;
mod rows;
mod schema;

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use super::{ExecutionUpdate, ReplayKey, Store, StoreError};
use crate::reference::model::{Execution, NewExecution, Node, RunRecord};
use crate::reference::rules::{self, is_reusable};
use crate::reference::run_index::{RunIndex, RunPage, RunQuery};
use rows::{node_row, node_rows, EXEC_COLUMNS};
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
    inner: Mutex<Inner>,
    /// Read-only connection of the filtered run list (`list`).
    reader: Mutex<Connection>,
    /// Test hook of `list`: (scan entered, go on).
    #[cfg(test)]
    scan_gate: Mutex<Option<(std::sync::mpsc::Sender<()>, std::sync::mpsc::Receiver<()>)>>,
    /// Dropped after the connection, so the WAL is closed before the lock file goes.
    _lock: guard::DirLock,
}

struct Inner {
    conn: Connection,
    /// The run list's cache (see the module doc).
    runs: RunIndex,
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`, migrating its schema,
    /// with [`Sync::Full`].
    #[cfg(test)]
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        Self::open_with(dir, Sync::Full)
    }

    /// Opens the store in `dir` with the given commit durability.
    pub fn open_with(dir: &Path, sync: Sync) -> Result<Self, StoreError> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Backend(format!("cannot create data dir {}: {e}", dir.display()))
        })?;
        let path = dir.join(DB_FILE);
        let lock = guard::acquire(dir, &path)?;
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
        let runs = rebuild_run_index(&conn)?;
        Ok(Self {
            inner: Mutex::new(Inner { conn, runs }),
            reader: Mutex::new(list::reader(&path)?),
            #[cfg(test)]
            scan_gate: Mutex::default(),
            _lock: lock,
        })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Inner>, StoreError> {
        self.inner
            .lock()
            .map_err(|_| StoreError::Backend("store lock poisoned".to_owned()))
    }

    /// Runs `f` in one write transaction and commits it (synced as
    /// [`Sync`] says); then, still under the lock, `after` mirrors the
    /// committed change into the run list's cache.
    fn write_then<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
        after: impl FnOnce(&mut RunIndex, &T),
    ) -> Result<T, StoreError> {
        let mut guard = self.lock()?;
        let Inner { conn, runs } = &mut *guard;
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(backend)?;
        let out = f(&tx)?;
        tx.commit().map_err(backend)?;
        after(runs, &out);
        Ok(out)
    }

    /// [`Self::write_then`] for changes the run list does not see.
    fn write<T>(
        &self,
        f: impl FnOnce(&Transaction<'_>) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.write_then(f, |_, _| {})
    }
}

fn index(tx: &Transaction<'_>, exec: &Execution) -> Result<(), StoreError> {
    if is_reusable(exec) {
        keyed(
            tx,
            "INSERT OR IGNORE INTO replay_index (run_id, node_id, reasoner_id, envelope, seq) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
            exec,
        )?;
    }
    Ok(())
}

fn unindex(tx: &Transaction<'_>, exec: &Execution) -> Result<(), StoreError> {
    keyed(
        tx,
        "DELETE FROM replay_index WHERE run_id = ?1 AND node_id = ?2 AND reasoner_id = ?3 \
         AND envelope = ?4 AND seq = ?5",
        exec,
    )
}

/// Runs `sql` on `exec`'s replay key and sequence number; nothing when it has no key.
fn keyed(tx: &Transaction<'_>, sql: &str, exec: &Execution) -> Result<(), StoreError> {
    if let Some(k) = rules::replay_key_of(exec) {
        tx.prepare_cached(sql)
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

/// The run list's cache from the executions table, in start order.
fn rebuild_run_index(conn: &Connection) -> Result<RunIndex, StoreError> {
    let mut runs = RunIndex::default();
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {EXEC_COLUMNS} FROM executions ORDER BY seq"
        ))
        .map_err(backend)?;
    let rows = stmt.query_map([], rows::execution).map_err(backend)?;
    for row in rows {
        runs.started(&row.map_err(backend)?);
    }
    Ok(runs)
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
        node_row(&self.lock()?.conn, id)
    }

    fn nodes(&self) -> Result<Vec<Node>, StoreError> {
        node_rows(&self.lock()?.conn)
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
        self.write_then(
            |tx| {
                let rowid = rows::write_execution(tx, &exec, true)?;
                exec.start_seq = u64::try_from(rowid)
                    .map_err(|_| StoreError::Backend(format!("negative row id {rowid}")))?;
                index(tx, &exec)?;
                Ok(exec)
            },
            |runs, exec| runs.started(exec),
        )
    }

    fn execution(&self, id: &str) -> Result<Option<Execution>, StoreError> {
        load(&self.lock()?.conn, id)
    }

    fn update_execution(&self, id: &str, f: ExecutionUpdate<'_>) -> Result<Execution, StoreError> {
        let (next, _) = self.write_then(
            |tx| {
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
                Ok((next, current.status))
            },
            |runs, (next, old)| runs.status_changed(&next.run_id, *old, next.status),
        )?;
        Ok(next)
    }

    fn run_executions(&self, run_id: &str) -> Result<Vec<Execution>, StoreError> {
        let inner = self.lock()?;
        let mut stmt = inner
            .conn
            .prepare_cached(&format!(
                "SELECT {EXEC_COLUMNS} FROM executions WHERE run_id = ?1 ORDER BY seq"
            ))
            .map_err(backend)?;
        let rows = stmt.query_map([run_id], rows::execution).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn list_runs(&self, q: &RunQuery) -> Result<RunPage, StoreError> {
        if !q.filter.is_empty() {
            return self.list_filtered(q);
        }
        let inner = self.lock()?;
        inner.runs.page(q, |id, agg| {
            let root = match &agg.root {
                Some(r) => load(&inner.conn, r)?,
                None => None,
            };
            Ok((root, first_of_run(&inner.conn, id)?))
        })
    }

    fn active_executions_of_node(&self, node_id: &str) -> Result<Vec<String>, StoreError> {
        let inner = self.lock()?;
        // The status list repeats the partial index's, so SQLite uses it.
        let mut stmt = inner
            .conn
            .prepare_cached(
                "SELECT execution_id FROM executions WHERE agent_node_id = ?1 \
                 AND status IN ('running', 'waiting', 'pending', 'queued') ORDER BY seq",
            )
            .map_err(backend)?;
        let rows = stmt.query_map([node_id], |r| r.get(0)).map_err(backend)?;
        rows.collect::<Result<_, _>>().map_err(backend)
    }

    fn replay_candidates(&self, key: &ReplayKey) -> Result<Vec<Execution>, StoreError> {
        let inner = self.lock()?;
        let cols = EXEC_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = inner
            .conn
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
        let inner = self.lock()?;
        inner
            .conn
            .prepare_cached(
                "SELECT run_id, metadata, created_at FROM run_records WHERE run_id = ?1",
            )
            .and_then(|mut s| s.query_row([run_id], rows::run_record).optional())
            .map_err(backend)
    }

    fn put_run_record(&self, record: RunRecord) -> Result<(), StoreError> {
        self.write(|tx| rows::write_run_record(tx, &record))
    }
}

fn first_of_run(conn: &Connection, run_id: &str) -> Result<Option<Execution>, StoreError> {
    conn.prepare_cached(&format!(
        "SELECT {EXEC_COLUMNS} FROM executions WHERE run_id = ?1 ORDER BY seq LIMIT 1"
    ))
    .and_then(|mut s| s.query_row([run_id], rows::execution).optional())
    .map_err(backend)
}

#[cfg(test)]
mod tests;
