//! Heap relations: unordered tuples on slotted pages, addressed by [`Tid`].
//!
//! Each tuple is a 24-byte header followed by the caller's data:
//! ```text
//! offset size field
//!      0    8 xmin  (u64 LE) transaction that inserted the tuple
//!      8    8 xmax  (u64 LE) transaction that deleted it, 0 if live
//!     16    4 cid   (u32 LE) command id within xmin, reserved for MVCC
//!     20    2 flags (u16 LE) reserved, 0
//!     22    2 reserved, 0
//! ```
//! Deleting sets xmax; the bytes stay until the page is pruned, which
//! removes tuples whose deleter is older than every running reader (the
//! caller says which with `prune_horizon`). Until MVCC arrives, statements
//! are serialised, so everything deleted is prunable.

use std::sync::Arc;

use super::buffer::BufferPool;
use super::fsm::FreeSpaceMap;
use super::page::{self, PageKind, MAX_ITEM_SIZE};
use super::{PageId, RelId, Tid};
use crate::errinput;
use crate::error::Result;

/// Bytes of tuple header.
pub const TUPLE_HEADER_SIZE: usize = 24;
/// The largest tuple data that fits on a page.
pub const MAX_TUPLE_DATA: usize = MAX_ITEM_SIZE - TUPLE_HEADER_SIZE;

/// A transaction identifier (monotonic, never reused).
pub type Xid = u64;

/// The MVCC header of a tuple.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TupleHeader {
    pub xmin: Xid,
    pub xmax: Xid,
}

impl TupleHeader {
    fn read(bytes: &[u8]) -> TupleHeader {
        TupleHeader {
            xmin: u64::from_le_bytes(bytes[0..8].try_into().unwrap_or_default()),
            xmax: u64::from_le_bytes(bytes[8..16].try_into().unwrap_or_default()),
        }
    }
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
}

impl Heap {
    /// Heap access through a buffer pool.
    pub fn new(pool: Arc<BufferPool>) -> Self {
        Heap {
            pool,
            fsm: FreeSpaceMap::default(),
        }
    }

    /// The buffer pool underneath.
    pub fn pool(&self) -> &Arc<BufferPool> {
        &self.pool
    }

    /// Creates the file of a new, empty relation.
    pub fn create(&self, rel: RelId) -> Result<()> {
        self.pool.files().create(rel)
    }

    /// Drops a relation and its file.
    pub fn drop_relation(&self, rel: RelId) -> Result<()> {
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
            let p = self.pool.fetch(PageId { rel, block })?;
            let mut buf = p.write();
            if page::kind(&buf) == PageKind::Unused {
                page::init(&mut buf, PageKind::Heap);
            }
            if let Some(slot) = page::insert(&mut buf, &tuple) {
                self.fsm.record(rel, block, page::free_space(&buf));
                return Ok(Tid {
                    block,
                    slot: slot as u16,
                });
            }
            prune(&mut buf);
            let slot = page::insert(&mut buf, &tuple);
            self.fsm.record(rel, block, page::free_space(&buf));
            if let Some(slot) = slot {
                return Ok(Tid {
                    block,
                    slot: slot as u16,
                });
            }
        }
        let p = self.pool.allocate(rel, |b| page::init(b, PageKind::Heap))?;
        let mut buf = p.write();
        let slot = page::insert(&mut buf, &tuple)
            .ok_or_else(|| crate::errinternal!("tuple does not fit on an empty page"))?;
        let block = p.id().block;
        self.fsm.record(rel, block, page::free_space(&buf));
        Ok(Tid {
            block,
            slot: slot as u16,
        })
    }

    /// Marks a tuple deleted by `xmax`. Returns false if it was already
    /// deleted or does not exist.
    pub fn delete(&self, rel: RelId, tid: Tid, xmax: Xid) -> Result<bool> {
        let p = self.pool.fetch(PageId {
            rel,
            block: tid.block,
        })?;
        let mut buf = p.write();
        let Some(item) = page::item_mut(&mut buf, tid.slot as usize) else {
            return Ok(false);
        };
        if TupleHeader::read(item).xmax != 0 {
            return Ok(false);
        }
        item[8..16].copy_from_slice(&xmax.to_le_bytes());
        Ok(true)
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
                if header.xmax != 0 {
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
}

/// Removes deleted tuples from a page. Until MVCC snapshots exist, every
/// deleted tuple is invisible to everyone, so all are removed.
fn prune(buf: &mut page::PageBuf) {
    for slot in 0..page::slot_count(buf) {
        let dead = page::item(buf, slot).is_some_and(|item| TupleHeader::read(item).xmax != 0);
        if dead {
            page::remove(buf, slot);
        }
    }
    page::compact(buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::buffer::MIN_FRAMES;
    use crate::storage::files::RelationFiles;
    use crate::storage::io::OsFileSystem;

    #[test]
    fn insert_scan_delete_reuses_space() {
        let dir = tempfile::tempdir().unwrap();
        let files = Arc::new(RelationFiles::new(
            dir.path().to_path_buf(),
            Arc::new(OsFileSystem),
        ));
        let heap = Heap::new(Arc::new(BufferPool::new(MIN_FRAMES, files)));
        let rel = RelId(1);
        heap.create(rel).unwrap();
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
