//! Schemas (namespaces): the built-in `pg_catalog`, `pg_toast`, `public`
//! and `information_schema`, and those CREATE SCHEMA makes, persisted in
//!
//! ```text
//! relation 14  flint_namespace  (oid int8, nspname text, nspowner int8,
//!                                nspdatabase int8: NULL is postgres)
//! ```
//! pg_catalog, pg_toast and information_schema belong to every database;
//! lookups by name see the current database's schemas (`names.rs`).
//! A relation or type outside `public` is keyed in the catalog's maps by
//! its qualified name (see `names.rs`).

use std::sync::atomic::Ordering;
use std::sync::Arc;

use super::acl::{CATALOG_SCHEMA_OID, DATABASE_OID, DATABASE_OWNER_ROLE, PUBLIC_SCHEMA_OID};
use super::roles::BOOTSTRAP_SUPERUSER_OID;
use super::{corrupt, delete_rows, insert_row, scan, Catalog, RelId};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the user schemas.
pub(super) const NAMESPACE_REL: RelId = RelId(14);
const NAMESPACE_WIDTH: usize = 4;
/// The schema that holds information_schema (PostgreSQL's OID varies).
pub const INFORMATION_SCHEMA_OID: u32 = 13_000;
/// The TOAST schema.
pub const TOAST_SCHEMA_OID: u32 = 99;
/// The prefix of a session's schema for temporary tables.
pub const TEMP_SCHEMA_PREFIX: &str = "pg_temp_";

/// A schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SchemaDef {
    pub oid: u32,
    pub name: String,
    pub owner: u32,
    /// The database it belongs to (0: every database).
    pub database: u32,
}

impl SchemaDef {
    /// Whether this is a session's schema of temporary tables.
    pub fn is_temp(&self) -> bool {
        self.name.starts_with(TEMP_SCHEMA_PREFIX)
    }

    /// Whether FlintDB made it (it cannot be dropped).
    pub fn is_builtin(&self) -> bool {
        builtin().iter().any(|s| s.oid == self.oid)
    }
}

/// The schemas every database has.
fn builtin() -> [SchemaDef; 4] {
    let schema = |oid, name: &str, owner, database| SchemaDef {
        oid,
        name: name.to_string(),
        owner,
        database,
    };
    [
        schema(CATALOG_SCHEMA_OID, "pg_catalog", BOOTSTRAP_SUPERUSER_OID, 0),
        schema(TOAST_SCHEMA_OID, "pg_toast", BOOTSTRAP_SUPERUSER_OID, 0),
        schema(
            PUBLIC_SCHEMA_OID,
            "public",
            DATABASE_OWNER_ROLE,
            DATABASE_OID,
        ),
        schema(
            INFORMATION_SCHEMA_OID,
            "information_schema",
            BOOTSTRAP_SUPERUSER_OID,
            0,
        ),
    ]
}

impl Catalog {
    /// The current database's schemas, built-in ones first, then by OID.
    pub fn schemas(&self) -> Arc<Vec<SchemaDef>> {
        let db = super::names::current_database();
        Arc::new(
            self.schemas
                .read()
                .iter()
                .filter(|s| s.database == 0 || s.database == db)
                .cloned()
                .collect(),
        )
    }

    /// Every database's schemas.
    pub fn all_schemas(&self) -> Arc<Vec<SchemaDef>> {
        self.schemas.read().clone()
    }

    /// A schema of the current database by name.
    pub fn schema_by_name(&self, name: &str) -> Option<SchemaDef> {
        let db = super::names::current_database();
        self.schemas
            .read()
            .iter()
            .find(|s| s.name == name && (s.database == 0 || s.database == db))
            .cloned()
    }

    /// A schema by OID.
    pub fn schema_by_oid(&self, oid: u32) -> Option<SchemaDef> {
        self.schemas.read().iter().find(|s| s.oid == oid).cloned()
    }

    /// A schema's OID by name (`public`'s for one that is gone).
    pub fn schema_oid(&self, name: &str) -> u32 {
        self.schema_by_name(name)
            .map_or(PUBLIC_SCHEMA_OID, |s| s.oid)
    }

    /// A schema by name, or 3F000.
    pub fn must_get_schema(&self, name: &str) -> Result<SchemaDef> {
        self.schema_by_name(name).ok_or_else(|| {
            errinput!(
                sqlstate::INVALID_SCHEMA_NAME,
                "schema \"{name}\" does not exist"
            )
        })
    }

    /// Creates a schema (its OID is chosen here).
    pub fn create_schema(&self, name: &str, owner: u32, xid: Xid) -> Result<SchemaDef> {
        if self.schema_by_name(name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_SCHEMA,
                "schema \"{name}\" already exists"
            ));
        }
        let def = SchemaDef {
            oid: self.next_oid.fetch_add(1, Ordering::AcqRel),
            name: name.to_string(),
            owner,
            database: super::names::current_database(),
        };
        self.insert_schema(def.clone(), xid)?;
        Ok(def)
    }

    /// Stores a new schema.
    pub(super) fn insert_schema(&self, def: SchemaDef, xid: Xid) -> Result<()> {
        insert_row(&self.heap, NAMESPACE_REL, xid, &schema_row(&def))?;
        Arc::make_mut(&mut self.schemas.write()).push(def);
        Ok(())
    }

    /// Removes an (emptied) schema's row.
    pub fn drop_schema(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut all = self.schemas.write();
        let key = Value::Int8(oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            NAMESPACE_REL,
            NAMESPACE_WIDTH,
            xid,
            |v| v[0] == key,
        )?;
        self.forget_acls(oid, xid)?;
        self.forget_descriptions(oid, xid)?;
        Arc::make_mut(&mut all).retain(|s| s.oid != oid);
        Ok(())
    }

    /// The schema a relation's or type's namespace OID names (`public`
    /// for one FlintDB cannot find).
    pub(super) fn schema_of(schemas: &[SchemaDef], oid: u32) -> (String, u32) {
        schemas.iter().find(|s| s.oid == oid).map_or_else(
            || ("public".to_string(), DATABASE_OID),
            |s| (s.name.clone(), s.database),
        )
    }
}

fn schema_row(def: &SchemaDef) -> [Value; NAMESPACE_WIDTH] {
    [
        Value::Int8(def.oid as i64),
        Value::Text(def.name.clone()),
        Value::Int8(def.owner as i64),
        Value::Int8(def.database as i64),
    ]
}

/// The built-in schemas and the stored ones.
pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<Vec<SchemaDef>> {
    let mut all = builtin().to_vec();
    let mut stored = Vec::new();
    for v in scan(heap, clog, NAMESPACE_REL, NAMESPACE_WIDTH)? {
        match (&v[0], &v[1], &v[2]) {
            (Value::Int8(oid), Value::Text(name), Value::Int8(owner)) => stored.push(SchemaDef {
                oid: *oid as u32,
                name: name.clone(),
                owner: *owner as u32,
                database: match v[3] {
                    Value::Int8(db) => db as u32,
                    _ => DATABASE_OID,
                },
            }),
            _ => return Err(corrupt("flint_namespace")),
        }
    }
    stored.sort_by_key(|s| s.oid);
    all.extend(stored);
    Ok(all)
}
