//! Writing files so that a crash never leaves a half-written one: a temporary file in the same
//! folder, flushed to disk, then renamed over the target.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::{Result, WeightsError};

/// Calls `write` with a fresh temporary file beside `path`, syncs it and renames it to `path`.
/// On any error the temporary file is removed and `path` is left as it was.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> Result<()> {
    let temporary = temporary_path(path);

    let outcome = create_and_fill(&temporary, write).and_then(|()| fs::rename(&temporary, path));
    if let Err(error) = outcome {
        let _ = fs::remove_file(&temporary);
        return Err(WeightsError::io(path, error));
    }

    sync_parent(path);
    Ok(())
}

fn create_and_fill(
    temporary: &Path,
    write: impl FnOnce(&mut File) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let mut file = File::create(temporary)?;
    write(&mut file)?;
    file.sync_all()
}

fn temporary_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|name| name.to_string_lossy())
        .unwrap_or_default();
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

/// Makes the rename itself durable where the platform allows opening a folder.
fn sync_parent(path: &Path) {
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty());
    if let Some(Ok(folder)) = parent.map(File::open) {
        let _ = folder.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    #[test]
    fn failed_write_keeps_the_old_file_and_leaves_no_temporary() {
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("weights.pth");
        fs::write(&target, b"old").unwrap();

        let result = write_atomically(&target, |file| {
            file.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });

        assert_eq!(result.unwrap_err().code(), "io");
        assert_eq!(fs::read(&target).unwrap(), b"old");
        assert_eq!(fs::read_dir(folder.path()).unwrap().count(), 1);
    }

    #[test]
    fn successful_write_replaces_the_file() {
        let folder = tempfile::tempdir().unwrap();
        let target = folder.path().join("state.json");

        write_atomically(&target, |file| file.write_all(b"new")).unwrap();

        assert_eq!(fs::read(&target).unwrap(), b"new");
    }
}
