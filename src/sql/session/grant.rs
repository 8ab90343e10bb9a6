//! GRANT and REVOKE (privileges on tables, columns, the `public` schema
//! and the database; role membership) and ALTER TABLE … OWNER TO, with
//! PostgreSQL's rules: owners grant as themselves, others only what they
//! hold WITH GRANT OPTION (a superuser grants as the owner); REVOKE of a
//! grant option others relied on needs CASCADE; membership needs ADMIN
//! OPTION or CREATEROLE, and no role may end up a member of itself.

use super::{RowSink, Who};
use crate::catalog::acl::{self, AclItem, AclObject, Privs};
use crate::catalog::{Catalog, Membership, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::binder::table_name;
use crate::sql::parser::{GrantObjects, GrantStatement, Granted, RoleSpec};
use crate::storage::heap::Xid;
use std::sync::Arc;

/// Runs a GRANT or REVOKE; returns the command tag.
pub fn execute(
    catalog: &Catalog,
    who: Who,
    g: &GrantStatement,
    xid: Xid,
    sink: &mut dyn RowSink,
) -> Result<String> {
    let tag = match (g.grant, &g.what) {
        (true, Granted::Roles(_)) => "GRANT ROLE",
        (false, Granted::Roles(_)) => "REVOKE ROLE",
        (true, _) => "GRANT",
        (false, _) => "REVOKE",
    };
    let grantees = g
        .grantees
        .iter()
        .map(|r| resolve(catalog, who, r, true))
        .collect::<Result<Vec<_>>>()?;
    if let Some(by) = &g.granted_by {
        let by = resolve(catalog, who, by, false)?;
        if by != who.current {
            return Err(crate::errunsupported!("grantor must be current user"));
        }
    }
    match &g.what {
        Granted::Roles(roles) => membership(catalog, who, g, roles, &grantees, xid, sink)?,
        Granted::Privileges {
            privileges,
            all_columns,
            objects,
        } => {
            for object in targets(catalog, objects)? {
                let requested = requested(&object, privileges.as_deref(), all_columns)?;
                for (target, privs) in requested {
                    change_acl(
                        catalog, who, g, &object, target, privs, &grantees, xid, sink,
                    )?;
                }
            }
        }
    }
    Ok(tag.to_string())
}

/// ALTER TABLE name OWNER TO role.
pub fn alter_owner(
    catalog: &Catalog,
    who: Who,
    table: &Arc<TableDef>,
    owner: &RoleSpec,
    xid: Xid,
) -> Result<()> {
    let new_owner = resolve(catalog, who, owner, false)?;
    if new_owner == table.owner {
        return Ok(());
    }
    if !catalog.is_superuser(who.current) {
        if !catalog.owns(who.current, AclObject::Table(table.oid)) {
            return Err(must_own("table", &table.name));
        }
        if !catalog.is_member_of_role(who.current, new_owner) {
            return Err(denied(&format!(
                "must be member of role \"{}\"",
                catalog.role_name(new_owner)
            )));
        }
        let schema = catalog.schema_oid(&table.schema);
        if !catalog
            .privileges_of(new_owner, AclObject::Schema(schema))
            .contains(Privs::CREATE)
        {
            return Err(denied(&format!(
                "permission denied for schema {}",
                table.schema
            )));
        }
    }
    catalog.set_table_owner(table, new_owner, xid)
}

/// What an object of a GRANT is.
enum Target {
    Table(Arc<TableDef>),
    Sequence(Arc<crate::catalog::SequenceDef>),
    Schema(crate::catalog::SchemaDef),
    Database(crate::catalog::databases::DatabaseDef),
}

impl Target {
    fn describe(&self) -> (&'static str, String) {
        match self {
            Target::Table(t) => ("table", t.name.clone()),
            Target::Sequence(s) => ("sequence", s.name.clone()),
            Target::Schema(s) => ("schema", s.name.clone()),
            Target::Database(d) => ("database", d.name.clone()),
        }
    }
}

fn targets(catalog: &Catalog, objects: &GrantObjects) -> Result<Vec<Target>> {
    let schema = |name: &String| catalog.must_get_schema(name);
    Ok(match objects {
        GrantObjects::Tables(names) => names
            .iter()
            .map(|n| {
                let name = table_name(n)?;
                if let Some(s) = catalog.get_sequence(&name) {
                    return Ok(Target::Sequence(s));
                }
                match catalog.get_table(&name) {
                    Some(t) => Ok(Target::Table(t)),
                    None if catalog.find_index(&name).is_some() => Err(errinput!(
                        sqlstate::WRONG_OBJECT_TYPE,
                        "\"{name}\" is an index"
                    )),
                    None => Err(errinput!(
                        sqlstate::UNDEFINED_TABLE,
                        "relation \"{name}\" does not exist"
                    )),
                }
            })
            .collect::<Result<_>>()?,
        GrantObjects::AllTablesInSchema(schemas) => {
            let mut wanted = Vec::new();
            for s in schemas {
                wanted.push(schema(s)?.name);
            }
            catalog
                .tables()
                .into_iter()
                .filter(|t| wanted.contains(&t.schema))
                .map(Target::Table)
                .collect()
        }
        GrantObjects::Sequences(names) => names
            .iter()
            .map(|n| {
                let name = table_name(n)?;
                match catalog.get_sequence(&name) {
                    Some(s) => Ok(Target::Sequence(s)),
                    None if catalog.relation_visible(&name) => Err(errinput!(
                        sqlstate::WRONG_OBJECT_TYPE,
                        "\"{name}\" is not a sequence"
                    )),
                    None => Err(errinput!(
                        sqlstate::UNDEFINED_TABLE,
                        "relation \"{name}\" does not exist"
                    )),
                }
            })
            .collect::<Result<_>>()?,
        GrantObjects::AllSequencesInSchema(schemas) => {
            let mut wanted = Vec::new();
            for s in schemas {
                wanted.push(schema(s)?.name);
            }
            catalog
                .sequences()
                .into_iter()
                .filter(|s| wanted.contains(&s.schema))
                .map(Target::Sequence)
                .collect()
        }
        GrantObjects::Schemas(names) => names
            .iter()
            .map(|s| schema(s).map(Target::Schema))
            .collect::<Result<_>>()?,
        GrantObjects::Databases(names) => names
            .iter()
            .map(|d| {
                catalog
                    .database_by_name(d)
                    .map(Target::Database)
                    .ok_or_else(|| {
                        errinput!(
                            sqlstate::INVALID_CATALOG_NAME,
                            "database \"{d}\" does not exist"
                        )
                    })
            })
            .collect::<Result<_>>()?,
        GrantObjects::Other(kind) => return Err(crate::errunsupported!("privileges on {kind}")),
    })
}

/// The ACLs one GRANT touches on `target` and the privileges for each:
/// the object itself, or (with column lists) its columns.
fn requested(
    target: &Target,
    privileges: Option<&[(String, Vec<String>)]>,
    all_columns: &[String],
) -> Result<Vec<(AclObject, Privs)>> {
    let object = match target {
        Target::Table(t) => AclObject::Table(t.oid),
        Target::Sequence(s) => AclObject::Sequence(s.oid),
        Target::Schema(s) => AclObject::Schema(s.oid),
        Target::Database(d) => AclObject::Database(d.oid),
    };
    let column = |name: &String| -> Result<AclObject> {
        let Target::Table(t) = target else {
            return Err(errinput!(
                sqlstate::INVALID_GRANT_OPERATION,
                "column privileges are only valid for relations"
            ));
        };
        let n = t.column_index(name).ok_or_else(|| {
            errinput!(
                sqlstate::UNDEFINED_COLUMN,
                "column \"{name}\" of relation \"{}\" does not exist",
                t.name
            )
        })?;
        Ok(AclObject::Column(t.oid, n as i16 + 1))
    };
    let Some(privileges) = privileges else {
        if all_columns.is_empty() {
            return Ok(vec![(object, object.all_privileges())]);
        }
        return all_columns
            .iter()
            .map(|c| {
                let col = column(c)?;
                Ok((col, col.all_privileges()))
            })
            .collect();
    };
    let mut out: Vec<(AclObject, Privs)> = Vec::new();
    for (name, columns) in privileges {
        let privs = Privs::from_name(name).ok_or_else(|| {
            errinput!(
                sqlstate::SYNTAX_ERROR,
                "unrecognized privilege type \"{name}\""
            )
        })?;
        let applies = |on: AclObject| -> Result<()> {
            if on.all_privileges().contains(privs) {
                return Ok(());
            }
            let kind = match on {
                AclObject::Table(_) => "table",
                AclObject::Sequence(_) => "sequence",
                AclObject::Column(..) => "column",
                AclObject::Schema(_) => "schema",
                AclObject::Database(_) => "database",
            };
            Err(errinput!(
                sqlstate::INVALID_GRANT_OPERATION,
                "invalid privilege type {} for {kind}",
                privs.name()
            ))
        };
        let ons = if columns.is_empty() {
            vec![object]
        } else {
            columns.iter().map(column).collect::<Result<Vec<_>>>()?
        };
        for on in ons {
            applies(on)?;
            match out.iter_mut().find(|(o, _)| *o == on) {
                Some((_, p)) => *p = p.union(privs),
                None => out.push((on, privs)),
            }
        }
    }
    Ok(out)
}

#[allow(clippy::too_many_arguments)]
fn change_acl(
    catalog: &Catalog,
    who: Who,
    g: &GrantStatement,
    target: &Target,
    object: AclObject,
    privs: Privs,
    grantees: &[u32],
    xid: Xid,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let (kind, name) = target.describe();
    // Who the grant is from: the owner for the owner and superusers,
    // else the role itself, for what it may grant.
    let owner = catalog.owner_of(object);
    let (grantor, may_grant) = if catalog.owns(who.current, object) {
        (owner, object.all_privileges())
    } else {
        (who.current, catalog.grant_options_of(who.current, object))
    };
    let allowed = privs.and(may_grant);
    if allowed.is_empty() {
        if catalog.privileges_of(who.current, object).is_empty()
            && catalog
                .privileges_of(who.current, parent(object))
                .is_empty()
        {
            return Err(denied(&format!("permission denied for {kind} {name}")));
        }
        let what = if g.grant { "granted" } else { "revoked" };
        sink.notice(
            "WARNING",
            if g.grant { "01007" } else { "01006" },
            format!("no privileges were {what} for \"{name}\""),
        );
        return Ok(());
    }
    if allowed != privs {
        let what = if g.grant { "granted" } else { "revoked" };
        sink.notice(
            "WARNING",
            if g.grant { "01007" } else { "01006" },
            format!("not all privileges were {what} for \"{name}\""),
        );
    }
    let mut items = catalog.effective_acl(object);
    for &grantee in grantees {
        if g.grant {
            if g.with_option && grantee == acl::PUBLIC {
                return Err(errinput!(
                    sqlstate::INVALID_GRANT_OPERATION,
                    "grant options can only be granted to roles"
                ));
            }
            acl::grant(&mut items, grantee, grantor, allowed, g.with_option);
        } else {
            let lost = acl::revoke(&mut items, grantee, grantor, allowed, g.option_only);
            if !lost.is_empty() {
                revoke_dependents(&mut items, grantee, lost, g.cascade)?;
            }
        }
    }
    catalog.set_acl(object, items, xid)
}

/// The object whose privileges imply some on `object` (a column's table).
fn parent(object: AclObject) -> AclObject {
    match object {
        AclObject::Column(t, _) => AclObject::Table(t),
        other => other,
    }
}

/// Takes away what `grantor` granted using grant options it has lost;
/// without CASCADE that is 2BP01 if there is any.
fn revoke_dependents(
    items: &mut Vec<AclItem>,
    grantor: u32,
    lost: Privs,
    cascade: bool,
) -> Result<()> {
    let dependents: Vec<AclItem> = items
        .iter()
        .filter(|i| i.grantor == grantor && i.privs.intersects(lost))
        .copied()
        .collect();
    if dependents.is_empty() {
        return Ok(());
    }
    if !cascade {
        return Err(errinput!(
            sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
            "dependent privileges exist"
        )
        .with_hint("Use CASCADE to revoke them too."));
    }
    for d in dependents {
        let taken = acl::revoke(items, d.grantee, grantor, lost, false);
        if !taken.is_empty() {
            revoke_dependents(items, d.grantee, taken, true)?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn membership(
    catalog: &Catalog,
    who: Who,
    g: &GrantStatement,
    roles: &[String],
    grantees: &[u32],
    xid: Xid,
    sink: &mut dyn RowSink,
) -> Result<()> {
    let all = catalog.roles();
    let me = all.by_oid(who.current);
    for name in roles {
        let role = catalog.must_get_role(name)?;
        let target = all.by_oid(role);
        // Superusers only from superusers; otherwise CREATEROLE or ADMIN OPTION.
        let superuser = me.is_some_and(|m| m.superuser);
        if target.is_some_and(|t| t.superuser) && !superuser {
            return Err(denied("must be superuser to alter superusers"));
        }
        let admin = all
            .members
            .iter()
            .any(|m| m.role == role && m.admin && catalog.has_privs_of_role(who.current, m.member));
        if !superuser && !me.is_some_and(|m| m.create_role) && !admin {
            return Err(denied(&format!(
                "must have admin option on role \"{name}\""
            )));
        }
        for &member in grantees {
            if member == acl::PUBLIC {
                return Err(errinput!(
                    sqlstate::UNDEFINED_OBJECT,
                    "role \"public\" does not exist"
                ));
            }
            let member_name = catalog.role_name(member);
            let existing = catalog
                .roles()
                .members
                .iter()
                .find(|m| m.role == role && m.member == member)
                .cloned();
            if g.grant {
                if member == role || catalog.roles().memberships(role, false).contains(&member) {
                    return Err(errinput!(
                        sqlstate::INVALID_GRANT_OPERATION,
                        "role \"{member_name}\" is a member of role \"{name}\""
                    ));
                }
                match existing {
                    Some(m) if m.admin || !g.with_option => {
                        sink.notice(
                            "NOTICE",
                            "00000",
                            format!(
                                "role \"{member_name}\" is already a member of role \"{name}\""
                            ),
                        );
                    }
                    _ => catalog.grant_role(
                        Membership {
                            role,
                            member,
                            grantor: who.current,
                            admin: g.with_option,
                        },
                        xid,
                    )?,
                }
            } else {
                match existing {
                    None => sink.notice(
                        "WARNING",
                        "01006",
                        format!("role \"{member_name}\" has not been granted membership in role \"{name}\" by role \"{}\"", catalog.role_name(who.current)),
                    ),
                    Some(m) if g.option_only => catalog.grant_role(
                        Membership { admin: false, ..m },
                        xid,
                    )?,
                    Some(_) => catalog.revoke_role(role, member, xid)?,
                }
            }
        }
    }
    Ok(())
}

/// A role specification's OID (PUBLIC is 0 where `public_ok`).
pub fn resolve(catalog: &Catalog, who: Who, spec: &RoleSpec, public_ok: bool) -> Result<u32> {
    match spec {
        RoleSpec::Public if public_ok => Ok(acl::PUBLIC),
        RoleSpec::Public => Err(errinput!(
            sqlstate::UNDEFINED_OBJECT,
            "role \"public\" does not exist"
        )),
        RoleSpec::CurrentRole | RoleSpec::CurrentUser => Ok(who.current),
        RoleSpec::SessionUser => Ok(who.session),
        RoleSpec::Name(name) => catalog.must_get_role(name),
    }
}

/// 42501 "must be owner of …".
pub fn must_own(kind: &str, name: &str) -> crate::error::Error {
    denied(&format!("must be owner of {kind} {name}"))
}

/// 42501 with a message.
pub(super) fn denied(message: &str) -> crate::error::Error {
    errinput!(sqlstate::INSUFFICIENT_PRIVILEGE, "{message}")
}
