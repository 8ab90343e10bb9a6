//! The system catalog: tables, their columns and their indexes, persisted
//! in system heap relations so a restart finds every table again.
//!
//! ```text
//! relation 1  flint_class      (oid int8, relname text, relowner int8,
//!                               relviewdef text: a view's query, else NULL)
//! relation 2  flint_attribute  (attrelid int8, attnum int2, attname text,
//!                               atttypid int4, atttypmod int4,
//!                               attnotnull bool, attdefault text)
//! ```
//! and relations 3 and 4 for indexes (see `index.rs`), 5 for ANALYZE's
//! statistics (see `stats.rs`), 6 and 7 for roles (see `roles.rs`), 8
//! for access privileges (see `acl.rs`). A table without `relowner`
//! (written before owners existed) belongs to the bootstrap superuser.
//! A user table's or index's relation number is its OID (from 16384, like PostgreSQL).
//! Column defaults are kept as SQL text and bound again when used. The
//! in-memory map is the cache; the system relations are the truth, read by
//! [`Catalog::load`]. Names are stored as given (already case-folded by the
//! binder).

pub mod acl;
pub mod backends;
mod index;
mod privileges;
pub mod roles;
mod stats;
mod views;

pub use acl::{AclItem, AclObject, Privs};
pub use index::{IndexDef, IndexKey};
pub use roles::{Membership, RoleDef, Roles};
pub use stats::{ColumnStats, TableStats};
pub use views::ViewDef;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

use crate::encoding::row;
use crate::errinput;
use crate::error::{sqlstate, Error, Result};
use crate::storage::btree::BTree;
use crate::storage::heap::{Heap, Xid};
use crate::storage::toast;
use crate::storage::RelId;
use crate::txn::{self, Clog};
use crate::types::{ColumnType, DataType, Value};

/// Relation of the table list.
const CLASS_REL: RelId = RelId(1);
/// Relation of the column list.
const ATTRIBUTE_REL: RelId = RelId(2);
/// First OID given to a user table.
pub const FIRST_USER_OID: u32 = 16384;
/// Most columns a table may have, as in PostgreSQL.
pub const MAX_COLUMNS: usize = 1600;

/// A column of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct ColumnDef {
    pub name: String,
    pub ty: ColumnType,
    pub not_null: bool,
    /// The DEFAULT expression as SQL text.
    pub default: Option<String>,
}

/// A table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableDef {
    pub oid: u32,
    pub name: String,
    pub columns: Vec<ColumnDef>,
    /// Indexes, oldest first.
    pub indexes: Vec<IndexDef>,
    /// The owning role's OID.
    pub owner: u32,
}

impl TableDef {
    /// The table's heap relation.
    pub fn rel(&self) -> RelId {
        RelId(self.oid)
    }

    /// The position of a column by name.
    pub fn column_index(&self, name: &str) -> Option<usize> {
        self.columns.iter().position(|c| c.name == name)
    }
}

/// The catalog: a cache of the system relations.
pub struct Catalog {
    heap: Arc<Heap>,
    btree: Arc<BTree>,
    clog: Arc<Clog>,
    tables: RwLock<HashMap<String, Arc<TableDef>>>,
    /// Views by name (they have no relation of their own).
    views: RwLock<HashMap<String, Arc<ViewDef>>>,
    /// ANALYZE's statistics, by table OID.
    stats: RwLock<HashMap<u32, Arc<TableStats>>>,
    /// Roles and memberships (replaced whole on change).
    roles: RwLock<Arc<Roles>>,
    /// Explicit ACLs (replaced whole on change).
    acls: RwLock<Arc<acl::Acls>>,
    /// The next table OID. Never reused while the server runs: a dropped
    /// table's file is removed only at commit, so a table created in the
    /// same transaction must not get its number. Seeded from the catalog
    /// and from the relation files on disk.
    next_oid: AtomicU32,
    /// The live sessions: not stored, but what pg_stat_activity shows.
    backends: Arc<backends::Backends>,
}

impl Catalog {
    /// The live sessions.
    pub fn backends(&self) -> &Arc<backends::Backends> {
        &self.backends
    }

    /// Reads the catalog from the system relations, creating them in a new
    /// database.
    pub fn load(heap: Arc<Heap>, btree: Arc<BTree>, clog: Arc<Clog>) -> Result<Catalog> {
        for rel in SYSTEM_RELS {
            heap.pool().files().create(rel)?;
        }
        let (tables, views) = read_tables(&heap, &clog)?;
        let stats = stats::read(&heap, &clog)?;
        let roles = roles::read(&heap, &clog)?;
        let acls = acl::read(&heap, &clog)?;
        let newest_table = tables
            .values()
            .flat_map(|t| std::iter::once(t.oid).chain(t.indexes.iter().map(|i| i.oid)))
            .chain(views.values().map(|v| v.oid))
            .chain(roles.roles.iter().map(|r| r.oid))
            .max()
            .unwrap_or(0);
        let newest_file = heap.pool().files().max_relation()?.map_or(0, |r| r.0);
        let next_oid = (newest_table.max(newest_file) + 1).max(FIRST_USER_OID);
        Ok(Catalog {
            heap,
            btree,
            clog,
            stats: RwLock::new(stats),
            tables: RwLock::new(tables),
            views: RwLock::new(views),
            roles: RwLock::new(Arc::new(roles)),
            acls: RwLock::new(Arc::new(acls)),
            next_oid: AtomicU32::new(next_oid),
            backends: Arc::default(),
        })
    }

    /// Reads the tables again from the system relations (after a rollback
    /// undid DDL).
    pub fn reload(&self) -> Result<()> {
        let (tables, views) = read_tables(&self.heap, &self.clog)?;
        *self.tables.write() = tables;
        *self.views.write() = views;
        *self.stats.write() = stats::read(&self.heap, &self.clog)?;
        *self.roles.write() = Arc::new(roles::read(&self.heap, &self.clog)?);
        *self.acls.write() = Arc::new(acl::read(&self.heap, &self.clog)?);
        Ok(())
    }

    /// Every role and membership.
    pub fn roles(&self) -> Arc<Roles> {
        self.roles.read().clone()
    }

    /// Creates a role; its OID is chosen here unless `role.oid` is set
    /// (the bootstrap superuser's 10).
    pub fn create_role(&self, mut role: RoleDef, xid: Xid) -> Result<RoleDef> {
        let mut cache = self.roles.write();
        if cache.by_name(&role.name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "role \"{}\" already exists",
                role.name
            ));
        }
        if role.oid == 0 {
            role.oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        }
        roles::insert(&self.heap, &role, xid)?;
        Arc::make_mut(&mut cache).roles.push(role.clone());
        Ok(role)
    }

    /// Replaces a role's attributes (found by OID).
    pub fn update_role(&self, role: RoleDef, xid: Xid) -> Result<()> {
        let mut cache = self.roles.write();
        if cache
            .roles
            .iter()
            .any(|r| r.name == role.name && r.oid != role.oid)
        {
            return Err(errinput!(
                sqlstate::DUPLICATE_OBJECT,
                "role \"{}\" already exists",
                role.name
            ));
        }
        roles::update(&self.heap, &self.clog, &role, xid)?;
        let all = Arc::make_mut(&mut cache);
        if let Some(r) = all.roles.iter_mut().find(|r| r.oid == role.oid) {
            *r = role;
        }
        Ok(())
    }

    /// Drops a role and its memberships both ways.
    pub fn drop_role(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut cache = self.roles.write();
        roles::remove(&self.heap, &self.clog, oid, xid)?;
        roles::remove_members(&self.heap, &self.clog, xid, |r, m| r == oid || m == oid)?;
        let all = Arc::make_mut(&mut cache);
        all.roles.retain(|r| r.oid != oid);
        all.members.retain(|e| e.role != oid && e.member != oid);
        Ok(())
    }

    /// Makes `m.member` a member of `m.role` (replacing an existing grant).
    pub fn grant_role(&self, m: Membership, xid: Xid) -> Result<()> {
        let mut cache = self.roles.write();
        roles::remove_members(&self.heap, &self.clog, xid, |r, mm| {
            r == m.role && mm == m.member
        })?;
        roles::insert_member(&self.heap, &m, xid)?;
        let all = Arc::make_mut(&mut cache);
        all.members
            .retain(|e| !(e.role == m.role && e.member == m.member));
        all.members.push(m);
        Ok(())
    }

    /// Ends `member`'s membership of `role`.
    pub fn revoke_role(&self, role: u32, member: u32, xid: Xid) -> Result<()> {
        let mut cache = self.roles.write();
        roles::remove_members(&self.heap, &self.clog, xid, |r, m| r == role && m == member)?;
        Arc::make_mut(&mut cache)
            .members
            .retain(|e| !(e.role == role && e.member == member));
        Ok(())
    }

    /// A table by name.
    pub fn get_table(&self, name: &str) -> Option<Arc<TableDef>> {
        self.tables.read().get(name).cloned()
    }

    /// A table by name, or 42P01.
    pub fn must_get_table(&self, name: &str) -> Result<Arc<TableDef>> {
        self.get_table(name).ok_or_else(|| {
            errinput!(
                sqlstate::UNDEFINED_TABLE,
                "relation \"{name}\" does not exist"
            )
        })
    }

    /// Every heap relation: the system catalog's and each table's (a
    /// table's TOAST relation goes with it).
    pub fn relations(&self) -> Vec<RelId> {
        let mut rels = SYSTEM_RELS.to_vec();
        rels.extend(self.tables.read().values().map(|t| t.rel()));
        rels
    }

    /// Statistics of a table, if it was ever analyzed.
    pub fn stats(&self, table_oid: u32) -> Option<Arc<TableStats>> {
        self.stats.read().get(&table_oid).cloned()
    }

    /// Records ANALYZE's statistics of a table.
    pub fn set_stats(&self, table_oid: u32, stats: TableStats, xid: Xid) -> Result<()> {
        stats::write(&self.heap, &self.clog, table_oid, &stats, xid)?;
        self.stats.write().insert(table_oid, Arc::new(stats));
        Ok(())
    }

    /// Pages in a relation now (0 if it cannot be read): the planner's
    /// size estimate.
    pub fn relation_pages(&self, rel: RelId) -> u32 {
        self.heap.nblocks(rel).unwrap_or(0)
    }

    /// The table a heap relation belongs to.
    pub fn table_of(&self, rel: RelId) -> Option<Arc<TableDef>> {
        self.tables
            .read()
            .values()
            .find(|t| t.rel() == rel)
            .cloned()
    }

    /// Whether a table or index has this name (they share one namespace).
    pub fn relation_exists(&self, name: &str) -> bool {
        self.find_index(name).is_some() || self.get_table(name).is_some()
    }

    /// An index by name, with its table.
    pub fn find_index(&self, name: &str) -> Option<(Arc<TableDef>, IndexDef)> {
        self.tables.read().values().find_map(|t| {
            t.indexes
                .iter()
                .find(|i| i.name == name)
                .map(|i| (t.clone(), i.clone()))
        })
    }

    /// Adds an index to a table and creates its empty B+tree (the caller
    /// fills it). The OID is chosen here.
    pub fn create_index(&self, mut index: IndexDef, xid: Xid) -> Result<IndexDef> {
        if self.relation_exists(&index.name) {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{}\" already exists",
                index.name
            ));
        }
        let mut tables = self.tables.write();
        let table = tables
            .values()
            .find(|t| t.oid == index.table_oid)
            .cloned()
            .ok_or_else(|| crate::errinternal!("index of a missing table"))?;
        index.oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        self.btree.create(index.rel(), xid)?;
        index::insert_index_rows(&self.heap, &index, xid)?;
        let mut changed = (*table).clone();
        changed.indexes.push(index.clone());
        tables.insert(changed.name.clone(), Arc::new(changed));
        Ok(index)
    }

    /// Drops an index; returns its relation, whose file the caller removes
    /// once the drop has committed.
    pub fn drop_index(&self, name: &str, xid: Xid) -> Result<RelId> {
        let (table, index) = self.find_index(name).ok_or_else(|| {
            errinput!(
                sqlstate::UNDEFINED_OBJECT,
                "index \"{name}\" does not exist"
            )
        })?;
        let oid = Value::Int8(index.oid as i64);
        delete_rows(&self.heap, &self.clog, index::INDEX_REL, 7, xid, |v| {
            v[0] == oid
        })?;
        delete_rows(&self.heap, &self.clog, index::INDEX_KEY_REL, 7, xid, |v| {
            v[0] == oid
        })?;
        let mut changed = (*table).clone();
        changed.indexes.retain(|i| i.oid != index.oid);
        self.tables
            .write()
            .insert(changed.name.clone(), Arc::new(changed));
        Ok(index.rel())
    }

    /// Replaces a column's definition (ALTER TABLE … SET NOT NULL and the
    /// NOT NULL a primary key adds).
    pub fn update_column(
        &self,
        table: &str,
        position: usize,
        column: ColumnDef,
        xid: Xid,
    ) -> Result<Arc<TableDef>> {
        let mut tables = self.tables.write();
        let old = tables
            .get(table)
            .cloned()
            .ok_or_else(|| crate::errinternal!("update of a column of a missing table"))?;
        let oid = Value::Int8(old.oid as i64);
        let num = Value::Int2(position as i16 + 1);
        delete_rows(&self.heap, &self.clog, ATTRIBUTE_REL, 7, xid, |v| {
            v[0] == oid && v[1] == num
        })?;
        insert_row(
            &self.heap,
            ATTRIBUTE_REL,
            xid,
            &attribute_row(old.oid, position, &column),
        )?;
        let mut changed = (*old).clone();
        changed.columns[position] = column;
        let changed = Arc::new(changed);
        tables.insert(table.to_string(), changed.clone());
        Ok(changed)
    }

    /// All tables, by name.
    pub fn tables(&self) -> Vec<Arc<TableDef>> {
        let mut all: Vec<_> = self.tables.read().values().cloned().collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all
    }

    /// Creates a table (its OID is chosen here) and its empty relation.
    pub fn create_table(
        &self,
        name: &str,
        columns: Vec<ColumnDef>,
        owner: u32,
        xid: Xid,
    ) -> Result<Arc<TableDef>> {
        if self.find_index(name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{name}\" already exists"
            ));
        }
        let mut tables = self.tables.write();
        if tables.contains_key(name) || self.get_view(name).is_some() {
            return Err(errinput!(
                sqlstate::DUPLICATE_TABLE,
                "relation \"{name}\" already exists"
            ));
        }
        if columns.len() > MAX_COLUMNS {
            return Err(errinput!(
                sqlstate::TOO_MANY_COLUMNS,
                "tables can have at most {MAX_COLUMNS} columns"
            ));
        }
        let oid = self.next_oid.fetch_add(1, Ordering::AcqRel);
        let table = TableDef {
            oid,
            name: name.to_string(),
            columns,
            indexes: Vec::new(),
            owner,
        };
        self.heap.create(table.rel(), xid)?;
        self.heap.create(toast::toast_rel(table.rel()), xid)?;
        insert_row(&self.heap, CLASS_REL, xid, &class_row(&table))?;
        for (i, c) in table.columns.iter().enumerate() {
            insert_row(&self.heap, ATTRIBUTE_REL, xid, &attribute_row(oid, i, c))?;
        }
        let table = Arc::new(table);
        tables.insert(name.to_string(), table.clone());
        Ok(table)
    }

    /// Drops a table and its indexes from the catalog; returns their
    /// relations, whose files the caller removes once the drop has
    /// committed.
    pub fn drop_table(&self, name: &str, xid: Xid) -> Result<Vec<RelId>> {
        let table = self.get_table(name).ok_or_else(|| {
            errinput!(sqlstate::UNDEFINED_TABLE, "table \"{name}\" does not exist")
        })?;
        let mut rels = Vec::new();
        for index in &table.indexes {
            rels.push(self.drop_index(&index.name, xid)?);
        }
        let mut tables = self.tables.write();
        let oid = Value::Int8(table.oid as i64);
        delete_rows(&self.heap, &self.clog, CLASS_REL, CLASS_WIDTH, xid, |v| {
            v[0] == oid
        })?;
        self.forget_acls(table.oid, xid)?;
        delete_rows(&self.heap, &self.clog, ATTRIBUTE_REL, 7, xid, |v| {
            v[0] == oid
        })?;
        stats::delete(&self.heap, &self.clog, table.oid, xid)?;
        self.stats.write().remove(&table.oid);
        tables.remove(name);
        rels.push(table.rel());
        rels.push(toast::toast_rel(table.rel()));
        Ok(rels)
    }
}

/// The system relations.
const SYSTEM_RELS: [RelId; 8] = [
    CLASS_REL,
    ATTRIBUTE_REL,
    index::INDEX_REL,
    index::INDEX_KEY_REL,
    stats::STATISTIC_REL,
    roles::AUTHID_REL,
    roles::AUTH_MEMBERS_REL,
    acl::ACL_REL,
];

/// Columns of `flint_class`.
const CLASS_WIDTH: usize = 4;

fn class_row(table: &TableDef) -> [Value; CLASS_WIDTH] {
    [
        Value::Int8(table.oid as i64),
        Value::Text(table.name.clone()),
        Value::Int8(table.owner as i64),
        Value::Null,
    ]
}

fn attribute_row(table_oid: u32, position: usize, c: &ColumnDef) -> [Value; 7] {
    [
        Value::Int8(table_oid as i64),
        Value::Int2(position as i16 + 1),
        Value::Text(c.name.clone()),
        Value::Int4(c.ty.data_type.oid() as i32),
        Value::Int4(c.ty.typmod),
        Value::Bool(c.not_null),
        c.default.clone().map_or(Value::Null, Value::Text),
    ]
}

/// The tables and the views, by name.
type Relations = (
    HashMap<String, Arc<TableDef>>,
    HashMap<String, Arc<ViewDef>>,
);

fn read_tables(heap: &Heap, clog: &Clog) -> Result<Relations> {
    let mut tables: HashMap<u32, TableDef> = HashMap::new();
    let mut definitions: HashMap<u32, String> = HashMap::new();
    for values in scan(heap, clog, CLASS_REL, CLASS_WIDTH)? {
        match (&values[0], &values[1]) {
            (Value::Int8(oid), Value::Text(name)) => {
                let oid = *oid as u32;
                if let Value::Text(definition) = &values[3] {
                    definitions.insert(oid, definition.clone());
                }
                let owner = match values[2] {
                    Value::Int8(owner) => owner as u32,
                    _ => roles::BOOTSTRAP_SUPERUSER_OID,
                };
                tables.insert(
                    oid,
                    TableDef {
                        oid,
                        name: name.clone(),
                        columns: Vec::new(),
                        indexes: Vec::new(),
                        owner,
                    },
                );
            }
            _ => return Err(corrupt("flint_class")),
        }
    }
    let mut columns: Vec<(u32, i16, ColumnDef)> = Vec::new();
    for values in scan(heap, clog, ATTRIBUTE_REL, 7)? {
        let (
            Value::Int8(rel),
            Value::Int2(num),
            Value::Text(name),
            Value::Int4(typ),
            Value::Int4(typmod),
            Value::Bool(not_null),
        ) = (
            &values[0], &values[1], &values[2], &values[3], &values[4], &values[5],
        )
        else {
            return Err(corrupt("flint_attribute"));
        };
        let data_type =
            DataType::from_oid(*typ as u32).ok_or_else(|| corrupt("flint_attribute"))?;
        let default = match &values[6] {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        };
        let ty = ColumnType {
            data_type,
            typmod: *typmod,
        };
        columns.push((
            *rel as u32,
            *num,
            ColumnDef {
                name: name.clone(),
                ty,
                not_null: *not_null,
                default,
            },
        ));
    }
    columns.sort_by_key(|(rel, num, _)| (*rel, *num));
    for (rel, _, column) in columns {
        tables
            .get_mut(&rel)
            .ok_or_else(|| corrupt("flint_attribute"))?
            .columns
            .push(column);
    }
    let mut indexes = index::read_indexes(heap, clog)?;
    indexes.sort_by_key(|i| i.oid);
    for i in indexes {
        tables
            .get_mut(&i.table_oid)
            .ok_or_else(|| corrupt("flint_index"))?
            .indexes
            .push(i);
    }
    let mut views = HashMap::new();
    let mut by_name = HashMap::new();
    for t in tables.into_values() {
        match definitions.remove(&t.oid) {
            Some(definition) => {
                let view = ViewDef {
                    oid: t.oid,
                    name: t.name.clone(),
                    columns: t.columns,
                    definition,
                    owner: t.owner,
                };
                views.insert(view.name.clone(), Arc::new(view));
            }
            None => {
                by_name.insert(t.name.clone(), Arc::new(t));
            }
        }
    }
    Ok((by_name, views))
}

fn corrupt(what: &str) -> Error {
    Error::Corrupted(format!("system catalog {what} is malformed"))
}

fn insert_row(heap: &Heap, rel: RelId, xid: Xid, values: &[Value]) -> Result<()> {
    let mut buf = Vec::new();
    row::encode(values, &mut buf);
    heap.insert(rel, xid, &buf)?;
    Ok(())
}

fn scan(heap: &Heap, clog: &Clog, rel: RelId, width: usize) -> Result<Vec<Vec<Value>>> {
    let mut out = Vec::new();
    for block in 0..heap.nblocks(rel)? {
        for tuple in heap.read_page(rel, block)? {
            if txn::is_visible_latest(&tuple.header, clog) {
                out.push(row::decode(&tuple.data, width)?);
            }
        }
    }
    Ok(out)
}

fn delete_rows(
    heap: &Heap,
    clog: &Clog,
    rel: RelId,
    width: usize,
    xid: Xid,
    matches: impl Fn(&[Value]) -> bool,
) -> Result<()> {
    for block in 0..heap.nblocks(rel)? {
        for tuple in heap.read_page(rel, block)? {
            if txn::is_visible_latest(&tuple.header, clog)
                && matches(&row::decode(&tuple.data, width)?)
            {
                heap.delete(rel, tuple.tid, xid)?;
            }
        }
    }
    Ok(())
}
