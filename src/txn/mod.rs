//! Transactions: identifiers, the commit log, snapshots, which tuple
//! versions a reader sees, and the waits between writers.
//!
//! Many transactions write at once, as in PostgreSQL. A transaction gets
//! an xid at its first write (its savepoints get their own subxids) and is
//! "running" until it commits or aborts. A snapshot records the next xid
//! and the xids running when it was taken: an xid is committed for it when
//! it is below that bound, was not running, and did not abort.
//!
//! Visibility (PostgreSQL's rules): a version is visible to a snapshot
//! when its inserter is one of the reader's own live xids or committed for
//! the snapshot, and its deleter, if any, is neither. A deleter that only
//! locked the row (`SELECT … FOR UPDATE`) deletes nothing.
//!
//! Waiting (`wait.rs`): a writer that meets a row another running
//! transaction changed or locked waits for that transaction to end; DDL
//! takes the schema lock exclusively, row writers share it. Every wait is
//! an edge of a wait-for graph checked for cycles when it is added
//! (40P01), and honours `lock_timeout` and `statement_timeout`.

pub mod clog;
mod exported;
mod wait;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

pub use clog::Clog;
pub use wait::{SchemaMode, WaitLimits};

use crate::storage::heap::{TupleHeader, TupleStatus, Xid};

/// The first transaction id handed out in a new database.
pub const FIRST_NORMAL_XID: Xid = 3;
/// Most subtransactions (savepoints that wrote) one transaction may have;
/// their ids travel in the commit record.
pub const MAX_SUBXIDS: usize = 900;

/// What a statement may see: transactions below `xmax` that were not
/// running when it was taken (`running`, ascending) and did not abort.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snapshot {
    /// Every xid below this had finished when the snapshot was taken.
    pub xmin: Xid,
    /// The next xid then: it and everything above are invisible.
    pub xmax: Xid,
    /// Xids running then, ascending (all at or above `xmin`).
    pub running: Arc<[Xid]>,
}

impl Snapshot {
    /// Sees every transaction that did not abort (consistency checks).
    pub fn everything() -> Snapshot {
        Snapshot {
            xmin: Xid::MAX,
            xmax: Xid::MAX,
            running: Arc::from([]),
        }
    }

    /// Sees nothing.
    pub fn nothing() -> Snapshot {
        Snapshot {
            xmin: 0,
            xmax: 0,
            running: Arc::from([]),
        }
    }

    /// Whether `xid` had committed (or will turn out to have aborted) by
    /// the time the snapshot was taken; the caller checks the abort.
    fn finished(&self, xid: Xid) -> bool {
        xid < self.xmin || (xid < self.xmax && self.running.binary_search(&xid).is_err())
    }
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
    /// Running xids, each with its transaction's top xid.
    running: HashMap<Xid, Xid>,
    /// `xmin`s of live snapshots, with counts (for pruning).
    snapshots: BTreeMap<Xid, usize>,
    /// Transactions holding the schema lock in shared mode.
    schema_shared: HashSet<Xid>,
    /// The transaction holding it exclusively.
    schema_exclusive: Option<Xid>,
    /// Wait-for graph: a waiting transaction and those it waits for.
    waits: HashMap<Xid, Vec<Xid>>,
}

impl State {
    fn oldest_running(&self) -> Option<Xid> {
        self.running.keys().min().copied()
    }
}

/// Hands out transaction ids and snapshots; knows who is running and who
/// waits for whom.
pub struct TxnManager {
    next_xid: AtomicU64,
    state: Mutex<State>,
    /// Signalled whenever a transaction ends or a lock is released.
    changed: Condvar,
    clog: Arc<Clog>,
    exports: exported::Exports,
}

/// A registered snapshot; dropping it lets pruning move past it.
pub struct SnapshotGuard {
    manager: Arc<TxnManager>,
    pub snapshot: Snapshot,
}

impl Drop for SnapshotGuard {
    fn drop(&mut self) {
        let mut state = self.manager.state.lock();
        if let Some(n) = state.snapshots.get_mut(&self.snapshot.xmin) {
            *n -= 1;
            if *n == 0 {
                state.snapshots.remove(&self.snapshot.xmin);
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
            changed: Condvar::new(),
            clog,
            exports: Default::default(),
        }
    }

    /// The commit log.
    pub fn clog(&self) -> &Arc<Clog> {
        &self.clog
    }

    /// Allocates a running xid: a transaction's top xid when `top` is
    /// None, else a subtransaction's of `top`.
    pub fn allocate_xid(&self, top: Option<Xid>) -> Xid {
        let mut state = self.state.lock();
        let xid = self.next_xid.fetch_add(1, Ordering::AcqRel);
        state.running.insert(xid, top.unwrap_or(xid));
        xid
    }

    /// Ends transaction `top`: its xids stop running (call after the
    /// commit record is appended, or after the abort is in the clog) and
    /// its locks go; waiters wake.
    pub fn finish(&self, top: Xid, xids: &[Xid]) {
        let mut state = self.state.lock();
        for x in xids {
            state.running.remove(x);
        }
        state.running.remove(&top);
        state.schema_shared.remove(&top);
        if state.schema_exclusive == Some(top) {
            state.schema_exclusive = None;
        }
        state.waits.remove(&top);
        drop(state);
        self.changed.notify_all();
    }

    /// Subtransactions undone by ROLLBACK TO (already in the clog as
    /// aborted): they stop running, so those waiting for them go on.
    pub fn forget_aborted(&self, xids: &[Xid]) {
        let mut state = self.state.lock();
        for x in xids {
            state.running.remove(x);
        }
        drop(state);
        self.changed.notify_all();
    }

    /// Every running xid (the checkpoint records them: recovery aborts
    /// those it finds no commit for).
    pub fn running(&self) -> Vec<Xid> {
        let mut v: Vec<Xid> = self.state.lock().running.keys().copied().collect();
        v.sort_unstable();
        v
    }

    /// Whether `xid` is still running.
    pub fn is_running(&self, xid: Xid) -> bool {
        self.state.lock().running.contains_key(&xid)
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
        let xmax = self.next_xid.load(Ordering::Acquire);
        let mut running: Vec<Xid> = state.running.keys().copied().collect();
        running.sort_unstable();
        let xmin = running.first().copied().unwrap_or(xmax);
        *state.snapshots.entry(xmin).or_default() += 1;
        SnapshotGuard {
            manager: self.clone(),
            snapshot: Snapshot {
                xmin,
                xmax,
                running: running.into(),
            },
        }
    }

    /// Below this, every transaction has finished for every snapshot,
    /// live or yet to be taken.
    fn prune_horizon(&self) -> Xid {
        let state = self.state.lock();
        let next = self.next_xid.load(Ordering::Acquire);
        let oldest = state.snapshots.keys().next().copied().unwrap_or(next);
        oldest.min(state.oldest_running().unwrap_or(next))
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
        self.sees_xid(header.xmin, clog) && !(header.deletes() && self.sees_xid(header.xmax, clog))
    }

    /// Whether the work of `xid` is visible: one of ours, or committed
    /// for the snapshot.
    pub fn sees_xid(&self, xid: Xid, clog: &Clog) -> bool {
        !clog.is_aborted(xid) && (self.own.contains(&xid) || self.snapshot.finished(xid))
    }
}

/// Visibility for a reader that sees everything committed and no one's
/// aborted work (catalog loading under the exclusive schema lock,
/// consistency checks).
pub fn is_visible_latest(header: &TupleHeader, clog: &Clog) -> bool {
    !clog.is_aborted(header.xmin) && (!header.deletes() || clog.is_aborted(header.xmax))
}

impl TupleStatus for TxnManager {
    fn is_dead(&self, header: &TupleHeader) -> bool {
        if self.clog.is_aborted(header.xmin) {
            return true;
        }
        header.deletes() && self.committed_before(header.xmax, self.prune_horizon())
    }

    fn is_deleted(&self, header: &TupleHeader) -> bool {
        header.xmax != 0
            && !self.clog.is_aborted(header.xmax)
            && (!header.lock_only() || self.is_running(header.xmax))
    }

    fn is_visible_to_all(&self, header: &TupleHeader) -> bool {
        self.committed_before(header.xmin, self.prune_horizon())
            && (!header.deletes() || self.clog.is_aborted(header.xmax))
    }
}
