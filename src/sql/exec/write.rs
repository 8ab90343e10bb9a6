//! Writes: INSERT, UPDATE, DELETE, CREATE TABLE, DROP TABLE.
//!
//! Each write computes and checks every new row before changing anything,
//! so a statement that fails on its tenth row leaves no trace of the first
//! nine (statement atomicity without a WAL); it also keeps an UPDATE from
//! seeing its own new rows.

use std::sync::Arc;

use super::super::eval::{eval, eval_predicate};
use super::super::expr::Expr;
use super::super::plan::{Node, Returning};
use super::{execute, ExecContext, Row, TableScan};
use crate::catalog::{ColumnDef, TableDef};
use crate::encoding::row;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::storage::{RelId, Tid};
use crate::types::{text, Value};

/// Rows changed and the RETURNING rows.
pub struct WriteResult {
    pub count: u64,
    pub returning: Vec<Row>,
}

/// INSERT: builds full rows from the source, defaults and NULLs.
pub fn insert(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    source: &Node,
    targets: &[usize],
    defaults: &[Option<Expr>],
    returning: Option<&Returning>,
) -> Result<WriteResult> {
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
        rows.push(full);
    }
    store(ctx, xid, table, rows, returning)
}

/// UPDATE: new versions of the matching rows.
pub fn update(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    predicate: Option<&Expr>,
    assignments: &[(usize, Expr)],
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let mut changes: Vec<(Tid, Row)> = Vec::new();
    for (tid, old) in matching_rows(ctx, table, predicate)? {
        let mut new = old.clone();
        for (i, e) in assignments {
            new[*i] = eval(e, &old, ctx)?;
        }
        check_not_null(table, &new)?;
        changes.push((tid, new));
    }
    let encoded = encode_all(changes.iter().map(|(_, r)| r))?;
    let heap = ctx.engine.heap();
    for ((tid, _), data) in changes.iter().zip(&encoded) {
        delete_version(ctx, table, *tid, xid)?;
        heap.insert(table.rel(), xid, data)?;
    }
    let rows: Vec<Row> = changes.into_iter().map(|(_, r)| r).collect();
    finish(ctx, rows, returning)
}

/// DELETE: marks the matching rows deleted.
pub fn delete(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    predicate: Option<&Expr>,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let mut victims: Vec<(Tid, Row)> = Vec::new();
    for (tid, old) in matching_rows(ctx, table, predicate)? {
        victims.push((tid, old));
    }
    for (tid, _) in &victims {
        delete_version(ctx, table, *tid, xid)?;
    }
    finish(
        ctx,
        victims.into_iter().map(|(_, r)| r).collect(),
        returning,
    )
}

/// CREATE TABLE; `Ok(false)` if it existed and IF NOT EXISTS was given.
pub fn create_table(
    ctx: &ExecContext,
    xid: Xid,
    name: &str,
    columns: &[ColumnDef],
    if_not_exists: bool,
) -> Result<bool> {
    let catalog = ctx.engine.catalog();
    if if_not_exists && catalog.get_table(name).is_some() {
        return Ok(false);
    }
    catalog.create_table(name, columns.to_vec(), xid)?;
    Ok(true)
}

/// DROP TABLE of each name; all must exist unless IF EXISTS. Returns the
/// names skipped because they did not exist.
pub fn drop_tables(
    ctx: &ExecContext,
    xid: Xid,
    names: &[String],
    if_exists: bool,
) -> Result<(Vec<String>, Vec<RelId>)> {
    let catalog = ctx.engine.catalog();
    let mut tables: Vec<Arc<TableDef>> = Vec::new();
    let mut missing = Vec::new();
    for name in names {
        match catalog.get_table(name) {
            Some(t) => tables.push(t),
            None if if_exists => missing.push(name.clone()),
            None => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_TABLE,
                    "table \"{name}\" does not exist"
                ))
            }
        }
    }
    let mut rels = Vec::with_capacity(tables.len());
    for t in tables {
        rels.extend(catalog.drop_table(&t.name, xid)?);
    }
    Ok((missing, rels))
}

fn store(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    rows: Vec<Row>,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let encoded = encode_all(rows.iter())?;
    for data in &encoded {
        ctx.engine.heap().insert(table.rel(), xid, data)?;
    }
    finish(ctx, rows, returning)
}

fn encode_all<'r>(rows: impl Iterator<Item = &'r Row>) -> Result<Vec<Vec<u8>>> {
    rows.map(|r| {
        let mut buf = Vec::new();
        row::encode(r, &mut buf);
        if buf.len() > crate::storage::heap::MAX_TUPLE_DATA {
            return Err(errinput!(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                "row is too big: size {}, maximum size {}",
                buf.len() + crate::storage::heap::TUPLE_HEADER_SIZE,
                crate::storage::page::MAX_ITEM_SIZE
            ));
        }
        Ok(buf)
    })
    .collect()
}

fn finish(ctx: &ExecContext, rows: Vec<Row>, returning: Option<&Returning>) -> Result<WriteResult> {
    let count = rows.len() as u64;
    let returning = match returning {
        None => vec![],
        Some(r) => rows
            .iter()
            .map(|row| {
                r.exprs
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<Result<Row>>()
            })
            .collect::<Result<_>>()?,
    };
    Ok(WriteResult { count, returning })
}

/// The visible rows of a table that satisfy the predicate, with their
/// addresses (collected before any change, so a statement never sees its
/// own new versions).
fn matching_rows(
    ctx: &ExecContext,
    table: &TableDef,
    predicate: Option<&Expr>,
) -> Result<Vec<(Tid, Row)>> {
    let scan = TableScan::new(ctx, table.rel(), table.columns.len())?;
    let mut out = Vec::new();
    for r in scan {
        let (tid, row) = r?;
        if predicate
            .map(|p| eval_predicate(p, &row, ctx))
            .transpose()?
            .unwrap_or(true)
        {
            out.push((tid, row));
        }
    }
    Ok(out)
}

/// Marks a row version deleted by `xid`. A version someone else already
/// deleted or updated after this statement's snapshot is a serialization
/// failure (the REPEATABLE READ rule; under READ COMMITTED the snapshot is
/// taken after the writer lock, so it cannot happen).
fn delete_version(ctx: &ExecContext, table: &TableDef, tid: Tid, xid: Xid) -> Result<()> {
    if !ctx.engine.heap().delete(table.rel(), tid, xid)? {
        return Err(errinput!(
            "40001",
            "could not serialize access due to concurrent update"
        ));
    }
    Ok(())
}

fn check_not_null(table: &TableDef, row: &[Value]) -> Result<()> {
    for (c, v) in table.columns.iter().zip(row) {
        if c.not_null && v.is_null() {
            let shown: Vec<String> = row
                .iter()
                .map(|v| text::format(v).unwrap_or_else(|| "null".into()))
                .collect();
            return Err(errinput!(
                sqlstate::NOT_NULL_VIOLATION,
                "null value in column \"{}\" of relation \"{}\" violates not-null constraint",
                c.name,
                table.name
            )
            .with_detail(format!("Failing row contains ({}).", shown.join(", "))));
        }
    }
    Ok(())
}
