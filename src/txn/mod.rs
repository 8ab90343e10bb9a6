//! Transactions: identifiers, the commit log, and which tuple versions a
//! reader sees.
//!
//! Today every statement runs as its own transaction and writers are
//! serialised by the engine's statement lock, so a reader never meets a
//! running writer: a tuple is visible when its inserter did not abort and
//! no surviving transaction deleted it. Snapshots and isolation levels
//! replace this rule with MVCC; callers already go through [`is_visible`].

pub mod clog;

use std::sync::atomic::{AtomicU64, Ordering};

pub use clog::Clog;

use crate::storage::heap::{TupleHeader, TupleStatus, Xid};

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
pub fn is_visible(header: &TupleHeader, clog: &Clog) -> bool {
    !clog.is_dead(header)
}
