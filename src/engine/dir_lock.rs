//! The exclusive file locks that keep one server (or offline tool) on a
//! data directory, and one key tool on its key file, at a time. A lock is
//! held while its file handle lives; the OS drops it when the process
//! dies, so a kill -9 never leaves a directory locked.

use std::fs;
use std::path::Path;

use crate::error::{Error, Result};

/// The data directory's lock file.
const LOCK_FILE: &str = "flintdb.lock";

/// Takes the data directory's lock: one server (or offline tool) at a time.
pub(crate) fn lock_data_dir(dir: &Path) -> Result<fs::File> {
    lock_exclusive(&dir.join(LOCK_FILE), || {
        format!(
            "data directory \"{}\" is in use by another FlintDB server",
            dir.display()
        )
    })
}

/// Opens (creating) `path` and takes an exclusive lock on it, held until
/// the file is dropped; `busy` says why it failed when it is held.
pub(crate) fn lock_exclusive(path: &Path, busy: impl FnOnce() -> String) -> Result<fs::File> {
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)?;
    if file.try_lock().is_err() {
        return Err(Error::Io(busy()));
    }
    Ok(file)
}
