//! What a data dir must be before the store opens it: writable, used by no
//! other control plane (a lock file, held while the store is open), and not
//! damaged in the two ways SQLite would otherwise accept without a word: a
//! 0-byte database beside a WAL that holds commits (it would start empty),
//! and a database whose WAL is gone after a stop that did not close it (the
//! commits in that WAL are lost).

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::reference::store::StoreError;

/// The lock file inside a data dir; present while a control plane has the
/// dir open, and left behind by one that stopped without closing it.
pub const LOCK_FILE: &str = "afc.lock";

/// The held lock of one data dir; removes its file when dropped.
pub struct DirLock {
    path: PathBuf,
    _file: File,
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

fn refuse(message: String) -> StoreError {
    StoreError::Backend(message)
}

/// Checks `dir` and locks it for the store file `db` inside it.
pub fn acquire(dir: &Path, db: &Path) -> Result<DirLock, StoreError> {
    tempfile::NamedTempFile::new_in(dir).map_err(|e| {
        refuse(format!(
            "data dir {} is not writable ({e}): every write would fail; refusing to start",
            dir.display()
        ))
    })?;
    let path = dir.join(LOCK_FILE);
    let left_behind = path.exists();
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(|e| refuse(format!("cannot open lock file {}: {e}", path.display())))?;
    if file.try_lock().is_err() {
        let mut holder = String::new();
        let _ = file.read_to_string(&mut holder);
        return Err(refuse(format!(
            "data dir {} is in use by another afc serve (pid {}; lock {}); refusing to open it twice",
            dir.display(),
            holder.trim(),
            path.display()
        )));
    }
    check_files(db, left_behind)?;
    file.set_len(0)
        .and_then(|()| write!(file, "{}", std::process::id()))
        .map_err(|e| refuse(format!("cannot write lock file {}: {e}", path.display())))?;
    Ok(DirLock { path, _file: file })
}

fn len(p: &Path) -> Option<u64> {
    std::fs::metadata(p).ok().map(|m| m.len())
}

/// The database and its WAL agree, or the error that says how they do not.
fn check_files(db: &Path, unclean: bool) -> Result<(), StoreError> {
    let mut wal = db.as_os_str().to_owned();
    wal.push("-wal");
    let wal = PathBuf::from(wal);
    match (len(db), len(&wal)) {
        (Some(0), Some(w)) if w > 0 => Err(refuse(format!(
            "{} is empty but its WAL {} holds {w} bytes: the database was truncated or \
             replaced; refusing to start (restore it, or move both away to start empty)",
            db.display(),
            wal.display()
        ))),
        (Some(d), None) if d > 0 && unclean => Err(refuse(format!(
            "the last control plane on {} stopped without closing it, and its WAL {} is \
             missing: writes it acknowledged may be lost; refusing to start (restore the WAL, \
             or delete {} to start from the database as it is)",
            db.display(),
            wal.display(),
            db.with_file_name(LOCK_FILE).display()
        ))),
        _ => Ok(()),
    }
}
