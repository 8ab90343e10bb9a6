//! B+tree indexes: ordered (key, heap address) entries on 8 KiB pages of
//! the shared buffer pool, every change logged to the WAL.
//!
//! Keys are opaque bytes compared with `memcmp` (the caller encodes them,
//! see `encoding::key`); an entry is `key ‖ tid`, so entries are distinct
//! and equal keys are ordered by heap address. Block 0 is always the root:
//! a root split moves its contents to two new pages and the root becomes
//! their parent. Nodes have no sibling links: a scan reads one leaf at a
//! time and finds the next by descending again from the root with the last
//! key it returned, so it stays correct across splits that happen between
//! its batches.
//!
//! Concurrency: one tree latch per index. Readers share it for the length
//! of one descent and leaf copy; an insert, a bulk delete or a build holds
//! it exclusively. The latch is held for microseconds at a time (pages are
//! cached), so this is simpler than latch crabbing; concurrent writers
//! take turns on it for the microseconds an insert lasts. Page latches
//! are still taken for each page touched, one at a time, never while
//! pinning another page (the buffer pool's lock order).
//!
//! Logging: an insert that fits logs `BtreeInsert` (or a full page image
//! if it is the page's first change since the checkpoint); a split, a root
//! split, a bulk delete and a build log full images of every page they
//! write. Deleted entries are removed lazily by VACUUM; empty leaves stay
//! in place and are reused by later inserts into their key range.

pub mod node;
mod verify;

pub use verify::TreeReport;

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock};

use super::buffer::BufferPool;
use super::page::{self, PageBuf, DATA_END, HEADER_SIZE, PAGE_SIZE, SLOT_SIZE};
use super::page_log::PageLog;
use super::wal::{record::corrupt, Lsn, Record};
use super::{PageId, RelId, Tid};
use crate::errinternal;
use crate::error::Result;

/// The largest key in bytes (with the heap address, an entry stays under a
/// third of a page, so any split leaves both halves non-empty).
pub const MAX_KEY_SIZE: usize = 2704 - node::TID_LEN - 8;
/// Leaves built in bulk are filled to this many bytes (90%, PostgreSQL's
/// default leaf fillfactor), leaving room for later inserts.
const BUILD_FILL: usize = (DATA_END - HEADER_SIZE) * 9 / 10;
/// The root's block.
const ROOT: u32 = 0;

/// B+tree access over the buffer pool.
pub struct BTree {
    pool: Arc<BufferPool>,
    log: Arc<PageLog>,
    latches: Mutex<HashMap<RelId, Arc<RwLock<()>>>>,
    /// Per unique index: held from a uniqueness check to the insert it
    /// allows, so two writers of one key never both pass the check.
    unique_latches: Mutex<HashMap<RelId, Arc<Mutex<()>>>>,
}

/// Where a scan starts or stops, on key bytes compared as prefixes: an
/// entry matches a bound when the first `bound.len()` bytes of its key
/// compare as asked (so a bound on the leading columns of a composite key
/// covers every entry that starts with them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    Unbounded,
    Included(Vec<u8>),
    Excluded(Vec<u8>),
}

impl Bound {
    fn admits_as_lower(&self, key: &[u8]) -> bool {
        match self {
            Bound::Unbounded => true,
            Bound::Included(b) => key >= b.as_slice(),
            Bound::Excluded(b) => prefix(key, b.len()) > b.as_slice(),
        }
    }

    fn admits_as_upper(&self, key: &[u8]) -> bool {
        match self {
            Bound::Unbounded => true,
            Bound::Included(b) => prefix(key, b.len()) <= b.as_slice(),
            Bound::Excluded(b) => prefix(key, b.len()) < b.as_slice(),
        }
    }
}

fn prefix(key: &[u8], n: usize) -> &[u8] {
    &key[..n.min(key.len())]
}

/// Bytes above every entry that starts with `key` (and below every entry
/// whose key is greater): keys are prefix-free, a column tag is at most
/// 0x02 and a heap address is 6 bytes.
fn past(key: &[u8]) -> Vec<u8> {
    let mut p = key.to_vec();
    p.extend_from_slice(&[0xFF; node::TID_LEN + 1]);
    p
}

impl BTree {
    /// B+tree access through a pool, logging to `log`.
    pub fn new(pool: Arc<BufferPool>, log: Arc<PageLog>) -> Self {
        BTree {
            pool,
            log,
            latches: Mutex::new(HashMap::new()),
            unique_latches: Mutex::new(HashMap::new()),
        }
    }

    /// The latch that makes a uniqueness check and its insert one step
    /// (taken before the tree latch, never while holding it).
    pub fn unique_latch(&self, rel: RelId) -> Arc<Mutex<()>> {
        self.unique_latches.lock().entry(rel).or_default().clone()
    }

    fn latch(&self, rel: RelId) -> Arc<RwLock<()>> {
        self.latches.lock().entry(rel).or_default().clone()
    }

    /// Forgets a dropped index.
    pub fn forget(&self, rel: RelId) {
        self.latches.lock().remove(&rel);
        self.unique_latches.lock().remove(&rel);
    }

    fn read_node(&self, rel: RelId, block: u32) -> Result<Box<PageBuf>> {
        let p = self.pool.fetch(PageId { rel, block })?;
        let buf = p.read();
        if page::kind(&buf) != page::PageKind::Btree {
            return Err(crate::error::Error::Corrupted(format!(
                "index relation {} block {block} is not a B+tree node",
                rel.0
            )));
        }
        Ok(Box::new(**buf))
    }

    /// Writes a whole node (new or rewritten) and logs its image.
    fn write_node(
        &self,
        rel: RelId,
        block: Option<u32>,
        content: &PageBuf,
        xid: u64,
    ) -> Result<u32> {
        let p = match block {
            Some(block) => self.pool.fetch(PageId { rel, block })?,
            None => self.pool.allocate(rel, |_| {})?,
        };
        let id = p.id();
        let mut buf = p.write();
        buf.copy_from_slice(content);
        self.log.log_change(&mut buf, id, xid, None)?;
        Ok(id.block)
    }

    /// Creates the file of a new, empty index (a root leaf).
    pub fn create(&self, rel: RelId, xid: u64) -> Result<()> {
        self.log.log(xid, &Record::CreateRel { rel })?;
        self.pool.files().create(rel)?;
        let mut root = Box::new([0u8; PAGE_SIZE]);
        node::init(&mut root, 0);
        self.write_node(rel, None, &root, xid)?;
        Ok(())
    }

    /// Adds the entry (key, tid).
    pub fn insert(&self, rel: RelId, key: &[u8], tid: Tid, xid: u64) -> Result<()> {
        if key.len() > MAX_KEY_SIZE {
            return Err(errinternal!("index key of {} bytes is too long", key.len()));
        }
        let entry = node::leaf_item(key, tid);
        let latch = self.latch(rel);
        let _exclusive = latch.write();
        // Internal nodes on the way down, with the child position taken.
        let mut path: Vec<(u32, Box<PageBuf>, usize)> = Vec::new();
        let mut block = ROOT;
        let leaf = loop {
            let n = self.read_node(rel, block)?;
            if node::level(&n) == 0 {
                break n;
            }
            let pos = node::child_position(&n, &entry, false);
            let child = node::child(node::item(&n, pos));
            path.push((block, n, pos));
            block = child;
        };
        let pos = node::lower_bound(&leaf, &entry);
        {
            let p = self.pool.fetch(PageId { rel, block })?;
            let mut buf = p.write();
            if page::insert_at(&mut buf, pos, &entry) {
                let record = Record::BtreeInsert {
                    rel,
                    block,
                    pos: pos as u16,
                    item: entry,
                };
                return self.log.log_change(&mut buf, p.id(), xid, Some(record));
            }
        }
        let mut items = node::items(&leaf);
        items.insert(pos, entry);
        self.split(rel, block, items, pos, path, xid)
    }

    /// Splits a full node whose new contents are `items` (the new item at
    /// `pos`), inserting separators upwards as far as needed. Every page
    /// image is logged in one record, so replay never sees half a split.
    fn split(
        &self,
        rel: RelId,
        mut block: u32,
        mut items: Vec<Vec<u8>>,
        mut pos: usize,
        mut path: Vec<(u32, Box<PageBuf>, usize)>,
        xid: u64,
    ) -> Result<()> {
        let mut pages: Vec<(super::buffer::PageRef<'_>, Box<PageBuf>)> = Vec::new();
        let mut level = 0u16;
        loop {
            if fits(&items) {
                pages.push((
                    self.pool.fetch(PageId { rel, block })?,
                    build_node(level, &items),
                ));
                break;
            }
            let mid = split_point(&items, pos == items.len() - 1);
            let mut right = items.split_off(mid);
            let separator = if level == 0 {
                right[0].clone()
            } else {
                let sep = node::separator(&right[0]).to_vec();
                right[0] = node::internal_item(&[], node::child(&right[0]));
                sep
            };
            let right_page = self.pool.allocate(rel, |_| {})?;
            let right_block = right_page.id().block;
            pages.push((right_page, build_node(level, &right)));
            if block == ROOT {
                let left_page = self.pool.allocate(rel, |_| {})?;
                let left_block = left_page.id().block;
                pages.push((left_page, build_node(level, &items)));
                let root = [
                    node::internal_item(&[], left_block),
                    node::internal_item(&separator, right_block),
                ];
                pages.push((
                    self.pool.fetch(PageId { rel, block: ROOT })?,
                    build_node(level + 1, &root),
                ));
                break;
            }
            pages.push((
                self.pool.fetch(PageId { rel, block })?,
                build_node(level, &items),
            ));
            let (parent, parent_node, parent_pos) = path
                .pop()
                .ok_or_else(|| errinternal!("B+tree split below a missing parent"))?;
            items = node::items(&parent_node);
            pos = parent_pos + 1;
            items.insert(pos, node::internal_item(&separator, right_block));
            block = parent;
            level += 1;
        }
        if pages.len() > super::wal::record::MAX_IMAGES {
            return Err(errinternal!("B+tree split touches {} pages", pages.len()));
        }
        let record = Record::PageImages {
            rel,
            pages: pages
                .iter()
                .map(|(p, c)| (p.id().block, c.clone()))
                .collect(),
        };
        let end = self.log.log(xid, &record)?;
        for (p, content) in pages {
            let mut buf = p.write();
            buf.copy_from_slice(&content[..]);
            if let Some(end) = end {
                page::set_lsn(&mut buf, end);
            }
        }
        Ok(())
    }

    /// Entries in key order (or reverse) between two bounds.
    pub fn scan(&self, rel: RelId, lower: Bound, upper: Bound, forward: bool) -> RangeScan<'_> {
        let resume = if forward {
            Some(match &lower {
                Bound::Unbounded => Vec::new(),
                Bound::Included(b) => b.clone(),
                Bound::Excluded(b) => past(b),
            })
        } else {
            match &upper {
                Bound::Unbounded => None,
                Bound::Included(b) => Some(past(b)),
                Bound::Excluded(b) => Some(b.clone()),
            }
        };
        RangeScan {
            tree: self,
            rel,
            latch: self.latch(rel),
            lower,
            upper,
            forward,
            resume,
            batch: VecDeque::new(),
            done: false,
        }
    }

    /// The items of the first leaf holding entries at or above `probe`,
    /// from there on, stopping at the first one `upper` rejects (true
    /// when it did).
    fn first_leaf_from(
        &self,
        rel: RelId,
        block: u32,
        probe: &[u8],
        upper: &Bound,
    ) -> Result<Option<(Vec<Vec<u8>>, bool)>> {
        let n = self.read_node(rel, block)?;
        if node::level(&n) == 0 {
            let from = node::lower_bound(&n, probe);
            if from >= node::count(&n) {
                return Ok(None);
            }
            let mut out = Vec::new();
            for i in from..node::count(&n) {
                let item = node::item(&n, i);
                if !upper.admits_as_upper(node::leaf_key(item)) {
                    return Ok(Some((out, true)));
                }
                out.push(item.to_vec());
            }
            return Ok(Some((out, false)));
        }
        for i in node::child_position(&n, probe, false)..node::count(&n) {
            let child = node::child(node::item(&n, i));
            if let Some(found) = self.first_leaf_from(rel, child, probe, upper)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// The items of the last leaf holding entries below `probe` (None: no
    /// limit), in descending order, stopping at the first one `lower`
    /// rejects (true when it did).
    fn last_leaf_below(
        &self,
        rel: RelId,
        block: u32,
        probe: Option<&[u8]>,
        lower: &Bound,
    ) -> Result<Option<(Vec<Vec<u8>>, bool)>> {
        let n = self.read_node(rel, block)?;
        if node::level(&n) == 0 {
            let end = probe.map_or(node::count(&n), |p| node::lower_bound(&n, p));
            if end == 0 {
                return Ok(None);
            }
            let mut out = Vec::new();
            for i in (0..end).rev() {
                let item = node::item(&n, i);
                if !lower.admits_as_lower(node::leaf_key(item)) {
                    return Ok(Some((out, true)));
                }
                out.push(item.to_vec());
            }
            return Ok(Some((out, false)));
        }
        let last = probe.map_or(node::count(&n) - 1, |p| node::child_position(&n, p, true));
        for i in (0..=last).rev() {
            let child = node::child(node::item(&n, i));
            if let Some(found) = self.last_leaf_below(rel, child, probe, lower)? {
                return Ok(Some(found));
            }
        }
        Ok(None)
    }

    /// Removes every entry pointing at one of `dead` (VACUUM); returns how
    /// many. Each changed leaf is logged as a full image.
    pub fn remove_tids(&self, rel: RelId, dead: &HashSet<Tid>) -> Result<u64> {
        if dead.is_empty() {
            return Ok(0);
        }
        let latch = self.latch(rel);
        let _exclusive = latch.write();
        let mut removed = 0;
        let mut stack = vec![ROOT];
        while let Some(block) = stack.pop() {
            let n = self.read_node(rel, block)?;
            if node::level(&n) > 0 {
                stack.extend(
                    (0..node::count(&n))
                        .rev()
                        .map(|i| node::child(node::item(&n, i))),
                );
                continue;
            }
            let doomed: Vec<usize> = (0..node::count(&n))
                .filter(|i| dead.contains(&node::leaf_tid(node::item(&n, *i))))
                .collect();
            if doomed.is_empty() {
                continue;
            }
            let p = self.pool.fetch(PageId { rel, block })?;
            let mut buf = p.write();
            for i in doomed.iter().rev() {
                page::remove_at(&mut buf, *i);
            }
            page::compact(&mut buf);
            self.log.log_change(&mut buf, p.id(), 0, None)?;
            removed += doomed.len() as u64;
        }
        Ok(removed)
    }

    /// Fills a new, empty index from entries (leaf items: key ‖ tid) in
    /// ascending order, bottom up: leaves packed to 90%, then each level
    /// of parents, the last one written as the root.
    pub fn build(
        &self,
        rel: RelId,
        entries: impl IntoIterator<Item = Vec<u8>>,
        xid: u64,
    ) -> Result<()> {
        let latch = self.latch(rel);
        let _exclusive = latch.write();
        // The items of the level being built, in order; an internal item
        // still carries its separator, the lowest key under its child.
        let mut items: Vec<Vec<u8>> = entries.into_iter().collect();
        let mut level = 0u16;
        loop {
            // (lowest key under each page written, its block)
            let mut written: Vec<(Vec<u8>, u32)> = Vec::new();
            let mut page = Box::new([0u8; PAGE_SIZE]);
            node::init(&mut page, level);
            let mut used = 0usize;
            let mut low: Option<Vec<u8>> = None;
            for item in items {
                if low.is_some() && used + item.len() + SLOT_SIZE > BUILD_FILL {
                    let block = self.write_node(rel, None, &page, xid)?;
                    written.push((low.take().unwrap_or_default(), block));
                    node::init(&mut page, level);
                    used = 0;
                }
                // A page's first internal item keeps only its child.
                let stored = match (&low, level) {
                    (Some(_), _) => item,
                    (None, 0) => {
                        low = Some(item.clone());
                        item
                    }
                    (None, _) => {
                        low = Some(node::separator(&item).to_vec());
                        node::internal_item(&[], node::child(&item))
                    }
                };
                let at = node::count(&page);
                if !page::insert_at(&mut page, at, &stored) {
                    return Err(errinternal!("B+tree build: item does not fit"));
                }
                used += stored.len() + SLOT_SIZE;
            }
            if written.is_empty() {
                self.write_node(rel, Some(ROOT), &page, xid)?;
                return Ok(());
            }
            let block = self.write_node(rel, None, &page, xid)?;
            written.push((low.unwrap_or_default(), block));
            items = written
                .into_iter()
                .map(|(low, block)| node::internal_item(&low, block))
                .collect();
            level += 1;
        }
    }

    /// Replays a B+tree record during recovery (`end` is the LSN just past
    /// it); pages already at or past `end` are left alone.
    pub fn redo(&self, end: Lsn, record: &Record) -> Result<()> {
        match record {
            Record::BtreeInsert {
                rel,
                block,
                pos,
                item,
            } => {
                self.pool.files().ensure_blocks(*rel, block + 1)?;
                let p = self.pool.fetch(PageId {
                    rel: *rel,
                    block: *block,
                })?;
                let mut buf = p.write();
                if page::lsn(&buf) >= end {
                    return Ok(());
                }
                if !page::insert_at(&mut buf, *pos as usize, item) {
                    let why = format!("B+tree insert does not fit block {block} of rel {}", rel.0);
                    return Err(corrupt(end, &why));
                }
                page::set_lsn(&mut buf, end);
            }
            Record::PageImages { rel, pages } => {
                for (block, image) in pages {
                    self.pool.files().ensure_blocks(*rel, block + 1)?;
                    let p = self.pool.fetch_for_overwrite(PageId {
                        rel: *rel,
                        block: *block,
                    })?;
                    let mut buf = p.write();
                    if page::lsn(&buf) >= end {
                        continue;
                    }
                    buf.copy_from_slice(&image[..]);
                    page::set_lsn(&mut buf, end);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// Whether items fit on one node.
fn fits(items: &[Vec<u8>]) -> bool {
    HEADER_SIZE + items.iter().map(|i| i.len() + SLOT_SIZE).sum::<usize>() <= DATA_END
}

/// Where to cut an overfull node: in the middle by bytes, or (when the
/// new item went to the end: ascending inserts) leaving the left node 90%
/// full, so sequential keys fill pages instead of leaving them half empty.
fn split_point(items: &[Vec<u8>], appending: bool) -> usize {
    let total: usize = items.iter().map(|i| i.len() + SLOT_SIZE).sum();
    let target = if appending { BUILD_FILL } else { total / 2 };
    let mut acc = 0;
    for (i, item) in items.iter().enumerate() {
        acc += item.len() + SLOT_SIZE;
        if acc > target {
            let cut = i.max(1);
            // Both sides must fit on a page.
            let left: usize = items[..cut].iter().map(|i| i.len() + SLOT_SIZE).sum();
            if HEADER_SIZE + total - left > DATA_END {
                return split_point(items, false);
            }
            return cut.min(items.len() - 1);
        }
    }
    items.len() - 1
}

/// A node holding `items` in order.
fn build_node(level: u16, items: &[Vec<u8>]) -> Box<PageBuf> {
    let mut buf = Box::new([0u8; PAGE_SIZE]);
    node::init(&mut buf, level);
    for (i, item) in items.iter().enumerate() {
        page::insert_at(&mut buf, i, item);
    }
    buf
}

/// An ordered scan of index entries; see [`BTree::scan`].
pub struct RangeScan<'a> {
    tree: &'a BTree,
    rel: RelId,
    latch: Arc<RwLock<()>>,
    lower: Bound,
    upper: Bound,
    forward: bool,
    /// Forward: the next entries are at or above this. Backward: below it
    /// (None: from the end).
    resume: Option<Vec<u8>>,
    batch: VecDeque<Vec<u8>>,
    done: bool,
}

impl RangeScan<'_> {
    fn load(&mut self) -> Result<()> {
        let found = {
            let _shared = self.latch.read();
            if self.forward {
                let probe = self.resume.clone().unwrap_or_default();
                self.tree
                    .first_leaf_from(self.rel, ROOT, &probe, &self.upper)?
            } else {
                self.tree
                    .last_leaf_below(self.rel, ROOT, self.resume.as_deref(), &self.lower)?
            }
        };
        let Some((items, hit_bound)) = found else {
            self.done = true;
            return Ok(());
        };
        self.done = hit_bound;
        if let Some(last) = items.last() {
            self.resume = Some(if self.forward {
                let mut next = last.clone();
                next.push(0);
                next
            } else {
                last.clone()
            });
        } else {
            self.done = true;
        }
        self.batch.extend(items);
        Ok(())
    }
}

impl Iterator for RangeScan<'_> {
    type Item = Result<(Vec<u8>, Tid)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.batch.pop_front() {
                let tid = node::leaf_tid(&item);
                let mut key = item;
                key.truncate(key.len() - node::TID_LEN);
                return Some(Ok((key, tid)));
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.load() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

#[cfg(test)]
mod tests;
