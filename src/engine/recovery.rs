//! Crash recovery: replay the WAL from the last checkpoint's redo point.
//!
//! Page records are applied unless the page already holds them (its LSN is
//! at or past the record's end). Transactions that wrote records but have
//! no Commit record by the end of the log are aborted: their tuples are
//! invisible from then on. A torn tail ends replay; damage in the middle
//! of the log stops start-up (see `storage::wal::reader`).

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use crate::storage::btree::BTree;
use crate::storage::crypto::Keyring;
use crate::storage::heap::{Heap, Xid};
use crate::storage::io::FileSystem;
use crate::storage::wal::{self, Lsn, Record};
use crate::txn::Clog;

/// What replay found.
#[derive(Debug)]
pub struct Recovered {
    /// LSN just past the last valid record: where the log continues.
    pub end: Lsn,
    /// The highest transaction id seen, plus one.
    pub next_xid: Xid,
    /// Records replayed.
    pub records: u64,
    /// Transactions cut off by the crash (now aborted).
    pub aborted: usize,
}

/// Replays the log in `wal_dir` from `redo` into `heap` and `btree`, recording aborts
/// in `clog`. `in_progress` were running at the checkpoint: without a
/// commit record after `redo`, they are aborted too.
#[allow(clippy::too_many_arguments)]
pub fn recover(
    fs: &Arc<dyn FileSystem>,
    wal_dir: &Path,
    redo: Lsn,
    keyring: Option<&Keyring>,
    heap: &Heap,
    btree: &BTree,
    clog: &Clog,
    next_xid: Xid,
    in_progress: &[Xid],
) -> Result<Recovered> {
    let mut seen: BTreeSet<Xid> = in_progress.iter().copied().collect();
    let mut finished: BTreeSet<Xid> = BTreeSet::new();
    let mut next = next_xid;
    let mut records = 0u64;
    let end = wal::replay(
        fs,
        wal_dir,
        redo,
        keyring,
        &mut |_start, end, xid, record| {
            records += 1;
            if xid != 0 {
                seen.insert(xid);
                next = next.max(xid + 1);
            }
            match record {
                Record::Commit { subxids } => {
                    finished.insert(xid);
                    finished.extend(subxids);
                }
                Record::Abort => {
                    finished.insert(xid);
                    clog.abort(xid);
                }
                Record::Checkpoint { next_xid, .. } => next = next.max(next_xid),
                Record::BtreeInsert { .. } | Record::PageImages { .. } => {
                    btree.redo(end, &record)?
                }
                other => heap.redo(end, &other)?,
            }
            Ok(())
        },
    )?;
    let cut_off: Vec<Xid> = seen.difference(&finished).copied().collect();
    for xid in &cut_off {
        clog.abort(*xid);
    }
    Ok(Recovered {
        end: end.end,
        next_xid: next,
        records,
        aborted: cut_off.len(),
    })
}
