//! Transactions: identifiers, the commit log, snapshots, and which tuple
//! versions a reader sees.
//!
//! The model (until row-level locking arrives): any number of readers, one
//! writing transaction at a time. A transaction takes the writer lock at
//! its first write and holds it until it ends; readers never take it, so
//! readers never block writers and writers never block readers. Because
//! only one writer exists at a time, every xid at or above the running
//! writer's first xid is "in progress", which makes a snapshot two numbers.
//!
//! Visibility (PostgreSQL's rules, specialised): a version is visible to a
//! snapshot when its inserter is one of the reader's own live xids, or
//! committed before the snapshot (below its horizon and not aborted); and
//! its deleter, if any, is neither.

pub mod clog;
mod writer;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

pub use clog::Clog;
pub use writer::{WriterLock, WriterToken};

use crate::storage::heap::{TupleHeader, TupleStatus, Xid};

/// The first transaction id handed out in a new database.
pub const FIRST_NORMAL_XID: Xid = 3;
/// Most subtransactions (savepoints that wrote) one transaction may have;
/// their ids travel in the commit record.
pub const MAX_SUBXIDS: usize = 900;

/// What a statement may see: transactions below `horizon` that did not
/// abort are committed; everything at or above it is not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub horizon: Xid,
}

/// Isolation levels FlintDB runs (SERIALIZABLE is refused, never weakened).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Isolation {
    #[default]
    ReadCommitted,
    RepeatableRead,
}

impl Isolation {
    /// The name `SHOW transaction_isolation` prints.
    pub fn name(self) -> &'static str {
        match self {
            Isolation::ReadCommitted => "read committed",
            Isolation::RepeatableRead => "repeatable read",
        }
    }
}

#[derive(Default)]
struct State {
    /// First xid of the running writer, if one is running.
    writer_from: Option<Xid>,
    /// Horizons of live snapshots, with counts (for pruning).
    snapshots: BTreeMap<Xid, usize>,
}

/// Hands out transaction ids and snapshots; knows the running writer.
pub struct TxnManager {
    next_xid: AtomicU64,
    state: Mutex<State>,
    clog: Arc<Clog>,
    writer_lock: WriterLock,
}

/// A registered snapshot; dropping it lets pruning move past it.
pub struct SnapshotGuard {
    manager: Arc<TxnManager>,
    pub snapshot: Snapshot,
}

impl Drop for SnapshotGuard {
    fn drop(&mut self) {
        let mut state = self.manager.state.lock();
        if let Some(n) = state.snapshots.get_mut(&self.snapshot.horizon) {
            *n -= 1;
            if *n == 0 {
                state.snapshots.remove(&self.snapshot.horizon);
            }
        }
    }
}

impl TxnManager {
    /// A manager continuing from `next_xid`.
    pub fn new(next_xid: Xid, clog: Arc<Clog>) -> Self {
        TxnManager {
            next_xid: AtomicU64::new(next_xid.max(FIRST_NORMAL_XID)),
            state: Mutex::new(State::default()),
            clog,
            writer_lock: WriterLock::default(),
        }
    }

    /// The commit log.
    pub fn clog(&self) -> &Arc<Clog> {
        &self.clog
    }

    /// The writer lock.
    pub fn writer_lock(&self) -> &WriterLock {
        &self.writer_lock
    }

    /// Allocates an xid for the running writer (call with the writer lock).
    pub fn allocate_xid(&self) -> Xid {
        let mut state = self.state.lock();
        let xid = self.next_xid.fetch_add(1, Ordering::AcqRel);
        state.writer_from.get_or_insert(xid);
        xid
    }

    /// Marks the running writer finished (committed or aborted); its xids
    /// become "before" every later snapshot.
    pub fn finish_writer(&self) {
        self.state.lock().writer_from = None;
    }

    /// Makes sure no id below `next_xid` is handed out again (recovery
    /// found transactions up to it in the WAL).
    pub fn advance_next_xid(&self, next_xid: Xid) {
        self.next_xid.fetch_max(next_xid, Ordering::AcqRel);
    }

    /// The id the next transaction will get (persisted at checkpoints).
    pub fn next_xid(&self) -> Xid {
        self.next_xid.load(Ordering::Acquire)
    }

    /// Takes and registers a snapshot of what has committed.
    pub fn snapshot(self: &Arc<Self>) -> SnapshotGuard {
        let mut state = self.state.lock();
        let next = self.next_xid.load(Ordering::Acquire);
        let horizon = state.writer_from.map_or(next, |w| w.min(next));
        *state.snapshots.entry(horizon).or_default() += 1;
        SnapshotGuard {
            manager: self.clone(),
            snapshot: Snapshot { horizon },
        }
    }

    /// Below this, a committed delete is invisible to every snapshot.
    fn prune_horizon(&self) -> Xid {
        let state = self.state.lock();
        let next = self.next_xid.load(Ordering::Acquire);
        let oldest = state.snapshots.keys().next().copied().unwrap_or(next);
        oldest.min(state.writer_from.unwrap_or(next))
    }

    fn committed_before(&self, xid: Xid, horizon: Xid) -> bool {
        xid < horizon && !self.clog.is_aborted(xid)
    }
}

/// What one statement sees: a snapshot plus its own transaction's xids
/// (whose changes it sees even though they have not committed).
#[derive(Clone, Debug)]
pub struct Visibility {
    pub snapshot: Snapshot,
    pub own: Vec<Xid>,
}

impl Visibility {
    /// Whether a tuple version is visible.
    pub fn sees(&self, header: &TupleHeader, clog: &Clog) -> bool {
        let sees = |xid: Xid| {
            !clog.is_aborted(xid) && (xid < self.snapshot.horizon || self.own.contains(&xid))
        };
        sees(header.xmin) && !(header.xmax != 0 && sees(header.xmax))
    }
}

/// Visibility for a reader that sees everything committed and no one's
/// uncommitted work (catalog loading, consistency checks).
pub fn is_visible_latest(header: &TupleHeader, clog: &Clog) -> bool {
    !clog.is_aborted(header.xmin) && (header.xmax == 0 || clog.is_aborted(header.xmax))
}

impl TupleStatus for TxnManager {
    fn is_dead(&self, header: &TupleHeader) -> bool {
        if self.clog.is_aborted(header.xmin) {
            return true;
        }
        header.xmax != 0 && self.committed_before(header.xmax, self.prune_horizon())
    }

    fn is_deleted(&self, header: &TupleHeader) -> bool {
        header.xmax != 0 && !self.clog.is_aborted(header.xmax)
    }

    fn is_visible_to_all(&self, header: &TupleHeader) -> bool {
        self.committed_before(header.xmin, self.prune_horizon())
            && (header.xmax == 0 || self.clog.is_aborted(header.xmax))
    }
}
