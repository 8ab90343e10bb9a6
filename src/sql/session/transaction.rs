//! A transaction in a session: its isolation, snapshot, writer lock,
//! savepoint scopes and the xids it wrote with.
//!
//! Xids are allocated lazily, per scope, at the first write in it: a
//! read-only transaction never gets one. A scope is the base of the
//! transaction or a savepoint; ROLLBACK TO aborts the xids of the scopes it
//! undoes, RELEASE folds a scope's xids into its parent. COMMIT logs one
//! Commit record naming every surviving xid.

use crate::engine::Engine;
use crate::errinput;
use crate::error::Result;
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::txn::{Isolation, SnapshotGuard, Visibility, WriterToken, MAX_SUBXIDS};

/// A savepoint (or the base scope, with no name).
#[derive(Debug, Default)]
struct Scope {
    name: Option<String>,
    xid: Option<Xid>,
    /// Xids of released inner savepoints, now part of this scope.
    released: Vec<Xid>,
}

impl Scope {
    fn xids(&self) -> impl Iterator<Item = Xid> + '_ {
        self.xid.into_iter().chain(self.released.iter().copied())
    }
}

/// A running transaction.
pub struct Transaction {
    pub isolation: Isolation,
    /// Started with BEGIN (otherwise it is one statement's, or the implicit
    /// block of a multi-statement Query).
    pub explicit: bool,
    /// The implicit block of a multi-statement Query message.
    pub implicit_block: bool,
    /// A statement failed: only ROLLBACK (TO) is accepted now (25P02).
    pub failed: bool,
    /// A statement has run (SET TRANSACTION must come before).
    pub started: bool,
    snapshot: Option<SnapshotGuard>,
    writer: Option<WriterToken>,
    scopes: Vec<Scope>,
    /// Relations dropped by this transaction: their files go at commit.
    pub dropped: Vec<RelId>,
    /// The transaction changed the catalog (a rollback must reload it).
    pub ddl: bool,
}

impl Transaction {
    /// A new transaction.
    pub fn new(isolation: Isolation, explicit: bool) -> Self {
        Transaction {
            isolation,
            explicit,
            implicit_block: false,
            failed: false,
            started: false,
            snapshot: None,
            writer: None,
            scopes: vec![Scope::default()],
            dropped: Vec::new(),
            ddl: false,
        }
    }

    /// Every xid this transaction wrote with that still stands.
    pub fn own_xids(&self) -> Vec<Xid> {
        self.scopes.iter().flat_map(Scope::xids).collect()
    }

    /// Takes the writer lock (once, waiting at most `lock_timeout`) and
    /// returns the xid for the current scope's writes.
    pub fn write_xid(
        &mut self,
        engine: &Engine,
        lock_timeout: Option<std::time::Duration>,
    ) -> Result<Xid> {
        if self.writer.is_none() {
            self.writer = Some(engine.txns().writer_lock().acquire(lock_timeout)?);
        }
        let scope = self
            .scopes
            .last_mut()
            .ok_or_else(|| crate::errinternal!("no scope"))?;
        if let Some(x) = scope.xid {
            return Ok(x);
        }
        if self.scopes.iter().map(|s| s.xids().count()).sum::<usize>() > MAX_SUBXIDS {
            return Err(errinput!(
                "54000",
                "cannot have more than {MAX_SUBXIDS} subtransactions in a transaction"
            ));
        }
        let x = engine.txns().allocate_xid();
        if let Some(scope) = self.scopes.last_mut() {
            scope.xid = Some(x);
        }
        Ok(x)
    }

    /// What the next statement sees: READ COMMITTED takes a new snapshot
    /// per statement, REPEATABLE READ keeps the first.
    pub fn visibility(&mut self, engine: &Engine) -> Visibility {
        let keep = self.isolation == Isolation::RepeatableRead && self.snapshot.is_some();
        if !keep {
            self.snapshot = Some(engine.txns().snapshot());
        }
        let snapshot = self
            .snapshot
            .as_ref()
            .map(|g| g.snapshot.clone())
            .unwrap_or(crate::txn::Snapshot { horizon: 0 });
        Visibility {
            snapshot,
            own: self.own_xids(),
        }
    }

    /// SAVEPOINT name.
    pub fn savepoint(&mut self, name: String) {
        self.scopes.push(Scope {
            name: Some(name),
            ..Scope::default()
        });
    }

    fn find(&self, name: &str) -> Result<usize> {
        self.scopes
            .iter()
            .rposition(|s| s.name.as_deref() == Some(name))
            .ok_or_else(|| errinput!("3B001", "savepoint \"{name}\" does not exist"))
    }

    /// ROLLBACK TO name: returns the xids to abort; the savepoint remains.
    pub fn rollback_to(&mut self, name: &str) -> Result<Vec<Xid>> {
        let i = self.find(name)?;
        let undone: Vec<Xid> = self.scopes[i..].iter().flat_map(Scope::xids).collect();
        self.scopes.truncate(i + 1);
        self.scopes[i].xid = None;
        self.scopes[i].released.clear();
        self.failed = false;
        Ok(undone)
    }

    /// RELEASE name: the savepoint's work joins its parent.
    pub fn release(&mut self, name: &str) -> Result<()> {
        let i = self.find(name)?;
        let merged: Vec<Xid> = self.scopes[i..].iter().flat_map(Scope::xids).collect();
        self.scopes.truncate(i);
        if let Some(parent) = self.scopes.last_mut() {
            parent.released.extend(merged);
        }
        Ok(())
    }

    /// Ends the transaction: commits if `commit` and it wrote, else aborts.
    /// Returns the LSN to wait for before acknowledging (0 if none).
    pub fn finish(mut self, engine: &Engine, commit: bool) -> Result<u64> {
        let own = self.own_xids();
        let result = if commit && !own.is_empty() {
            engine.log_commit(own[0], own[1..].to_vec())
        } else {
            if !own.is_empty() {
                engine.log_abort(&own);
            }
            Ok(0)
        };
        // A failed commit record is an abort (the WAL has failed and the
        // server is stopping; recovery will abort it too).
        if result.is_err() {
            engine.log_abort(&own);
        }
        self.release_writer(engine);
        if (result.is_err() || !commit) && self.ddl {
            engine.catalog().reload()?;
        }
        self.snapshot = None;
        result
    }

    /// Aborts undone savepoint xids.
    pub fn abort_xids(&self, engine: &Engine, xids: &[Xid]) -> Result<()> {
        engine.log_abort(xids);
        if self.ddl {
            engine.catalog().reload()?;
        }
        Ok(())
    }

    fn release_writer(&mut self, engine: &Engine) {
        if let Some(token) = self.writer.take() {
            engine.txns().finish_writer();
            engine.txns().writer_lock().release(token);
        }
    }
}
