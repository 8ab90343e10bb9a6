//! `manifest.json`: what a backup holds and how to check it — format
//! version, server version, time and snapshot, each database's schema
//! script (`flintdb_schema_dump()`), and per data file its table, rows,
//! bytes and SHA-256. It is written last and atomically, so a backup
//! without it is incomplete by definition. When the backup is encrypted,
//! everything but the format and the wrapped key is sealed.

use std::sync::Arc;

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::security::keys::{KekSource, KeyFile};
use crate::sql::eval::schema_dump::SchemaScript;
use crate::storage::crypto::Keyring;

/// The manifest's file name.
pub const MANIFEST: &str = "manifest.json";
const FORMAT: &str = "flintdb-backup";
const VERSION: u32 = 1;
const MANIFEST_AAD: &[u8] = b"FLINTDB-MANIFEST";

/// One data file.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct FileEntry {
    /// The table, schema-qualified.
    pub table: String,
    /// The path under the backup's root.
    pub path: String,
    pub rows: u64,
    /// Bytes as stored.
    pub bytes: u64,
    /// SHA-256 of the stored bytes, hex.
    pub sha256: String,
    /// Columns stored as their text form instead of their Arrow type
    /// (timestamps after 294247-01-10, which Timestamp(µs) cannot hold).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub text_columns: Vec<String>,
}

/// One database's part of a backup.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct DatabaseBackup {
    pub name: String,
    pub schema: SchemaScript,
    pub files: Vec<FileEntry>,
}

/// What a backup holds.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Contents {
    pub server_version: String,
    pub flintdb_version: String,
    /// When the snapshot was taken (RFC 3339, UTC).
    pub created_at: String,
    /// The exported snapshot's id.
    pub snapshot: String,
    pub databases: Vec<DatabaseBackup>,
}

/// How an encrypted backup's key is kept.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Encryption {
    pub cipher: String,
    /// The backup key wrapped by the KEK, in the key file's text form.
    pub key_file: String,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    format: String,
    version: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    encryption: Option<Encryption>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    contents: Option<Contents>,
    /// The contents sealed, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sealed: Option<String>,
}

/// A backup key: its wrapped form for the manifest and the keyring.
pub struct BackupKey {
    pub file: KeyFile,
    pub keyring: Arc<Keyring>,
}

impl BackupKey {
    /// A fresh random key wrapped by the KEK.
    pub fn create(kek: &KekSource) -> Result<BackupKey> {
        let (file, unlocked) = KeyFile::create(kek, crate::security::keys::KeyState::On)?;
        Ok(BackupKey {
            keyring: keyring_of(unlocked)?,
            file,
        })
    }
}

fn keyring_of(unlocked: crate::security::keys::Unlocked) -> Result<Arc<Keyring>> {
    Keyring::new(unlocked.current, &unlocked.deks)
        .map(Arc::new)
        .ok_or_else(|| Error::Internal("backup key missing".into()))
}

/// The manifest's bytes.
pub fn render(contents: &Contents, key: Option<&BackupKey>) -> Result<Vec<u8>> {
    let stored = match key {
        None => Stored {
            format: FORMAT.into(),
            version: VERSION,
            encryption: None,
            contents: Some(contents.clone()),
            sealed: None,
        },
        Some(k) => {
            let plain = serde_json::to_vec(contents).map_err(|e| Error::Internal(e.to_string()))?;
            Stored {
                format: FORMAT.into(),
                version: VERSION,
                encryption: Some(Encryption {
                    cipher: "xchacha20-poly1305-chunked".into(),
                    key_file: k.file.render(),
                }),
                contents: None,
                sealed: Some(
                    base64::engine::general_purpose::STANDARD
                        .encode(k.keyring.seal(MANIFEST_AAD, &plain)),
                ),
            }
        }
    };
    let mut out = serde_json::to_vec_pretty(&stored).map_err(|e| Error::Internal(e.to_string()))?;
    out.push(b'\n');
    Ok(out)
}

/// Whether a manifest says its backup is encrypted.
pub fn is_encrypted(bytes: &[u8]) -> Result<bool> {
    Ok(parse_stored(bytes)?.encryption.is_some())
}

fn parse_stored(bytes: &[u8]) -> Result<Stored> {
    let stored: Stored = serde_json::from_slice(bytes)
        .map_err(|e| Error::Corrupted(format!("manifest.json is malformed: {e}")))?;
    if stored.format != FORMAT {
        return Err(Error::Corrupted(
            "manifest.json is not a FlintDB backup's".into(),
        ));
    }
    if stored.version != VERSION {
        return Err(Error::Corrupted(format!(
            "backup format version {} is not supported (this FlintDB reads version {VERSION})",
            stored.version
        )));
    }
    Ok(stored)
}

/// Reads a manifest; an encrypted one needs the KEK. Returns the contents
/// and, for an encrypted backup, the keyring its files open with.
pub fn parse(bytes: &[u8], kek: Option<&KekSource>) -> Result<(Contents, Option<Arc<Keyring>>)> {
    let stored = parse_stored(bytes)?;
    match (stored.encryption, stored.contents, stored.sealed) {
        (None, Some(contents), None) => Ok((contents, None)),
        (Some(enc), None, Some(sealed)) => {
            let Some(kek) = kek else {
                return Err(crate::security::keys::key_error(
                    "the backup is encrypted: give the KEK (--kek-file, FLINTDB_KEK_FILE or FLINTDB_KEK_PASSPHRASE)",
                ));
            };
            let file = KeyFile::parse(&enc.key_file)
                .ok_or_else(|| Error::Corrupted("the backup's key is malformed".into()))?;
            let keyring = keyring_of(file.unlock(kek)?)?;
            let sealed = base64::engine::general_purpose::STANDARD
                .decode(sealed)
                .map_err(|_| Error::Corrupted("the sealed manifest is malformed".into()))?;
            let plain = keyring
                .open(MANIFEST_AAD, &sealed)
                .map_err(|_| Error::Corrupted("the manifest fails authentication".into()))?;
            let contents = serde_json::from_slice(&plain)
                .map_err(|e| Error::Corrupted(format!("manifest contents malformed: {e}")))?;
            Ok((contents, Some(keyring)))
        }
        _ => Err(Error::Corrupted("manifest.json is malformed".into())),
    }
}
