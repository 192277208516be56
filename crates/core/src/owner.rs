//! Which process owns a run, and whether that process is still alive.
//!
//! Every open engine takes an exclusive OS lock on its own file `locks/<owner id>.lock` and
//! keeps it until it ends. The operating system releases the lock when the process dies, even
//! by SIGKILL, so any process can tell a live owner from a dead one by trying the lock; unlike
//! a pid, an owner id is never reused.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use fs4::fs_std::FileExt;

use crate::error::{Error, Result};

/// The lock an engine holds for as long as it lives.
#[derive(Debug)]
pub(crate) struct OwnerLock {
    id: String,
    path: PathBuf,
    file: File,
}

impl OwnerLock {
    /// Creates a new owner id and takes its lock.
    pub(crate) fn acquire(locks_dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(locks_dir)
            .map_err(|err| Error::io("create folder", locks_dir, &err))?;

        let id = uuid::Uuid::new_v4().to_string();
        let path = lock_path(locks_dir, &id);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|err| Error::io("create", &path, &err))?;
        if !file
            .try_lock_exclusive()
            .map_err(|err| Error::io("lock", &path, &err))?
        {
            return Err(Error::internal(format!(
                "fresh owner lock {} is already held",
                path.display()
            )));
        }
        Ok(Self { id, path, file })
    }

    /// This engine's owner id.
    pub(crate) fn id(&self) -> &str {
        &self.id
    }
}

impl Drop for OwnerLock {
    fn drop(&mut self) {
        let _ = FileExt::unlock(&self.file);
        let _ = std::fs::remove_file(&self.path);
    }
}

fn lock_path(locks_dir: &Path, owner_id: &str) -> PathBuf {
    locks_dir.join(format!("{owner_id}.lock"))
}

/// Whether the owner with this id still holds its lock.
pub(crate) fn is_alive(locks_dir: &Path, owner_id: &str) -> bool {
    // Owner ids are UUIDs we wrote ourselves; anything else cannot name a live owner, and must
    // never be joined to a path.
    if uuid::Uuid::parse_str(owner_id).is_err() {
        return false;
    }

    let path = lock_path(locks_dir, owner_id);
    let Ok(file) = OpenOptions::new().write(true).open(&path) else {
        return false;
    };
    match file.try_lock_exclusive() {
        Ok(true) => {
            // Dead: its lock was free. Clean up the file it left behind.
            let _ = std::fs::remove_file(&path);
            let _ = FileExt::unlock(&file);
            false
        }
        Ok(false) => true,
        // Limitation: a file system without locks makes every owner look alive, so stale runs
        // there are never marked interrupted automatically.
        Err(_) => true,
    }
}

/// Removes the lock files of owners that are gone (processes that crashed with no run left to
/// recover, which would otherwise leave their file forever).
pub(crate) fn sweep_dead(locks_dir: &Path) {
    let Ok(entries) = std::fs::read_dir(locks_dir) else {
        return;
    };
    for entry in entries.filter_map(|entry| entry.ok()) {
        let name = entry.file_name().to_string_lossy().into_owned();
        if let Some(owner_id) = name.strip_suffix(".lock") {
            // Checking a dead owner removes its file.
            is_alive(locks_dir, owner_id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn held_lock_is_alive_and_released_lock_is_dead() {
        let dir = tempfile::tempdir().unwrap();
        let lock = OwnerLock::acquire(dir.path()).unwrap();
        let id = lock.id().to_string();

        assert!(is_alive(dir.path(), &id));
        drop(lock);
        assert!(!is_alive(dir.path(), &id));
    }

    #[test]
    fn sweep_removes_only_dead_owners_files() {
        let dir = tempfile::tempdir().unwrap();
        let live = OwnerLock::acquire(dir.path()).unwrap();
        let dead_path = lock_path(dir.path(), &uuid::Uuid::new_v4().to_string());
        std::fs::write(&dead_path, b"").unwrap();

        sweep_dead(dir.path());

        assert!(!dead_path.exists());
        assert!(lock_path(dir.path(), live.id()).exists());
    }

    #[test]
    fn odd_owner_ids_are_dead() {
        let dir = tempfile::tempdir().unwrap();

        assert!(!is_alive(dir.path(), "../../etc/passwd"));
    }
}
