//! Row marks of writers: before an UPDATE or DELETE changes anything it
//! marks every target version with its xid (the delete), and `SELECT …
//! FOR UPDATE / FOR SHARE` marks with the lock-only flag. A version that
//! another running transaction marked makes the writer wait for it to end
//! (deadlocks and timeouts are the wait's business, see `txn::wait`). A
//! version that a transaction committed since the statement's snapshot
//! updated or deleted is PostgreSQL's concurrent update: 40001 under
//! REPEATABLE READ; under READ COMMITTED the statement takes back what it
//! marked and runs again with a new snapshot (`Error::Restart`), where
//! PostgreSQL would re-check only the newest version of that row.

use super::ExecContext;
use crate::errinput;
use crate::error::{Error, Result};
use crate::sql::plan::Waiting;
use crate::storage::heap::{Mark, TupleHeader, Xid};
use crate::storage::{RelId, Tid};
use crate::txn::Isolation;

/// Marks each version in `tids` (of relation `rel`, named `table` in
/// messages) with `xid`: deleted, or locked if `lock_only`. Returns, for
/// each, whether it is now marked: false for a row this transaction
/// already deleted, or one SKIP LOCKED left out.
pub fn mark_rows(
    ctx: &ExecContext,
    rel: RelId,
    table: &str,
    tids: &[Tid],
    xid: Xid,
    lock_only: bool,
    waiting: Waiting,
) -> Result<Vec<bool>> {
    let mut done: Vec<(Tid, TupleHeader)> = Vec::new();
    let mut marked = Vec::with_capacity(tids.len());
    for tid in tids {
        match mark_one(ctx, rel, table, *tid, xid, lock_only, waiting) {
            Ok(Some(before)) => {
                done.push((*tid, before));
                marked.push(true);
            }
            Ok(None) => marked.push(false),
            Err(Error::Restart) => {
                // The transaction goes on: release what this statement marked.
                unmark_all(ctx, rel, &done)?;
                return Err(Error::Restart);
            }
            Err(e) => return Err(e),
        }
    }
    Ok(marked)
}

/// Puts back what a statement marked, newest first (before it runs again).
pub fn unmark_all(ctx: &ExecContext, rel: RelId, done: &[(Tid, TupleHeader)]) -> Result<()> {
    for (tid, before) in done.iter().rev() {
        ctx.engine.heap().unmark(rel, *tid, *before)?;
    }
    Ok(())
}

/// Marks one version; `Ok(None)` when it is to be left out.
pub fn mark_one(
    ctx: &ExecContext,
    rel: RelId,
    table: &str,
    tid: Tid,
    xid: Xid,
    lock_only: bool,
    waiting: Waiting,
) -> Result<Option<TupleHeader>> {
    let engine = ctx.engine;
    loop {
        let holder = match engine
            .heap()
            .mark(rel, tid, xid, lock_only, &ctx.visibility.own)?
        {
            Mark::Done(before) => return Ok(Some(before)),
            Mark::Held(h) if ctx.visibility.own.contains(&h.xmax) => return Ok(None),
            Mark::Held(h) => h.xmax,
            // Gone: only a delete committed since the snapshot frees a
            // version the statement could see.
            Mark::Missing => return concurrent_update(ctx),
        };
        if !engine.txns().is_running(holder) {
            if engine.clog().is_aborted(holder) {
                continue; // ended between the mark and now: try again
            }
            return concurrent_update(ctx);
        }
        match waiting {
            Waiting::SkipLocked => return Ok(None),
            Waiting::NoWait => {
                return Err(errinput!(
                    "55P03",
                    "could not obtain lock on row in relation \"{table}\""
                ))
            }
            Waiting::Wait => {
                engine
                    .txns()
                    .wait_for_xid(ctx.writer.top, holder, ctx.writer.limits)?;
                ctx.check_deadline()?;
            }
        }
    }
}

fn concurrent_update<T>(ctx: &ExecContext) -> Result<T> {
    match ctx.writer.isolation {
        Isolation::RepeatableRead => Err(errinput!(
            "40001",
            "could not serialize access due to concurrent update"
        )),
        Isolation::ReadCommitted => Err(Error::Restart),
    }
}

/// A row's address as LockRows carries it in an int8 column.
pub fn address_value(tid: Tid) -> crate::types::Value {
    crate::types::Value::Int8(((tid.block as i64) << 16) | tid.slot as i64)
}

pub(super) fn address_of(value: &crate::types::Value) -> Result<Tid> {
    match value {
        crate::types::Value::Int8(a) => Ok(Tid {
            block: (*a >> 16) as u32,
            slot: (*a & 0xffff) as u16,
        }),
        _ => Err(crate::errinternal!("row address column holds {value:?}")),
    }
}

/// SELECT … FOR UPDATE/SHARE: locks each row's version as it passes
/// (so a LIMIT above locks only the rows it returns).
pub fn lock_rows<'a>(
    input: super::Rows<'a>,
    ctx: &'a ExecContext<'a>,
    table: &'a crate::catalog::TableDef,
    address: usize,
    waiting: Waiting,
) -> super::Rows<'a> {
    let mut done: Vec<(Tid, TupleHeader)> = Vec::new();
    let mut input = input;
    Box::new(std::iter::from_fn(move || loop {
        let row = match input.next()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let step = address_of(&row[address]).and_then(|tid| {
            mark_one(
                ctx,
                table.rel(),
                &table.name,
                tid,
                ctx.writer.xid,
                true,
                waiting,
            )
            .map(|m| m.map(|before| (tid, before)))
        });
        match step {
            Ok(Some(marked)) => {
                done.push(marked);
                return Some(Ok(row));
            }
            Ok(None) => continue,
            Err(Error::Restart) => {
                return Some(unmark_all(ctx, table.rel(), &done).and(Err(Error::Restart)));
            }
            Err(e) => return Some(Err(e)),
        }
    }))
}
