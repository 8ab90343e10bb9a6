//! INSERT … ON CONFLICT, row by row in the order the source gives them:
//! a proposed row whose key an arbiter unique index already holds (in a
//! committed version, or one this transaction wrote) is skipped (DO
//! NOTHING) or turns into an update of that version (DO UPDATE, whose
//! expressions see the existing row and `excluded`); any other row is
//! inserted. A key that a running transaction is inserting or deleting
//! makes the statement wait for it and look again, as PostgreSQL does.
//! Known gap: a row another transaction inserts between the look and this
//! row's insert is still a 23505 (PostgreSQL retries it).

use std::collections::HashSet;

use super::index_write::{add_entries, existing_version, Existing};
use super::row_lock::mark_one;
use super::toast::{decode_row, delete_externals, encode_row};
use super::write::{check_constraints, check_not_null, finish, WriteResult, WriteTarget};
use super::{execute, ExecContext, Row};
use crate::errinput;
use crate::error::{Error, Result};
use crate::sql::eval::{eval, eval_predicate};
use crate::sql::plan::{ConflictAction, Node, OnConflict, Returning, Waiting};
use crate::storage::heap::Xid;
use crate::storage::Tid;
use crate::types::Value;

/// Runs an INSERT with ON CONFLICT; `rows` are the proposed full rows.
pub fn insert(
    ctx: &ExecContext,
    xid: Xid,
    target: &WriteTarget,
    rows: Vec<Row>,
    on_conflict: &OnConflict,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let table = target.table;
    let mut written: HashSet<Tid> = HashSet::new();
    let (mut inserted, mut old_versions, mut new_versions) = (Vec::new(), Vec::new(), Vec::new());
    let mut out = Vec::new();
    for proposed in rows {
        loop {
            match find(ctx, target, on_conflict, &proposed)? {
                Existing::Running(other) => {
                    ctx.engine
                        .txns()
                        .wait_for_xid(ctx.writer.top, other, ctx.writer.limits)?;
                    ctx.check_deadline()?;
                }
                Existing::None => {
                    let data = encode_row(ctx, table.rel(), xid, &proposed)?;
                    let tid = ctx.engine.heap().insert(table.rel(), xid, &data)?;
                    add_entries(ctx, xid, table, target.indexes, tid, &proposed)?;
                    written.insert(tid);
                    inserted.push(proposed.clone());
                    out.push(proposed.clone());
                    break;
                }
                Existing::Row(tid) => {
                    let ConflictAction::Update {
                        assignments,
                        predicate,
                    } = &on_conflict.action
                    else {
                        break;
                    };
                    if written.contains(&tid) {
                        return Err(errinput!(
                            "21000",
                            "ON CONFLICT DO UPDATE command cannot affect row a second time"
                        )
                        .with_hint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values."));
                    }
                    // Lock the version; one changed since by a commit means
                    // looking again for its successor.
                    let before = match mark_one(
                        ctx,
                        table.rel(),
                        &table.name,
                        tid,
                        xid,
                        false,
                        Waiting::Wait,
                    ) {
                        Ok(Some(before)) => before,
                        Ok(None) => break,
                        Err(Error::Restart) => continue,
                        Err(e) => return Err(e),
                    };
                    let Some(stored) = ctx.engine.heap().fetch(table.rel(), tid)? else {
                        return Err(crate::errinternal!("locked row vanished"));
                    };
                    let existing = decode_row(ctx, table.rel(), &stored.data, table.columns.len())?;
                    let mut both = existing.clone();
                    both.extend(proposed.iter().cloned());
                    if let Some(p) = predicate {
                        if !eval_predicate(p, &both, ctx)? {
                            // Not updated: the version keeps its old state.
                            ctx.engine.heap().unmark(table.rel(), tid, before)?;
                            break;
                        }
                    }
                    let mut new = existing.clone();
                    for (i, e) in assignments {
                        new[*i] = eval(e, &both, ctx)?;
                    }
                    check_not_null(table, &new)?;
                    check_constraints(ctx, table, target.checks, &new)?;
                    delete_externals(ctx, table.rel(), tid, xid)?;
                    let data = encode_row(ctx, table.rel(), xid, &new)?;
                    let new_tid = ctx.engine.heap().insert(table.rel(), xid, &data)?;
                    add_entries(ctx, xid, table, target.indexes, new_tid, &new)?;
                    written.insert(new_tid);
                    old_versions.push(existing);
                    new_versions.push(new.clone());
                    out.push(new);
                    break;
                }
            }
        }
    }
    super::foreign_keys::check_references(ctx, table, &inserted, None)?;
    super::foreign_keys::check_references(ctx, table, &new_versions, Some(&old_versions))?;
    super::foreign_keys::on_update(ctx, xid, table, &old_versions, &new_versions)?;
    finish(ctx, out, returning)
}

/// The first arbiter that holds the proposed row's key.
fn find(
    ctx: &ExecContext,
    target: &WriteTarget,
    oc: &OnConflict,
    row: &[Value],
) -> Result<Existing> {
    for &i in &oc.arbiters {
        match existing_version(ctx, target.table, &target.indexes[i], row)? {
            Existing::None => continue,
            found => return Ok(found),
        }
    }
    Ok(Existing::None)
}

/// The proposed rows of an INSERT's source (targets placed, defaults
/// filled in, NOT NULL and CHECK checked).
pub fn proposed_rows(
    ctx: &ExecContext,
    target: &WriteTarget,
    source: &Node,
    targets: &[usize],
    defaults: &[Option<crate::sql::expr::Expr>],
) -> Result<Vec<Row>> {
    let table = target.table;
    let mut rows = Vec::new();
    for r in execute(source, ctx)? {
        let values = r?;
        let mut full: Row = Vec::with_capacity(table.columns.len());
        for (i, default) in defaults.iter().enumerate() {
            full.push(match targets.iter().position(|t| *t == i) {
                Some(pos) => values.get(pos).cloned().unwrap_or(Value::Null),
                None => match default {
                    Some(e) => eval(e, &[], ctx)?,
                    None => Value::Null,
                },
            });
        }
        check_not_null(table, &full)?;
        check_constraints(ctx, table, target.checks, &full)?;
        rows.push(full);
    }
    Ok(rows)
}
