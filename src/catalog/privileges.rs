//! What a role may do: owners, ACLs and role membership put together the
//! way PostgreSQL's `aclchk.c` does. Superusers may do everything; a
//! role has the privileges granted to itself, to PUBLIC and to the roles
//! it inherits from; ownership counts for every role that has the
//! owner's privileges.

use std::sync::Arc;

use super::acl::{self, AclItem, AclObject, Privs};
use super::{class_row, delete_rows, insert_row, Catalog, TableDef, CLASS_REL, CLASS_WIDTH};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::Xid;
use crate::types::Value;

impl Catalog {
    /// An object's explicit ACL; None while it has its default (the
    /// `public` schema starts with PostgreSQL 15's explicit one).
    pub fn acl_of(&self, object: AclObject) -> Option<Vec<AclItem>> {
        if let Some(items) = self.acls.read().get(&acl::key(object)) {
            return Some(items.clone());
        }
        match object {
            AclObject::Schema(acl::PUBLIC_SCHEMA_OID) => {
                let owner = acl::DATABASE_OWNER_ROLE;
                let mut items = object.default_acl(owner);
                acl::grant(&mut items, acl::PUBLIC, owner, Privs::USAGE, false);
                Some(items)
            }
            _ => None,
        }
    }

    /// An object's ACL, its default when it has no explicit one.
    pub fn effective_acl(&self, object: AclObject) -> Vec<AclItem> {
        self.acl_of(object)
            .unwrap_or_else(|| object.default_acl(self.owner_of(object)))
    }

    /// Who owns an object (a column: its table's owner).
    pub fn owner_of(&self, object: AclObject) -> u32 {
        match object {
            AclObject::Table(oid) | AclObject::Column(oid, _) => {
                match self.table_of(crate::storage::RelId(oid)) {
                    Some(t) => t.owner,
                    None if self.sequence_by_oid(oid).is_some() => {
                        self.sequence_by_oid(oid).map_or(0, |s| s.owner)
                    }
                    None => self
                        .views()
                        .iter()
                        .find(|v| v.oid == oid)
                        .map_or(super::roles::BOOTSTRAP_SUPERUSER_OID, |v| v.owner),
                }
            }
            AclObject::Sequence(oid) => self
                .sequence_by_oid(oid)
                .map_or(super::roles::BOOTSTRAP_SUPERUSER_OID, |s| s.owner),
            AclObject::Schema(acl::PUBLIC_SCHEMA_OID) => acl::DATABASE_OWNER_ROLE,
            AclObject::Schema(oid) => self
                .schema_by_oid(oid)
                .map_or(super::roles::BOOTSTRAP_SUPERUSER_OID, |s| s.owner),
            AclObject::Database(oid) => self
                .database_by_oid(oid)
                .map_or(super::roles::BOOTSTRAP_SUPERUSER_OID, |d| d.owner),
        }
    }

    /// Replaces an object's ACL.
    pub fn set_acl(&self, object: AclObject, items: Vec<AclItem>, xid: Xid) -> Result<()> {
        let mut cache = self.acls.write();
        acl::write(&self.heap, &self.clog, object, Some(&items), xid)?;
        Arc::make_mut(&mut cache).insert(acl::key(object), items);
        Ok(())
    }

    /// Forgets every ACL of a table and its columns (DROP TABLE).
    pub(super) fn forget_acls(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut cache = self.acls.write();
        if !cache.keys().any(|(o, _)| *o == oid) {
            return Ok(());
        }
        acl::remove(&self.heap, &self.clog, xid, |o, _| o == oid)?;
        Arc::make_mut(&mut cache).retain(|(o, _), _| *o != oid);
        Ok(())
    }

    /// Gives a table (and its ACLs' owner entries) to another role.
    pub fn set_table_owner(&self, table: &TableDef, owner: u32, xid: Xid) -> Result<()> {
        let old = table.owner;
        let mut changed = table.clone();
        changed.owner = owner;
        {
            let mut tables = self.tables.write();
            let oid = Value::Int8(table.oid as i64);
            delete_rows(&self.heap, &self.clog, CLASS_REL, CLASS_WIDTH, xid, |v| {
                v[0] == oid
            })?;
            let namespace = self.must_get_schema(&changed.schema)?.oid;
            insert_row(&self.heap, CLASS_REL, xid, &class_row(&changed, namespace))?;
            tables.insert(changed.key(), Arc::new(changed));
        }
        let explicit: Vec<((u32, i16), Vec<AclItem>)> = self
            .acls
            .read()
            .iter()
            .filter(|((o, _), _)| *o == table.oid)
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        for ((_, sub), items) in explicit {
            let object = if sub == 0 {
                AclObject::Table(table.oid)
            } else {
                AclObject::Column(table.oid, sub)
            };
            self.set_acl(object, acl::change_owner(&items, old, owner), xid)?;
        }
        Ok(())
    }

    /// Whether a role is a superuser.
    pub fn is_superuser(&self, role: u32) -> bool {
        self.roles().by_oid(role).is_some_and(|r| r.superuser)
    }

    /// Whether `member` has `role`'s privileges without SET ROLE (itself,
    /// or a chain of memberships through INHERIT roles; superusers have
    /// every role's).
    pub fn has_privs_of_role(&self, member: u32, role: u32) -> bool {
        if member == role || self.is_superuser(member) {
            return true;
        }
        if role == acl::DATABASE_OWNER_ROLE {
            return self.has_privs_of_role(
                member,
                self.owner_of(AclObject::Database(super::names::current_database())),
            );
        }
        self.roles().memberships(member, true).contains(&role)
    }

    /// Whether `member` belongs to `role` at all (SET ROLE may switch to it).
    pub fn is_member_of_role(&self, member: u32, role: u32) -> bool {
        member == role
            || self.is_superuser(member)
            || self.roles().memberships(member, false).contains(&role)
    }

    /// Whether `role` owns (or has the privileges of the owner of) an object.
    pub fn owns(&self, role: u32, object: AclObject) -> bool {
        self.has_privs_of_role(role, self.owner_of(object))
    }

    /// The privileges `role` holds on an object.
    pub fn privileges_of(&self, role: u32, object: AclObject) -> Privs {
        if self.is_superuser(role) {
            return object.all_privileges();
        }
        let roles = self.roles().memberships(role, true);
        let owner_db = self.owner_of(AclObject::Database(super::names::current_database()));
        let holds = |grantee: u32| {
            grantee == acl::PUBLIC
                || roles.contains(&grantee)
                || (grantee == acl::DATABASE_OWNER_ROLE && roles.contains(&owner_db))
        };
        self.effective_acl(object)
            .iter()
            .filter(|i| holds(i.grantee))
            .fold(Privs::NONE, |p, i| p.union(i.privs))
    }

    /// The privileges `role` may grant on an object (an owner all of them).
    pub fn grant_options_of(&self, role: u32, object: AclObject) -> Privs {
        if self.owns(role, object) {
            return object.all_privileges();
        }
        let roles = self.roles().memberships(role, true);
        self.effective_acl(object)
            .iter()
            .filter(|i| roles.contains(&i.grantee))
            .fold(Privs::NONE, |p, i| p.union(i.grantable))
    }

    /// Whether `role` may use `privs` on a table: all of them on the
    /// table, or each on every listed column.
    pub fn table_allows(&self, role: u32, table: u32, privs: Privs, columns: &[i16]) -> bool {
        let on_table = self.privileges_of(role, AclObject::Table(table));
        if on_table.contains(privs) {
            return true;
        }
        let missing = privs.minus(on_table);
        if columns.is_empty() {
            return false;
        }
        columns.iter().all(|c| {
            self.privileges_of(role, AclObject::Column(table, *c))
                .contains(missing)
        })
    }

    /// Whether `role` holds `privs` on the table or on any of its columns
    /// (what a statement reading no particular column needs).
    pub fn table_or_any_column_allows(&self, role: u32, table: &TableDef, privs: Privs) -> bool {
        self.privileges_of(role, AclObject::Table(table.oid))
            .contains(privs)
            || (1..=table.columns.len() as i16).any(|c| {
                self.privileges_of(role, AclObject::Column(table.oid, c))
                    .contains(privs)
            })
    }

    /// A role's name by OID (for messages and ACL text).
    pub fn role_name(&self, oid: u32) -> String {
        match oid {
            acl::PUBLIC => "public".to_string(),
            acl::DATABASE_OWNER_ROLE => acl::DATABASE_OWNER_NAME.to_string(),
            _ => self
                .roles()
                .by_oid(oid)
                .map_or_else(|| oid.to_string(), |r| r.name.clone()),
        }
    }

    /// What keeps a role from being dropped: objects it owns and ACLs
    /// that name it (PostgreSQL's 2BP01 detail lines).
    pub fn role_dependents(&self, role: u32) -> Vec<String> {
        let mut found = Vec::new();
        for t in self.tables() {
            if t.owner == role {
                found.push(format!("owner of table {}", t.name));
            }
        }
        for s in self.sequences() {
            if s.owner == role {
                found.push(format!("owner of sequence {}", s.name));
            }
        }
        let acls = self.acls.read().clone();
        let mut keys: Vec<_> = acls.keys().copied().collect();
        keys.sort();
        for (oid, sub) in keys {
            // As pg_shdepend: every role an ACL names except the owner's.
            let owner = match sub {
                0 => self.owner_of(AclObject::Table(oid)),
                n => self.owner_of(AclObject::Column(oid, n)),
            };
            let named = role != owner
                && acls[&(oid, sub)]
                    .iter()
                    .any(|i| i.grantee == role || i.grantor == role);
            if !named {
                continue;
            }
            let what = match (self.table_of(crate::storage::RelId(oid)), sub) {
                (Some(t), 0) => format!("privileges for table {}", t.name),
                (Some(t), n) => format!(
                    "privileges for column {} of table {}",
                    t.columns
                        .get(n as usize - 1)
                        .map_or("?", |c| c.name.as_str()),
                    t.name
                ),
                (None, 0) if self.sequence_by_oid(oid).is_some() => format!(
                    "privileges for sequence {}",
                    self.sequence_by_oid(oid)
                        .map_or(String::new(), |s| s.name.clone())
                ),
                (None, _) if self.database_by_oid(oid).is_some() => format!(
                    "privileges for database {}",
                    self.database_by_oid(oid).map_or(String::new(), |d| d.name)
                ),
                (None, _) if oid == acl::PUBLIC_SCHEMA_OID => {
                    "privileges for schema public".to_string()
                }
                (None, _) => continue,
            };
            found.push(what);
        }
        found
    }

    /// A role by name, or 42704.
    pub fn must_get_role(&self, name: &str) -> Result<u32> {
        if name == acl::DATABASE_OWNER_NAME {
            return Ok(acl::DATABASE_OWNER_ROLE);
        }
        self.roles()
            .by_name(name)
            .map(|r| r.oid)
            .ok_or_else(|| errinput!(sqlstate::UNDEFINED_OBJECT, "role \"{name}\" does not exist"))
    }
}
