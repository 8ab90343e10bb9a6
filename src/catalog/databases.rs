//! Databases: `postgres` and those CREATE DATABASE makes, persisted in
//!
//! ```text
//! relation 15  flint_database  (oid int8, datname text, datdba int8)
//! ```
//! A database is a set of schemas (each has its `public`; pg_catalog,
//! pg_toast and information_schema belong to all). Roles are shared, as
//! in PostgreSQL. A session works in the database it connected to
//! (`names::SearchPath::database`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::acl::{DATABASE_OID, DATABASE_OWNER_ROLE};
use super::roles::BOOTSTRAP_SUPERUSER_OID;
use super::schemas::SchemaDef;
use super::{corrupt, delete_rows, insert_row, scan, Catalog, RelId};
use crate::errinput;
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the databases CREATE DATABASE made.
pub(super) const DATABASE_REL: RelId = RelId(15);
const DATABASE_WIDTH: usize = 3;

/// A database.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseDef {
    pub oid: u32,
    pub name: String,
    pub owner: u32,
}

impl Catalog {
    /// Every database, `postgres` first.
    pub fn databases(&self) -> Arc<Vec<DatabaseDef>> {
        self.databases.read().clone()
    }

    /// A database by name.
    pub fn database_by_name(&self, name: &str) -> Option<DatabaseDef> {
        self.databases
            .read()
            .iter()
            .find(|d| d.name == name)
            .cloned()
    }

    /// A database by OID.
    pub fn database_by_oid(&self, oid: u32) -> Option<DatabaseDef> {
        self.databases.read().iter().find(|d| d.oid == oid).cloned()
    }

    /// Creates a database (its OID chosen here) with its `public` schema.
    pub fn create_database(&self, name: &str, owner: u32, xid: Xid) -> Result<DatabaseDef> {
        let mut all = self.databases.write();
        if all.iter().any(|d| d.name == name) {
            return Err(errinput!("42P04", "database \"{name}\" already exists"));
        }
        let def = DatabaseDef {
            oid: self.next_oid.fetch_add(1, Ordering::AcqRel),
            name: name.to_string(),
            owner,
        };
        insert_row(
            &self.heap,
            DATABASE_REL,
            xid,
            &[
                Value::Int8(def.oid as i64),
                Value::Text(def.name.clone()),
                Value::Int8(def.owner as i64),
            ],
        )?;
        self.insert_schema(
            SchemaDef {
                oid: self.next_oid.fetch_add(1, Ordering::AcqRel),
                name: "public".to_string(),
                owner: DATABASE_OWNER_ROLE,
                database: def.oid,
            },
            xid,
        )?;
        Arc::make_mut(&mut all).push(def.clone());
        Ok(def)
    }

    /// Removes a database's row (its schemas were dropped first).
    pub fn drop_database(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut all = self.databases.write();
        let key = Value::Int8(oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            DATABASE_REL,
            DATABASE_WIDTH,
            xid,
            |v| v[0] == key,
        )?;
        self.forget_acls(oid, xid)?;
        self.forget_descriptions(oid, xid)?;
        Arc::make_mut(&mut all).retain(|d| d.oid != oid);
        Ok(())
    }
}

/// `postgres` and the stored databases.
pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<Vec<DatabaseDef>> {
    let mut all = vec![DatabaseDef {
        oid: DATABASE_OID,
        name: "postgres".to_string(),
        owner: BOOTSTRAP_SUPERUSER_OID,
    }];
    let mut stored = Vec::new();
    for v in scan(heap, clog, DATABASE_REL, DATABASE_WIDTH)? {
        match (&v[0], &v[1], &v[2]) {
            (Value::Int8(oid), Value::Text(name), Value::Int8(owner)) => stored.push(DatabaseDef {
                oid: *oid as u32,
                name: name.clone(),
                owner: *owner as u32,
            }),
            _ => return Err(corrupt("flint_database")),
        }
    }
    stored.sort_by_key(|d| d.oid);
    all.extend(stored);
    Ok(all)
}
