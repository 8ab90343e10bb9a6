//! Carrying out ALTER TABLE's actions in order, in the statement's
//! transaction: catalog changes, and the row work some need — filling a
//! new column's DEFAULT into every row (a rewrite through the UPDATE
//! path, so indexes and TOAST follow), and checking existing rows against
//! a new NOT NULL or CHECK.

use super::write::{self, WriteTarget};
use super::{ExecContext, TableScan};
use crate::catalog::TableDef;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::eval::eval;
use crate::sql::plan::AlterAction;
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::types::Value;

/// Runs `actions` on `table`; notices for skipped actions go to
/// `notices`, relations to remove at commit to `dropped`.
pub fn alter_table(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    actions: &[AlterAction],
    notices: &mut Vec<String>,
    dropped: &mut Vec<RelId>,
) -> Result<()> {
    let catalog = ctx.engine.catalog();
    let mut name = table.key();
    for action in actions {
        let t = catalog.must_get_table(&name)?;
        match action {
            AlterAction::AddColumn {
                column,
                sequence,
                checks,
                bound_checks,
                fill,
                indexes,
            } => {
                let t = catalog.add_column(&name, column.clone(), xid)?;
                let position = t.columns.len() - 1;
                if let Some(seq) = sequence {
                    let mut seq = seq.clone();
                    seq.owner = ctx.eval.role;
                    seq.owned_by = Some((t.oid, position as i16 + 1));
                    catalog.create_sequence(seq, xid)?;
                }
                for c in checks {
                    catalog.add_check(&name, c.clone(), xid)?;
                }
                let t = catalog.must_get_table(&name)?;
                match fill {
                    Some(fill) => {
                        let target = WriteTarget {
                            table: &t,
                            indexes,
                            checks: bound_checks,
                        };
                        let assignments = [(position, fill.clone())];
                        let all = write::Selection::all();
                        write::update(ctx, xid, &target, &all, &assignments, None)?;
                    }
                    None => {
                        if column.not_null && has_rows(ctx, &t)? {
                            return Err(contains_nulls(&t, position));
                        }
                        for check in bound_checks {
                            validate(ctx, &t, &check.name, &check.expr)?;
                        }
                    }
                }
            }
            AlterAction::RenameColumn { column, to } => {
                let mut c = t.columns[*column].clone();
                c.name = to.clone();
                catalog.update_column(&name, *column, c, xid)?;
            }
            AlterAction::RenameTable { to } => {
                catalog.rename_table(&name, to, xid)?;
                name = crate::catalog::names::key(&table.schema, to);
            }
            AlterAction::SetDefault { column, default } => {
                let mut c = t.columns[*column].clone();
                c.default = default.clone();
                catalog.update_column(&name, *column, c, xid)?;
            }
            AlterAction::SetNotNull { column } => {
                if !t.columns[*column].not_null {
                    for row in TableScan::new(ctx, t.rel(), t.columns.len())? {
                        if row?.1[*column].is_null() {
                            return Err(contains_nulls(&t, *column));
                        }
                    }
                    let mut c = t.columns[*column].clone();
                    c.not_null = true;
                    catalog.update_column(&name, *column, c, xid)?;
                }
            }
            AlterAction::DropNotNull { column } => {
                let mut c = t.columns[*column].clone();
                c.not_null = false;
                catalog.update_column(&name, *column, c, xid)?;
            }
            AlterAction::AddCheck { check, expr } => {
                validate(ctx, &t, &check.name, expr)?;
                catalog.add_check(&name, check.clone(), xid)?;
            }
            AlterAction::AddForeignKey { fk } => {
                let t = catalog.add_foreign_key(&name, fk.clone(), xid)?;
                let rows: Vec<crate::sql::exec::Row> =
                    TableScan::new(ctx, t.rel(), t.columns.len())?
                        .map(|r| r.map(|(_, row)| row))
                        .collect::<Result<_>>()?;
                super::foreign_keys::check_references(ctx, &t, &rows, None)?;
            }
            AlterAction::DropConstraint { name: constraint } => {
                let own = t.foreign_keys.iter().any(|f| &f.name == constraint)
                    || t.checks.iter().any(|c| &c.name == constraint);
                if own {
                    catalog.drop_constraint(&name, constraint, xid)?;
                } else {
                    let index = crate::catalog::names::key(&t.schema, constraint);
                    dropped.push(catalog.drop_index(&index, xid)?);
                }
            }
            AlterAction::DropColumn {
                column,
                indexes,
                constraints,
                sequences,
                views,
                foreign_keys,
            } => {
                let mut cascaded: Vec<String> = views.iter().map(|v| format!("view {v}")).collect();
                cascaded.extend(
                    foreign_keys
                        .iter()
                        .map(|(table, fk)| format!("constraint {fk} on table {table}")),
                );
                match cascaded.as_slice() {
                    [] => {}
                    [one] => notices.push(format!("drop cascades to {one}")),
                    many => notices.push(format!("drop cascades to {} other objects", many.len())),
                }
                for view in views {
                    catalog.drop_view(view, xid)?;
                }
                for (table, fk) in foreign_keys {
                    catalog.drop_constraint(table, fk, xid)?;
                }
                let gone = crate::sql::binder::dropped_column(*column, &t.columns[*column]);
                catalog.update_column(&name, *column, gone, xid)?;
                for index in indexes {
                    let index = crate::catalog::names::key(&t.schema, index);
                    dropped.push(catalog.drop_index(&index, xid)?);
                }
                for constraint in constraints {
                    catalog.drop_constraint(&name, constraint, xid)?;
                }
                for sequence in sequences {
                    dropped.push(catalog.drop_sequence(sequence, xid)?);
                }
            }
            AlterAction::AlterType {
                column,
                ty,
                convert,
                indexes,
                rebuild,
                checks,
            } => {
                let mut c = t.columns[*column].clone();
                c.ty = *ty;
                catalog.update_column(&name, *column, c, xid)?;
                let t = catalog.must_get_table(&name)?;
                let target = WriteTarget {
                    table: &t,
                    indexes,
                    checks: &[],
                };
                let all = write::Selection::all();
                write::update(ctx, xid, &target, &all, &[(*column, convert.clone())], None)?;
                // The rewritten rows against every CHECK, with ALTER's
                // message rather than an UPDATE's.
                for check in checks {
                    validate(ctx, &t, &check.name, &check.expr)?;
                }
                for index in rebuild {
                    dropped.push(write::reindex(ctx, xid, &t, index)?);
                }
            }
            AlterAction::Skip { notice } => notices.push(notice.clone()),
        }
    }
    Ok(())
}

fn has_rows(ctx: &ExecContext, t: &TableDef) -> Result<bool> {
    match TableScan::new(ctx, t.rel(), t.columns.len())?.next() {
        Some(row) => row.map(|_| true),
        None => Ok(false),
    }
}

/// 23514 if some row makes the condition false.
fn validate(
    ctx: &ExecContext,
    t: &TableDef,
    name: &str,
    expr: &crate::sql::expr::Expr,
) -> Result<()> {
    for row in TableScan::new(ctx, t.rel(), t.columns.len())? {
        if eval(expr, &row?.1, ctx)? == Value::Bool(false) {
            return Err(errinput!(
                sqlstate::CHECK_VIOLATION,
                "check constraint \"{name}\" of relation \"{}\" is violated by some row",
                t.name
            ));
        }
    }
    Ok(())
}

fn contains_nulls(t: &TableDef, column: usize) -> crate::error::Error {
    errinput!(
        sqlstate::NOT_NULL_VIOLATION,
        "column \"{}\" of relation \"{}\" contains null values",
        t.columns[column].name,
        t.name
    )
}
