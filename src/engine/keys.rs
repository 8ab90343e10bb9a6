//! Unlocking an encrypted cluster's keys: deciding at start-up whether a
//! data directory is encrypted, checking the key-encryption key against
//! the key file before anything is read or written, and the audit log's
//! line sealer over the data keys.
//!
//! What says a cluster is encrypted: the control file's first line
//! (`control.rs`), and the key file `flintdb.keys` beside it
//! (`security::keys`). A wrong or missing key, a KEK for a plaintext
//! cluster and an interrupted key tool (`key_tools.rs`) are refused with
//! no byte changed.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use zeroize::Zeroizing;

use super::control::Control;
use crate::error::{Error, Result};
use crate::security::audit::{LineSealer, SEALED_PREFIX};
use crate::security::keys::{key_error, KekSource, KeyFile, KeyState, Unlocked, KEY_FILE};
use crate::storage::crypto::{KeyBytes, Keyring};

const NO_KEY_HINT: &str = "give the key-encryption key with --kek-file, FLINTDB_KEK_FILE, \
     FLINTDB_KEK_PASSPHRASE, kek_file, kek_passphrase_file or kek_command";

/// The keyring for unlocked data keys.
pub fn keyring_of(unlocked: &Unlocked) -> Arc<Keyring> {
    let keys: Vec<(u32, KeyBytes)> = unlocked
        .deks
        .iter()
        .map(|(id, k)| (*id, Zeroizing::new(**k)))
        .collect();
    Arc::new(
        Keyring::new(unlocked.current, &keys)
            .expect("invariant: the key file holds its current data key"),
    )
}

/// Decides whether the directory is encrypted and unlocks its keys: `None`
/// for a plaintext cluster. A new directory given a KEK becomes encrypted
/// (its key file is written here, before anything else). Refuses a missing
/// or wrong key, a KEK for a plaintext cluster, and an interrupted
/// conversion, changing nothing.
pub(super) fn open_keyring(dir: &Path, kek: Option<&KekSource>) -> Result<Option<Arc<Keyring>>> {
    let sealed = Control::is_sealed(dir)?;
    let keys = KeyFile::read(dir)?;
    match (sealed, keys) {
        (Some(true), None) => Err(key_error(format!(
            "the data directory is encrypted but its key file {KEY_FILE} is missing"
        ))),
        (Some(true), Some(keys)) | (None, Some(keys)) => {
            let kek = kek.ok_or_else(|| {
                key_error(format!(
                    "no key given: the data directory is encrypted; {NO_KEY_HINT}"
                ))
            })?;
            let unlocked = keys.unlock(kek)?;
            refuse_interrupted(&keys)?;
            Ok(Some(keyring_of(&unlocked)))
        }
        (Some(false), Some(keys)) => {
            refuse_interrupted(&keys)?;
            Err(Error::Corrupted(format!(
                "the control file is not sealed but a key file {KEY_FILE} exists"
            )))
        }
        (Some(false), None) => match kek {
            Some(_) => Err(key_error(
                "a key-encryption key was given but this data directory is not encrypted; \
                 run `flintdb encrypt` with the server stopped to encrypt it",
            )),
            None => Ok(None),
        },
        (None, None) => match kek {
            None => Ok(None),
            Some(kek) => {
                refuse_leftovers(dir)?;
                let (file, unlocked) = KeyFile::create(kek, KeyState::On)?;
                file.write(dir)?;
                tracing::info!("created an encrypted cluster (XChaCha20-Poly1305, data key 1)");
                Ok(Some(keyring_of(&unlocked)))
            }
        },
    }
}

fn refuse_interrupted(keys: &KeyFile) -> Result<()> {
    match keys.state {
        KeyState::On => Ok(()),
        KeyState::Encrypting => Err(key_error(
            "`flintdb encrypt` was interrupted; run it again to finish before starting the server",
        )),
        KeyState::Rotating => Err(key_error(
            "`flintdb dek rotate` was interrupted; run it again to finish before starting the server",
        )),
    }
}

/// A directory without a control file may still hold plaintext from a
/// first start that crashed: encrypting over it would mix the two.
fn refuse_leftovers(dir: &Path) -> Result<()> {
    let nonempty = |sub: &str| {
        fs::read_dir(dir.join(sub))
            .map(|mut d| d.next().is_some())
            .unwrap_or(false)
    };
    let wal_bytes: u64 = fs::read_dir(dir.join("wal"))
        .map(|d| {
            d.flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0);
    if nonempty("base") || wal_bytes > 0 {
        return Err(key_error(
            "a key-encryption key was given for a data directory that already holds plaintext data; \
             run `flintdb encrypt` to convert it",
        ));
    }
    Ok(())
}

/// Seals audit log lines with the cluster's data keys.
pub struct AuditSealer(pub Arc<Keyring>);

const AUDIT_AAD: &[u8] = b"FLINTDB-AUDIT";

impl LineSealer for AuditSealer {
    fn seal_line(&self, line: &str) -> String {
        use base64::Engine as _;
        let sealed = self.0.seal(AUDIT_AAD, line.as_bytes());
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(sealed)
        )
    }

    fn open_line(&self, stored: &str) -> std::result::Result<String, String> {
        use base64::Engine as _;
        let b64 = stored.strip_prefix(SEALED_PREFIX).unwrap_or(stored);
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .map_err(|_| "a sealed line that is not base64".to_string())?;
        let plain = self.0.open(AUDIT_AAD, &sealed).map_err(|e| e.to_string())?;
        String::from_utf8(plain).map_err(|_| "a sealed line that is not text".to_string())
    }
}

/// Unlocks an encrypted cluster's keys without opening it (to read its
/// audit log); `None` for a plaintext cluster.
pub fn unlock_keyring(dir: &Path, kek: Option<&KekSource>) -> Result<Option<Arc<Keyring>>> {
    let Some(keys) = KeyFile::read(dir)? else {
        return Ok(None);
    };
    let kek = kek.ok_or_else(|| {
        key_error(format!(
            "no key given: the data directory is encrypted; {NO_KEY_HINT}"
        ))
    })?;
    Ok(Some(keyring_of(&keys.unlock(kek)?)))
}
