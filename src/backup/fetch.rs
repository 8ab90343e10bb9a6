//! Reading a backup's data files back: every stored byte is hashed and
//! compared with the manifest's SHA-256; encrypted files are opened chunk
//! by chunk; files that are not plain local files land in a scratch
//! directory, because a Parquet reader needs to seek.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use super::location::Location;
use super::manifest::FileEntry;
use super::seal::Opener;
use crate::error::{Error, Result};
use crate::storage::crypto::Keyring;

/// A scratch directory removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    pub fn new(purpose: &str) -> Result<Scratch> {
        let dir = std::env::temp_dir().join(format!("flintdb-{purpose}-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A data file checked and readable at a local path.
pub struct Fetched {
    pub entry: FileEntry,
    pub path: PathBuf,
    /// The path is a copy in the scratch directory (not the backup's own
    /// file), to be removed once read.
    pub copied: bool,
}

/// Streams a file, checking its SHA-256 and size against the manifest;
/// returns where its plaintext Parquet can be read.
pub async fn fetch(
    from: &Location,
    entry: &FileEntry,
    keyring: Option<&Arc<Keyring>>,
    scratch: &Scratch,
    index: usize,
) -> Result<Fetched> {
    let local = from.local_path(&entry.path).filter(|_| keyring.is_none());
    let copy_path = scratch.0.join(format!("{index}.parquet"));
    let mut copy = match &local {
        Some(_) => None,
        None => Some(std::io::BufWriter::new(std::fs::File::create(&copy_path)?)),
    };
    let mut opener = keyring.map(|k| Opener::new(k.clone(), &entry.path));
    let mut reader = from.open(&entry.path).await?;
    let mut hasher = Sha256::new();
    let mut size = 0u64;
    let mut opened: Result<()> = Ok(());
    while let Some(chunk) = reader.next_chunk().await? {
        hasher.update(&chunk);
        size += chunk.len() as u64;
        if opened.is_err() {
            continue;
        }
        let plain = match opener.as_mut() {
            Some(o) => match o.push(&chunk) {
                Ok(p) => p,
                Err(e) => {
                    opened = Err(e);
                    continue;
                }
            },
            None => chunk.to_vec(),
        };
        if let Some(c) = copy.as_mut() {
            c.write_all(&plain)?;
        }
    }
    let found = hex::encode(hasher.finalize());
    if found != entry.sha256 || size != entry.bytes {
        return Err(damaged(entry, &found, size));
    }
    opened?;
    if let Some(o) = opener {
        o.finish()?;
    }
    if let Some(c) = copy {
        c.into_inner()
            .map_err(|e| Error::Io(format!("scratch file: {}", e.error())))?
            .sync_all()?;
    }
    Ok(Fetched {
        entry: entry.clone(),
        copied: local.is_none(),
        path: local.unwrap_or(copy_path),
    })
}

fn damaged(entry: &FileEntry, found: &str, size: u64) -> Error {
    Error::Corrupted(format!(
        "backup file \"{}\" (table {}) is damaged: SHA-256 {found} over {size} bytes, the manifest says {} over {} bytes",
        entry.path, entry.table, entry.sha256, entry.bytes
    ))
}

/// Reads every row of a fetched file; returns the row count.
pub fn read_all(path: &Path) -> Result<u64> {
    let file = std::fs::File::open(path)?;
    let mut rows = crate::columnar::ParquetRows::open(file)?;
    let mut n = 0u64;
    while let Some(batch) = rows.next_batch()? {
        n += batch.num_rows() as u64;
    }
    Ok(n)
}
