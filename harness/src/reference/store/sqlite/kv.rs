//! Key–value memory on disk (`afc serve --data-dir`): one table in its own
//! SQLite file beside the store's, written through on every set and delete
//! before the route answers, and read whole at start, so a value that was
//! acknowledged survives a restart or `kill -9` as an execution does.

use std::path::Path;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::schema::backend;
use super::Sync;
use crate::reference::canonical;
use crate::reference::kv::Memory;
use crate::reference::store::StoreError;

/// The key–value file inside a data dir.
pub const KV_FILE: &str = "afc-memory.sqlite3";

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS memory (
    scope TEXT NOT NULL,
    scope_id TEXT NOT NULL,
    key TEXT NOT NULL,
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, scope_id, key)
) STRICT, WITHOUT ROWID;
";

/// The open key–value file.
pub struct KvDisk {
    conn: Mutex<Connection>,
}

impl KvDisk {
    /// Opens (creating if needed) the key–value file in `dir`.
    pub fn open(dir: &Path, sync: Sync) -> Result<Self, StoreError> {
        let path = dir.join(KV_FILE);
        let conn = Connection::open(&path)
            .map_err(|e| StoreError::Backend(format!("cannot open {}: {e}", path.display())))?;
        let _: String = conn
            .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
            .map_err(backend)?;
        let level = match sync {
            Sync::Full => "FULL",
            Sync::Normal => "NORMAL",
        };
        conn.pragma_update(None, "synchronous", level)
            .map_err(backend)?;
        conn.execute_batch(SCHEMA).map_err(backend)?;
        Ok(Self {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> Result<std::sync::MutexGuard<'_, Connection>, StoreError> {
        self.conn
            .lock()
            .map_err(|_| StoreError::Backend("memory file lock poisoned".to_owned()))
    }

    /// Every stored entry.
    pub fn load(&self) -> Result<Vec<Memory>, StoreError> {
        let conn = self.conn()?;
        let mut stmt = conn
            .prepare("SELECT scope, scope_id, key, data, created_at, updated_at FROM memory")
            .map_err(backend)?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, String>(5)?,
                ))
            })
            .map_err(backend)?;
        let time = |s: &str| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| StoreError::Backend(format!("memory row time {s:?}: {e}")))
        };
        let mut out = Vec::new();
        for row in rows {
            let (scope, scope_id, key, data, created, updated) = row.map_err(backend)?;
            let data = canonical::parse(data.as_bytes())
                .map_err(|e| StoreError::Backend(format!("memory row {key:?}: {e}")))?;
            out.push(Memory {
                scope,
                scope_id,
                key,
                data,
                created_at: time(&created)?,
                updated_at: time(&updated)?,
            });
        }
        Ok(out)
    }

    /// Stores (or replaces) one entry; on disk when this returns.
    pub fn put(&self, m: &Memory) -> Result<(), StoreError> {
        let data = canonical::to_json(&m.data).to_string();
        self.conn()?
            .prepare_cached(
                "INSERT OR REPLACE INTO memory (scope, scope_id, key, data, created_at, updated_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )
            .and_then(|mut s| {
                s.execute(params![
                    m.scope,
                    m.scope_id,
                    m.key,
                    data,
                    m.created_at.to_rfc3339(),
                    m.updated_at.to_rfc3339()
                ])
            })
            .map(|_| ())
            .map_err(backend)
    }

    /// Removes one entry; a missing one is no error.
    pub fn delete(&self, scope: &str, scope_id: &str, key: &str) -> Result<(), StoreError> {
        self.conn()?
            .prepare_cached("DELETE FROM memory WHERE scope = ?1 AND scope_id = ?2 AND key = ?3")
            .and_then(|mut s| s.execute(params![scope, scope_id, key]))
            .map(|_| ())
            .map_err(backend)
    }
}
