//! `flintdb backup verify`: checks a backup end to end without a server —
//! the manifest parses (and, encrypted, opens with the KEK), every file's
//! SHA-256 and size match, every encrypted chunk authenticates, and every
//! file reads as Parquet with the row count the manifest gives.

use super::fetch::{fetch, read_all, Scratch};
use super::location::Location;
use super::restore::open_manifest;
use crate::error::{Error, Result};
use crate::security::keys::KekSource;

/// What a verified backup holds.
pub struct Verified {
    pub files: usize,
    pub rows: u64,
    pub bytes: u64,
}

/// Verifies the backup at `from`; the first problem is the error.
pub async fn verify(from: &Location, kek: Option<&KekSource>) -> Result<Verified> {
    let (contents, keyring) = open_manifest(from, kek).await?;
    let scratch = Scratch::new("verify")?;
    let mut done = Verified {
        files: 0,
        rows: 0,
        bytes: 0,
    };
    for (i, entry) in contents.databases.iter().flat_map(|d| &d.files).enumerate() {
        let fetched = fetch(from, entry, keyring.as_ref(), &scratch, i).await?;
        let rows = read_all(&fetched.path).map_err(|e| {
            Error::Corrupted(format!("backup file \"{}\": {}", entry.path, e.message()))
        })?;
        if rows != entry.rows {
            return Err(Error::Corrupted(format!(
                "backup file \"{}\" holds {rows} rows, the manifest says {}",
                entry.path, entry.rows
            )));
        }
        if fetched.copied {
            let _ = std::fs::remove_file(&fetched.path);
        }
        done.files += 1;
        done.rows += rows;
        done.bytes += entry.bytes;
    }
    Ok(done)
}
