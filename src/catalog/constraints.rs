//! Table constraints other than NOT NULL and those an index enforces
//! (PRIMARY KEY, UNIQUE): CHECK constraints, kept as SQL text and bound
//! again wherever rows are written, like column defaults.
//!
//! ```text
//! relation 10  flint_constraint  (oid int8, conrelid int8, conname text,
//!                                 contype text: 'c', consrc text)
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
const CONSTRAINT_WIDTH: usize = 5;

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
    pub fn add_check(&self, table: &str, mut check: CheckDef, xid: Xid) -> Result<Arc<TableDef>> {
        let mut tables = self.tables.write();
        let old = tables
            .get(table)
            .cloned()
            .ok_or_else(|| crate::errinternal!("CHECK on a missing table"))?;
        if old.checks.iter().any(|c| c.name == check.name)
            || old
                .indexes
                .iter()
                .any(|i| i.constraint && i.name == check.name)
        {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "constraint \"{}\" for relation \"{table}\" already exists",
                check.name
            ));
        }
        check.oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        insert_row(
            &self.heap,
            CONSTRAINT_REL,
            xid,
            &[
                Value::Int8(check.oid as i64),
                Value::Int8(old.oid as i64),
                Value::Text(check.name.clone()),
                Value::Text("c".to_string()),
                Value::Text(check.expr.clone()),
            ],
        )?;
        let mut changed = (*old).clone();
        changed.checks.push(check);
        let changed = Arc::new(changed);
        tables.insert(table.to_string(), changed.clone());
        Ok(changed)
    }

    /// Drops a CHECK constraint of a table.
    pub fn drop_check(&self, table: &str, name: &str, xid: Xid) -> Result<()> {
        let mut tables = self.tables.write();
        let old = tables
            .get(table)
            .cloned()
            .ok_or_else(|| crate::errinternal!("CHECK on a missing table"))?;
        let Some(check) = old.checks.iter().find(|c| c.name == name) else {
            return Err(crate::errinternal!("no CHECK constraint {name}"));
        };
        let oid = Value::Int8(check.oid as i64);
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

/// Every CHECK constraint, with its table's OID, oldest first.
pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<Vec<(u32, CheckDef)>> {
    let mut out = Vec::new();
    for v in scan(heap, clog, CONSTRAINT_REL, CONSTRAINT_WIDTH)? {
        let (Value::Int8(oid), Value::Int8(table), Value::Text(name), Value::Text(kind)) =
            (&v[0], &v[1], &v[2], &v[3])
        else {
            return Err(corrupt("flint_constraint"));
        };
        let Value::Text(expr) = &v[4] else {
            return Err(corrupt("flint_constraint"));
        };
        if kind == "c" {
            out.push((
                *table as u32,
                CheckDef {
                    oid: *oid as u32,
                    name: name.clone(),
                    expr: expr.clone(),
                },
            ));
        }
    }
    out.sort_by_key(|(_, c)| c.oid);
    Ok(out)
}
