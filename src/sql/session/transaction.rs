//! A transaction in a session: its isolation, snapshot, hold on the
//! schema lock, savepoint scopes and the xids it wrote with.
//!
//! Xids are allocated lazily at the first write: a read-only transaction
//! never gets one. The base scope's xid is the transaction's top xid (the
//! one others wait for); a savepoint that writes gets a subxid. ROLLBACK
//! TO aborts the xids of the scopes it undoes, RELEASE folds a scope's
//! xids into its parent. COMMIT logs one Commit record naming every
//! surviving xid.

use super::Settings;
use crate::engine::Engine;
use crate::errinput;
use crate::error::Result;
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::txn::{Isolation, SchemaMode, SnapshotGuard, Visibility, WaitLimits, MAX_SUBXIDS};

/// A savepoint (or the base scope, with no name).
#[derive(Debug, Default)]
struct Scope {
    name: Option<String>,
    xid: Option<Xid>,
    /// Xids of released inner savepoints, now part of this scope.
    released: Vec<Xid>,
    /// The session's settings when the savepoint was set (ROLLBACK TO
    /// puts them back, as PostgreSQL undoes SETs made after it).
    settings: Option<Settings>,
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
    /// READ ONLY: statements that write fail with 25006.
    pub read_only: bool,
    snapshot: Option<SnapshotGuard>,
    /// How this transaction holds the schema lock, once it wrote.
    schema: Option<SchemaMode>,
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
            read_only: false,
            snapshot: None,
            schema: None,
            scopes: vec![Scope::default()],
            dropped: Vec::new(),
            ddl: false,
        }
    }

    /// Every xid this transaction wrote with that still stands.
    pub fn own_xids(&self) -> Vec<Xid> {
        self.scopes.iter().flat_map(Scope::xids).collect()
    }

    /// The top xid, once the transaction wrote.
    pub fn top_xid(&self) -> Option<Xid> {
        self.scopes.first().and_then(|s| s.xid)
    }

    /// Makes sure the transaction holds the schema lock in at least
    /// `mode` (waiting within `limits`) and returns the xid for the
    /// current scope's writes.
    pub fn write_xid(
        &mut self,
        engine: &Engine,
        mode: SchemaMode,
        limits: WaitLimits,
    ) -> Result<Xid> {
        let txns = engine.txns();
        let top = match self.top_xid() {
            Some(top) => top,
            None => {
                let top = txns.allocate_xid(None);
                self.scopes[0].xid = Some(top);
                top
            }
        };
        if self.schema < Some(mode) {
            txns.lock_schema(top, mode, limits)?;
            self.schema = Some(mode);
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
        let x = txns.allocate_xid(Some(top));
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
            .unwrap_or_else(crate::txn::Snapshot::nothing);
        Visibility {
            snapshot,
            own: self.own_xids(),
        }
    }

    /// Reads through an imported snapshot from now on (SET TRANSACTION
    /// SNAPSHOT).
    pub fn adopt_snapshot(&mut self, guard: SnapshotGuard) {
        self.snapshot = Some(guard);
    }

    /// SAVEPOINT name.
    pub fn savepoint(&mut self, name: String, settings: Settings) {
        self.scopes.push(Scope {
            name: Some(name),
            settings: Some(settings),
            ..Scope::default()
        });
    }

    fn find(&self, name: &str) -> Result<usize> {
        self.scopes
            .iter()
            .rposition(|s| s.name.as_deref() == Some(name))
            .ok_or_else(|| errinput!("3B001", "savepoint \"{name}\" does not exist"))
    }

    /// ROLLBACK TO name: returns the xids to abort and the settings to
    /// restore; the savepoint remains.
    pub fn rollback_to(&mut self, name: &str) -> Result<(Vec<Xid>, Option<Settings>)> {
        let i = self.find(name)?.max(1);
        let undone: Vec<Xid> = self.scopes[i..].iter().flat_map(Scope::xids).collect();
        self.scopes.truncate(i + 1);
        self.scopes[i].xid = None;
        self.scopes[i].released.clear();
        self.failed = false;
        Ok((undone, self.scopes[i].settings.clone()))
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
        let result = match self.top_xid() {
            Some(top) if commit => engine.log_commit(top, own[1..].to_vec()),
            _ => {
                if !own.is_empty() {
                    engine.log_abort(&own);
                }
                Ok(0)
            }
        };
        // A failed commit record is an abort (the WAL has failed and the
        // server is stopping; recovery will abort it too).
        if result.is_err() {
            engine.log_abort(&own);
        }
        self.end(engine);
        if (result.is_err() || !commit) && self.ddl {
            engine.catalog().reload()?;
        }
        self.snapshot = None;
        result
    }

    /// Aborts undone savepoint xids.
    pub fn abort_xids(&self, engine: &Engine, xids: &[Xid]) -> Result<()> {
        engine.log_abort(xids);
        engine.txns().forget_aborted(xids);
        if self.ddl {
            engine.catalog().reload()?;
        }
        Ok(())
    }

    /// Stops running: xids and locks go, waiters wake.
    fn end(&mut self, engine: &Engine) {
        if let Some(top) = self.top_xid() {
            engine.txns().finish(top, &self.own_xids());
            self.scopes[0].xid = None;
            self.schema = None;
        }
    }
}
