//! Views: a name, its columns and the query text (kept as SQL and bound
//! again wherever the view is used), stored in flint_class (with
//! `relviewdef`) and flint_attribute like a table's, without a relation
//! of their own.

use std::sync::Arc;

use super::{
    attribute_row, delete_rows, insert_row, Catalog, ColumnDef, ATTRIBUTE_REL, ATTRIBUTE_WIDTH,
    CLASS_REL, CLASS_WIDTH,
};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::types::Value;

/// A view.
#[derive(Clone, Debug)]
pub struct ViewDef {
    pub oid: u32,
    pub name: String,
    /// The schema's name.
    pub schema: String,
    /// The database of the schema.
    pub database: u32,
    pub columns: Vec<ColumnDef>,
    /// The query, as SQL text.
    pub definition: String,
    pub owner: u32,
}

impl ViewDef {
    /// The view's key in the catalog's maps.
    pub fn key(&self) -> String {
        super::names::key_in(self.database, &self.schema, &self.name)
    }
}

impl Catalog {
    /// The view of that name (found along the search path) or key.
    pub fn get_view(&self, name: &str) -> Option<Arc<ViewDef>> {
        super::names::find(&self.views.read(), name).map(|(_, v)| v)
    }

    /// The current database's views, by name.
    pub fn views(&self) -> Vec<Arc<ViewDef>> {
        let db = super::names::current_database();
        let mut all: Vec<_> = self
            .views
            .read()
            .values()
            .filter(|v| v.database == db)
            .cloned()
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Creates a view in `schema`, or (`replace`) gives an existing one a
    /// new query.
    #[allow(clippy::too_many_arguments)]
    pub fn create_view(
        &self,
        schema: &str,
        name: &str,
        columns: Vec<ColumnDef>,
        definition: String,
        owner: u32,
        replace: bool,
        xid: Xid,
    ) -> Result<Arc<ViewDef>> {
        let key = super::names::key(schema, name);
        let namespace = self.must_get_schema(schema)?.oid;
        // (index_by_key takes the tables' lock itself: it goes first, so
        // no read guard is held across it.)
        if self.index_by_key(&key).is_some()
            || self.tables.read().contains_key(&key)
            || self.sequences.read().contains_key(&key)
        {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{name}\" already exists"
            ));
        }
        let existing = self.views.read().get(&key).cloned();
        let oid = match &existing {
            Some(_) if !replace => {
                return Err(errinput!(
                    sqlstate::DUPLICATE_TABLE,
                    "relation \"{name}\" already exists"
                ))
            }
            Some(old) => {
                check_replacement(old, &columns)?;
                self.delete_relation_rows(old.oid, xid)?;
                old.oid
            }
            None => self
                .next_oid
                .fetch_add(1, std::sync::atomic::Ordering::AcqRel),
        };
        let owner = existing.as_ref().map_or(owner, |v| v.owner);
        let view = ViewDef {
            oid,
            name: name.to_string(),
            schema: schema.to_string(),
            database: super::names::current_database(),
            columns,
            definition,
            owner,
        };
        let row: [Value; CLASS_WIDTH] = [
            Value::Int8(oid as i64),
            Value::Text(view.name.clone()),
            Value::Int8(owner as i64),
            Value::Text(view.definition.clone()),
            Value::Int8(namespace as i64),
        ];
        insert_row(&self.heap, CLASS_REL, xid, &row)?;
        for (i, c) in view.columns.iter().enumerate() {
            insert_row(&self.heap, ATTRIBUTE_REL, xid, &attribute_row(oid, i, c))?;
        }
        let view = Arc::new(view);
        self.views.write().insert(key, view.clone());
        Ok(view)
    }

    /// Drops a view.
    pub fn drop_view(&self, name: &str, xid: Xid) -> Result<()> {
        let view = self.get_view(name).ok_or_else(|| {
            errinput!(sqlstate::UNDEFINED_TABLE, "view \"{name}\" does not exist")
        })?;
        self.delete_relation_rows(view.oid, xid)?;
        self.forget_acls(view.oid, xid)?;
        self.forget_descriptions(view.oid, xid)?;
        self.views.write().remove(&view.key());
        Ok(())
    }

    /// Deletes a table's or view's flint_class and flint_attribute rows.
    pub(super) fn delete_relation_rows(&self, oid: u32, xid: Xid) -> Result<()> {
        let oid = Value::Int8(oid as i64);
        delete_rows(&self.heap, &self.clog, CLASS_REL, CLASS_WIDTH, xid, |v| {
            v[0] == oid
        })?;
        delete_rows(
            &self.heap,
            &self.clog,
            ATTRIBUTE_REL,
            ATTRIBUTE_WIDTH,
            xid,
            |v| v[0] == oid,
        )
    }
}

/// CREATE OR REPLACE VIEW may only add columns at the end, as in
/// PostgreSQL.
fn check_replacement(old: &ViewDef, new: &[ColumnDef]) -> Result<()> {
    if new.len() < old.columns.len() {
        return Err(errinput!(
            sqlstate::INVALID_TABLE_DEFINITION,
            "cannot drop columns from view"
        ));
    }
    for (o, n) in old.columns.iter().zip(new) {
        if o.name != n.name {
            return Err(errinput!(
                sqlstate::INVALID_TABLE_DEFINITION,
                "cannot change name of view column \"{}\" to \"{}\"",
                o.name,
                n.name
            )
            .with_hint(
                "Use ALTER VIEW ... RENAME COLUMN ... to change name of view column instead.",
            ));
        }
        if o.ty.data_type != n.ty.data_type {
            return Err(errinput!(
                sqlstate::INVALID_TABLE_DEFINITION,
                "cannot change data type of view column \"{}\" from {} to {}",
                o.name,
                o.ty.data_type.sql_name(),
                n.ty.data_type.sql_name()
            ));
        }
    }
    Ok(())
}
