//! The commit log: which transactions aborted.
//!
//! Every transaction id below the next one handed out is committed unless
//! listed here: statements that failed, and transactions a crash cut off
//! (recovery adds every xid it saw without a Commit record). The set is
//! rebuilt from the WAL on recovery and saved in the control file at each
//! checkpoint. It answers the heap's questions through `TupleStatus`.

use std::collections::BTreeSet;

use parking_lot::RwLock;

use crate::storage::heap::{TupleHeader, TupleStatus, Xid};

/// Aborted transaction ids.
#[derive(Debug, Default)]
pub struct Clog {
    aborted: RwLock<BTreeSet<Xid>>,
}

impl Clog {
    /// A commit log knowing these aborted ids.
    pub fn new(aborted: impl IntoIterator<Item = Xid>) -> Self {
        Clog {
            aborted: RwLock::new(aborted.into_iter().collect()),
        }
    }

    /// Records an abort.
    pub fn abort(&self, xid: Xid) {
        self.aborted.write().insert(xid);
    }

    /// True if the transaction aborted.
    pub fn is_aborted(&self, xid: Xid) -> bool {
        self.aborted.read().contains(&xid)
    }

    /// Every aborted id, ascending (for the control file).
    pub fn aborted(&self) -> Vec<Xid> {
        self.aborted.read().iter().copied().collect()
    }
}

impl TupleStatus for Clog {
    fn is_dead(&self, header: &TupleHeader) -> bool {
        self.is_aborted(header.xmin) || (header.deletes() && !self.is_aborted(header.xmax))
    }

    fn is_deleted(&self, header: &TupleHeader) -> bool {
        header.deletes() && !self.is_aborted(header.xmax)
    }
}
