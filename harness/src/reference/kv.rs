//! The key–value memory behind `/api/v1/memory/*` (v0.1.96
//! `handlers/memory.go` over `storage/local.go`): one bucket per scope, each
//! entry addressed by scope id and key. Only the five buckets v0.1.96 creates
//! exist; any other scope is the storage error v0.1.96 reports.

use std::collections::BTreeMap;
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::canonical::GoValue;

/// The buckets v0.1.96 creates at start (`initializeMemoryBuckets`).
pub const SCOPES: [&str; 5] = ["workflow", "session", "actor", "reasoner", "global"];

/// One stored value.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    /// `workflow`, `session`, `actor`, `reasoner` or `global`.
    pub scope: String,
    /// Whose entry this is (the scope's header value; `global` for global).
    pub scope_id: String,
    /// The key.
    pub key: String,
    /// The value as Go decoded it (numbers are doubles, keys sorted).
    pub data: GoValue,
    /// Set on every write, as v0.1.96 does.
    pub created_at: DateTime<Utc>,
    /// Set on every write.
    pub updated_at: DateTime<Utc>,
}

/// Why a memory operation failed, worded as v0.1.96's BoltDB store words it.
#[derive(Clone, Debug, thiserror::Error, PartialEq)]
pub enum KvError {
    /// The scope is not one of [`SCOPES`].
    #[error("BoltDB bucket '{0}' not found")]
    NoBucket(String),
    /// Nothing is stored under that scope, id and key.
    #[error("memory with key '{key}' not found in scope '{scope}' for ID '{scope_id}'")]
    NotFound {
        /// The scope looked in.
        scope: String,
        /// The scope id looked in.
        scope_id: String,
        /// The missing key.
        key: String,
    },
    /// A previous holder of the lock panicked.
    #[error("memory store lock poisoned")]
    Poisoned,
}

type Address = (String, String, String);

/// All memory entries of one control plane.
#[derive(Default)]
pub struct Kv {
    entries: Mutex<BTreeMap<Address, Memory>>,
}

fn bucket(scope: &str) -> Result<(), KvError> {
    if SCOPES.contains(&scope) {
        Ok(())
    } else {
        Err(KvError::NoBucket(scope.to_owned()))
    }
}

fn address(scope: &str, scope_id: &str, key: &str) -> Address {
    (scope.to_owned(), scope_id.to_owned(), key.to_owned())
}

impl Kv {
    fn lock(&self) -> Result<std::sync::MutexGuard<'_, BTreeMap<Address, Memory>>, KvError> {
        self.entries.lock().map_err(|_| KvError::Poisoned)
    }

    /// Stores (or replaces) an entry.
    pub fn set(&self, memory: Memory) -> Result<(), KvError> {
        bucket(&memory.scope)?;
        let at = address(&memory.scope, &memory.scope_id, &memory.key);
        self.lock()?.insert(at, memory);
        Ok(())
    }

    /// One entry.
    pub fn get(&self, scope: &str, scope_id: &str, key: &str) -> Result<Memory, KvError> {
        bucket(scope)?;
        self.lock()?
            .get(&address(scope, scope_id, key))
            .cloned()
            .ok_or_else(|| KvError::NotFound {
                scope: scope.to_owned(),
                scope_id: scope_id.to_owned(),
                key: key.to_owned(),
            })
    }

    /// Removes an entry; removing a missing key succeeds, as a BoltDB delete does.
    pub fn delete(&self, scope: &str, scope_id: &str, key: &str) -> Result<(), KvError> {
        bucket(scope)?;
        self.lock()?.remove(&address(scope, scope_id, key));
        Ok(())
    }

    /// Every entry of one scope id, ordered by key.
    pub fn list(&self, scope: &str, scope_id: &str) -> Result<Vec<Memory>, KvError> {
        bucket(scope)?;
        Ok(self
            .lock()?
            .values()
            .filter(|m| m.scope == scope && m.scope_id == scope_id)
            .cloned()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(scope: &str, id: &str, key: &str) -> Memory {
        Memory {
            scope: scope.into(),
            scope_id: id.into(),
            key: key.into(),
            data: GoValue::Bool(true),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn entries_are_addressed_by_scope_id_and_key() {
        let kv = Kv::default();
        assert_eq!(kv.set(entry("session", "s1", "k")), Ok(()));
        assert!(kv.get("session", "s1", "k").is_ok());
        assert!(matches!(
            kv.get("session", "s2", "k"),
            Err(KvError::NotFound { .. })
        ));
        assert!(matches!(
            kv.get("actor", "s1", "k"),
            Err(KvError::NotFound { .. })
        ));
        assert_eq!(kv.list("session", "s1").map(|l| l.len()), Ok(1));
        assert_eq!(kv.list("session", "s2").map(|l| l.len()), Ok(0));
        assert_eq!(kv.delete("session", "s1", "k"), Ok(()));
        assert_eq!(kv.delete("session", "s1", "k"), Ok(()));
        assert_eq!(kv.list("session", "s1").map(|l| l.len()), Ok(0));
    }

    #[test]
    fn unknown_scopes_are_missing_buckets() {
        let kv = Kv::default();
        let err = KvError::NoBucket("bogus".into());
        assert_eq!(kv.set(entry("bogus", "x", "k")), Err(err.clone()));
        assert_eq!(kv.get("", "x", "k"), Err(KvError::NoBucket(String::new())));
        assert_eq!(err.to_string(), "BoltDB bucket 'bogus' not found");
    }
}
