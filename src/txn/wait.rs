//! Waiting for other transactions: the schema lock (DDL exclusive, row
//! writers shared) and waits for a running transaction to end (a row it
//! changed or locked), with deadlock detection.
//!
//! Every wait records its edges (waiter → the transactions it waits for)
//! in one wait-for graph under the manager's mutex; a new edge that closes
//! a cycle fails the waiter that added it with 40P01. Since each waiter
//! adds its edges before sleeping and re-adds them on every wake-up, the
//! last transaction to close a cycle always sees it.

use std::time::Instant;

use super::{State, TxnManager};
use crate::errinput;
use crate::error::Result;
use crate::storage::heap::Xid;

/// How a transaction holds the schema lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SchemaMode {
    /// Row writes: any number of transactions at once.
    Shared,
    /// DDL: alone, once every shared holder has ended.
    Exclusive,
}

/// When a wait gives up: `lock` (lock_timeout, 55P03) and `statement`
/// (statement_timeout, 57014).
#[derive(Clone, Copy, Debug, Default)]
pub struct WaitLimits {
    pub lock: Option<Instant>,
    pub statement: Option<Instant>,
}

impl WaitLimits {
    /// Limits starting now.
    pub fn from_now(
        lock_timeout: Option<std::time::Duration>,
        statement: Option<Instant>,
    ) -> WaitLimits {
        WaitLimits {
            lock: lock_timeout.map(|t| Instant::now() + t),
            statement,
        }
    }

    fn deadline(&self) -> Option<Instant> {
        match (self.lock, self.statement) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    fn expired(&self) -> Result<()> {
        let now = Instant::now();
        if self.statement.is_some_and(|d| now >= d) {
            return Err(errinput!(
                "57014",
                "canceling statement due to statement timeout"
            ));
        }
        if self.lock.is_some_and(|d| now >= d) {
            return Err(errinput!(
                "55P03",
                "canceling statement due to lock timeout"
            ));
        }
        Ok(())
    }
}

impl TxnManager {
    /// Takes (or strengthens) transaction `me`'s hold on the schema lock.
    pub fn lock_schema(&self, me: Xid, mode: SchemaMode, limits: WaitLimits) -> Result<()> {
        let mut state = self.state.lock();
        loop {
            let blockers: Vec<Xid> = match mode {
                SchemaMode::Shared => state
                    .schema_exclusive
                    .filter(|holder| *holder != me)
                    .into_iter()
                    .collect(),
                SchemaMode::Exclusive => state
                    .schema_shared
                    .iter()
                    .copied()
                    .chain(state.schema_exclusive)
                    .filter(|holder| *holder != me)
                    .collect(),
            };
            if blockers.is_empty() {
                match mode {
                    SchemaMode::Shared => {
                        if state.schema_exclusive != Some(me) {
                            state.schema_shared.insert(me);
                        }
                    }
                    SchemaMode::Exclusive => {
                        state.schema_shared.remove(&me);
                        state.schema_exclusive = Some(me);
                    }
                }
                state.waits.remove(&me);
                return Ok(());
            }
            self.sleep(&mut state, me, blockers, limits)?;
        }
    }

    /// Waits until `xid` (another transaction's, or one of its
    /// subtransactions) is no longer running. `me` is the waiter's top xid.
    pub fn wait_for_xid(&self, me: Xid, xid: Xid, limits: WaitLimits) -> Result<()> {
        let mut state = self.state.lock();
        loop {
            let Some(&holder) = state.running.get(&xid) else {
                state.waits.remove(&me);
                return Ok(());
            };
            if holder == me {
                state.waits.remove(&me);
                return Err(crate::errinternal!("transaction {me} waits for itself"));
            }
            self.sleep(&mut state, me, vec![holder], limits)?;
        }
    }

    /// Records `me`'s edges, fails on a cycle or an expired limit, else
    /// sleeps until something changes (or the nearest deadline).
    fn sleep(
        &self,
        state: &mut parking_lot::MutexGuard<'_, State>,
        me: Xid,
        blockers: Vec<Xid>,
        limits: WaitLimits,
    ) -> Result<()> {
        state.waits.insert(me, blockers.clone());
        if let Some(cycle) = find_cycle(state, me) {
            state.waits.remove(&me);
            return Err(errinput!("40P01", "deadlock detected").with_detail(describe(&cycle)));
        }
        if let Err(e) = limits.expired() {
            state.waits.remove(&me);
            return Err(e);
        }
        match limits.deadline() {
            Some(d) => {
                self.changed.wait_until(state, d);
            }
            None => self.changed.wait(state),
        }
        if let Err(e) = limits.expired() {
            state.waits.remove(&me);
            return Err(e);
        }
        Ok(())
    }
}

/// A path of waits from `me` back to `me`, if one exists.
fn find_cycle(state: &State, me: Xid) -> Option<Vec<Xid>> {
    let mut stack: Vec<(Xid, Vec<Xid>)> = vec![(me, vec![me])];
    let mut seen = std::collections::HashSet::new();
    while let Some((at, path)) = stack.pop() {
        for next in state.waits.get(&at).into_iter().flatten() {
            if *next == me {
                return Some(path);
            }
            if seen.insert(*next) {
                let mut p = path.clone();
                p.push(*next);
                stack.push((*next, p));
            }
        }
    }
    None
}

/// PostgreSQL's deadlock DETAIL, one line per wait, by transaction id.
fn describe(cycle: &[Xid]) -> String {
    let lines: Vec<String> = cycle
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let next = cycle[(i + 1) % cycle.len()];
            format!("Transaction {x} waits for transaction {next}.")
        })
        .collect();
    lines.join("\n")
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use super::*;
    use crate::txn::Clog;

    fn manager() -> Arc<TxnManager> {
        Arc::new(TxnManager::new(3, Arc::new(Clog::default())))
    }

    #[test]
    fn waiting_for_a_finished_transaction_returns_at_once() {
        let m = manager();
        let a = m.allocate_xid(None);
        let b = m.allocate_xid(None);
        m.finish(a, &[a]);
        m.wait_for_xid(b, a, WaitLimits::default()).unwrap();
    }

    #[test]
    fn a_wait_ends_when_the_holder_ends() {
        let m = manager();
        let a = m.allocate_xid(None);
        let b = m.allocate_xid(None);
        let m2 = m.clone();
        let t = std::thread::spawn(move || m2.wait_for_xid(b, a, WaitLimits::default()));
        std::thread::sleep(Duration::from_millis(50));
        assert!(!t.is_finished());
        m.finish(a, &[a]);
        t.join().unwrap().unwrap();
    }

    #[test]
    fn a_cycle_is_a_deadlock_for_the_transaction_that_closes_it() {
        let m = manager();
        let a = m.allocate_xid(None);
        let b = m.allocate_xid(None);
        let m2 = m.clone();
        let t = std::thread::spawn(move || m2.wait_for_xid(a, b, WaitLimits::default()));
        std::thread::sleep(Duration::from_millis(50));
        let e = m.wait_for_xid(b, a, WaitLimits::default()).unwrap_err();
        assert_eq!(e.sqlstate(), "40P01");
        m.finish(b, &[b]);
        t.join().unwrap().unwrap();
    }

    #[test]
    fn lock_timeout_ends_a_wait() {
        let m = manager();
        let a = m.allocate_xid(None);
        let b = m.allocate_xid(None);
        let limits = WaitLimits::from_now(Some(Duration::from_millis(30)), None);
        let e = m.wait_for_xid(b, a, limits).unwrap_err();
        assert_eq!(e.sqlstate(), "55P03");
    }

    #[test]
    fn exclusive_schema_lock_waits_for_shared_holders_and_upgrades_alone() {
        let m = manager();
        let a = m.allocate_xid(None);
        let b = m.allocate_xid(None);
        m.lock_schema(a, SchemaMode::Shared, WaitLimits::default())
            .unwrap();
        m.lock_schema(b, SchemaMode::Shared, WaitLimits::default())
            .unwrap();
        let limits = WaitLimits::from_now(Some(Duration::from_millis(30)), None);
        assert_eq!(
            m.lock_schema(a, SchemaMode::Exclusive, limits)
                .unwrap_err()
                .sqlstate(),
            "55P03"
        );
        m.finish(b, &[b]);
        m.lock_schema(a, SchemaMode::Exclusive, WaitLimits::default())
            .unwrap();
        let c = m.allocate_xid(None);
        let limits = WaitLimits::from_now(Some(Duration::from_millis(30)), None);
        assert!(m.lock_schema(c, SchemaMode::Shared, limits).is_err());
    }
}
