//! Heap relations: unordered tuples on slotted pages, addressed by [`Tid`],
//! every change logged to the WAL before the page may reach disk.
//!
//! Each tuple is a 24-byte header followed by the caller's data:
//! ```text
//! offset size field
//!      0    8 xmin  (u64 LE) transaction that inserted the tuple
//!      8    8 xmax  (u64 LE) transaction that deleted it, 0 if live
//!     16    4 cid   (u32 LE) command id within xmin, reserved for MVCC
//!     20    2 flags (u16 LE) bit 0: xmax only locks the row (FOR UPDATE)
//!     22    2 reserved, 0
//! ```
//! Deleting sets xmax; locking a row sets xmax with the lock-only flag, which
//! deletes nothing; the bytes stay until the page is pruned, which
//! removes tuples the caller's [`TupleStatus`] calls dead and leaves a dead
//! line pointer in their slot; VACUUM frees the slot once no index entry
//! points at it (so an index never finds a stranger at an old address). Logging: the
//! first change to a page after a checkpoint logs the whole page (a full
//! page image, which also repairs a torn write of that page); later changes
//! log just the insert or delete. A new page logs `PageInit`; a prune logs
//! a full image. Every logged change stamps the page LSN, and the buffer
//! pool flushes the WAL up to it before writing the page.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::buffer::BufferPool;
use super::fsm::FreeSpaceMap;
use super::page::{self, PageBuf, PageKind, MAX_ITEM_SIZE};
use super::page_log::PageLog;
use super::visibility_map::VisibilityMap;
use super::wal::{record::corrupt, Lsn, Record};
use super::{PageId, RelId, Tid};
use crate::errinput;
use crate::error::Result;

/// Bytes of tuple header.
pub const TUPLE_HEADER_SIZE: usize = 24;
/// The largest tuple data that fits on a page.
pub const MAX_TUPLE_DATA: usize = MAX_ITEM_SIZE - TUPLE_HEADER_SIZE;

/// Relations up to this many pages have their free space surveyed on
/// first insert after start-up (256 MiB).
pub const SURVEY_LIMIT: u32 = 32 * 1024;

/// A transaction identifier (monotonic, never reused).
pub type Xid = u64;

/// Tuple flag: xmax locked the row, it did not delete it.
pub const XMAX_LOCK_ONLY: u16 = 1;

/// The MVCC header of a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct TupleHeader {
    pub xmin: Xid,
    pub xmax: Xid,
    pub flags: u16,
}

impl TupleHeader {
    /// Reads the header at the start of a tuple.
    pub fn read(bytes: &[u8]) -> TupleHeader {
        TupleHeader {
            xmin: u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default()),
            xmax: u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default()),
            flags: u16::from_le_bytes(bytes[20..22].try_into().unwrap_or_default()),
        }
    }

    /// xmax, if set, only locks the row.
    pub fn lock_only(&self) -> bool {
        self.flags & XMAX_LOCK_ONLY != 0
    }

    /// xmax is set and means a delete (if its transaction commits).
    pub fn deletes(&self) -> bool {
        self.xmax != 0 && !self.lock_only()
    }

    fn write_mark(&self, item: &mut [u8]) {
        item[8..16].copy_from_slice(&self.xmax.to_le_bytes());
        item[20..22].copy_from_slice(&self.flags.to_le_bytes());
    }
}

/// What [`Heap::mark`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mark {
    /// The mark is set; the header as it was before.
    Done(TupleHeader),
    /// Another mark stands (the header as found): nothing changed.
    Held(TupleHeader),
    /// No tuple at that address.
    Missing,
}

/// What the transaction layer says about tuples (storage knows no
/// transactions): whether a version is gone for every reader, and whether
/// its delete stands.
pub trait TupleStatus: Send + Sync {
    /// No reader can see it any more: its space may be reclaimed.
    fn is_dead(&self, header: &TupleHeader) -> bool;
    /// A delete that did not abort has been recorded on it.
    fn is_deleted(&self, header: &TupleHeader) -> bool;
    /// Every transaction, running or yet to start, sees it (its insert
    /// committed before every snapshot and no delete stands). False when
    /// in doubt.
    fn is_visible_to_all(&self, _header: &TupleHeader) -> bool {
        false
    }
}

/// Items in use on a page.
fn live_items(buf: &PageBuf) -> usize {
    (0..page::slot_count(buf))
        .filter(|s| page::item(buf, *s).is_some())
        .count()
}

/// A tuple read from a page.
#[derive(Clone, Debug)]
pub struct HeapTuple {
    pub tid: Tid,
    pub header: TupleHeader,
    pub data: Vec<u8>,
}

/// Heap access over the buffer pool.
pub struct Heap {
    pool: Arc<BufferPool>,
    fsm: FreeSpaceMap,
    status: Arc<dyn TupleStatus>,
    log: Arc<PageLog>,
    /// Deletes per relation since its last vacuum (drives autovacuum).
    deletes: Mutex<HashMap<RelId, u64>>,
    vm: VisibilityMap,
}

impl Heap {
    /// Heap access through a buffer pool, logging to `log` (which logs
    /// nothing until a WAL is attached: recovery replays unlogged).
    pub fn new(pool: Arc<BufferPool>, status: Arc<dyn TupleStatus>, log: Arc<PageLog>) -> Self {
        Heap {
            pool,
            fsm: FreeSpaceMap::default(),
            status,
            log,
            deletes: Mutex::new(HashMap::new()),
            vm: VisibilityMap::default(),
        }
    }

    /// Which pages hold only tuples everyone sees.
    pub fn visibility_map(&self) -> &VisibilityMap {
        &self.vm
    }

    /// The page log (shared with the B+trees).
    pub fn page_log(&self) -> &Arc<PageLog> {
        &self.log
    }

    /// The buffer pool underneath.
    pub fn pool(&self) -> &Arc<BufferPool> {
        &self.pool
    }

    fn log(&self, xid: Xid, record: &Record) -> Result<Option<Lsn>> {
        self.log.log(xid, record)
    }

    fn log_change(
        &self,
        buf: &mut PageBuf,
        id: PageId,
        xid: Xid,
        record: Option<Record>,
    ) -> Result<()> {
        self.log.log_change(buf, id, xid, record)
    }

    /// Creates the file of a new, empty relation.
    pub fn create(&self, rel: RelId, xid: Xid) -> Result<()> {
        self.log(xid, &Record::CreateRel { rel })?;
        self.vm.forget(rel);
        self.pool.files().create(rel)
    }

    /// Drops a relation and its file.
    pub fn drop_relation(&self, rel: RelId) -> Result<()> {
        self.log(0, &Record::DropRel { rel })?;
        self.remove_relation(rel)
    }

    fn remove_relation(&self, rel: RelId) -> Result<()> {
        self.deletes.lock().remove(&rel);
        self.vm.forget(rel);
        self.pool.discard_relation(rel)?;
        self.fsm.forget(rel);
        self.pool.files().remove(rel)
    }

    /// Blocks in a relation.
    pub fn nblocks(&self, rel: RelId) -> Result<u32> {
        self.pool.files().nblocks(rel)
    }

    /// Inserts a tuple written by `xmin`; returns its address.
    pub fn insert(&self, rel: RelId, xmin: Xid, data: &[u8]) -> Result<Tid> {
        if data.len() > MAX_TUPLE_DATA {
            return Err(errinput!(
                "54000",
                "row is too big: size {}, maximum size {}",
                data.len() + TUPLE_HEADER_SIZE,
                MAX_ITEM_SIZE
            ));
        }
        let mut tuple = Vec::with_capacity(TUPLE_HEADER_SIZE + data.len());
        tuple.extend_from_slice(&xmin.to_le_bytes());
        tuple.extend_from_slice(&0u64.to_le_bytes());
        tuple.extend_from_slice(&[0u8; 8]);
        tuple.extend_from_slice(data);
        let needed = tuple.len() + page::SLOT_SIZE;
        if self.fsm.first_use(rel) {
            self.survey(rel)?;
        }

        // Known pages with room, then the last page, then a new page.
        let mut tried_last = false;
        for _attempt in 0..8 {
            let candidate = match self.fsm.find(rel, needed) {
                Some(block) => Some(block),
                None if !tried_last => {
                    tried_last = true;
                    self.nblocks(rel)?.checked_sub(1)
                }
                None => None,
            };
            let Some(block) = candidate else { break };
            let id = PageId { rel, block };
            let p = self.pool.fetch(id)?;
            let mut buf = p.write();
            let mut rewritten = false;
            if page::kind(&buf) == PageKind::Unused {
                page::init(&mut buf, PageKind::Heap);
                rewritten = true;
            }
            let mut slot = page::insert(&mut buf, &tuple);
            if slot.is_none() && self.prune(&mut buf) {
                rewritten = true;
                slot = page::insert(&mut buf, &tuple);
            }
            self.fsm.record(rel, block, page::free_space(&buf));
            match slot {
                Some(slot) => {
                    self.vm.clear(rel, block);
                    let rec = (!rewritten).then(|| Record::HeapInsert {
                        rel,
                        block,
                        slot: slot as u16,
                        tuple: std::mem::take(&mut tuple),
                    });
                    self.log_change(&mut buf, id, xmin, rec)?;
                    return Ok(Tid {
                        block,
                        slot: slot as u16,
                    });
                }
                None if rewritten => self.log_change(&mut buf, id, xmin, None)?,
                None => {}
            }
        }
        self.insert_into_new_page(rel, xmin, tuple)
    }

    /// Inserts into a page added at the end of the relation. Between its
    /// allocation and this insert taking its latch, other inserts may find
    /// the page (as the relation's last) and use it, or even fill it: they
    /// log it whole (its LSN is 0), so it is logged as a new page only if
    /// nobody did, and a page filled meanwhile sends this insert to the
    /// next new one.
    fn insert_into_new_page(&self, rel: RelId, xmin: Xid, tuple: Vec<u8>) -> Result<Tid> {
        for _attempt in 0..8 {
            let p = self.pool.allocate(rel, |b| page::init(b, PageKind::Heap))?;
            let id = p.id();
            let mut buf = p.write();
            if page::lsn(&buf) == 0 {
                if let Some(end) = self.log(
                    xmin,
                    &Record::PageInit {
                        rel,
                        block: id.block,
                    },
                )? {
                    page::set_lsn(&mut buf, end);
                }
            }
            let Some(slot) = page::insert(&mut buf, &tuple) else {
                continue;
            };
            self.vm.clear(rel, id.block);
            self.fsm.record(rel, id.block, page::free_space(&buf));
            let rec = Record::HeapInsert {
                rel,
                block: id.block,
                slot: slot as u16,
                tuple,
            };
            self.log_change(&mut buf, id, xmin, Some(rec))?;
            return Ok(Tid {
                block: id.block,
                slot: slot as u16,
            });
        }
        Err(crate::errinternal!(
            "every page added to relation {} was filled by other inserts first",
            rel.0
        ))
    }

    /// Records the free space of every page of a relation (once after
    /// start-up; relations above [`SURVEY_LIMIT`] pages are left to learn
    /// it as scans and VACUUM visit their pages).
    fn survey(&self, rel: RelId) -> Result<()> {
        let blocks = self.nblocks(rel)?;
        if blocks > SURVEY_LIMIT {
            return Ok(());
        }
        for block in 0..blocks {
            let p = self.pool.fetch(PageId { rel, block })?;
            let buf = p.read();
            if page::kind(&buf) == PageKind::Heap {
                self.fsm.record(rel, block, page::free_space(&buf));
            }
        }
        Ok(())
    }

    /// Sets a tuple's xmax to `xmax` (a delete, or a row lock if
    /// `lock_only`) unless a mark that stands is there already: one the
    /// caller's [`TupleStatus`] calls deleted that is not a lock by one of
    /// `own`. Checked and set under the page latch, so of two transactions
    /// marking one tuple exactly one wins and the other learns who holds it.
    pub fn mark(
        &self,
        rel: RelId,
        tid: Tid,
        xmax: Xid,
        lock_only: bool,
        own: &[Xid],
    ) -> Result<Mark> {
        let id = PageId {
            rel,
            block: tid.block,
        };
        let p = self.pool.fetch(id)?;
        let mut buf = p.write();
        let Some(item) = page::item_mut(&mut buf, tid.slot as usize) else {
            return Ok(Mark::Missing);
        };
        let before = TupleHeader::read(item);
        let ours = own.contains(&before.xmax) && before.lock_only();
        if self.status.is_deleted(&before) && !ours {
            return Ok(Mark::Held(before));
        }
        let flags = if lock_only { XMAX_LOCK_ONLY } else { 0 };
        if before.xmax == xmax && before.flags == flags {
            return Ok(Mark::Done(before));
        }
        self.set_mark(&mut buf, id, tid, xmax, flags)?;
        if !lock_only {
            *self.deletes.lock().entry(rel).or_default() += 1;
        }
        Ok(Mark::Done(before))
    }

    /// Puts back the xmax and flags a [`Heap::mark`] replaced (a statement
    /// that starts again releases what it marked).
    pub fn unmark(&self, rel: RelId, tid: Tid, before: TupleHeader) -> Result<()> {
        let id = PageId {
            rel,
            block: tid.block,
        };
        let p = self.pool.fetch(id)?;
        let mut buf = p.write();
        if page::item(&buf, tid.slot as usize).is_none() {
            return Err(crate::errinternal!("unmark of a missing tuple"));
        }
        self.set_mark(&mut buf, id, tid, before.xmax, before.flags)
    }

    fn set_mark(
        &self,
        buf: &mut PageBuf,
        id: PageId,
        tid: Tid,
        xmax: Xid,
        flags: u16,
    ) -> Result<()> {
        if let Some(item) = page::item_mut(buf, tid.slot as usize) {
            TupleHeader {
                xmin: 0,
                xmax,
                flags,
            }
            .write_mark(item);
        }
        self.vm.clear(id.rel, id.block);
        self.log_change(
            buf,
            id,
            xmax,
            Some(Record::HeapMark {
                rel: id.rel,
                block: tid.block,
                slot: tid.slot,
                xmax,
                flags,
            }),
        )
    }

    /// Marks a tuple deleted by `xmax`. Returns false if a mark already
    /// stands or the tuple does not exist.
    pub fn delete(&self, rel: RelId, tid: Tid, xmax: Xid) -> Result<bool> {
        Ok(matches!(
            self.mark(rel, tid, xmax, false, &[])?,
            Mark::Done(_)
        ))
    }

    /// Prunes every page of a relation (VACUUM's first pass), logging each
    /// changed page as a full image. Returns the tuples removed and every
    /// dead line pointer left behind: the caller removes index entries
    /// pointing at them, then frees them with [`Heap::reclaim`]. Safe
    /// alongside the writer and readers: only versions no snapshot can see
    /// are removed, and slot numbers of live tuples never change.
    pub fn vacuum(&self, rel: RelId) -> Result<(u64, Vec<Tid>)> {
        self.deletes.lock().remove(&rel);
        let mut removed = 0;
        let mut dead = Vec::new();
        for block in 0..self.nblocks(rel)? {
            let id = PageId { rel, block };
            let p = self.pool.fetch(id)?;
            if page::kind(&p.read()) != PageKind::Heap {
                continue;
            }
            let mut buf = p.write();
            let before = live_items(&buf);
            if self.prune(&mut buf) {
                removed += (before - live_items(&buf)) as u64;
                self.log_change(&mut buf, id, 0, None)?;
            }
            dead.extend(
                (0..page::slot_count(&buf))
                    .filter(|s| page::is_dead(&buf, *s))
                    .map(|slot| Tid {
                        block,
                        slot: slot as u16,
                    }),
            );
            self.fsm.record(rel, block, page::free_space(&buf));
            self.mark_if_all_visible(rel, block, &buf);
        }
        Ok((removed, dead))
    }

    /// Frees dead line pointers (no index points at them any more), so
    /// their slots may be reused.
    pub fn reclaim(&self, rel: RelId, dead: &[Tid]) -> Result<()> {
        let mut i = 0;
        while i < dead.len() {
            let block = dead[i].block;
            let id = PageId { rel, block };
            let p = self.pool.fetch(id)?;
            let mut buf = p.write();
            while i < dead.len() && dead[i].block == block {
                if page::is_dead(&buf, dead[i].slot as usize) {
                    page::remove(&mut buf, dead[i].slot as usize);
                }
                i += 1;
            }
            self.log_change(&mut buf, id, 0, None)?;
            self.mark_if_all_visible(rel, block, &buf);
        }
        Ok(())
    }

    /// Sets a page's visibility-map bit if every tuple on it is visible to
    /// all and no dead line pointer remains (an index entry may still
    /// point at one). Call holding the page's write latch.
    fn mark_if_all_visible(&self, rel: RelId, block: u32, buf: &PageBuf) {
        let all_visible = (0..page::slot_count(buf)).all(|slot| {
            !page::is_dead(buf, slot)
                && page::item(buf, slot)
                    .is_none_or(|item| self.status.is_visible_to_all(&TupleHeader::read(item)))
        });
        if all_visible {
            self.vm.set(rel, block);
        }
    }

    /// Whether a slot is a dead line pointer (pruned, awaiting VACUUM).
    pub fn is_dead_slot(&self, rel: RelId, tid: Tid) -> Result<bool> {
        Ok(self
            .page_of(rel, tid)?
            .is_some_and(|p| page::is_dead(&p.read(), tid.slot as usize)))
    }

    /// The page a tuple address is on, if the relation has that block.
    fn page_of(&self, rel: RelId, tid: Tid) -> Result<Option<super::buffer::PageRef<'_>>> {
        if tid.block >= self.nblocks(rel)? {
            return Ok(None);
        }
        self.pool
            .fetch(PageId {
                rel,
                block: tid.block,
            })
            .map(Some)
    }

    /// One tuple by address (live or deleted), or None if the slot holds
    /// none (never used, or pruned).
    pub fn fetch(&self, rel: RelId, tid: Tid) -> Result<Option<HeapTuple>> {
        let Some(p) = self.page_of(rel, tid)? else {
            return Ok(None);
        };
        let buf = p.read();
        if page::kind(&buf) != PageKind::Heap {
            return Ok(None);
        }
        Ok(page::item(&buf, tid.slot as usize).map(|item| HeapTuple {
            tid,
            header: TupleHeader::read(item),
            data: item[TUPLE_HEADER_SIZE..].to_vec(),
        }))
    }

    /// Deletes per relation since its last vacuum.
    pub fn delete_counts(&self) -> Vec<(RelId, u64)> {
        self.deletes.lock().iter().map(|(r, n)| (*r, *n)).collect()
    }

    /// Every tuple on one page (live or deleted), in slot order. Reports
    /// the page's free space to the free-space map on the way.
    pub fn read_page(&self, rel: RelId, block: u32) -> Result<Vec<HeapTuple>> {
        let p = self.pool.fetch(PageId { rel, block })?;
        let buf = p.read();
        if page::kind(&buf) != PageKind::Heap {
            return Ok(Vec::new());
        }
        let mut out = Vec::with_capacity(page::slot_count(&buf));
        let mut dead_bytes = 0;
        for slot in 0..page::slot_count(&buf) {
            if let Some(item) = page::item(&buf, slot) {
                let header = TupleHeader::read(item);
                if self.status.is_dead(&header) {
                    dead_bytes += item.len();
                }
                out.push(HeapTuple {
                    tid: Tid {
                        block,
                        slot: slot as u16,
                    },
                    header,
                    data: item[TUPLE_HEADER_SIZE..].to_vec(),
                });
            }
        }
        self.fsm
            .record(rel, block, page::free_space(&buf) + dead_bytes);
        Ok(out)
    }

    /// Removes dead tuples from a page, leaving dead line pointers; true
    /// if any were removed.
    fn prune(&self, buf: &mut PageBuf) -> bool {
        let mut removed = false;
        for slot in 0..page::slot_count(buf) {
            let dead = page::item(buf, slot)
                .is_some_and(|item| self.status.is_dead(&TupleHeader::read(item)));
            if dead {
                page::mark_dead(buf, slot);
                removed = true;
            }
        }
        if removed {
            page::compact(buf);
        }
        removed
    }

    /// Replays one page record during recovery (`end` is the LSN just past
    /// it). A page already at or past `end` is left alone.
    pub fn redo(&self, end: Lsn, record: &Record) -> Result<()> {
        let Some((rel, block)) = record.page() else {
            return match record {
                Record::CreateRel { rel } => {
                    self.vm.forget(*rel);
                    self.pool.files().create(*rel)
                }
                Record::DropRel { rel } => self.remove_relation(*rel),
                _ => Ok(()),
            };
        };
        self.vm.clear(rel, block);
        self.pool.files().ensure_blocks(rel, block + 1)?;
        let id = PageId { rel, block };
        let whole_page = matches!(record, Record::PageImage { .. } | Record::PageInit { .. });
        // A full image or a fresh page never needs the old (maybe torn) bytes.
        let p = if whole_page {
            self.pool.fetch_for_overwrite(id)?
        } else {
            self.pool.fetch(id)?
        };
        let mut buf = p.write();
        if page::lsn(&buf) >= end {
            return Ok(());
        }
        match record {
            Record::PageImage { page: image, .. } => buf.copy_from_slice(&image[..]),
            Record::PageInit { .. } => page::init(&mut buf, PageKind::Heap),
            Record::HeapInsert { slot, tuple, .. }
                if page::insert(&mut buf, tuple) != Some(*slot as usize) =>
            {
                let why = format!(
                    "insert does not land in slot {slot} of block {block} of rel {}",
                    rel.0
                );
                return Err(corrupt(end, &why));
            }
            Record::HeapDelete { slot, xmax, .. } => match page::item_mut(&mut buf, *slot as usize)
            {
                Some(item) => {
                    item[8..16].copy_from_slice(&xmax.to_le_bytes());
                    item[20..22].copy_from_slice(&0u16.to_le_bytes());
                }
                None => {
                    return Err(corrupt(
                        end,
                        &format!("delete of missing slot {slot} in block {block}"),
                    ))
                }
            },
            Record::HeapMark {
                slot, xmax, flags, ..
            } => match page::item_mut(&mut buf, *slot as usize) {
                Some(item) => TupleHeader {
                    xmin: 0,
                    xmax: *xmax,
                    flags: *flags,
                }
                .write_mark(item),
                None => {
                    return Err(corrupt(
                        end,
                        &format!("mark of missing slot {slot} in block {block}"),
                    ))
                }
            },
            _ => {}
        }
        page::set_lsn(&mut buf, end);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::buffer::MIN_FRAMES;
    use crate::storage::files::RelationFiles;
    use crate::storage::io::OsFileSystem;

    struct DeletedIsDead;

    impl TupleStatus for DeletedIsDead {
        fn is_dead(&self, h: &TupleHeader) -> bool {
            h.xmax != 0
        }
        fn is_deleted(&self, h: &TupleHeader) -> bool {
            h.xmax != 0
        }
    }

    #[test]
    fn insert_scan_delete_reuses_space() {
        let dir = tempfile::tempdir().unwrap();
        let files = Arc::new(RelationFiles::new(
            dir.path().to_path_buf(),
            Arc::new(OsFileSystem),
        ));
        let heap = Heap::new(
            Arc::new(BufferPool::new(MIN_FRAMES, files)),
            Arc::new(DeletedIsDead),
            Arc::new(PageLog::default()),
        );
        let rel = RelId(1);
        heap.create(rel, 0).unwrap();
        let payload = vec![5u8; 1000];
        let tids: Vec<Tid> = (0..40)
            .map(|_| heap.insert(rel, 1, &payload).unwrap())
            .collect();
        let blocks = heap.nblocks(rel).unwrap();
        assert_eq!(blocks, 6);
        for tid in &tids {
            assert!(heap.delete(rel, *tid, 2).unwrap());
            assert!(!heap.delete(rel, *tid, 2).unwrap());
        }
        for b in 0..blocks {
            assert!(heap
                .read_page(rel, b)
                .unwrap()
                .iter()
                .all(|t| t.header.xmax == 2));
        }
        for _ in 0..40 {
            heap.insert(rel, 3, &payload).unwrap();
        }
        assert_eq!(
            heap.nblocks(rel).unwrap(),
            blocks,
            "deleted space is reused"
        );
        let err = heap
            .insert(rel, 4, &vec![0u8; MAX_TUPLE_DATA + 1])
            .unwrap_err();
        assert_eq!(err.sqlstate(), "54000");
    }
}
