//! Access privileges: PostgreSQL's ACLs (`aclitem[]`) on tables, columns,
//! sequences, the `public` schema and the database, persisted in
//!
//! ```text
//! relation 8  flint_acl  (objoid int8, objsubid int2, grantee int8,
//!                         grantor int8, privs int4, grantable int4)
//! ```
//! An object without rows has PostgreSQL's default ACL (NULL in
//! `relacl`); once a GRANT or REVOKE touched it, its ACL is explicit: a
//! marker row (grantee −1) plus one row per item, so an emptied ACL stays
//! empty. `objsubid` is a column's number for column privileges, else 0.
//! Grantee 0 is PUBLIC. The pure ACL arithmetic (defaults, GRANT and
//! REVOKE merging, the `grantee=privs/grantor` text) lives here too.

use std::collections::HashMap;

use super::{corrupt, delete_rows, insert_row, scan, RelId};
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the ACLs.
pub const ACL_REL: RelId = RelId(8);
const ACL_WIDTH: usize = 6;
/// The grantee that stands for every role.
pub const PUBLIC: u32 = 0;
/// The OID of the one database, `postgres` (as in PostgreSQL 15).
pub const DATABASE_OID: u32 = 5;
/// The OID of the `public` schema.
pub const PUBLIC_SCHEMA_OID: u32 = 2200;
/// The OID of the `pg_catalog` schema.
pub const CATALOG_SCHEMA_OID: u32 = 11;
/// `pg_database_owner`, which owns `public`: its one member is the
/// database's owner.
pub const DATABASE_OWNER_ROLE: u32 = 6171;
/// The name of [`DATABASE_OWNER_ROLE`].
pub const DATABASE_OWNER_NAME: &str = "pg_database_owner";

/// A set of privileges, PostgreSQL's ACL_* bits.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Privs(pub u32);

impl Privs {
    pub const INSERT: Privs = Privs(1 << 0);
    pub const SELECT: Privs = Privs(1 << 1);
    pub const UPDATE: Privs = Privs(1 << 2);
    pub const DELETE: Privs = Privs(1 << 3);
    pub const TRUNCATE: Privs = Privs(1 << 4);
    pub const REFERENCES: Privs = Privs(1 << 5);
    pub const TRIGGER: Privs = Privs(1 << 6);
    pub const USAGE: Privs = Privs(1 << 8);
    pub const CREATE: Privs = Privs(1 << 9);
    pub const TEMPORARY: Privs = Privs(1 << 10);
    pub const CONNECT: Privs = Privs(1 << 11);
    pub const NONE: Privs = Privs(0);

    /// The letters of `aclitem`'s text form, by bit.
    const LETTERS: [(u32, char); 12] = [
        (1 << 0, 'a'),
        (1 << 1, 'r'),
        (1 << 2, 'w'),
        (1 << 3, 'd'),
        (1 << 4, 'D'),
        (1 << 5, 'x'),
        (1 << 6, 't'),
        (1 << 7, 'X'),
        (1 << 8, 'U'),
        (1 << 9, 'C'),
        (1 << 10, 'T'),
        (1 << 11, 'c'),
    ];

    pub fn contains(self, other: Privs) -> bool {
        self.0 & other.0 == other.0
    }

    pub fn intersects(self, other: Privs) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn union(self, other: Privs) -> Privs {
        Privs(self.0 | other.0)
    }

    pub fn minus(self, other: Privs) -> Privs {
        Privs(self.0 & !other.0)
    }

    pub fn and(self, other: Privs) -> Privs {
        Privs(self.0 & other.0)
    }

    /// A privilege by its SQL name (`SELECT`, `TEMP`, …).
    pub fn from_name(name: &str) -> Option<Privs> {
        Some(match name.to_ascii_lowercase().as_str() {
            "select" => Privs::SELECT,
            "insert" => Privs::INSERT,
            "update" => Privs::UPDATE,
            "delete" => Privs::DELETE,
            "truncate" => Privs::TRUNCATE,
            "references" => Privs::REFERENCES,
            "trigger" => Privs::TRIGGER,
            "usage" => Privs::USAGE,
            "create" => Privs::CREATE,
            "temporary" | "temp" => Privs::TEMPORARY,
            "connect" => Privs::CONNECT,
            _ => return None,
        })
    }

    /// The SQL name of a single privilege, as error messages give it.
    pub fn name(self) -> &'static str {
        match self {
            Privs::SELECT => "SELECT",
            Privs::INSERT => "INSERT",
            Privs::UPDATE => "UPDATE",
            Privs::DELETE => "DELETE",
            Privs::TRUNCATE => "TRUNCATE",
            Privs::REFERENCES => "REFERENCES",
            Privs::TRIGGER => "TRIGGER",
            Privs::USAGE => "USAGE",
            Privs::CREATE => "CREATE",
            Privs::TEMPORARY => "TEMPORARY",
            Privs::CONNECT => "CONNECT",
            _ => "?",
        }
    }

    /// Each single privilege in the set.
    pub fn each(self) -> impl Iterator<Item = Privs> {
        Self::LETTERS
            .iter()
            .filter(move |(bit, _)| self.0 & bit != 0)
            .map(|(bit, _)| Privs(*bit))
    }
}

/// What an ACL is attached to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AclObject {
    Table(u32),
    /// A sequence (USAGE, SELECT, UPDATE).
    Sequence(u32),
    /// A table's column, by number (from 1).
    Column(u32, i16),
    Schema(u32),
    Database(u32),
}

impl AclObject {
    fn key(self) -> (u32, i16) {
        match self {
            AclObject::Table(oid)
            | AclObject::Sequence(oid)
            | AclObject::Schema(oid)
            | AclObject::Database(oid) => (oid, 0),
            AclObject::Column(oid, n) => (oid, n),
        }
    }

    /// Every privilege that applies to this kind of object (`ALL`).
    pub fn all_privileges(self) -> Privs {
        match self {
            AclObject::Table(_) => Privs(0b111_1111),
            AclObject::Sequence(_) => Privs(Privs::USAGE.0 | Privs::SELECT.0 | Privs::UPDATE.0),
            AclObject::Column(..) => {
                Privs(Privs::SELECT.0 | Privs::INSERT.0 | Privs::UPDATE.0 | Privs::REFERENCES.0)
            }
            AclObject::Schema(_) => Privs(Privs::USAGE.0 | Privs::CREATE.0),
            AclObject::Database(_) => {
                Privs(Privs::CREATE.0 | Privs::TEMPORARY.0 | Privs::CONNECT.0)
            }
        }
    }

    /// PostgreSQL's `acldefault`: what an object has before any GRANT.
    pub fn default_acl(self, owner: u32) -> Vec<AclItem> {
        let mut items = Vec::new();
        if !matches!(self, AclObject::Column(..)) {
            items.push(AclItem {
                grantee: owner,
                grantor: owner,
                privs: self.all_privileges(),
                grantable: Privs::NONE,
            });
        }
        if let AclObject::Database(_) = self {
            items.push(AclItem {
                grantee: PUBLIC,
                grantor: owner,
                privs: Privs(Privs::TEMPORARY.0 | Privs::CONNECT.0),
                grantable: Privs::NONE,
            });
        }
        items
    }
}

/// One `grantee=privs/grantor` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AclItem {
    pub grantee: u32,
    pub grantor: u32,
    pub privs: Privs,
    /// The privileges the grantee may grant on (`*` after the letter).
    pub grantable: Privs,
}

impl AclItem {
    /// The text form, with role names from `name` (PUBLIC is empty).
    pub fn render(&self, name: &dyn Fn(u32) -> String) -> String {
        let mut out = String::new();
        if self.grantee != PUBLIC {
            out.push_str(&quote_role(&name(self.grantee)));
        }
        out.push('=');
        for (bit, letter) in Privs::LETTERS {
            if self.privs.0 & bit != 0 {
                out.push(letter);
                if self.grantable.0 & bit != 0 {
                    out.push('*');
                }
            }
        }
        out.push('/');
        out.push_str(&quote_role(&name(self.grantor)));
        out
    }
}

/// A role name as `aclitem` prints it: quoted when it is not plain.
fn quote_role(name: &str) -> String {
    let plain = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii());
    if plain {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// Adds `privs` (and, with `grant_option`, the right to grant them) for
/// `grantee` as granted by `grantor`.
pub fn grant(acl: &mut Vec<AclItem>, grantee: u32, grantor: u32, privs: Privs, grant_option: bool) {
    if privs.is_empty() {
        return;
    }
    let grantable = if grant_option { privs } else { Privs::NONE };
    match acl
        .iter_mut()
        .find(|i| i.grantee == grantee && i.grantor == grantor)
    {
        Some(item) => {
            item.privs = item.privs.union(privs);
            item.grantable = item.grantable.union(grantable);
        }
        None => acl.push(AclItem {
            grantee,
            grantor,
            privs,
            grantable,
        }),
    }
}

/// Takes `privs` (or with `option_only` just the right to grant them)
/// from what `grantor` gave `grantee`; items left empty go. Returns the
/// grant options taken away, whose dependent grants the caller handles.
pub fn revoke(
    acl: &mut Vec<AclItem>,
    grantee: u32,
    grantor: u32,
    privs: Privs,
    option_only: bool,
) -> Privs {
    let mut lost = Privs::NONE;
    for item in acl
        .iter_mut()
        .filter(|i| i.grantee == grantee && i.grantor == grantor)
    {
        lost = item.grantable.and(privs);
        item.grantable = item.grantable.minus(privs);
        if !option_only {
            item.privs = item.privs.minus(privs);
        }
    }
    acl.retain(|i| !i.privs.is_empty());
    lost
}

/// Replaces `old` by `new` as grantee and grantor (ALTER … OWNER TO),
/// merging items that become the same.
pub fn change_owner(acl: &[AclItem], old: u32, new: u32) -> Vec<AclItem> {
    let mut out: Vec<AclItem> = Vec::new();
    for item in acl {
        let swap = |r: u32| if r == old { new } else { r };
        let (grantee, grantor) = (swap(item.grantee), swap(item.grantor));
        match out
            .iter_mut()
            .find(|i| i.grantee == grantee && i.grantor == grantor)
        {
            Some(i) => {
                i.privs = i.privs.union(item.privs);
                i.grantable = i.grantable.union(item.grantable);
            }
            None => out.push(AclItem {
                grantee,
                grantor,
                ..*item
            }),
        }
    }
    out
}

/// The explicit ACLs, by (object OID, column number or 0).
pub type Acls = HashMap<(u32, i16), Vec<AclItem>>;

/// Reads every explicit ACL.
pub fn read(heap: &Heap, clog: &Clog) -> Result<Acls> {
    let mut acls: Acls = HashMap::new();
    for v in scan(heap, clog, ACL_REL, ACL_WIDTH)? {
        let (
            Value::Int8(obj),
            Value::Int2(sub),
            Value::Int8(grantee),
            Value::Int8(grantor),
            Value::Int4(privs),
            Value::Int4(grantable),
        ) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[5])
        else {
            return Err(corrupt("flint_acl"));
        };
        let items = acls.entry((*obj as u32, *sub)).or_default();
        if *grantee >= 0 {
            items.push(AclItem {
                grantee: *grantee as u32,
                grantor: *grantor as u32,
                privs: Privs(*privs as u32),
                grantable: Privs(*grantable as u32),
            });
        }
    }
    Ok(acls)
}

/// Replaces an object's explicit ACL (None: back to the default).
pub fn write(
    heap: &Heap,
    clog: &Clog,
    object: AclObject,
    acl: Option<&[AclItem]>,
    xid: Xid,
) -> Result<()> {
    let (obj, sub) = object.key();
    remove(heap, clog, xid, |o, s| o == obj && s == sub)?;
    let Some(acl) = acl else {
        return Ok(());
    };
    let row = |grantee: i64, grantor: u32, privs: Privs, grantable: Privs| {
        [
            Value::Int8(obj as i64),
            Value::Int2(sub),
            Value::Int8(grantee),
            Value::Int8(grantor as i64),
            Value::Int4(privs.0 as i32),
            Value::Int4(grantable.0 as i32),
        ]
    };
    insert_row(heap, ACL_REL, xid, &row(-1, 0, Privs::NONE, Privs::NONE))?;
    for item in acl {
        insert_row(
            heap,
            ACL_REL,
            xid,
            &row(
                item.grantee as i64,
                item.grantor,
                item.privs,
                item.grantable,
            ),
        )?;
    }
    Ok(())
}

/// Removes the ACL rows whose (object, column) match.
pub fn remove(
    heap: &Heap,
    clog: &Clog,
    xid: Xid,
    matches: impl Fn(u32, i16) -> bool,
) -> Result<()> {
    delete_rows(heap, clog, ACL_REL, ACL_WIDTH, xid, |v| {
        match (&v[0], &v[1]) {
            (Value::Int8(o), Value::Int2(s)) => matches(*o as u32, *s),
            _ => false,
        }
    })
}

/// The key of an object in [`Acls`].
pub fn key(object: AclObject) -> (u32, i16) {
    object.key()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(oid: u32) -> String {
        match oid {
            10 => "postgres".to_string(),
            20 => "alice".to_string(),
            _ => "Bob X".to_string(),
        }
    }

    #[test]
    fn renders_like_postgres() {
        let mut acl = AclObject::Table(1).default_acl(10);
        grant(&mut acl, 20, 10, Privs::SELECT.union(Privs::UPDATE), true);
        grant(&mut acl, PUBLIC, 10, Privs::SELECT, false);
        grant(&mut acl, 30, 10, Privs::INSERT, false);
        let text: Vec<String> = acl.iter().map(|i| i.render(&names)).collect();
        assert_eq!(
            text,
            [
                "postgres=arwdDxt/postgres",
                "alice=r*w*/postgres",
                "=r/postgres",
                "\"Bob X\"=a/postgres"
            ]
        );
    }

    #[test]
    fn revoke_takes_privileges_and_options() {
        let mut acl = Vec::new();
        grant(&mut acl, 20, 10, Privs::SELECT.union(Privs::UPDATE), true);
        let lost = revoke(&mut acl, 20, 10, Privs::SELECT, true);
        assert_eq!(lost, Privs::SELECT);
        assert_eq!(acl[0].privs, Privs::SELECT.union(Privs::UPDATE));
        assert_eq!(acl[0].grantable, Privs::UPDATE);
        revoke(
            &mut acl,
            20,
            10,
            AclObject::Table(1).all_privileges(),
            false,
        );
        assert!(acl.is_empty());
    }

    #[test]
    fn database_default_lets_everyone_connect() {
        let acl = AclObject::Database(DATABASE_OID).default_acl(10);
        let text: Vec<String> = acl.iter().map(|i| i.render(&names)).collect();
        assert_eq!(text, ["postgres=CTc/postgres", "=Tc/postgres"]);
    }
}
