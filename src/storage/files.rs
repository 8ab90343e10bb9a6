//! Relation files: one file per relation under `base/`, opened on first
//! use, with the relation's block count kept in memory.
//!
//! Pages cross to and from disk through [`RelationFiles::write_page`] and
//! [`RelationFiles::read_page`]: without encryption a page gets its CRC32C
//! on the way out and is verified on the way in (`page.rs`); with a
//! [`Keyring`] it is sealed with XChaCha20-Poly1305 bound to its relation
//! and block, and opened and verified on the way in (`crypto.rs`). Either
//! way a bad page is an XX001 error naming relation and block.
//!
//! Invariant: `nblocks` only grows while the relation exists; a block below
//! it that was never written reads as zeros (an unused page).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use super::crypto::Keyring;
use super::io::{File, FileSystem};
use super::page::{self, PageBuf, PAGE_SIZE};
use super::RelId;
use crate::error::{Error, Result};

/// An open relation file.
pub struct RelationFile {
    file: Box<dyn File>,
    nblocks: AtomicU32,
}

impl RelationFile {
    /// Blocks allocated in the relation.
    pub fn nblocks(&self) -> u32 {
        self.nblocks.load(Ordering::Acquire)
    }
}

/// Opens and tracks relation files in a directory.
pub struct RelationFiles {
    dir: PathBuf,
    fs: Arc<dyn FileSystem>,
    open: Mutex<HashMap<RelId, Arc<RelationFile>>>,
    keyring: Option<Arc<Keyring>>,
}

impl RelationFiles {
    /// Relation files in `dir` (created by the caller).
    pub fn new(dir: PathBuf, fs: Arc<dyn FileSystem>) -> Self {
        Self::with_keyring(dir, fs, None)
    }

    /// Relation files whose pages are sealed with `keyring` (None: plaintext
    /// pages with checksums).
    pub fn with_keyring(
        dir: PathBuf,
        fs: Arc<dyn FileSystem>,
        keyring: Option<Arc<Keyring>>,
    ) -> Self {
        RelationFiles {
            dir,
            fs,
            open: Mutex::new(HashMap::new()),
            keyring,
        }
    }

    /// The keys pages are sealed with, if the cluster is encrypted.
    pub fn keyring(&self) -> Option<&Arc<Keyring>> {
        self.keyring.as_ref()
    }

    fn path(&self, rel: RelId) -> PathBuf {
        self.dir.join(rel.0.to_string())
    }

    /// A name for error messages: `base/16384`.
    pub fn display_name(rel: RelId) -> String {
        format!("relation base/{}", rel.0)
    }

    /// The open file of a relation, opening (and creating) it if needed.
    pub fn get(&self, rel: RelId) -> Result<Arc<RelationFile>> {
        let mut open = self.open.lock();
        if let Some(f) = open.get(&rel) {
            return Ok(f.clone());
        }
        let file = self.fs.open(&self.path(rel))?;
        let nblocks = (file.len()? / PAGE_SIZE as u64) as u32;
        let f = Arc::new(RelationFile {
            file,
            nblocks: AtomicU32::new(nblocks),
        });
        open.insert(rel, f.clone());
        Ok(f)
    }

    /// Creates the file of a new relation and makes its name durable.
    pub fn create(&self, rel: RelId) -> Result<()> {
        self.get(rel)?;
        self.fs.sync_dir(&self.dir)
    }

    /// Reserves the next block number of a relation.
    pub fn allocate_block(&self, rel: RelId) -> Result<u32> {
        Ok(self.get(rel)?.nblocks.fetch_add(1, Ordering::AcqRel))
    }

    /// Makes sure a relation counts at least `n` blocks (recovery replays
    /// changes to blocks the file may not have reached before a crash).
    pub fn ensure_blocks(&self, rel: RelId, n: u32) -> Result<()> {
        self.get(rel)?.nblocks.fetch_max(n, Ordering::AcqRel);
        Ok(())
    }

    /// Blocks allocated in a relation.
    pub fn nblocks(&self, rel: RelId) -> Result<u32> {
        Ok(self.get(rel)?.nblocks())
    }

    /// Reads a block and verifies it: its checksum, or (encrypted) its tag,
    /// which also decrypts it in place. A never-written block reads as
    /// zeros.
    pub fn read_page(&self, rel: RelId, block: u32, buf: &mut PageBuf) -> Result<()> {
        self.read(rel, block, buf)?;
        self.open_page(rel, block, buf)
    }

    /// Verifies (and, encrypted, decrypts) a page image read from `block`.
    pub fn open_page(&self, rel: RelId, block: u32, buf: &mut PageBuf) -> Result<()> {
        let name = || Self::display_name(rel);
        let Some(keyring) = &self.keyring else {
            return page::verify(buf, block, &name);
        };
        if buf.iter().all(|b| *b == 0) {
            return Ok(());
        }
        keyring.open_page(buf, rel, block).map_err(|e| {
            Error::Corrupted(format!("invalid page in block {block} of {}: {e}", name()))
        })?;
        if !page::validate(buf) {
            return Err(Error::Corrupted(format!(
                "invalid page in block {block} of {}: bad header",
                name()
            )));
        }
        Ok(())
    }

    /// Seals a page (checksum, or encryption) and writes it to its block.
    /// Without encryption the checksum is stamped into `buf` itself.
    pub fn write_page(&self, rel: RelId, block: u32, buf: &mut PageBuf) -> Result<()> {
        match &self.keyring {
            None => {
                page::seal(buf, block);
                self.write(rel, block, buf)
            }
            Some(keyring) => {
                let mut sealed = Box::new([0u8; PAGE_SIZE]);
                keyring.seal_page(buf, rel, block, &mut sealed);
                self.write(rel, block, &sealed)
            }
        }
    }

    /// Reads a block's bytes as they are on disk.
    pub fn read(&self, rel: RelId, block: u32, buf: &mut PageBuf) -> Result<()> {
        self.get(rel)?
            .file
            .read_at(buf, block as u64 * PAGE_SIZE as u64)
    }

    /// Writes a block's bytes as they are given.
    pub fn write(&self, rel: RelId, block: u32, buf: &PageBuf) -> Result<()> {
        self.get(rel)?
            .file
            .write_at(buf, block as u64 * PAGE_SIZE as u64)
    }

    /// Syncs every open relation file.
    pub fn sync_all(&self) -> Result<()> {
        let files: Vec<_> = self.open.lock().values().cloned().collect();
        for f in files {
            f.file.sync()?;
        }
        Ok(())
    }

    /// The highest-numbered relation with a file in the directory (TOAST
    /// relations counted by their table's number).
    pub fn max_relation(&self) -> Result<Option<RelId>> {
        let mut max = None;
        for entry in std::fs::read_dir(&self.dir)? {
            if let Ok(n) = entry?.file_name().to_string_lossy().parse::<u32>() {
                max = max.max(Some(RelId(n & !super::toast::TOAST_BIT)));
            }
        }
        Ok(max)
    }

    /// Every relation with a file in the directory, in order.
    pub fn relations(&self) -> Result<Vec<RelId>> {
        let mut rels = Vec::new();
        for entry in std::fs::read_dir(&self.dir)? {
            if let Ok(n) = entry?.file_name().to_string_lossy().parse::<u32>() {
                rels.push(RelId(n));
            }
        }
        rels.sort();
        Ok(rels)
    }

    /// Closes and deletes a relation's file.
    pub fn remove(&self, rel: RelId) -> Result<()> {
        self.open.lock().remove(&rel);
        self.fs.remove(&self.path(rel))?;
        self.fs.sync_dir(&self.dir)
    }
}
