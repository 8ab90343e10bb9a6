//! Sequential scan: every visible row of a heap relation, page by page.

use std::collections::VecDeque;

use crate::encoding::row;
use crate::error::Result;
use crate::storage::heap::Heap;
use crate::storage::{RelId, Tid};
use crate::txn::{self, Clog};

use super::Row;

/// Iterates the visible rows of a relation with their addresses. The block
/// count is fixed when the scan starts, so rows a statement inserts behind
/// the scan are not seen again.
pub struct TableScan<'a> {
    heap: &'a Heap,
    clog: &'a Clog,
    rel: RelId,
    width: usize,
    next_block: u32,
    nblocks: u32,
    page_rows: VecDeque<(Tid, Row)>,
}

impl<'a> TableScan<'a> {
    /// Starts a scan of `rel`, decoding rows `width` columns wide.
    pub fn new(heap: &'a Heap, clog: &'a Clog, rel: RelId, width: usize) -> Result<Self> {
        Ok(TableScan {
            heap,
            clog,
            rel,
            width,
            next_block: 0,
            nblocks: heap.nblocks(rel)?,
            page_rows: VecDeque::new(),
        })
    }

    fn load_next_page(&mut self) -> Result<()> {
        let tuples = self.heap.read_page(self.rel, self.next_block)?;
        self.next_block += 1;
        for t in tuples {
            if txn::is_visible(&t.header, self.clog) {
                self.page_rows
                    .push_back((t.tid, row::decode(&t.data, self.width)?));
            }
        }
        Ok(())
    }
}

impl Iterator for TableScan<'_> {
    type Item = Result<(Tid, Row)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(r) = self.page_rows.pop_front() {
                return Some(Ok(r));
            }
            if self.next_block >= self.nblocks {
                return None;
            }
            if let Err(e) = self.load_next_page() {
                self.next_block = self.nblocks;
                return Some(Err(e));
            }
        }
    }
}
