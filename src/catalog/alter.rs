//! Catalog changes of ALTER TABLE that are not a column's attributes
//! (see `Catalog::update_column`): a new column and a new table name.

use std::sync::Arc;

use super::{
    attribute_row, class_row, delete_rows, insert_row, Catalog, ColumnDef, TableDef, CLASS_REL,
    CLASS_WIDTH, MAX_COLUMNS,
};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::types::Value;

impl Catalog {
    /// Appends a column to a table (rows stored before it read it as
    /// NULL until rewritten).
    pub fn add_column(&self, table: &str, column: ColumnDef, xid: Xid) -> Result<Arc<TableDef>> {
        let mut tables = self.tables.write();
        let (table, old) = super::names::find(&tables, table)
            .ok_or_else(|| crate::errinternal!("ADD COLUMN to a missing table"))?;
        if old.columns.len() >= MAX_COLUMNS {
            return Err(errinput!(
                sqlstate::TOO_MANY_COLUMNS,
                "tables can have at most {MAX_COLUMNS} columns"
            ));
        }
        let position = old.columns.len();
        insert_row(
            &self.heap,
            super::ATTRIBUTE_REL,
            xid,
            &attribute_row(old.oid, position, &column),
        )?;
        let mut changed = (*old).clone();
        changed.columns.push(column);
        let changed = Arc::new(changed);
        tables.insert(table, changed.clone());
        Ok(changed)
    }

    /// Renames a table (within its schema).
    pub fn rename_table(&self, from: &str, to: &str, xid: Xid) -> Result<()> {
        let old = self
            .get_table(from)
            .ok_or_else(|| crate::errinternal!("RENAME of a missing table"))?;
        let namespace = self.must_get_schema(&old.schema)?.oid;
        if self.relation_exists(&super::names::key(&old.schema, to)) {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{to}\" already exists"
            ));
        }
        let mut tables = self.tables.write();
        tables.remove(&old.key());
        let oid = Value::Int8(old.oid as i64);
        delete_rows(&self.heap, &self.clog, CLASS_REL, CLASS_WIDTH, xid, |v| {
            v[0] == oid
        })?;
        let mut changed = (*old).clone();
        changed.name = to.to_string();
        insert_row(&self.heap, CLASS_REL, xid, &class_row(&changed, namespace))?;
        tables.insert(changed.key(), Arc::new(changed));
        Ok(())
    }
}
