//! The open database: data directory, storage, catalog and transactions.
//!
//! [`Engine::open`] locks the data directory (one server per directory),
//! reads the control file and the catalog; [`Engine::checkpoint`] writes
//! every dirty page, syncs, and records the next transaction id;
//! [`Engine::close`] checkpoints. Statements take the statement lock: shared
//! for reads, exclusive for writes (the WAL/MVCC issue replaces this with
//! snapshots and row locks).
//!
//! Data directory layout:
//! ```text
//! flintdb.control   "flintdb-control 1\nnext_xid <n>\n", replaced atomically
//! flintdb.lock      held with an exclusive file lock while a server runs
//! base/<rel>        one file of 8 KiB pages per relation
//! ```

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parking_lot::{RwLock, RwLockReadGuard, RwLockWriteGuard};

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::storage::buffer::BufferPool;
use crate::storage::files::RelationFiles;
use crate::storage::heap::{Heap, Xid};
use crate::storage::io::{FileSystem, OsFileSystem};
use crate::storage::page::PAGE_SIZE;
use crate::txn::TxnManager;

const CONTROL_FILE: &str = "flintdb.control";
const LOCK_FILE: &str = "flintdb.lock";
const CONTROL_MAGIC: &str = "flintdb-control 1";

/// Settings the engine needs to open a data directory.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    pub data_dir: PathBuf,
    pub buffer_pool_bytes: usize,
}

/// An open database.
pub struct Engine {
    data_dir: PathBuf,
    heap: Arc<Heap>,
    catalog: Catalog,
    txns: TxnManager,
    statement_lock: RwLock<()>,
    _lock_file: fs::File,
}

impl Engine {
    /// Opens (creating if needed) a data directory.
    pub fn open(options: &EngineOptions) -> Result<Engine> {
        Self::open_with(options, Arc::new(OsFileSystem))
    }

    /// Opens a data directory through a given file system (tests inject
    /// faults here).
    pub fn open_with(options: &EngineOptions, fs: Arc<dyn FileSystem>) -> Result<Engine> {
        let dir = &options.data_dir;
        fs::create_dir_all(dir.join("base")).map_err(|e| {
            Error::Io(format!(
                "could not create data directory \"{}\": {e}",
                dir.display()
            ))
        })?;
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
        let next_xid = read_control(dir)?;
        let files = Arc::new(RelationFiles::new(dir.join("base"), fs));
        let frames =
            (options.buffer_pool_bytes / PAGE_SIZE).max(crate::storage::buffer::MIN_FRAMES);
        let heap = Arc::new(Heap::new(Arc::new(BufferPool::new(frames, files))));
        let catalog = Catalog::load(heap.clone())?;
        let engine = Engine {
            data_dir: dir.clone(),
            heap,
            catalog,
            txns: TxnManager::new(next_xid),
            statement_lock: RwLock::new(()),
            _lock_file: lock_file,
        };
        engine.write_control()?;
        Ok(engine)
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// Heap access.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
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

    /// Writes all dirty pages, syncs them, and records the next xid.
    pub fn checkpoint(&self) -> Result<()> {
        let _guard = self.statement_lock.write();
        self.heap.pool().flush_all()?;
        self.write_control()
    }

    fn write_control(&self) -> Result<()> {
        // Leave headroom so ids are never reused even if pages written by
        // evictions outlive an unclean stop.
        let next = self.txns.next_xid() + 1_000_000;
        let tmp = self.data_dir.join(format!("{CONTROL_FILE}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        write!(f, "{CONTROL_MAGIC}\nnext_xid {next}\n")?;
        f.sync_all()?;
        fs::rename(&tmp, self.data_dir.join(CONTROL_FILE))?;
        fs::File::open(&self.data_dir)?.sync_all()?;
        Ok(())
    }
}

fn read_control(dir: &Path) -> Result<Xid> {
    let path = dir.join(CONTROL_FILE);
    let text = match fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Ok(crate::txn::FIRST_NORMAL_XID)
        }
        Err(e) => return Err(e.into()),
    };
    let mut lines = text.lines();
    if lines.next() != Some(CONTROL_MAGIC) {
        return Err(Error::Corrupted(format!(
            "control file \"{}\" is not a FlintDB control file",
            path.display()
        )));
    }
    lines
        .next()
        .and_then(|l| l.strip_prefix("next_xid "))
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| {
            Error::Corrupted(format!("control file \"{}\" is malformed", path.display()))
        })
}
