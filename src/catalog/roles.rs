//! Roles and role membership, persisted like PostgreSQL's pg_authid and
//! pg_auth_members:
//!
//! ```text
//! relation 6  flint_authid       (oid int8, rolname text, rolsuper bool,
//!                                 rolinherit bool, rolcreaterole bool,
//!                                 rolcreatedb bool, rolcanlogin bool,
//!                                 rolconnlimit int4, rolpassword text,
//!                                 rolvaliduntil timestamptz)
//! relation 7  flint_auth_members (roleid int8, member int8, grantor int8,
//!                                 admin_option bool)
//! ```
//! `rolpassword` holds only a SCRAM-SHA-256 verifier, never a password.
//! The bootstrap superuser has OID 10, as in PostgreSQL.

use std::collections::HashSet;

use super::{corrupt, delete_rows, insert_row, scan, RelId};
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the roles.
pub const AUTHID_REL: RelId = RelId(6);
/// Relation of role memberships.
pub const AUTH_MEMBERS_REL: RelId = RelId(7);
/// The bootstrap superuser's OID.
pub const BOOTSTRAP_SUPERUSER_OID: u32 = 10;
const AUTHID_WIDTH: usize = 10;
const MEMBERS_WIDTH: usize = 4;

/// A role (a user is a role that may log in).
#[derive(Clone, Debug, PartialEq)]
pub struct RoleDef {
    pub oid: u32,
    pub name: String,
    pub superuser: bool,
    pub inherit: bool,
    pub create_role: bool,
    pub create_db: bool,
    pub login: bool,
    /// Most concurrent connections, -1 for no limit.
    pub connection_limit: i32,
    /// The SCRAM-SHA-256 verifier.
    pub password: Option<String>,
    /// Microseconds since 2000-01-01 UTC after which the password stops working.
    pub valid_until: Option<i64>,
}

impl RoleDef {
    /// A role with PostgreSQL's CREATE ROLE defaults.
    pub fn new(name: &str) -> RoleDef {
        RoleDef {
            oid: 0,
            name: name.to_string(),
            superuser: false,
            inherit: true,
            create_role: false,
            create_db: false,
            login: false,
            connection_limit: -1,
            password: None,
            valid_until: None,
        }
    }

    fn row(&self) -> [Value; AUTHID_WIDTH] {
        [
            Value::Int8(self.oid as i64),
            Value::Text(self.name.clone()),
            Value::Bool(self.superuser),
            Value::Bool(self.inherit),
            Value::Bool(self.create_role),
            Value::Bool(self.create_db),
            Value::Bool(self.login),
            Value::Int4(self.connection_limit),
            self.password.clone().map_or(Value::Null, Value::Text),
            self.valid_until.map_or(Value::Null, Value::Timestamptz),
        ]
    }

    fn from_row(v: &[Value]) -> Option<RoleDef> {
        let (
            Value::Int8(oid),
            Value::Text(name),
            Value::Bool(superuser),
            Value::Bool(inherit),
            Value::Bool(create_role),
            Value::Bool(create_db),
            Value::Bool(login),
            Value::Int4(connection_limit),
        ) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7])
        else {
            return None;
        };
        Some(RoleDef {
            oid: *oid as u32,
            name: name.clone(),
            superuser: *superuser,
            inherit: *inherit,
            create_role: *create_role,
            create_db: *create_db,
            login: *login,
            connection_limit: *connection_limit,
            password: match &v[8] {
                Value::Text(p) => Some(p.clone()),
                _ => None,
            },
            valid_until: match &v[9] {
                Value::Timestamptz(t) => Some(*t),
                _ => None,
            },
        })
    }
}

/// `member` belongs to `role` (directly; chains are followed by callers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub role: u32,
    pub member: u32,
    pub grantor: u32,
    pub admin: bool,
}

impl Membership {
    fn row(&self) -> [Value; MEMBERS_WIDTH] {
        [
            Value::Int8(self.role as i64),
            Value::Int8(self.member as i64),
            Value::Int8(self.grantor as i64),
            Value::Bool(self.admin),
        ]
    }
}

/// Every role and membership, as read from the system relations.
#[derive(Clone, Debug, Default)]
pub struct Roles {
    pub roles: Vec<RoleDef>,
    pub members: Vec<Membership>,
}

impl Roles {
    /// A role by name.
    pub fn by_name(&self, name: &str) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.name == name)
    }

    /// A role by OID.
    pub fn by_oid(&self, oid: u32) -> Option<&RoleDef> {
        self.roles.iter().find(|r| r.oid == oid)
    }

    /// The roles `member` belongs to, directly or through other roles, and
    /// itself. With `inheriting`, only chains through roles with INHERIT
    /// count (the roles whose privileges `member` uses without SET ROLE).
    pub fn memberships(&self, member: u32, inheriting: bool) -> HashSet<u32> {
        let mut found = HashSet::from([member]);
        let mut frontier = vec![member];
        while let Some(m) = frontier.pop() {
            if inheriting && !self.by_oid(m).is_some_and(|r| r.inherit) {
                continue;
            }
            for edge in self.members.iter().filter(|e| e.member == m) {
                if found.insert(edge.role) {
                    frontier.push(edge.role);
                }
            }
        }
        found
    }
}

/// Reads the roles and memberships.
pub fn read(heap: &Heap, clog: &Clog) -> Result<Roles> {
    let roles = scan(heap, clog, AUTHID_REL, AUTHID_WIDTH)?
        .iter()
        .map(|v| RoleDef::from_row(v).ok_or_else(|| corrupt("flint_authid")))
        .collect::<Result<Vec<_>>>()?;
    let members = scan(heap, clog, AUTH_MEMBERS_REL, MEMBERS_WIDTH)?
        .iter()
        .map(|v| match (&v[0], &v[1], &v[2], &v[3]) {
            (Value::Int8(role), Value::Int8(member), Value::Int8(grantor), Value::Bool(admin)) => {
                Ok(Membership {
                    role: *role as u32,
                    member: *member as u32,
                    grantor: *grantor as u32,
                    admin: *admin,
                })
            }
            _ => Err(corrupt("flint_auth_members")),
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(Roles { roles, members })
}

/// Stores a new role.
pub fn insert(heap: &Heap, role: &RoleDef, xid: Xid) -> Result<()> {
    insert_row(heap, AUTHID_REL, xid, &role.row())
}

/// Replaces a role's row.
pub fn update(heap: &Heap, clog: &Clog, role: &RoleDef, xid: Xid) -> Result<()> {
    remove(heap, clog, role.oid, xid)?;
    insert(heap, role, xid)
}

/// Removes a role's row.
pub fn remove(heap: &Heap, clog: &Clog, oid: u32, xid: Xid) -> Result<()> {
    let oid = Value::Int8(oid as i64);
    delete_rows(heap, clog, AUTHID_REL, AUTHID_WIDTH, xid, |v| v[0] == oid)
}

/// Stores a membership.
pub fn insert_member(heap: &Heap, m: &Membership, xid: Xid) -> Result<()> {
    insert_row(heap, AUTH_MEMBERS_REL, xid, &m.row())
}

/// Removes the memberships matching `matches` (role, member).
pub fn remove_members(
    heap: &Heap,
    clog: &Clog,
    xid: Xid,
    matches: impl Fn(u32, u32) -> bool,
) -> Result<()> {
    delete_rows(
        heap,
        clog,
        AUTH_MEMBERS_REL,
        MEMBERS_WIDTH,
        xid,
        |v| match (&v[0], &v[1]) {
            (Value::Int8(r), Value::Int8(m)) => matches(*r as u32, *m as u32),
            _ => false,
        },
    )
}
