//! The write-ahead log: append records, make them durable with group
//! commit, read them back for recovery.
//!
//! Layout: `<data_dir>/wal/<16 hex digits>` files of [`SEGMENT_SIZE`] bytes,
//! each named by the LSN of its first byte. The LSN is a byte position in
//! the endless log; records never span segments (a record that would cross
//! the end starts at the next segment, leaving the rest of the segment
//! unwritten). Record bytes are described in `record.rs`.
//!
//! Durability: [`Wal::append`] only buffers. [`Wal::flush`] makes the log
//! durable up to an LSN: the first caller becomes the flusher, writes
//! everything buffered and fsyncs once; callers arriving meanwhile wait and
//! are usually covered by that same fsync (group commit). A failed write or
//! fsync poisons the log: every later append and flush fails, nothing is
//! retried, and the server stops (PostgreSQL's fsyncgate lesson).
//!
//! Invariant: `flushed_lsn <= written_lsn <= next_lsn`; bytes below
//! `flushed_lsn` are on stable storage.

mod reader;
pub mod record;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

pub use reader::{replay, ReplayEnd};
pub use record::{Lsn, Record};

use super::crypto::Keyring;
use super::io::{File, FileSystem};
use crate::error::{Error, Result};

/// Bytes per segment file.
pub const SEGMENT_SIZE: u64 = 16 * 1024 * 1024;
/// LSN of the first record of a new database (0 means "never logged").
pub const FIRST_LSN: Lsn = 16;
/// Buffered bytes that trigger a write to the OS without waiting for a flush.
const WRITE_BEHIND_BYTES: usize = 1024 * 1024;

/// The segment holding an LSN, by its first LSN.
pub fn segment_start(lsn: Lsn) -> Lsn {
    lsn - lsn % SEGMENT_SIZE
}

fn segment_path(dir: &Path, start: Lsn) -> PathBuf {
    dir.join(format!("{start:016X}"))
}

/// Segment files present in the directory, by first LSN.
pub fn list_segments(dir: &Path) -> Result<Vec<Lsn>> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name();
        let name = name.to_string_lossy();
        if name.len() == 16 {
            if let Ok(start) = u64::from_str_radix(&name, 16) {
                out.push(start);
            }
        }
    }
    out.sort_unstable();
    Ok(out)
}

struct Writer {
    next_lsn: Lsn,
    buffer: Vec<u8>,
    buffer_lsn: Lsn,
    segment: Option<(Lsn, Arc<dyn File>)>,
    /// Segments written since the last fsync.
    unsynced: Vec<Arc<dyn File>>,
    /// A segment file was created since the last directory fsync.
    dir_dirty: bool,
}

struct FlushState {
    flushed_lsn: Lsn,
    flushing: bool,
}

/// The write-ahead log of one data directory.
pub struct Wal {
    dir: PathBuf,
    fs: Arc<dyn FileSystem>,
    fsync: bool,
    writer: Mutex<Writer>,
    flush_state: Mutex<FlushState>,
    flushed: Condvar,
    failed: AtomicBool,
    /// Seals every record in an encrypted cluster.
    keyring: Option<Arc<Keyring>>,
}

impl Wal {
    /// Opens the log for appending at `end` (where recovery stopped), after
    /// cutting off anything at or beyond it; records are sealed with
    /// `keyring` when given.
    pub fn open(
        dir: &Path,
        fs: Arc<dyn FileSystem>,
        end: Lsn,
        fsync: bool,
        keyring: Option<Arc<Keyring>>,
    ) -> Result<Wal> {
        std::fs::create_dir_all(dir)?;
        for start in list_segments(dir)? {
            if start > segment_start(end) {
                fs.remove(&segment_path(dir, start))?;
            }
        }
        let seg = segment_start(end);
        let path = segment_path(dir, seg);
        let file: Arc<dyn File> = Arc::from(fs.open(&path)?);
        if file.len()? > end - seg {
            file.set_len(end - seg)?;
        }
        if fsync {
            file.sync()?;
            fs.sync_dir(dir)?;
        }
        Ok(Wal {
            dir: dir.to_path_buf(),
            fs,
            fsync,
            writer: Mutex::new(Writer {
                next_lsn: end,
                buffer: Vec::with_capacity(WRITE_BEHIND_BYTES * 2),
                buffer_lsn: end,
                segment: Some((seg, file)),
                unsynced: Vec::new(),
                dir_dirty: false,
            }),
            flush_state: Mutex::new(FlushState {
                flushed_lsn: end,
                flushing: false,
            }),
            flushed: Condvar::new(),
            failed: AtomicBool::new(false),
            keyring,
        })
    }

    fn check_failed(&self) -> Result<()> {
        if self.failed.load(Ordering::Acquire) {
            return Err(Error::Io(
                "the write-ahead log failed earlier; the server must restart".to_string(),
            ));
        }
        Ok(())
    }

    /// True once a WAL write or fsync has failed.
    pub fn has_failed(&self) -> bool {
        self.failed.load(Ordering::Acquire)
    }

    fn fail(&self, err: Error) -> Error {
        self.failed.store(true, Ordering::Release);
        tracing::error!(error = %err, "write-ahead log failure: no further writes will be accepted");
        err
    }

    /// Appends a record; returns the LSN just past it (what a page or a
    /// commit must wait for).
    pub fn append(&self, xid: u64, record: &Record) -> Result<Lsn> {
        self.check_failed()?;
        let mut w = self.writer.lock();
        let len = record.encoded_len(self.keyring.is_some()) as u64;
        if segment_start(w.next_lsn) != segment_start(w.next_lsn + len - 1) {
            // Does not fit: write out this segment's bytes, start the next one.
            self.write_out(&mut w).map_err(|e| self.fail(e))?;
            let next = segment_start(w.next_lsn) + SEGMENT_SIZE;
            w.next_lsn = next;
            w.buffer_lsn = next;
        }
        let lsn = w.next_lsn;
        record.encode(lsn, xid, &mut w.buffer, self.keyring.as_deref());
        w.next_lsn += len;
        if w.buffer.len() >= WRITE_BEHIND_BYTES {
            self.write_out(&mut w).map_err(|e| self.fail(e))?;
        }
        Ok(w.next_lsn)
    }

    /// The LSN the next record will get (or the one after the last).
    pub fn current_lsn(&self) -> Lsn {
        self.writer.lock().next_lsn
    }

    /// Writes buffered bytes to their segment file (no fsync).
    fn write_out(&self, w: &mut Writer) -> Result<()> {
        if w.buffer.is_empty() {
            return Ok(());
        }
        let seg = segment_start(w.buffer_lsn);
        let file = match &w.segment {
            Some((start, f)) if *start == seg => f.clone(),
            _ => {
                let f: Arc<dyn File> = Arc::from(self.fs.open(&segment_path(&self.dir, seg))?);
                if let Some((_, old)) = w.segment.replace((seg, f.clone())) {
                    w.unsynced.push(old);
                }
                w.dir_dirty = true;
                f
            }
        };
        file.write_at(&w.buffer, w.buffer_lsn - seg)?;
        if !w.unsynced.iter().any(|u| Arc::ptr_eq(u, &file)) {
            w.unsynced.push(file);
        }
        w.buffer.clear();
        w.buffer_lsn = w.next_lsn;
        Ok(())
    }

    /// Makes the log durable at least up to `lsn` (group commit).
    pub fn flush(&self, lsn: Lsn) -> Result<()> {
        loop {
            self.check_failed()?;
            let mut state = self.flush_state.lock();
            if state.flushed_lsn >= lsn {
                return Ok(());
            }
            if state.flushing {
                self.flushed.wait(&mut state);
                continue;
            }
            state.flushing = true;
            drop(state);
            let result = self.flush_once();
            let mut state = self.flush_state.lock();
            state.flushing = false;
            let outcome = match result {
                Ok(upto) => {
                    state.flushed_lsn = state.flushed_lsn.max(upto);
                    Ok(())
                }
                Err(e) => Err(self.fail(e)),
            };
            self.flushed.notify_all();
            outcome?;
        }
    }

    /// One flusher round: write everything buffered, then fsync outside the
    /// writer lock so appends go on while the disk works.
    fn flush_once(&self) -> Result<Lsn> {
        let (upto, files, dir_dirty) = {
            let mut w = self.writer.lock();
            self.write_out(&mut w)?;
            (
                w.next_lsn,
                std::mem::take(&mut w.unsynced),
                std::mem::take(&mut w.dir_dirty),
            )
        };
        if self.fsync {
            for f in files {
                f.sync()?;
            }
            if dir_dirty {
                self.fs.sync_dir(&self.dir)?;
            }
        }
        Ok(upto)
    }

    /// Deletes segments wholly before `lsn` (after a checkpoint).
    pub fn remove_before(&self, lsn: Lsn) -> Result<()> {
        let keep_from = segment_start(lsn);
        let removable: BTreeSet<Lsn> = list_segments(&self.dir)?
            .into_iter()
            .filter(|s| *s < keep_from)
            .collect();
        for start in &removable {
            self.fs.remove(&segment_path(&self.dir, *start))?;
        }
        if !removable.is_empty() {
            self.fs.sync_dir(&self.dir)?;
        }
        Ok(())
    }
}
