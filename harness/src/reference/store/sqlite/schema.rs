//! The on-disk schema and its version. `PRAGMA user_version` holds the
//! version; opening a database migrates it forward one step at a time in one
//! transaction, and refuses a database written by a newer afc rather than
//! guessing at columns it does not know.

use rusqlite::Connection;

use crate::reference::store::StoreError;

/// The version this build writes.
pub const VERSION: i64 = 3;

/// Version 1. Executions keep their start sequence as the row id: rows are
/// never deleted, so SQLite's `max(rowid) + 1` only grows and is the start
/// order the replay boundary compares (§3.3). The replay index is its own
/// table keyed like [`crate::reference::store::ReplayKey`] plus the sequence,
/// so a lookup is one B-tree seek, never a scan of the source run.
const V1: &str = "
CREATE TABLE nodes (
    id TEXT PRIMARY KEY,
    base_url TEXT NOT NULL,
    invocation_url TEXT NOT NULL,
    deployment_type TEXT NOT NULL,
    instance_id TEXT NOT NULL,
    reasoners TEXT NOT NULL,
    skills TEXT NOT NULL,
    lifecycle_status TEXT NOT NULL,
    health_status TEXT NOT NULL,
    registration TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    last_heartbeat TEXT NOT NULL
) STRICT;
CREATE TABLE executions (
    seq INTEGER PRIMARY KEY,
    execution_id TEXT NOT NULL UNIQUE,
    run_id TEXT NOT NULL,
    parent_execution_id TEXT,
    node_id TEXT NOT NULL,
    agent_node_id TEXT NOT NULL,
    reasoner_id TEXT NOT NULL,
    target_type TEXT NOT NULL,
    status TEXT NOT NULL,
    status_reason TEXT,
    input_payload TEXT NOT NULL,
    result_payload BLOB,
    error_message TEXT,
    session_id TEXT,
    actor_id TEXT,
    started_at TEXT NOT NULL,
    completed_at TEXT,
    duration_ms INTEGER,
    replay_source_run_id TEXT,
    replay_before_execution_id TEXT,
    replay_mode TEXT,
    replay_key TEXT
) STRICT;
CREATE INDEX executions_by_run ON executions (run_id, seq);
CREATE INDEX executions_active_by_node ON executions (agent_node_id, seq)
    WHERE status IN ('running', 'waiting', 'pending', 'queued');
CREATE TABLE replay_index (
    run_id TEXT NOT NULL,
    node_id TEXT NOT NULL,
    reasoner_id TEXT NOT NULL,
    envelope TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES executions (seq),
    PRIMARY KEY (run_id, node_id, reasoner_id, envelope, seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE run_records (
    run_id TEXT PRIMARY KEY,
    metadata TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
";

/// Version 2: the forward pointer of §5.3 (V-latest).
const V2: &str = "ALTER TABLE executions ADD COLUMN restarted_as TEXT;";

/// Version 3: the agent instance an execution was dispatched to (§7.1, V-latest).
const V3: &str = "ALTER TABLE executions ADD COLUMN instance_id TEXT;";

/// Brings `conn` to [`VERSION`], or refuses a newer database.
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(backend)?;
    if found > VERSION {
        return Err(StoreError::Backend(format!(
            "the data dir holds schema version {found}; this afc knows up to {VERSION}"
        )));
    }
    if found == VERSION {
        return Ok(());
    }
    let tx = conn.transaction().map_err(backend)?;
    if found < 1 {
        tx.execute_batch(V1).map_err(backend)?;
    }
    if found < 2 {
        tx.execute_batch(V2).map_err(backend)?;
    }
    if found < 3 {
        tx.execute_batch(V3).map_err(backend)?;
    }
    tx.pragma_update(None, "user_version", VERSION)
        .map_err(backend)?;
    tx.commit().map_err(backend)
}

/// A SQLite error as a store failure.
pub fn backend(e: rusqlite::Error) -> StoreError {
    StoreError::Backend(e.to_string())
}
