//! Sequential scan: every visible row of a heap relation, page by page.

use std::collections::VecDeque;

use crate::error::Result;
use crate::storage::heap::Heap;
use crate::storage::{RelId, Tid};
use crate::txn::{Clog, Visibility};

use super::{ExecContext, Row};

/// Iterates the rows of a relation visible to a statement, with their
/// addresses. The block
/// count is fixed when the scan starts, so rows a statement inserts behind
/// the scan are not seen again.
pub struct TableScan<'a> {
    heap: &'a Heap,
    clog: &'a Clog,
    visibility: &'a Visibility,
    ctx: &'a ExecContext<'a>,
    rel: RelId,
    width: usize,
    /// Only these columns are decoded (the others are NULL).
    keep: Option<std::sync::Arc<[bool]>>,
    next_block: u32,
    nblocks: u32,
    page_rows: VecDeque<(Tid, Row)>,
}

impl<'a> TableScan<'a> {
    /// Starts a scan of `rel` for a statement, decoding rows `width`
    /// columns wide.
    pub fn new(ctx: &'a ExecContext<'a>, rel: RelId, width: usize) -> Result<Self> {
        let heap = ctx.engine.heap();
        Ok(TableScan {
            heap,
            clog: ctx.engine.clog(),
            visibility: &ctx.visibility,
            ctx,
            rel,
            width,
            keep: None,
            next_block: 0,
            nblocks: heap.nblocks(rel)?,
            page_rows: VecDeque::new(),
        })
    }

    /// The scan decoding only the columns `keep` marks.
    pub fn keeping(mut self, keep: std::sync::Arc<[bool]>) -> Self {
        self.keep = Some(keep);
        self
    }

    fn load_next_page(&mut self) -> Result<()> {
        self.ctx.check_deadline()?;
        let tuples = self.heap.read_page(self.rel, self.next_block)?;
        self.next_block += 1;
        for t in tuples {
            if self.visibility.sees(&t.header, self.clog) {
                let row = super::toast::decode_row_columns(
                    self.ctx,
                    self.rel,
                    &t.data,
                    self.width,
                    self.keep.as_deref(),
                )?;
                self.page_rows.push_back((t.tid, row));
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
