//! The buffer pool: a fixed number of page frames shared by all sessions.
//!
//! Pages are reached only through [`PageRef`], a pin that keeps the page in
//! its frame until dropped; `read()`/`write()` take the frame's latch.
//! Eviction is a clock sweep over unpinned frames; a dirty victim is sealed
//! (checksummed, or encrypted) by `RelationFiles::write_page` and written
//! before its frame is reused. Every page read from disk is verified (and
//! decrypted) by `RelationFiles::read_page`, and a bad one is an XX001
//! error, never cached. Frames always hold plaintext.
//!
//! Invariants: a pinned frame is never evicted; a page is in at most one
//! frame; `dirty` is set before a write latch is handed out. Frame metadata
//! lives under one mutex (simple and correct; the I/O of an eviction happens
//! under it, a known cost until the WAL issue reworks write-back).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use parking_lot::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use super::files::RelationFiles;
use super::page::{self, PageBuf, PAGE_SIZE};
use super::{PageId, RelId};
use crate::errinput;
use crate::error::Result;

/// Smallest pool accepted: enough frames for any one operation's pins.
pub const MIN_FRAMES: usize = 16;

/// Makes the log durable up to an LSN; the pool calls it before writing a
/// page whose changes are logged up to that LSN (write-ahead logging).
pub trait LogFlusher: Send + Sync {
    fn flush_log(&self, lsn: u64) -> Result<()>;
}

impl LogFlusher for super::wal::Wal {
    fn flush_log(&self, lsn: u64) -> Result<()> {
        self.flush(lsn)
    }
}

struct Frame {
    data: RwLock<Box<PageBuf>>,
    dirty: AtomicBool,
}

#[derive(Default)]
struct FrameMeta {
    page: Option<PageId>,
    pins: u32,
    referenced: bool,
}

struct PoolState {
    table: HashMap<PageId, usize>,
    meta: Vec<FrameMeta>,
    hand: usize,
}

/// The shared page cache.
pub struct BufferPool {
    frames: Vec<Frame>,
    state: Mutex<PoolState>,
    files: Arc<RelationFiles>,
    log: OnceLock<Arc<dyn LogFlusher>>,
}

/// A pinned page. Dropping it unpins.
pub struct PageRef<'a> {
    pool: &'a BufferPool,
    frame: usize,
    id: PageId,
}

impl PageRef<'_> {
    /// The page's address.
    pub fn id(&self) -> PageId {
        self.id
    }

    /// Shared access to the page bytes.
    pub fn read(&self) -> RwLockReadGuard<'_, Box<PageBuf>> {
        self.pool.frames[self.frame].data.read()
    }

    /// Exclusive access to the page bytes; marks the page dirty.
    pub fn write(&self) -> RwLockWriteGuard<'_, Box<PageBuf>> {
        let frame = &self.pool.frames[self.frame];
        let guard = frame.data.write();
        frame.dirty.store(true, Ordering::Release);
        guard
    }
}

impl Drop for PageRef<'_> {
    fn drop(&mut self) {
        let mut state = self.pool.state.lock();
        let meta = &mut state.meta[self.frame];
        debug_assert!(meta.pins > 0, "unpin of an unpinned frame");
        meta.pins = meta.pins.saturating_sub(1);
    }
}

impl BufferPool {
    /// A pool of `frames` pages over the given relation files.
    pub fn new(frames: usize, files: Arc<RelationFiles>) -> Self {
        let frames = frames.max(MIN_FRAMES);
        BufferPool {
            frames: (0..frames)
                .map(|_| Frame {
                    data: RwLock::new(Box::new([0u8; PAGE_SIZE])),
                    dirty: AtomicBool::new(false),
                })
                .collect(),
            state: Mutex::new(PoolState {
                table: HashMap::with_capacity(frames),
                meta: (0..frames).map(|_| FrameMeta::default()).collect(),
                hand: 0,
            }),
            files,
            log: OnceLock::new(),
        }
    }

    /// From now on, flush the log before writing any page.
    pub fn attach_log(&self, log: Arc<dyn LogFlusher>) {
        let _ = self.log.set(log);
    }

    /// The relation files under this pool.
    pub fn files(&self) -> &RelationFiles {
        &self.files
    }

    /// Pins a page, reading it from disk if it is not cached.
    pub fn fetch(&self, id: PageId) -> Result<PageRef<'_>> {
        let mut state = self.state.lock();
        if let Some(page) = self.pin_cached(&mut state, id) {
            return Ok(page);
        }
        let frame = self.evict(&mut state)?;
        {
            let mut data = self.frames[frame].data.write();
            self.files.read_page(id.rel, id.block, &mut data)?;
        }
        self.install(&mut state, frame, id);
        Ok(PageRef {
            pool: self,
            frame,
            id,
        })
    }

    /// Pins a page that the caller will overwrite entirely (recovery's full
    /// page images): a cached copy is used, but disk is not read, so a torn
    /// page on disk does not stop its repair.
    pub fn fetch_for_overwrite(&self, id: PageId) -> Result<PageRef<'_>> {
        let mut state = self.state.lock();
        if let Some(page) = self.pin_cached(&mut state, id) {
            return Ok(page);
        }
        let frame = self.evict(&mut state)?;
        self.frames[frame].data.write().fill(0);
        self.install(&mut state, frame, id);
        Ok(PageRef {
            pool: self,
            frame,
            id,
        })
    }

    /// Allocates a new block at the end of a relation and pins it, formatted
    /// by `init`.
    pub fn allocate(&self, rel: RelId, init: impl FnOnce(&mut PageBuf)) -> Result<PageRef<'_>> {
        let mut state = self.state.lock();
        let frame = self.evict(&mut state)?;
        let block = self.files.allocate_block(rel)?;
        let id = PageId { rel, block };
        {
            let mut data = self.frames[frame].data.write();
            init(&mut data);
            self.frames[frame].dirty.store(true, Ordering::Release);
        }
        self.install(&mut state, frame, id);
        Ok(PageRef {
            pool: self,
            frame,
            id,
        })
    }

    /// Pins a page already in the pool.
    fn pin_cached(&self, state: &mut PoolState, id: PageId) -> Option<PageRef<'_>> {
        let frame = *state.table.get(&id)?;
        let meta = &mut state.meta[frame];
        meta.pins += 1;
        meta.referenced = true;
        Some(PageRef {
            pool: self,
            frame,
            id,
        })
    }

    fn install(&self, state: &mut PoolState, frame: usize, id: PageId) {
        state.table.insert(id, frame);
        state.meta[frame] = FrameMeta {
            page: Some(id),
            pins: 1,
            referenced: true,
        };
    }

    /// Finds a free or evictable frame, writing back its page if dirty.
    fn evict(&self, state: &mut PoolState) -> Result<usize> {
        let n = self.frames.len();
        for _ in 0..n * 2 {
            let frame = state.hand;
            state.hand = (state.hand + 1) % n;
            let meta = &mut state.meta[frame];
            if meta.pins > 0 {
                continue;
            }
            if meta.referenced {
                meta.referenced = false;
                continue;
            }
            if let Some(old) = meta.page {
                self.write_back(frame, old)?;
                state.table.remove(&old);
                state.meta[frame].page = None;
            }
            return Ok(frame);
        }
        Err(errinput!(
            "53200",
            "no unpinned buffers available (buffer pool of {n} pages is too small)"
        ))
    }

    fn write_back(&self, frame: usize, id: PageId) -> Result<()> {
        let f = &self.frames[frame];
        if f.dirty.swap(false, Ordering::AcqRel) {
            let mut data = f.data.write();
            if let Some(log) = self.log.get() {
                if let Err(e) = log.flush_log(page::lsn(&data)) {
                    f.dirty.store(true, Ordering::Release);
                    return Err(e);
                }
            }
            if let Err(e) = self.files.write_page(id.rel, id.block, &mut data) {
                f.dirty.store(true, Ordering::Release);
                return Err(e);
            }
        }
        Ok(())
    }

    /// Writes every dirty page and (with `sync`) fsyncs all relation files.
    pub fn flush_all(&self, sync: bool) -> Result<()> {
        let state = self.state.lock();
        for (frame, meta) in state.meta.iter().enumerate() {
            if let Some(id) = meta.page {
                self.write_back(frame, id)?;
            }
        }
        drop(state);
        if sync {
            self.files.sync_all()?;
        }
        Ok(())
    }

    /// Forgets every cached page of a relation without writing it (the
    /// relation is being dropped). Fails if one is still pinned.
    pub fn discard_relation(&self, rel: RelId) -> Result<()> {
        let mut state = self.state.lock();
        let frames: Vec<(PageId, usize)> = state
            .table
            .iter()
            .filter(|(id, _)| id.rel == rel)
            .map(|(id, f)| (*id, *f))
            .collect();
        for (id, frame) in frames {
            if state.meta[frame].pins > 0 {
                return Err(crate::errinternal!(
                    "dropping {rel:?} while block {} is pinned",
                    id.block
                ));
            }
            self.frames[frame].dirty.store(false, Ordering::Release);
            state.table.remove(&id);
            state.meta[frame] = FrameMeta::default();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::io::OsFileSystem;
    use crate::storage::page::PageKind;

    fn pool(frames: usize) -> (tempfile::TempDir, BufferPool) {
        let dir = tempfile::tempdir().unwrap();
        let files = Arc::new(RelationFiles::new(
            dir.path().to_path_buf(),
            Arc::new(OsFileSystem),
        ));
        (dir, BufferPool::new(frames, files))
    }

    #[test]
    fn evicts_and_reads_back_more_pages_than_frames() {
        let (_dir, pool) = pool(MIN_FRAMES);
        let rel = RelId(100);
        for i in 0..200u32 {
            let p = pool
                .allocate(rel, |b| page::init(b, PageKind::Heap))
                .unwrap();
            assert_eq!(p.id().block, i);
            page::insert(&mut p.write(), &i.to_le_bytes()).unwrap();
        }
        for i in 0..200u32 {
            let p = pool.fetch(PageId { rel, block: i }).unwrap();
            assert_eq!(page::item(&p.read(), 0), Some(&i.to_le_bytes()[..]));
        }
    }

    #[test]
    fn pinned_pages_are_never_evicted() {
        let (_dir, pool) = pool(MIN_FRAMES);
        let rel = RelId(7);
        let pinned: Vec<_> = (0..MIN_FRAMES)
            .map(|_| {
                pool.allocate(rel, |b| page::init(b, PageKind::Heap))
                    .unwrap()
            })
            .collect();
        let err = pool
            .allocate(rel, |b| page::init(b, PageKind::Heap))
            .err()
            .expect("pool is full");
        assert_eq!(err.sqlstate(), "53200");
        drop(pinned);
        assert!(pool
            .allocate(rel, |b| page::init(b, PageKind::Heap))
            .is_ok());
    }

    #[test]
    fn flush_survives_reopen_and_corruption_is_detected() {
        let dir = tempfile::tempdir().unwrap();
        let rel = RelId(5);
        {
            let files = Arc::new(RelationFiles::new(
                dir.path().to_path_buf(),
                Arc::new(OsFileSystem),
            ));
            let pool = BufferPool::new(MIN_FRAMES, files);
            let p = pool
                .allocate(rel, |b| page::init(b, PageKind::Heap))
                .unwrap();
            page::insert(&mut p.write(), b"persisted").unwrap();
            drop(p);
            pool.flush_all(true).unwrap();
        }
        let files = Arc::new(RelationFiles::new(
            dir.path().to_path_buf(),
            Arc::new(OsFileSystem),
        ));
        let pool = BufferPool::new(MIN_FRAMES, files);
        {
            let p = pool.fetch(PageId { rel, block: 0 }).unwrap();
            assert_eq!(page::item(&p.read(), 0), Some(&b"persisted"[..]));
        }
        // Flip a bit on disk; a fresh pool must refuse the page.
        let path = dir.path().join("5");
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[8000] ^= 0x10;
        std::fs::write(&path, bytes).unwrap();
        let files = Arc::new(RelationFiles::new(
            dir.path().to_path_buf(),
            Arc::new(OsFileSystem),
        ));
        let pool = BufferPool::new(MIN_FRAMES, files);
        let err = pool
            .fetch(PageId { rel, block: 0 })
            .err()
            .expect("corrupt page");
        assert_eq!(err.sqlstate(), "XX001");
        assert!(err.message().contains("block 0"));
    }
}
