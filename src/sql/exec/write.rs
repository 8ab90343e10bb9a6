//! Writes: INSERT, UPDATE, DELETE, CREATE/DROP TABLE, CREATE/DROP INDEX.
//!
//! Each write computes and checks every new row before changing anything,
//! and an UPDATE or DELETE marks all its target rows (`row_lock`, waiting
//! for other writers) before storing any new version: so it never sees its
//! own new rows, and a READ COMMITTED statement that must start again has
//! only its marks to take back.

use std::sync::Arc;

use super::super::eval::{eval, eval_predicate};
use super::super::expr::Expr;
use super::super::plan::{BoundIndex, IndexAccess, Node, Returning, Waiting};
use super::index_scan::IndexScan;
use super::index_write::add_entries;
use super::index_write::build_index;
use super::row_lock::mark_rows;
use super::toast::{delete_externals, encode_row};
use super::{execute, ExecContext, Row, TableScan};
use crate::catalog::{ColumnDef, IndexDef, SchemaDef, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::storage::{RelId, Tid};
use crate::types::{text, Value};

/// The table a write changes, with its indexes to maintain.
pub struct WriteTarget<'p> {
    pub table: &'p TableDef,
    pub indexes: &'p [Arc<BoundIndex>],
    pub checks: &'p [crate::sql::plan::BoundCheck],
}

/// Which rows an UPDATE or DELETE changes: those matching the
/// predicate (found through `access` if given), or with FROM/USING the
/// rows of `from`, a join of the target (with each row's address) and
/// the other tables.
pub struct Selection<'p> {
    pub predicate: Option<&'p Expr>,
    pub access: Option<&'p IndexAccess>,
    pub from: Option<&'p Node>,
}

impl Selection<'_> {
    /// Every row (ALTER TABLE's rewrites).
    pub fn all() -> Selection<'static> {
        Selection {
            predicate: None,
            access: None,
            from: None,
        }
    }
}

/// The rows a Selection picks, each once (a target row that FROM joins to
/// several rows changes once, with the first), with their addresses.
fn selected_rows(
    ctx: &ExecContext,
    table: &TableDef,
    which: &Selection,
) -> Result<Vec<(Tid, Row)>> {
    let Some(from) = which.from else {
        return matching_rows(ctx, table, which.predicate, which.access);
    };
    let width = table.columns.len();
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for row in execute(from, ctx)? {
        let row = row?;
        let tid = super::row_lock::address_of(&row[width])?;
        if seen.insert(tid) {
            out.push((tid, row));
        }
    }
    Ok(out)
}

/// The rows an INSERT proposes and what a conflict does.
pub struct NewRows<'p> {
    /// Rows of the target columns, in `targets` order.
    pub source: &'p Node,
    pub targets: &'p [usize],
    /// Each column's DEFAULT, for the columns not targeted.
    pub defaults: &'p [Option<Expr>],
    pub on_conflict: Option<&'p crate::sql::plan::OnConflict>,
}

/// What CREATE TABLE makes.
pub struct NewTable<'p> {
    pub schema: &'p str,
    pub name: &'p str,
    pub columns: &'p [ColumnDef],
    /// PRIMARY KEY and UNIQUE constraints.
    pub constraints: &'p [IndexDef],
    /// SERIAL and identity columns' sequences, by column position.
    pub sequences: &'p [(usize, crate::catalog::SequenceDef)],
    pub checks: &'p [crate::catalog::CheckDef],
    pub foreign_keys: &'p [crate::catalog::ForeignKeyDef],
}

/// Rows changed and the RETURNING rows.
pub struct WriteResult {
    pub count: u64,
    pub returning: Vec<Row>,
}

/// INSERT: builds full rows from the source, defaults and NULLs.
pub fn insert(
    ctx: &ExecContext,
    xid: Xid,
    target: &WriteTarget,
    new: &NewRows,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let (table, indexes) = (target.table, target.indexes);
    let rows = super::upsert::proposed_rows(ctx, target, new.source, new.targets, new.defaults)?;
    if let Some(oc) = new.on_conflict {
        return super::upsert::insert(ctx, xid, target, rows, oc, returning);
    }
    for row in &rows {
        let data = encode_row(ctx, table.rel(), xid, row)?;
        let tid = ctx.engine.heap().insert(table.rel(), xid, &data)?;
        add_entries(ctx, xid, table, indexes, tid, row)?;
    }
    super::foreign_keys::check_references(ctx, table, &rows, None)?;
    finish(ctx, rows, returning)
}

/// UPDATE: new versions of the matching rows.
pub fn update(
    ctx: &ExecContext,
    xid: Xid,
    target: &WriteTarget,
    which: &Selection,
    assignments: &[(usize, Expr)],
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let (table, indexes) = (target.table, target.indexes);
    let width = table.columns.len();
    // Old versions are kept only for foreign keys to compare keys with.
    let keys_matter =
        !table.foreign_keys.is_empty() || !ctx.engine.catalog().referencing(table.oid).is_empty();
    let mut changes: Vec<(Tid, (Row, Row))> = Vec::new();
    for (tid, read) in selected_rows(ctx, table, which)? {
        // `read` is the target's row, then (with FROM) its address and
        // the other tables' columns.
        let mut new: Row = read[..width].to_vec();
        for (i, e) in assignments {
            new[*i] = eval(e, &read, ctx)?;
        }
        check_not_null(table, &new)?;
        check_constraints(ctx, table, target.checks, &new)?;
        let old = if keys_matter {
            read[..width].to_vec()
        } else {
            Vec::new()
        };
        changes.push((tid, (old, new)));
    }
    let changes = mark_deleted(ctx, table, xid, changes)?;
    let heap = ctx.engine.heap();
    for (tid, (_, row)) in &changes {
        delete_externals(ctx, table.rel(), *tid, xid)?;
        let data = encode_row(ctx, table.rel(), xid, row)?;
        let new_tid = heap.insert(table.rel(), xid, &data)?;
        add_entries(ctx, xid, table, indexes, new_tid, row)?;
    }
    let (old, rows): (Vec<Row>, Vec<Row>) = changes.into_iter().map(|(_, r)| r).unzip();
    if keys_matter {
        super::foreign_keys::check_references(ctx, table, &rows, Some(&old))?;
        super::foreign_keys::on_update(ctx, xid, table, &old, &rows)?;
    }
    finish(ctx, rows, returning)
}

/// DELETE: marks the matching rows deleted.
/// TRUNCATE of one table: every visible row deleted as it is read (the
/// space returns with VACUUM, like a DELETE's; the delete is transactional).
pub fn truncate(ctx: &ExecContext, xid: Xid, table: &TableDef) -> Result<u64> {
    let mut tids = Vec::new();
    for r in super::TableScan::new(ctx, table.rel(), table.columns.len())? {
        tids.push((r?.0, ()));
    }
    let tids = mark_deleted(ctx, table, xid, tids)?;
    for (tid, _) in &tids {
        delete_externals(ctx, table.rel(), *tid, xid)?;
    }
    Ok(tids.len() as u64)
}

pub fn delete(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    which: &Selection,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
    let width = table.columns.len();
    let victims: Vec<(Tid, Row)> = selected_rows(ctx, table, which)?
        .into_iter()
        .map(|(tid, mut row)| {
            row.truncate(width);
            (tid, row)
        })
        .collect();
    let victims = mark_deleted(ctx, table, xid, victims)?;
    for (tid, _) in &victims {
        delete_externals(ctx, table.rel(), *tid, xid)?;
    }
    let rows: Vec<Row> = victims.into_iter().map(|(_, r)| r).collect();
    super::foreign_keys::on_delete(ctx, xid, table, &rows)?;
    finish(ctx, rows, returning)
}

/// CREATE TABLE with the indexes of its constraints; `Ok(false)` if it
/// existed and IF NOT EXISTS was given.
pub fn create_table(
    ctx: &ExecContext,
    xid: Xid,
    new: NewTable,
    if_not_exists: bool,
) -> Result<bool> {
    let catalog = ctx.engine.catalog();
    let NewTable {
        schema,
        name,
        columns,
        constraints,
        sequences,
        checks,
        foreign_keys,
    } = new;
    if if_not_exists && catalog.relation_exists(&crate::catalog::names::key(schema, name)) {
        return Ok(false);
    }
    let table = catalog.create_table(schema, name, columns.to_vec(), ctx.eval.role, xid)?;
    let name = &table.key();
    for check in checks {
        catalog.add_check(name, check.clone(), xid)?;
    }
    for fk in foreign_keys {
        let mut fk = fk.clone();
        if fk.ref_table == 0 {
            fk.ref_table = table.oid;
        }
        catalog.add_foreign_key(name, fk, xid)?;
    }
    for (position, def) in sequences {
        let mut def = def.clone();
        def.owner = ctx.eval.role;
        def.owned_by = Some((table.oid, *position as i16 + 1));
        catalog.create_sequence(def, xid)?;
    }
    for c in constraints {
        let mut def = c.clone();
        def.table_oid = table.oid;
        catalog.create_index(def, xid)?;
    }
    Ok(true)
}

/// CREATE INDEX (and the index of ALTER TABLE … ADD PRIMARY KEY/UNIQUE):
/// the catalog entry, then the tree built from the table's rows.
/// `Ok(false)` if it existed and IF NOT EXISTS was given.
pub fn create_index(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    index: &BoundIndex,
    if_not_exists: bool,
    not_null: &[usize],
) -> Result<bool> {
    let catalog = ctx.engine.catalog();
    if if_not_exists
        && catalog.relation_exists(&crate::catalog::names::key(&table.schema, &index.def.name))
    {
        return Ok(false);
    }
    let def = catalog.create_index(index.def.clone(), xid)?;
    let index = BoundIndex {
        def,
        ..index.clone()
    };
    build_index(ctx, xid, table, &index, not_null)?;
    for c in not_null {
        let mut column = table.columns[*c].clone();
        column.not_null = true;
        catalog.update_column(&table.key(), *c, column, xid)?;
    }
    Ok(true)
}

/// REINDEX of one index: a new tree built from the table's rows replaces
/// the old one, whose relation is returned for removal at commit. The
/// index keeps its name and definition but gets a new OID.
pub fn reindex(ctx: &ExecContext, xid: Xid, table: &TableDef, index: &BoundIndex) -> Result<RelId> {
    let catalog = ctx.engine.catalog();
    let old = catalog.drop_index(
        &crate::catalog::names::key(&table.schema, &index.def.name),
        xid,
    )?;
    let def = catalog.create_index(index.def.clone(), xid)?;
    let index = BoundIndex {
        def,
        ..index.clone()
    };
    build_index(ctx, xid, table, &index, &[])?;
    Ok(old)
}

/// DROP INDEX of each name; all must exist unless IF EXISTS. Returns the
/// names skipped and the relations to remove at commit.
pub fn drop_indexes(
    ctx: &ExecContext,
    xid: Xid,
    names: &[String],
    if_exists: bool,
) -> Result<(Vec<String>, Vec<RelId>)> {
    let catalog = ctx.engine.catalog();
    let mut missing = Vec::new();
    let mut rels = Vec::new();
    for name in names {
        match catalog.find_index(name) {
            Some((table, index)) if index.constraint => {
                let table = crate::sql::eval::relation_display(catalog, table.oid);
                let constraint = &index.name;
                return Err(errinput!(
                    "2BP01",
                    "cannot drop index {name} because constraint {constraint} on table {table} requires it"
                )
                .with_hint(format!(
                    "You can drop constraint {constraint} on table {table} instead."
                )));
            }
            Some(_) => rels.push(catalog.drop_index(name, xid)?),
            None if if_exists => missing.push(name.clone()),
            None if catalog.get_table(name).is_some() => {
                return Err(
                    errinput!(sqlstate::WRONG_OBJECT_TYPE, "\"{name}\" is not an index")
                        .with_hint("Use DROP TABLE to remove a table."),
                )
            }
            None => {
                return Err(errinput!(
                    sqlstate::UNDEFINED_OBJECT,
                    "index \"{name}\" does not exist"
                ))
            }
        }
    }
    Ok((missing, rels))
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
        rels.extend(catalog.drop_table(&t.key(), xid)?);
    }
    Ok((missing, rels))
}

pub(super) fn finish(
    ctx: &ExecContext,
    rows: Vec<Row>,
    returning: Option<&Returning>,
) -> Result<WriteResult> {
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
fn matching_rows<'a>(
    ctx: &'a ExecContext<'a>,
    table: &TableDef,
    predicate: Option<&Expr>,
    access: Option<&IndexAccess>,
) -> Result<Vec<(Tid, Row)>> {
    let width = table.columns.len();
    let scan: Box<dyn Iterator<Item = Result<(Tid, Row)>>> = match access {
        Some(a) => Box::new(IndexScan::new(ctx, table.rel(), width, a, 0)?),
        None => Box::new(TableScan::new(ctx, table.rel(), width)?),
    };
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

/// Marks each row version deleted by `xid` (waiting for other writers,
/// see `row_lock`); keeps those now marked, leaving out any this
/// transaction had already deleted.
fn mark_deleted<T>(
    ctx: &ExecContext,
    table: &TableDef,
    xid: Xid,
    rows: Vec<(Tid, T)>,
) -> Result<Vec<(Tid, T)>> {
    let tids: Vec<Tid> = rows.iter().map(|(t, _)| *t).collect();
    let marked = mark_rows(
        ctx,
        table.rel(),
        &table.name,
        &tids,
        xid,
        false,
        Waiting::Wait,
    )?;
    Ok(rows
        .into_iter()
        .zip(marked)
        .filter_map(|(r, m)| m.then_some(r))
        .collect())
}

/// 23514 unless every CHECK constraint holds (or is NULL) for `row`.
pub fn check_constraints(
    ctx: &ExecContext,
    table: &TableDef,
    checks: &[crate::sql::plan::BoundCheck],
    row: &[Value],
) -> Result<()> {
    for check in checks {
        if eval(&check.expr, row, ctx)? == Value::Bool(false) {
            return Err(errinput!(
                sqlstate::CHECK_VIOLATION,
                "new row for relation \"{}\" violates check constraint \"{}\"",
                table.name,
                check.name
            )
            .with_detail(format!("Failing row contains ({}).", shown_row(row))));
        }
    }
    Ok(())
}

fn shown_row(row: &[Value]) -> String {
    let shown: Vec<String> = row
        .iter()
        .map(|v| text::format(v).unwrap_or_else(|| "null".into()))
        .collect();
    shown.join(", ")
}

pub(super) fn check_not_null(table: &TableDef, row: &[Value]) -> Result<()> {
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

/// DROP SCHEMA: its views, tables (with their indexes and owned
/// sequences), other sequences, then the schema itself; returns the
/// relations whose files go once the drop has committed.
pub fn drop_schema(ctx: &ExecContext, xid: Xid, schema: &SchemaDef) -> Result<Vec<RelId>> {
    let catalog = ctx.engine.catalog();
    for v in catalog.views().iter().filter(|v| v.schema == schema.name) {
        catalog.drop_view(&v.key(), xid)?;
    }
    let tables: Vec<String> = catalog
        .tables()
        .iter()
        .filter(|t| t.schema == schema.name)
        .map(|t| t.key())
        .collect();
    let (_, mut rels) = drop_tables(ctx, xid, &tables, false)?;
    for s in catalog
        .sequences()
        .iter()
        .filter(|s| s.schema == schema.name)
    {
        rels.push(catalog.drop_sequence(&s.key(), xid)?);
    }
    catalog.drop_schema(schema.oid, xid)?;
    Ok(rels)
}

/// DROP DATABASE: refused while it is the current database or other
/// sessions are connected to it (55006); otherwise every schema of it with
/// what it holds, then the database.
pub fn drop_database(
    ctx: &ExecContext,
    xid: Xid,
    database: &crate::catalog::databases::DatabaseDef,
) -> Result<Vec<RelId>> {
    use crate::catalog::names;
    let catalog = ctx.engine.catalog();
    if names::current_database() == database.oid {
        return Err(errinput!(
            "55006",
            "cannot drop the currently open database"
        ));
    }
    let others = catalog
        .backends()
        .all()
        .iter()
        .filter(|(pid, b)| {
            *pid != ctx.eval.backend_pid
                && b.database.load(std::sync::atomic::Ordering::Relaxed) == database.oid
        })
        .count();
    if others > 0 {
        let detail = match others {
            1 => "There is 1 other session using the database.".to_string(),
            n => format!("There are {n} other sessions using the database."),
        };
        return Err(errinput!(
            "55006",
            "database \"{}\" is being accessed by other users",
            database.name
        )
        .with_detail(detail));
    }
    let path = std::sync::Arc::new(names::SearchPath {
        schemas: Vec::new(),
        creation: None,
        temp: None,
        database: database.oid,
        database_name: database.name.clone(),
    });
    let schemas: Vec<SchemaDef> = catalog
        .all_schemas()
        .iter()
        .filter(|s| s.database == database.oid)
        .cloned()
        .collect();
    let mut rels = Vec::new();
    names::with_search_path(path, || -> Result<()> {
        for schema in &schemas {
            rels.extend(drop_schema(ctx, xid, schema)?);
        }
        Ok(())
    })?;
    catalog.drop_database(database.oid, xid)?;
    Ok(rels)
}
