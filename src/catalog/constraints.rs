//! Table constraints other than NOT NULL and those an index enforces
//! (PRIMARY KEY, UNIQUE): CHECK constraints, kept as SQL text and bound
//! again wherever rows are written, like column defaults; and FOREIGN
//! KEYs, enforced by `sql::exec::foreign_keys`.
//!
//! ```text
//! relation 10  flint_constraint  (oid int8, conrelid int8, conname text,
//!                                 contype text: 'c' or 'f', consrc text,
//!                                 confrelid int8, conkey text, confkey text
//!                                 (column numbers from 1, space-separated),
//!                                 confupdtype text, confdeltype text)
//! ```

use super::{corrupt, delete_rows, insert_row, scan, Catalog, RelId, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Relation of the constraint list.
pub(super) const CONSTRAINT_REL: RelId = RelId(10);
const CONSTRAINT_WIDTH: usize = 10;

/// What a foreign key does to referencing rows when the referenced row
/// goes or changes its key (PostgreSQL's codes in pg_constraint).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FkAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

impl FkAction {
    /// confupdtype / confdeltype.
    pub fn code(self) -> &'static str {
        match self {
            FkAction::NoAction => "a",
            FkAction::Restrict => "r",
            FkAction::Cascade => "c",
            FkAction::SetNull => "n",
            FkAction::SetDefault => "d",
        }
    }

    fn from_code(code: &str) -> Option<FkAction> {
        Some(match code {
            "a" => FkAction::NoAction,
            "r" => FkAction::Restrict,
            "c" => FkAction::Cascade,
            "n" => FkAction::SetNull,
            "d" => FkAction::SetDefault,
            _ => return None,
        })
    }

    /// As pg_get_constraintdef and information_schema spell it.
    pub fn sql(self) -> &'static str {
        match self {
            FkAction::NoAction => "NO ACTION",
            FkAction::Restrict => "RESTRICT",
            FkAction::Cascade => "CASCADE",
            FkAction::SetNull => "SET NULL",
            FkAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A FOREIGN KEY constraint of a table (the referencing side).
#[derive(Clone, Debug, PartialEq)]
pub struct ForeignKeyDef {
    pub oid: u32,
    pub name: String,
    /// Referencing columns (positions from 0).
    pub columns: Vec<usize>,
    /// The referenced table's OID and columns (positions from 0).
    pub ref_table: u32,
    pub ref_columns: Vec<usize>,
    pub on_delete: FkAction,
    pub on_update: FkAction,
}

/// A CHECK constraint.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckDef {
    pub oid: u32,
    pub name: String,
    /// The condition as SQL text.
    pub expr: String,
}

impl Catalog {
    /// Adds a CHECK constraint to a table (its OID is chosen here).
    pub fn add_check(&self, table: &str, check: CheckDef, xid: Xid) -> Result<Arc<TableDef>> {
        self.add_constraint(table, &check.name.clone(), xid, |oid, table_oid| {
            let row = [
                Value::Int8(oid as i64),
                Value::Int8(table_oid as i64),
                Value::Text(check.name.clone()),
                Value::Text("c".to_string()),
                Value::Text(check.expr.clone()),
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
                Value::Null,
            ];
            let apply = move |t: &mut TableDef| t.checks.push(CheckDef { oid, ..check });
            (row, Box::new(apply) as Box<dyn FnOnce(&mut TableDef)>)
        })
    }

    /// Adds a FOREIGN KEY to a table (its OID is chosen here).
    pub fn add_foreign_key(
        &self,
        table: &str,
        fk: ForeignKeyDef,
        xid: Xid,
    ) -> Result<Arc<TableDef>> {
        let numbers = |cols: &[usize]| {
            let n: Vec<String> = cols.iter().map(|c| (c + 1).to_string()).collect();
            Value::Text(n.join(" "))
        };
        self.add_constraint(table, &fk.name.clone(), xid, |oid, table_oid| {
            let row = [
                Value::Int8(oid as i64),
                Value::Int8(table_oid as i64),
                Value::Text(fk.name.clone()),
                Value::Text("f".to_string()),
                Value::Null,
                Value::Int8(fk.ref_table as i64),
                numbers(&fk.columns),
                numbers(&fk.ref_columns),
                Value::Text(fk.on_update.code().to_string()),
                Value::Text(fk.on_delete.code().to_string()),
            ];
            let apply = move |t: &mut TableDef| t.foreign_keys.push(ForeignKeyDef { oid, ..fk });
            (row, Box::new(apply) as Box<dyn FnOnce(&mut TableDef)>)
        })
    }

    /// Stores a new constraint named `name` of `table`: `make` gives its
    /// row and how it changes the cached definition, for its new OID.
    #[allow(clippy::type_complexity)]
    fn add_constraint(
        &self,
        table: &str,
        name: &str,
        xid: Xid,
        make: impl FnOnce(u32, u32) -> ([Value; CONSTRAINT_WIDTH], Box<dyn FnOnce(&mut TableDef)>),
    ) -> Result<Arc<TableDef>> {
        let mut tables = self.tables.write();
        let old = tables
            .get(table)
            .cloned()
            .ok_or_else(|| crate::errinternal!("constraint on a missing table"))?;
        if has_constraint(&old, name) {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "constraint \"{name}\" for relation \"{table}\" already exists"
            ));
        }
        let oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        let (row, apply) = make(oid, old.oid);
        insert_row(&self.heap, CONSTRAINT_REL, xid, &row)?;
        let mut changed = (*old).clone();
        apply(&mut changed);
        let changed = Arc::new(changed);
        tables.insert(table.to_string(), changed.clone());
        Ok(changed)
    }

    /// The referenced table's unique index whose keys are a foreign key's
    /// referenced columns (in any order): what the key matches.
    pub fn referenced_index(&self, fk: &ForeignKeyDef) -> Option<super::IndexDef> {
        let mut wanted = fk.ref_columns.clone();
        wanted.sort_unstable();
        let table = self.table_of(RelId(fk.ref_table))?;
        let found = table.indexes.iter().find(|i| {
            let mut keys: Vec<Option<usize>> = i.ordered_keys().map(|k| k.column).collect();
            keys.sort_unstable();
            i.unique && keys == wanted.iter().map(|c| Some(*c)).collect::<Vec<_>>()
        });
        found.cloned()
    }

    /// The foreign keys that reference a table, with their tables.
    /// Runs for every UPDATE and DELETE: a scan of the cached tables
    /// that copies only what matches.
    pub fn referencing(&self, table_oid: u32) -> Vec<(Arc<TableDef>, ForeignKeyDef)> {
        let mut out = Vec::new();
        for t in self.tables.read().values() {
            for fk in &t.foreign_keys {
                if fk.ref_table == table_oid {
                    out.push((t.clone(), fk.clone()));
                }
            }
        }
        out.sort_by_key(|(_, fk)| fk.oid);
        out
    }

    /// Drops a CHECK or FOREIGN KEY constraint of a table by name.
    pub fn drop_constraint(&self, table: &str, name: &str, xid: Xid) -> Result<()> {
        let mut tables = self.tables.write();
        let old = tables
            .get(table)
            .cloned()
            .ok_or_else(|| crate::errinternal!("constraint of a missing table"))?;
        let oid = old
            .checks
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.oid)
            .or_else(|| {
                old.foreign_keys
                    .iter()
                    .find(|f| f.name == name)
                    .map(|f| f.oid)
            })
            .ok_or_else(|| crate::errinternal!("no constraint {name}"))?;
        let oid = Value::Int8(oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            CONSTRAINT_REL,
            CONSTRAINT_WIDTH,
            xid,
            |v| v[0] == oid,
        )?;
        let mut changed = (*old).clone();
        changed.checks.retain(|c| c.name != name);
        changed.foreign_keys.retain(|f| f.name != name);
        tables.insert(table.to_string(), Arc::new(changed));
        Ok(())
    }

    /// Forgets every constraint row of a table (DROP TABLE).
    pub(super) fn delete_constraints(&self, table_oid: u32, xid: Xid) -> Result<()> {
        let oid = Value::Int8(table_oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            CONSTRAINT_REL,
            CONSTRAINT_WIDTH,
            xid,
            |v| v[1] == oid,
        )
    }
}

/// Whether a table has a constraint of that name.
fn has_constraint(t: &TableDef, name: &str) -> bool {
    t.checks.iter().any(|c| c.name == name)
        || t.foreign_keys.iter().any(|f| f.name == name)
        || t.indexes
            .iter()
            .any(|i| (i.constraint || i.primary) && i.name == name)
}

/// A table's constraint read from flint_constraint.
pub(super) enum Stored {
    Check(CheckDef),
    ForeignKey(ForeignKeyDef),
}

/// Every constraint, with its table's OID, oldest first.
pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<Vec<(u32, Stored)>> {
    let mut out = Vec::new();
    for v in scan(heap, clog, CONSTRAINT_REL, CONSTRAINT_WIDTH)? {
        let (Value::Int8(oid), Value::Int8(table), Value::Text(name), Value::Text(kind)) =
            (&v[0], &v[1], &v[2], &v[3])
        else {
            return Err(corrupt("flint_constraint"));
        };
        let stored = match (kind.as_str(), &v[4]) {
            ("c", Value::Text(expr)) => Stored::Check(CheckDef {
                oid: *oid as u32,
                name: name.clone(),
                expr: expr.clone(),
            }),
            ("f", _) => {
                let (
                    Value::Int8(ref_table),
                    Value::Text(columns),
                    Value::Text(ref_columns),
                    Value::Text(on_update),
                    Value::Text(on_delete),
                ) = (&v[5], &v[6], &v[7], &v[8], &v[9])
                else {
                    return Err(corrupt("flint_constraint"));
                };
                let positions = |text: &str| -> Result<Vec<usize>> {
                    text.split(' ')
                        .map(|n| match n.parse::<usize>() {
                            Ok(n) if n > 0 => Ok(n - 1),
                            _ => Err(corrupt("flint_constraint")),
                        })
                        .collect()
                };
                let action = |code: &str| {
                    FkAction::from_code(code).ok_or_else(|| corrupt("flint_constraint"))
                };
                Stored::ForeignKey(ForeignKeyDef {
                    oid: *oid as u32,
                    name: name.clone(),
                    columns: positions(columns)?,
                    ref_table: *ref_table as u32,
                    ref_columns: positions(ref_columns)?,
                    on_delete: action(on_delete)?,
                    on_update: action(on_update)?,
                })
            }
            _ => return Err(corrupt("flint_constraint")),
        };
        out.push((*table as u32, stored));
    }
    out.sort_by_key(|(_, c)| match c {
        Stored::Check(c) => c.oid,
        Stored::ForeignKey(f) => f.oid,
    });
    Ok(out)
}
