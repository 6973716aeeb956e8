//! The key–value memory behind `/api/v1/memory/*` (v0.1.96
//! `handlers/memory.go` over `storage/local.go`): one bucket per scope, each
//! entry addressed by scope id and key. Only the five buckets v0.1.96 creates
//! exist; any other scope is the storage error v0.1.96 reports.
//!
//! Bounded (v0.1.96 is not): at most [`MAX_KV_ENTRIES`] entries and
//! [`MAX_KV_BYTES`] of keys and values; a write past either is refused
//! ([`KvError::Full`], 507) and changes nothing. With a data dir every write
//! goes to disk (`sqlite::kv`) before it is acknowledged.

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
    /// The write would pass a bound of the memory.
    #[error("key-value memory is full: at most {max_entries} entries and {max_bytes} bytes")]
    Full {
        /// [`MAX_KV_ENTRIES`].
        max_entries: usize,
        /// [`MAX_KV_BYTES`].
        max_bytes: usize,
    },
    /// The data dir refused the write.
    #[error("{0}")]
    Disk(String),
}

/// Most entries held.
pub const MAX_KV_ENTRIES: usize = 100_000;
/// Most bytes of scope ids, keys and JSON values held.
pub const MAX_KV_BYTES: usize = 256 * 1024 * 1024;

type Address = (String, String, String);

/// All memory entries of one control plane.
pub struct Kv {
    entries: Mutex<Entries>,
    disk: Option<super::store::sqlite::kv::KvDisk>,
    max_entries: usize,
    max_bytes: usize,
}

#[derive(Default)]
struct Entries {
    map: BTreeMap<Address, (Memory, usize)>,
    bytes: usize,
}

impl Default for Kv {
    fn default() -> Self {
        Self::bounded(MAX_KV_ENTRIES, MAX_KV_BYTES)
    }
}

/// What an entry counts against [`MAX_KV_BYTES`].
fn size_of(m: &Memory) -> usize {
    m.scope.len()
        + m.scope_id.len()
        + m.key.len()
        + super::canonical::to_json(&m.data).to_string().len()
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
    /// In memory only, with these bounds.
    pub fn bounded(max_entries: usize, max_bytes: usize) -> Self {
        Self {
            entries: Mutex::default(),
            disk: None,
            max_entries,
            max_bytes,
        }
    }

    /// Backed by `disk`, starting with everything it holds.
    pub fn persistent(disk: super::store::sqlite::kv::KvDisk) -> Result<Self, super::StoreError> {
        let mut entries = Entries::default();
        for m in disk.load()? {
            let size = size_of(&m);
            entries.bytes += size;
            let at = address(&m.scope, &m.scope_id, &m.key);
            entries.map.insert(at, (m, size));
        }
        Ok(Self {
            entries: Mutex::new(entries),
            disk: Some(disk),
            ..Self::default()
        })
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Entries>, KvError> {
        self.entries.lock().map_err(|_| KvError::Poisoned)
    }

    /// Stores (or replaces) an entry, refusing one past the bounds.
    pub fn set(&self, memory: Memory) -> Result<(), KvError> {
        bucket(&memory.scope)?;
        let at = address(&memory.scope, &memory.scope_id, &memory.key);
        let size = size_of(&memory);
        let mut e = self.lock()?;
        let old = e.map.get(&at).map(|(_, n)| *n);
        let count = e.map.len() + usize::from(old.is_none());
        if count > self.max_entries || e.bytes - old.unwrap_or(0) + size > self.max_bytes {
            return Err(KvError::Full {
                max_entries: self.max_entries,
                max_bytes: self.max_bytes,
            });
        }
        if let Some(disk) = &self.disk {
            disk.put(&memory)
                .map_err(|e| KvError::Disk(e.to_string()))?;
        }
        e.bytes = e.bytes - old.unwrap_or(0) + size;
        e.map.insert(at, (memory, size));
        Ok(())
    }

    /// One entry.
    pub fn get(&self, scope: &str, scope_id: &str, key: &str) -> Result<Memory, KvError> {
        bucket(scope)?;
        self.lock()?
            .map
            .get(&address(scope, scope_id, key))
            .map(|(m, _)| m.clone())
            .ok_or_else(|| KvError::NotFound {
                scope: scope.to_owned(),
                scope_id: scope_id.to_owned(),
                key: key.to_owned(),
            })
    }

    /// Removes an entry; removing a missing key succeeds, as a BoltDB delete does.
    pub fn delete(&self, scope: &str, scope_id: &str, key: &str) -> Result<(), KvError> {
        bucket(scope)?;
        let mut e = self.lock()?;
        if let Some(disk) = &self.disk {
            disk.delete(scope, scope_id, key)
                .map_err(|e| KvError::Disk(e.to_string()))?;
        }
        if let Some((_, n)) = e.map.remove(&address(scope, scope_id, key)) {
            e.bytes -= n;
        }
        Ok(())
    }

    /// Every entry of one scope id, ordered by key.
    pub fn list(&self, scope: &str, scope_id: &str) -> Result<Vec<Memory>, KvError> {
        bucket(scope)?;
        Ok(self
            .lock()?
            .map
            .values()
            .map(|(m, _)| m)
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
    fn a_write_past_a_bound_is_refused_and_changes_nothing() {
        let kv = Kv::bounded(2, 1_000);
        assert_eq!(kv.set(entry("session", "s1", "a")), Ok(()));
        assert_eq!(kv.set(entry("session", "s1", "b")), Ok(()));
        let full = Err(KvError::Full {
            max_entries: 2,
            max_bytes: 1_000,
        });
        assert_eq!(kv.set(entry("session", "s1", "c")), full);
        assert_eq!(
            kv.set(entry("session", "s1", "a")),
            Ok(()),
            "a replacement fits"
        );
        assert_eq!(kv.delete("session", "s1", "b"), Ok(()));
        let mut big = entry("session", "s1", "d");
        big.data = GoValue::String("x".repeat(1_000));
        assert!(matches!(kv.set(big), Err(KvError::Full { .. })));
        assert_eq!(kv.list("session", "s1").map(|l| l.len()), Ok(1));
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
