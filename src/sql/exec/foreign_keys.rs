//! FOREIGN KEY enforcement, run by the writes of `write.rs` once a
//! statement's rows are stored (so a row may reference another row of the
//! same statement, as PostgreSQL's end-of-statement checks allow):
//!
//! - new or changed referencing rows must find their key in the
//!   referenced table; the referenced row is locked (FOR SHARE), so a
//!   concurrent DELETE of it waits for this transaction;
//! - a deleted referenced row, or one whose key changes, makes the
//!   referencing rows act: NO ACTION / RESTRICT refuse (23503), CASCADE
//!   deletes or updates them, SET NULL / SET DEFAULT update them.
//!
//! Each check or action is a statement FlintDB binds from SQL text once
//! per write and runs with the key as parameters, through the ordinary
//! paths (indexes, row locks, and further foreign keys: a cascade goes
//! on down). They read with a fresh snapshot, as PostgreSQL's RI queries
//! do: a DELETE that waited for a referencing insert to commit sees its
//! row.

use sqlparser::ast::Statement;

use super::write::{self, WriteTarget};
use super::{execute, ExecContext, Row};
use crate::catalog::{FkAction, ForeignKeyDef, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::binder::system_views::quote_ident;
use crate::sql::parser::Command;
use crate::sql::plan::Plan;
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::txn::{SnapshotGuard, Visibility};
use crate::types::{text, DataType, Value};

/// Checks that every row's references exist (skipping rows whose key
/// has a NULL, MATCH SIMPLE, and, on UPDATE, rows whose key is unchanged).
pub fn check_references(
    ctx: &ExecContext,
    table: &TableDef,
    rows: &[Row],
    old: Option<&[Row]>,
) -> Result<()> {
    let catalog = ctx.engine.catalog();
    for fk in &table.foreign_keys {
        let Some(parent) = catalog.table_of(RelId(fk.ref_table)) else {
            continue;
        };
        let mut probe: Option<Plan> = None;
        for (i, row) in rows.iter().enumerate() {
            let key = key_of(row, &fk.columns);
            if key.iter().any(Value::is_null) {
                continue;
            }
            if old.is_some_and(|old| key_of(&old[i], &fk.columns) == key) {
                continue;
            }
            if probe.is_none() {
                let sql = format!(
                    "SELECT 1 FROM {} WHERE {} FOR SHARE",
                    qualified(&parent),
                    matching(&parent, &fk.ref_columns, 1)
                );
                probe = Some(bind(ctx, &sql, &types(&parent, &fk.ref_columns))?);
            }
            if !exists(ctx, probe.as_ref(), key.clone())? {
                return Err(errinput!(
                    sqlstate::FOREIGN_KEY_VIOLATION,
                    "insert or update on table \"{}\" violates foreign key constraint \"{}\"",
                    table.name,
                    fk.name
                )
                .with_detail(format!(
                    "Key ({})=({}) is not present in table \"{}\".",
                    names(table, &fk.columns),
                    shown(&key),
                    parent.name
                )));
            }
        }
    }
    Ok(())
}

/// After rows of `table` were deleted: what the referencing rows do.
pub fn on_delete(ctx: &ExecContext, xid: Xid, table: &TableDef, rows: &[Row]) -> Result<()> {
    let changes: Vec<(&Row, Option<&Row>)> = rows.iter().map(|r| (r, None)).collect();
    act(ctx, xid, table, &changes)
}

/// After rows of `table` were updated (old and new versions): what the
/// rows referencing a changed key do.
pub fn on_update(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    old: &[Row],
    new: &[Row],
) -> Result<()> {
    let changes: Vec<(&Row, Option<&Row>)> = old.iter().zip(new.iter().map(Some)).collect();
    act(ctx, xid, table, &changes)
}

fn act(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    changes: &[(&Row, Option<&Row>)],
) -> Result<()> {
    let catalog = ctx.engine.catalog();
    for (child, fk) in catalog.referencing(table.oid) {
        let action = if changes.first().is_some_and(|(_, new)| new.is_some()) {
            fk.on_update
        } else {
            fk.on_delete
        };
        let mut plan: Option<Plan> = None;
        for (old, new) in changes {
            let key = key_of(old, &fk.ref_columns);
            if key.iter().any(Value::is_null) {
                continue;
            }
            let new_key = new.map(|n| key_of(n, &fk.ref_columns));
            if new_key.as_ref() == Some(&key) {
                continue;
            }
            // The child as it is now (an earlier action may have changed it).
            let child = catalog
                .table_of(child.rel())
                .unwrap_or_else(|| child.clone());
            if plan.is_none() {
                plan = Some(bind_action(ctx, table, &child, &fk, action, new.is_some())?);
            }
            let mut params = key.clone();
            if action == FkAction::Cascade {
                params.extend(new_key.clone().unwrap_or_default());
            }
            let (sub, _snapshot) = latest(ctx, params);
            match plan.as_ref() {
                Some(Plan::Query { .. }) => {
                    if exists(ctx, plan.as_ref(), key.clone())? {
                        return Err(errinput!(
                            sqlstate::FOREIGN_KEY_VIOLATION,
                            "update or delete on table \"{}\" violates foreign key constraint \"{}\" on table \"{}\"",
                            table.name,
                            fk.name,
                            child.name
                        )
                        .with_detail(format!(
                            "Key ({})=({}) is still referenced from table \"{}\".",
                            names(table, &fk.ref_columns),
                            shown(&key),
                            child.name
                        )));
                    }
                }
                Some(Plan::Delete {
                    table: t,
                    predicate,
                    access,
                    ..
                }) => {
                    let which = write::Selection {
                        predicate: predicate.as_ref(),
                        access: access.as_ref(),
                        from: None,
                    };
                    write::delete(&sub, xid, t, &which, None)?;
                }
                Some(Plan::Update {
                    table: t,
                    predicate,
                    access,
                    indexes,
                    checks,
                    assignments,
                    ..
                }) => {
                    let target = WriteTarget {
                        table: t,
                        indexes,
                        checks,
                    };
                    let which = write::Selection {
                        predicate: predicate.as_ref(),
                        access: access.as_ref(),
                        from: None,
                    };
                    write::update(&sub, xid, &target, &which, assignments, None)?;
                }
                _ => {
                    return Err(crate::errinternal!(
                        "foreign key action bound to another plan"
                    ))
                }
            }
        }
    }
    Ok(())
}

/// The statement that carries out `action` on `child` for one key of
/// `parent` ($1… the old key; for CASCADE on update, then the new one).
fn bind_action(
    ctx: &ExecContext,
    parent: &TableDef,
    child: &TableDef,
    fk: &ForeignKeyDef,
    action: FkAction,
    updating: bool,
) -> Result<Plan> {
    let table = qualified(child);
    let condition = matching(child, &fk.columns, 1);
    let mut param_types = types(parent, &fk.ref_columns);
    let set = |value: &dyn Fn(usize) -> String| -> String {
        fk.columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{} = {}", quote_ident(&child.columns[*c].name), value(i)))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let sql = match action {
        FkAction::NoAction | FkAction::Restrict => {
            format!("SELECT 1 FROM {table} WHERE {condition} LIMIT 1")
        }
        FkAction::SetNull => format!(
            "UPDATE {table} SET {} WHERE {condition}",
            set(&|_| "NULL".into())
        ),
        FkAction::SetDefault => {
            format!(
                "UPDATE {table} SET {} WHERE {condition}",
                set(&|_| "DEFAULT".into())
            )
        }
        FkAction::Cascade if !updating => format!("DELETE FROM {table} WHERE {condition}"),
        FkAction::Cascade => {
            // $n+1… carry the new key.
            let n = fk.columns.len();
            param_types.extend(types(parent, &fk.ref_columns));
            format!(
                "UPDATE {table} SET {} WHERE {condition}",
                set(&|i| format!("${}", n + i + 1))
            )
        }
    };
    bind(ctx, &sql, &param_types)
}

/// `"c1" = $k AND "c2" = $k+1 …` over some columns.
fn matching(t: &TableDef, columns: &[usize], first: usize) -> String {
    columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{} = ${}", quote_ident(&t.columns[*c].name), first + i))
        .collect::<Vec<_>>()
        .join(" AND ")
}

fn types(t: &TableDef, columns: &[usize]) -> Vec<Option<DataType>> {
    columns
        .iter()
        .map(|c| Some(t.columns[*c].ty.data_type))
        .collect()
}

fn bind(ctx: &ExecContext, sql: &str, param_types: &[Option<DataType>]) -> Result<Plan> {
    let parsed = crate::sql::parser::parse(sql)?;
    let [Command::Sql(statement)] = parsed.as_slice() else {
        return Err(crate::errinternal!(
            "foreign key statement did not parse as one"
        ));
    };
    let statement: &Statement = statement;
    Ok(crate::sql::binder::bind(statement, ctx.engine.catalog(), param_types)?.plan)
}

/// Whether a bound query finds a row for these parameters.
fn exists(ctx: &ExecContext, plan: Option<&Plan>, params: Vec<Value>) -> Result<bool> {
    let Some(Plan::Query { root, .. }) = plan else {
        return Err(crate::errinternal!("foreign key probe is not a query"));
    };
    let (sub, _snapshot) = latest(ctx, params);
    let found = execute(root, &sub)?.next().transpose()?.is_some();
    Ok(found)
}

/// A context for a check or action: these parameters, and what has
/// committed by now besides this transaction's own work.
fn latest<'a>(ctx: &ExecContext<'a>, params: Vec<Value>) -> (ExecContext<'a>, SnapshotGuard) {
    let guard = ctx.engine.txns().snapshot();
    let mut sub = ctx.with_params(params);
    sub.visibility = Visibility {
        snapshot: guard.snapshot.clone(),
        own: ctx.visibility.own.clone(),
    };
    (sub, guard)
}

fn key_of(row: &Row, columns: &[usize]) -> Vec<Value> {
    columns
        .iter()
        .map(|c| row.get(*c).cloned().unwrap_or(Value::Null))
        .collect()
}

fn names(t: &TableDef, columns: &[usize]) -> String {
    columns
        .iter()
        .map(|c| t.columns[*c].name.clone())
        .collect::<Vec<_>>()
        .join(", ")
}

fn shown(key: &[Value]) -> String {
    key.iter()
        .map(|v| text::format(v).unwrap_or_else(|| "null".into()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A table's name qualified by its schema, as SQL text (the statements
/// bound here must not depend on the search path).
fn qualified(table: &TableDef) -> String {
    format!(
        "{}.{}",
        quote_ident(&table.schema),
        quote_ident(&table.name)
    )
}
