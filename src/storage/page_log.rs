//! Logging page changes: the write-ahead rule shared by heap and B+tree.
//!
//! A change to a page is logged as its own small record, except the first
//! change after a checkpoint, which logs the whole page (a full page image
//! also repairs a torn write of that page during recovery). Every logged
//! change stamps the page LSN; the buffer pool flushes the WAL up to it
//! before the page may be written. Until a WAL is attached (recovery
//! replays into unlogged structures) nothing is logged.

use std::sync::{Arc, OnceLock};

use parking_lot::RwLock;

use super::page::{self, PageBuf};
use super::wal::{Lsn, Record, Wal};
use super::PageId;
use crate::error::Result;

/// The WAL as page-changing code sees it.
#[derive(Default)]
pub struct PageLog {
    wal: OnceLock<Arc<Wal>>,
    /// Pages whose LSN is at or below this get a full image on next change
    /// (the redo point of the latest checkpoint). Read-locked from the
    /// decision to the append, so a checkpoint fixing its redo point never
    /// falls between them.
    full_page_horizon: RwLock<Lsn>,
}

impl PageLog {
    /// Starts logging every change to `wal`.
    pub fn attach(&self, wal: Arc<Wal>) {
        let _ = self.wal.set(wal);
    }

    /// Fixes the redo point of a new checkpoint (`current`: the WAL's end)
    /// and returns it: every change logged after it starts with a full
    /// image of its page.
    pub fn begin_checkpoint(&self, current: impl FnOnce() -> Lsn) -> Lsn {
        let mut horizon = self.full_page_horizon.write();
        *horizon = current();
        *horizon
    }

    /// Appends a record that changes no page; returns its end LSN.
    pub fn log(&self, xid: u64, record: &Record) -> Result<Option<Lsn>> {
        match self.wal.get() {
            Some(wal) => wal.append(xid, record).map(Some),
            None => Ok(None),
        }
    }

    /// Logs a change already made to `buf` and stamps the page LSN: the
    /// given record, or a full page image when none is given or the page
    /// was not changed since the last checkpoint.
    pub fn log_change(
        &self,
        buf: &mut PageBuf,
        id: PageId,
        xid: u64,
        record: Option<Record>,
    ) -> Result<()> {
        if self.wal.get().is_none() {
            return Ok(());
        }
        let horizon = self.full_page_horizon.read();
        let record = match record {
            Some(r) if page::lsn(buf) > *horizon => r,
            _ => Record::PageImage {
                rel: id.rel,
                block: id.block,
                page: Box::new(*buf),
            },
        };
        if let Some(end) = self.log(xid, &record)? {
            page::set_lsn(buf, end);
        }
        Ok(())
    }
}
