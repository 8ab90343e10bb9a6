//! The open database: data directory, WAL, storage, catalog, transactions.
//!
//! [`Engine::open`] locks the data directory (one server per directory),
//! reads the control file, replays the WAL from the last checkpoint
//! (`recovery`), loads the catalog and takes a checkpoint. Statements take
//! the statement lock (shared for reads, exclusive for writes) and writes
//! end with [`Engine::commit`] (durable before it returns) or
//! [`Engine::abort`]. [`Engine::checkpoint`] writes every dirty page,
//! records the redo point, and drops WAL segments nobody needs.
//!
//! Data directory layout:
//! ```text
//! flintdb.control   where recovery starts (control.rs documents it)
//! flintdb.lock      held with an exclusive file lock while a server runs
//! wal/<16 hex>      write-ahead log segments (storage/wal documents them)
//! base/<rel>        one file of 8 KiB pages per relation
//! ```

mod control;
mod recovery;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

pub use control::Control;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::storage::buffer::BufferPool;
use crate::storage::files::RelationFiles;
use crate::storage::heap::{Heap, Xid};
use crate::storage::io::{FileSystem, OsFileSystem};
use crate::storage::page::PAGE_SIZE;
use crate::storage::wal::{Record, Wal};
use crate::storage::RelId;
use crate::txn::{Clog, TxnManager};

const LOCK_FILE: &str = "flintdb.lock";

/// Settings the engine needs to open a data directory.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub data_dir: PathBuf,
    pub buffer_pool_bytes: usize,
    /// fsync the WAL and data files (off only for tests and benchmarks).
    pub fsync: bool,
    /// Wait for the commit record to be durable before acknowledging.
    pub synchronous_commit: bool,
    /// Take a checkpoint once this much WAL was written since the last.
    pub checkpoint_wal_bytes: u64,
}

impl EngineOptions {
    /// Defaults for a data directory: durable commits, 64 MB between
    /// checkpoints.
    pub fn new(data_dir: impl Into<PathBuf>, buffer_pool_bytes: usize) -> Self {
        EngineOptions {
            data_dir: data_dir.into(),
            buffer_pool_bytes,
            fsync: true,
            synchronous_commit: true,
            checkpoint_wal_bytes: 64 * 1024 * 1024,
        }
    }
}

/// An open database.
pub struct Engine {
    options: EngineOptions,
    heap: Arc<Heap>,
    wal: Arc<Wal>,
    clog: Arc<Clog>,
    catalog: Catalog,
    txns: TxnManager,
    statement_lock: RwLock<()>,
    /// Serialises checkpoints.
    checkpointing: Mutex<()>,
    last_redo: AtomicU64,
    _lock_file: fs::File,
}

impl Engine {
    /// Opens (creating if needed) a data directory, recovering from a crash.
    pub fn open(options: &EngineOptions) -> Result<Engine> {
        Self::open_with(options, Arc::new(OsFileSystem))
    }

    /// Opens a data directory through a given file system (tests inject
    /// faults here).
    pub fn open_with(options: &EngineOptions, fs: Arc<dyn FileSystem>) -> Result<Engine> {
        let dir = &options.data_dir;
        for sub in ["base", "wal"] {
            fs::create_dir_all(dir.join(sub)).map_err(|e| {
                Error::Io(format!(
                    "could not create data directory \"{}\": {e}",
                    dir.display()
                ))
            })?;
        }
        let lock_file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join(LOCK_FILE))?;
        if lock_file.try_lock().is_err() {
            return Err(Error::Io(format!(
                "data directory \"{}\" is in use by another FlintDB server",
                dir.display()
            )));
        }
        let control = Control::read(dir)?.unwrap_or_else(Control::initial);
        let files = Arc::new(RelationFiles::new(dir.join("base"), fs.clone()));
        let frames =
            (options.buffer_pool_bytes / PAGE_SIZE).max(crate::storage::buffer::MIN_FRAMES);
        let pool = Arc::new(BufferPool::new(frames, files));
        let clog = Arc::new(Clog::new(control.aborted.iter().copied()));
        let heap = Arc::new(Heap::new(pool.clone(), clog.clone()));

        let started = std::time::Instant::now();
        let recovered = recovery::recover(
            &fs,
            &dir.join("wal"),
            control.redo_lsn,
            &heap,
            &clog,
            control.next_xid,
        )?;
        if recovered.records > 0 {
            tracing::info!(
                records = recovered.records,
                aborted = recovered.aborted,
                from = control.redo_lsn,
                to = recovered.end,
                ms = started.elapsed().as_millis() as u64,
                "recovered from the write-ahead log"
            );
        }
        let wal = Arc::new(Wal::open(
            &dir.join("wal"),
            fs,
            recovered.end,
            options.fsync,
        )?);
        pool.attach_log(wal.clone());
        heap.attach_wal(wal.clone());
        let catalog = Catalog::load(heap.clone(), clog.clone())?;
        let engine = Engine {
            options: options.clone(),
            heap,
            wal,
            clog,
            catalog,
            txns: TxnManager::new(recovered.next_xid.max(control.next_xid)),
            statement_lock: RwLock::new(()),
            checkpointing: Mutex::new(()),
            last_redo: AtomicU64::new(control.redo_lsn),
            _lock_file: lock_file,
        };
        engine.checkpoint()?;
        Ok(engine)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Heap access.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The commit log (which transactions aborted).
    pub fn clog(&self) -> &Clog {
        &self.clog
    }

    /// The current end of the WAL (for tests and monitoring).
    pub fn wal_lsn(&self) -> u64 {
        self.wal.current_lsn()
    }

    /// True once the WAL has failed: the server must stop without writing
    /// anything more (the next start recovers).
    pub fn has_failed(&self) -> bool {
        self.wal.has_failed()
    }

    /// Takes the statement lock for a read-only statement.
    pub fn begin_read(&self) -> RwLockReadGuard<'_, ()> {
        self.statement_lock.read()
    }

    /// Takes the statement lock for a writing statement and starts its
    /// transaction.
    pub fn begin_write(&self) -> (RwLockWriteGuard<'_, ()>, Xid) {
        let guard = self.statement_lock.write();
        (guard, self.txns.begin())
    }

    /// Logs a transaction's commit; returns the LSN that must be durable
    /// before the commit is acknowledged (see [`Engine::wait_durable`]).
    pub fn commit(&self, xid: Xid) -> Result<u64> {
        self.wal.append(xid, &Record::Commit)
    }

    /// Waits until the log is durable up to `lsn` (a no-op with
    /// synchronous_commit off). Called after releasing the statement lock,
    /// so one fsync covers every commit that arrived meanwhile.
    pub fn wait_durable(&self, lsn: u64) -> Result<()> {
        if self.options.synchronous_commit {
            self.wal.flush(lsn)?;
        }
        Ok(())
    }

    /// Aborts a transaction: its tuples become invisible.
    pub fn abort(&self, xid: Xid) {
        self.clog.abort(xid);
        if let Err(e) = self.wal.append(xid, &Record::Abort) {
            tracing::warn!(error = %e, xid, "could not log an abort; recovery will abort it");
        }
    }

    /// Removes the files of dropped relations (after their drop committed).
    pub fn remove_relations(&self, rels: &[RelId]) -> Result<()> {
        for rel in rels {
            self.heap.drop_relation(*rel)?;
        }
        Ok(())
    }

    /// Takes a checkpoint if enough WAL was written since the last one.
    /// Call without holding the statement lock.
    pub fn maybe_checkpoint(&self) -> Result<()> {
        let written = self
            .wal
            .current_lsn()
            .saturating_sub(self.last_redo.load(Ordering::Acquire));
        if written >= self.options.checkpoint_wal_bytes {
            self.checkpoint()?;
        }
        Ok(())
    }

    /// Writes all dirty pages, syncs them, records the redo point, and
    /// removes WAL segments before it.
    pub fn checkpoint(&self) -> Result<()> {
        let _one = self.checkpointing.lock();
        let _writers = self.statement_lock.write();
        let redo = self.wal.current_lsn();
        self.heap.set_full_page_horizon(redo);
        self.heap.pool().flush_all(self.options.fsync)?;
        let next_xid = self.txns.next_xid();
        let end = self.wal.append(0, &Record::Checkpoint { redo, next_xid })?;
        self.wal.flush(end)?;
        Control {
            next_xid,
            redo_lsn: redo,
            aborted: self.clog.aborted(),
        }
        .write(&self.options.data_dir, self.options.fsync)?;
        self.last_redo.store(redo, Ordering::Release);
        self.wal.remove_before(redo)?;
        Ok(())
    }
}
