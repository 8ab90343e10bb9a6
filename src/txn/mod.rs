//! Transactions: identifiers, and which tuple versions a reader sees.
//!
//! Today every statement runs as its own transaction and writers are
//! serialised by the engine's statement lock, so a tuple is visible exactly
//! when no transaction has deleted it. Snapshots, the commit log and
//! isolation levels replace this rule in the WAL/MVCC issue; callers already
//! go through [`is_visible`] so that change stays here.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::storage::heap::{TupleHeader, Xid};

/// The first transaction id handed out in a new database; ids below it are
/// reserved (1 = bootstrap, used for the system catalog's own rows).
pub const FIRST_NORMAL_XID: Xid = 3;

/// Hands out transaction ids.
#[derive(Debug)]
pub struct TxnManager {
    next_xid: AtomicU64,
}

impl TxnManager {
    /// A manager that continues from `next_xid`.
    pub fn new(next_xid: Xid) -> Self {
        TxnManager {
            next_xid: AtomicU64::new(next_xid.max(FIRST_NORMAL_XID)),
        }
    }

    /// Starts a transaction.
    pub fn begin(&self) -> Xid {
        self.next_xid.fetch_add(1, Ordering::AcqRel)
    }

    /// The id the next transaction will get (persisted at checkpoints).
    pub fn next_xid(&self) -> Xid {
        self.next_xid.load(Ordering::Acquire)
    }
}

/// Whether a reader sees a tuple version.
pub fn is_visible(header: &TupleHeader) -> bool {
    header.xmax == 0
}
