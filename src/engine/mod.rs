//! The open database: data directory, WAL, storage, catalog, transactions.
//!
//! [`Engine::open`] locks the data directory (one server per directory),
//! reads the control file, replays the WAL from the last checkpoint
//! (`recovery`), loads the catalog and takes a checkpoint. Sessions run
//! transactions through [`Engine::txns`] (snapshots, xids, waits)
//! and end them with [`Engine::log_commit`] + [`Engine::wait_durable`] or
//! [`Engine::log_abort`]. [`Engine::checkpoint`] writes every dirty page,
//! records the redo point, and drops WAL segments nobody needs.
//!
//! Data directory layout:
//! ```text
//! flintdb.control   where recovery starts (control.rs documents it); sealed
//!                   in an encrypted cluster
//! flintdb.keys      an encrypted cluster's data keys, wrapped by the KEK
//!                   (security/keys.rs; engine/keys.rs unlocks them,
//!                   engine/key_tools.rs changes them)
//! flintdb.lock      held with an exclusive file lock while a server runs
//! wal/<16 hex>      write-ahead log segments (storage/wal documents them)
//! base/<rel>        one file of 8 KiB pages per relation
//! auth_secret       32 random bytes: the seed of mock SCRAM salts for
//!                   unknown users (security/scram.rs)
//! ```

pub mod bootstrap;
mod control;
mod dir_lock;
pub mod key_tools;
pub mod keys;
mod recovery;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;

pub use control::Control;

use crate::catalog::Catalog;
use crate::error::{Error, Result};
use crate::security::audit::AuditLog;
use crate::security::keys::KekSource;
use crate::storage::btree::BTree;
use crate::storage::buffer::BufferPool;
use crate::storage::crypto::Keyring;
use crate::storage::files::RelationFiles;
use crate::storage::heap::{Heap, Xid};
use crate::storage::io::{FileSystem, OsFileSystem};
use crate::storage::page::PAGE_SIZE;
use crate::storage::page_log::PageLog;
use crate::storage::toast;
use crate::storage::wal::{Record, Wal};
use crate::storage::RelId;
use crate::txn::{Clog, TxnManager};

/// Fraction of a table's live rows that autovacuum adds to its threshold.
const AUTOVACUUM_SCALE_FACTOR: f64 = 0.2;

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
    /// How long a writer waits for a lock (None: forever).
    pub lock_timeout: Option<Duration>,
    /// How long a statement may run (None: forever).
    pub statement_timeout: Option<Duration>,
    /// The key-encryption key of an encrypted cluster (or of a new data
    /// directory that is to be encrypted).
    pub kek: Option<KekSource>,
}

impl EngineOptions {
    /// Defaults for a data directory: durable commits, 64 MB between
    /// checkpoints, no lock timeout.
    pub fn new(data_dir: impl Into<PathBuf>, buffer_pool_bytes: usize) -> Self {
        EngineOptions {
            data_dir: data_dir.into(),
            buffer_pool_bytes,
            fsync: true,
            synchronous_commit: true,
            checkpoint_wal_bytes: 64 * 1024 * 1024,
            lock_timeout: None,
            statement_timeout: None,
            kek: None,
        }
    }
}

/// An open database.
pub struct Engine {
    options: EngineOptions,
    heap: Arc<Heap>,
    btree: Arc<BTree>,
    page_log: Arc<PageLog>,
    wal: Arc<Wal>,
    txns: Arc<TxnManager>,
    catalog: Catalog,
    /// Serialises checkpoints.
    checkpointing: Mutex<()>,
    last_redo: AtomicU64,
    /// The audit log, once the server has opened it.
    audit: std::sync::OnceLock<Arc<AuditLog>>,
    /// Tables whose row-changing statements are audited.
    audited_tables: std::sync::OnceLock<Vec<String>>,
    /// Seed of mock SCRAM salts (see `auth_secret` above).
    auth_secret: [u8; 32],
    /// The data keys of an encrypted cluster.
    keyring: Option<Arc<Keyring>>,
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
        let lock_file = dir_lock::lock_data_dir(dir)?;
        let keyring = keys::open_keyring(dir, options.kek.as_ref())?;
        let control = Control::read(dir, keyring.as_deref())?.unwrap_or_else(Control::initial);
        let files = Arc::new(RelationFiles::with_keyring(
            dir.join("base"),
            fs.clone(),
            keyring.clone(),
        ));
        let frames =
            (options.buffer_pool_bytes / PAGE_SIZE).max(crate::storage::buffer::MIN_FRAMES);
        let pool = Arc::new(BufferPool::new(frames, files));
        let clog = Arc::new(Clog::new(control.aborted.iter().copied()));
        let txns = Arc::new(TxnManager::new(control.next_xid, clog.clone()));
        let page_log = Arc::new(PageLog::default());
        let heap = Arc::new(Heap::new(pool.clone(), txns.clone(), page_log.clone()));
        let btree = Arc::new(BTree::new(pool.clone(), page_log.clone()));
        heap.visibility_map().load(dir, keyring.as_deref());

        let started = std::time::Instant::now();
        let recovered = recovery::recover(
            &fs,
            &dir.join("wal"),
            control.redo_lsn,
            keyring.as_deref(),
            &heap,
            &btree,
            &clog,
            control.next_xid,
            &control.in_progress,
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
        txns.advance_next_xid(recovered.next_xid);
        let wal = Arc::new(Wal::open(
            &dir.join("wal"),
            fs,
            recovered.end,
            options.fsync,
            keyring.clone(),
        )?);
        pool.attach_log(wal.clone());
        page_log.attach(wal.clone());
        let catalog = Catalog::load(heap.clone(), btree.clone(), txns.clone(), wal.clone())?;
        let engine = Engine {
            options: options.clone(),
            heap,
            btree,
            page_log,
            wal,
            txns,
            catalog,
            checkpointing: Mutex::new(()),
            last_redo: AtomicU64::new(control.redo_lsn),
            audit: std::sync::OnceLock::new(),
            audited_tables: std::sync::OnceLock::new(),
            auth_secret: bootstrap::auth_secret(dir)?,
            keyring,
            _lock_file: lock_file,
        };
        engine.checkpoint()?;
        Ok(engine)
    }

    /// Starts writing audit events to `log` (once; later calls are ignored).
    pub fn set_audit(&self, log: Arc<AuditLog>) {
        let _ = self.audit.set(log);
    }

    /// The audit log, if one is open.
    /// The live sessions.
    pub fn backends(&self) -> &Arc<crate::catalog::backends::Backends> {
        self.catalog.backends()
    }

    pub fn audit(&self) -> Option<&AuditLog> {
        self.audit.get().map(|a| a.as_ref())
    }

    /// Audits INSERT/UPDATE/DELETE/COPY on these tables (once; later calls
    /// are ignored).
    pub fn set_audited_tables(&self, tables: Vec<String>) {
        let _ = self.audited_tables.set(tables);
    }

    /// True if row changes to `table` are audited.
    pub fn audits_table(&self, table: &str) -> bool {
        self.audit.get().is_some()
            && self
                .audited_tables
                .get()
                .is_some_and(|t| t.iter().any(|n| n == table))
    }

    /// True if the cluster is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.keyring.is_some()
    }

    /// The data keys of an encrypted cluster.
    pub fn keyring(&self) -> Option<&Arc<Keyring>> {
        self.keyring.as_ref()
    }

    /// The data directory's secret for mock SCRAM salts.
    pub fn auth_secret(&self) -> &[u8] {
        &self.auth_secret
    }

    /// The settings this engine was opened with.
    pub fn options(&self) -> &EngineOptions {
        &self.options
    }

    /// The data directory.
    pub fn data_dir(&self) -> &Path {
        &self.options.data_dir
    }

    /// Heap access.
    pub fn heap(&self) -> &Heap {
        &self.heap
    }

    /// B+tree access.
    pub fn btree(&self) -> &BTree {
        &self.btree
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// Transactions: snapshots, xids, waits.
    pub fn txns(&self) -> &Arc<TxnManager> {
        &self.txns
    }

    /// The commit log (which transactions aborted).
    pub fn clog(&self) -> &Clog {
        self.txns.clog()
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

    /// Logs a transaction's commit (its first xid and its other xids);
    /// returns the LSN that must be durable before the commit is
    /// acknowledged (see [`Engine::wait_durable`]).
    pub fn log_commit(&self, xid: Xid, subxids: Vec<Xid>) -> Result<u64> {
        self.wal.append(xid, &Record::Commit { subxids })
    }

    /// Waits until the log is durable up to `lsn` (a no-op unless
    /// `synchronous`: the session's synchronous_commit, whose default is
    /// the server's). Called after the transaction's locks are released,
    /// so one fsync covers every commit that arrived meanwhile.
    pub fn wait_durable(&self, lsn: u64, synchronous: bool) -> Result<()> {
        if synchronous {
            self.wal.flush(lsn)?;
        }
        Ok(())
    }

    /// Aborts transaction ids: their tuples become invisible at once.
    pub fn log_abort(&self, xids: &[Xid]) {
        for xid in xids {
            self.txns.clog().abort(*xid);
            if let Err(e) = self.wal.append(*xid, &Record::Abort) {
                tracing::warn!(error = %e, xid, "could not log an abort; recovery will abort it");
            }
        }
    }

    /// Removes the files of dropped relations (after their drop committed).
    pub fn remove_relations(&self, rels: &[RelId]) -> Result<()> {
        for rel in rels {
            self.btree.forget(*rel);
            self.heap.drop_relation(*rel)?;
        }
        Ok(())
    }

    /// VACUUM: removes dead row versions from the given relations (and
    /// their TOAST relations), then the index entries that pointed at
    /// them, then frees their slots.
    pub fn vacuum(&self, rels: &[RelId]) -> Result<u64> {
        let mut removed = 0;
        for rel in rels {
            removed += self.vacuum_relation(*rel)?;
            if !toast::is_toast(*rel) && self.catalog.table_of(*rel).is_some() {
                removed += self.vacuum_relation(toast::toast_rel(*rel))?;
            }
        }
        Ok(removed)
    }

    fn vacuum_relation(&self, rel: RelId) -> Result<u64> {
        let (count, dead) = self.heap.vacuum(rel)?;
        if dead.is_empty() {
            return Ok(count);
        }
        if !toast::is_toast(rel) {
            if let Some(table) = self.catalog.table_of(rel) {
                let doomed: std::collections::HashSet<_> = dead.iter().copied().collect();
                for index in &table.indexes {
                    self.btree.remove_tids(index.rel(), &doomed)?;
                }
            }
        }
        self.heap.reclaim(rel, &dead)?;
        Ok(count)
    }

    /// Autovacuum: vacuums every relation whose deletes since its last
    /// vacuum reach `threshold` plus a fifth of its live rows as ANALYZE
    /// last counted them (PostgreSQL's autovacuum_vacuum_scale_factor), so
    /// a small, hot table is cleaned often and a big one rarely; returns
    /// the tuples removed.
    pub fn autovacuum(&self, threshold: u64) -> Result<u64> {
        // Only relations that still exist (a dropped one's file is gone);
        // a TOAST relation exists while its table does.
        let live = self.catalog.relations();
        let mut removed = 0;
        for (rel, deletes) in self.heap.delete_counts() {
            if !live.contains(&RelId(rel.0 & !toast::TOAST_BIT)) {
                continue;
            }
            let rows = self.catalog.stats(rel.0).map_or(0.0, |s| s.rows);
            if deletes as f64 >= threshold as f64 + AUTOVACUUM_SCALE_FACTOR * rows {
                removed += self.vacuum_relation(rel)?;
            }
        }
        Ok(removed)
    }

    /// Takes a checkpoint if enough WAL was written since the last one.
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
    /// removes WAL segments before it. Runs alongside writers: the xids
    /// running once the redo point is fixed go into the control file, so
    /// recovery aborts any of them that never commits.
    pub fn checkpoint(&self) -> Result<()> {
        let _one = self.checkpointing.lock();
        let redo = self.page_log.begin_checkpoint(|| self.wal.current_lsn());
        let in_progress = self.txns.running();
        self.heap.pool().flush_all(self.options.fsync)?;
        self.heap.visibility_map().save(
            &self.options.data_dir,
            self.options.fsync,
            self.keyring.as_deref(),
        )?;
        let next_xid = self.txns.next_xid();
        let end = self.wal.append(0, &Record::Checkpoint { redo, next_xid })?;
        self.wal.flush(end)?;
        Control {
            next_xid,
            redo_lsn: redo,
            aborted: self.txns.clog().aborted(),
            in_progress,
        }
        .write(
            &self.options.data_dir,
            self.options.fsync,
            self.keyring.as_deref(),
        )?;
        self.last_redo.store(redo, Ordering::Release);
        self.wal.remove_before(redo)?;
        Ok(())
    }
}
