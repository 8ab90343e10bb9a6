//! The offline tools that change an encrypted cluster's keys:
//! `flintdb encrypt` (convert a plaintext cluster in place), `flintdb dek
//! rotate` (re-encrypt under a new data key) and `flintdb kek rotate`
//! (rewrap the data keys, O(1)). Unlocking at start-up is `keys.rs`.
//!
//! Both rewriting tools work the same crash-safe way, resumable from any
//! point: (1) open the cluster and checkpoint, so every change is in the
//! relation files; (2) record the goal in the key file (state `encrypting`
//! or `rotating`, the new data key current), which from then on makes the
//! server refuse to start; (3) rewrite each relation file whose pages are
//! not all sealed under the current key into `<rel>.rewrite`, fsync it,
//! rename it over the original and fsync the directory, so a file is whole
//! before and after; (4) write the control file sealed, with the redo point
//! moved to a new WAL segment; (5) delete the old WAL segments (they hold
//! plaintext or old-key records that recovery no longer needs); (6) mark
//! the key file `on` (and forget retired data keys). The audit log is
//! resealed under the current key with step (3). Rerunning after a
//! crash skips what is done: a page that already opens under the current
//! key is not rewritten.

use std::fs;
use std::path::Path;
use std::sync::Arc;

use super::dir_lock::{lock_data_dir, lock_exclusive};
use super::keys::{keyring_of, AuditSealer};
use super::{Control, Engine, EngineOptions};
use crate::error::{Error, Result};
use crate::security::audit::{open_stored, LineSealer};
use crate::security::keys::{key_error, KekSource, KeyFile, KeyState, KEY_FILE};
use crate::storage::crypto::{self, Keyring};
use crate::storage::files::RelationFiles;
use crate::storage::io::{FileSystem, OsFileSystem};
use crate::storage::page::{self, PageBuf, PAGE_SIZE};
use crate::storage::visibility_map;
use crate::storage::wal::{self, SEGMENT_SIZE};
use crate::storage::RelId;

/// Suffix of a relation file being rewritten.
const REWRITE_SUFFIX: &str = "rewrite";
/// Serialises writers of the key file (KEK rotation may run beside a server).
const KEY_LOCK_FILE: &str = "flintdb.keys.lock";

/// Reseals every file of the audit log at `path` (`path`, `path.1`, …)
/// under the keyring's current key: plaintext lines (a cluster being
/// encrypted) and lines of retired keys alike. Each file is replaced
/// atomically.
fn reseal_audit_log(path: &Path, keyring: &Arc<Keyring>) -> Result<()> {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Ok(());
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let sealer = AuditSealer(keyring.clone());
    let name = name.to_string_lossy().to_string();
    for entry in entries {
        let file = entry?.path();
        let file_name = file
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let rotated = file_name
            .strip_prefix(&format!("{name}."))
            .is_some_and(|n| n.parse::<u32>().is_ok());
        if file_name != name && !rotated {
            continue;
        }
        let text = fs::read_to_string(&file)?;
        let mut out = String::with_capacity(text.len() * 2);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let plain = open_stored(line, Some(&sealer))
                .map_err(|e| Error::Corrupted(format!("audit log \"{}\": {e}", file.display())))?;
            out.push_str(&sealer.seal_line(&plain));
            out.push('\n');
        }
        let tmp = file.with_extension(REWRITE_SUFFIX);
        {
            use std::io::Write as _;
            let mut f = fs::File::create(&tmp)?;
            f.write_all(out.as_bytes())?;
            f.sync_all()?;
        }
        fs::rename(&tmp, &file)?;
        OsFileSystem.sync_dir(dir)?;
    }
    Ok(())
}

/// What a rewriting tool did.
#[derive(Debug, Default)]
pub struct RewriteReport {
    pub files: usize,
    pub files_rewritten: usize,
    pub pages: u64,
}

/// `flintdb encrypt`: converts a plaintext cluster in place (server
/// stopped). Resumes an interrupted run; refuses an encrypted cluster.
pub fn encrypt_cluster(
    dir: &Path,
    kek: &KekSource,
    audit_log: Option<&Path>,
) -> Result<RewriteReport> {
    let _keys_lock = lock_key_file(dir)?;
    let sealed = Control::is_sealed(dir)?.ok_or_else(|| {
        key_error(format!(
            "\"{}\" is not a FlintDB data directory",
            dir.display()
        ))
    })?;
    let (keys, unlocked) = match KeyFile::read(dir)? {
        Some(keys) if keys.state == KeyState::Encrypting => {
            let unlocked = keys.unlock(kek)?;
            (keys, unlocked)
        }
        Some(_) => return Err(key_error("the data directory is already encrypted")),
        None if sealed => {
            return Err(key_error(format!(
                "the data directory is encrypted but its key file {KEY_FILE} is missing"
            )))
        }
        None => {
            checkpoint_cleanly(dir, None)?;
            let (file, unlocked) = KeyFile::create(kek, KeyState::Encrypting)?;
            file.write(dir)?;
            (file, unlocked)
        }
    };
    let keyring = keyring_of(&unlocked);
    let control_key = sealed.then_some(&*keyring);
    let report = finish_rewrite(dir, &keyring, control_key, audit_log)?;
    keys.in_state(KeyState::On).write(dir)?;
    Ok(report)
}

/// `flintdb dek rotate`: re-encrypts every page and the WAL under a new
/// data key (server stopped). Resumes an interrupted run.
pub fn rotate_dek(dir: &Path, kek: &KekSource, audit_log: Option<&Path>) -> Result<RewriteReport> {
    let _keys_lock = lock_key_file(dir)?;
    if Control::is_sealed(dir)? != Some(true) {
        return Err(key_error("the data directory is not encrypted"));
    }
    let keys = KeyFile::read(dir)?.ok_or_else(|| {
        key_error(format!(
            "the data directory is encrypted but its key file {KEY_FILE} is missing"
        ))
    })?;
    // The KEK once (a kek_command runs once, Argon2id once), then reused.
    let kek = KekSource::Key(kek.kek(&keys.kdf)?);
    let (keys, unlocked) = match keys.state {
        KeyState::Rotating => {
            let unlocked = keys.unlock(&kek)?;
            (keys, unlocked)
        }
        KeyState::On => {
            checkpoint_cleanly(dir, Some(&kek))?;
            let (rotating, unlocked) = keys.add_dek(&kek)?;
            let rotating = rotating.in_state(KeyState::Rotating);
            rotating.write(dir)?;
            (rotating, unlocked)
        }
        KeyState::Encrypting => {
            return Err(key_error(
                "`flintdb encrypt` was interrupted; run it again to finish first",
            ))
        }
    };
    // Holds the old keys too: pages and the control file not yet
    // rewritten open under them.
    let keyring = keyring_of(&unlocked);
    let report = finish_rewrite(dir, &keyring, Some(&keyring), audit_log)?;
    keys.retire_old_deks().in_state(KeyState::On).write(dir)?;
    Ok(report)
}

/// `flintdb kek rotate`: rewraps the data keys under a new KEK. O(1) in
/// data size, atomic, and safe while a server runs (which never rewrites
/// the key file).
pub fn rotate_kek(dir: &Path, old: &KekSource, new: &KekSource) -> Result<()> {
    let _keys_lock = lock_key_file(dir)?;
    let keys = KeyFile::read(dir)?
        .ok_or_else(|| key_error("the data directory is not encrypted (it has no key file)"))?;
    keys.rewrap(old, new)?.write(dir)
}

/// Opens the cluster (recovering) and takes a checkpoint, so every change
/// is in the relation files and nothing after the redo point matters.
fn checkpoint_cleanly(dir: &Path, kek: Option<&KekSource>) -> Result<()> {
    let mut options = EngineOptions::new(dir, 64 * 1024 * 1024);
    options.kek = kek.cloned();
    let engine = Engine::open(&options)?;
    engine.checkpoint()?;
    Ok(())
}

/// Steps (3) to (5) of the module doc. `control_key` opens the control
/// file as it is now (None: still plaintext).
fn finish_rewrite(
    dir: &Path,
    keyring: &Arc<Keyring>,
    control_key: Option<&Keyring>,
    audit_log: Option<&Path>,
) -> Result<RewriteReport> {
    let _lock = lock_data_dir(dir)?;
    let report = rewrite_relation_files(dir, keyring)?;
    if let Some(path) = audit_log {
        reseal_audit_log(path, keyring)?;
    }
    // The visibility map is only a hint; the next checkpoint saves it
    // sealed.
    let fs = OsFileSystem;
    fs.remove(&dir.join(visibility_map::FILE))?;
    let control = Control::read(dir, control_key)?
        .ok_or_else(|| Error::Corrupted("the control file disappeared".to_string()))?;
    let wal_dir = dir.join("wal");
    let segments = wal::list_segments(&wal_dir)?;
    // Past every page LSN: beyond the last segment and the redo point.
    let last = segments
        .iter()
        .copied()
        .max()
        .unwrap_or(0)
        .max(control.redo_lsn);
    Control {
        redo_lsn: wal::segment_start(last) + SEGMENT_SIZE,
        ..control
    }
    .write(dir, true, Some(keyring))?;
    for start in segments {
        fs.remove(&wal_dir.join(format!("{start:016X}")))?;
    }
    fs.sync_dir(&wal_dir)?;
    Ok(report)
}

fn lock_key_file(dir: &Path) -> Result<fs::File> {
    lock_exclusive(&dir.join(KEY_LOCK_FILE), || {
        "another key operation is running on this data directory".to_string()
    })
}

/// Rewrites every relation file that has a page not sealed under the
/// keyring's current key.
fn rewrite_relation_files(dir: &Path, keyring: &Arc<Keyring>) -> Result<RewriteReport> {
    let base = dir.join("base");
    let fs: Arc<dyn FileSystem> = Arc::new(OsFileSystem);
    // Leftovers of a run that crashed before its rename.
    for entry in fs::read_dir(&base)? {
        let path = entry?.path();
        if path.extension().is_some_and(|e| e == REWRITE_SUFFIX) {
            fs.remove(&path)?;
        }
    }
    // Reads raw bytes; `open_page` opens sealed ones (tag, then header).
    let files = RelationFiles::with_keyring(base.clone(), fs.clone(), Some(keyring.clone()));
    let mut report = RewriteReport::default();
    for rel in files.relations()? {
        report.files += 1;
        let nblocks = files.nblocks(rel)?;
        report.pages += nblocks as u64;
        if !needs_rewrite(&files, rel, nblocks, keyring)? {
            continue;
        }
        let tmp = base.join(format!("{}.{REWRITE_SUFFIX}", rel.0));
        let out = fs.open(&tmp)?;
        let mut buf = Box::new([0u8; PAGE_SIZE]);
        let mut sealed = Box::new([0u8; PAGE_SIZE]);
        for block in 0..nblocks {
            files.read(rel, block, &mut buf)?;
            if !open_any(&files, &mut buf, rel, block)? {
                continue; // never written: stays a hole of zeros
            }
            keyring.seal_page(&buf, rel, block, &mut sealed);
            out.write_at(&sealed[..], block as u64 * PAGE_SIZE as u64)?;
        }
        out.set_len(nblocks as u64 * PAGE_SIZE as u64)?;
        out.sync()?;
        drop(out);
        fs::rename(&tmp, base.join(rel.0.to_string()))?;
        fs.sync_dir(&base)?;
        report.files_rewritten += 1;
    }
    Ok(report)
}

fn needs_rewrite(
    files: &RelationFiles,
    rel: RelId,
    nblocks: u32,
    keyring: &Keyring,
) -> Result<bool> {
    let mut buf = Box::new([0u8; PAGE_SIZE]);
    for block in 0..nblocks {
        files.read(rel, block, &mut buf)?;
        if buf.iter().all(|b| *b == 0) {
            continue;
        }
        if crypto::page_key_id(&buf) != keyring.current_id()
            || keyring.open_page(&mut buf, rel, block).is_err()
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Turns a page as read from disk into plaintext: a sealed page under any
/// key of the files' keyring, or a plaintext page with a good checksum.
/// False for a never-written (all-zero) page; an error for anything else.
fn open_any(files: &RelationFiles, buf: &mut PageBuf, rel: RelId, block: u32) -> Result<bool> {
    if buf.iter().all(|b| *b == 0) {
        return Ok(false);
    }
    // The tag first: a sealed page passes a CRC check by chance once in
    // 2^32, a plaintext page never passes the tag.
    let mut copy = Box::new(*buf);
    let sealed = files.open_page(rel, block, &mut copy);
    if sealed.is_ok() {
        *buf = *copy;
        return Ok(true);
    }
    let name = || RelationFiles::display_name(rel);
    page::verify(buf, block, &name).map_err(|_| {
        Error::Corrupted(format!(
            "{} (nor is it a valid plaintext page)",
            sealed
                .err()
                .map(|e| e.message().to_string())
                .unwrap_or_default()
        ))
    })?;
    Ok(true)
}
