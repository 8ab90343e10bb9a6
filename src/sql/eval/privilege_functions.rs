//! current_user, session_user and the access privilege inquiry functions
//! (`has_table_privilege` and friends, `pg_has_role`), answered from the
//! catalog for the statement's current role, as PostgreSQL's `acl.c`
//! answers them: a privilege list is comma-separated, each may end in
//! `WITH GRANT OPTION`, and any one held makes the answer true.

use super::Env;
use crate::catalog::acl::{AclObject, Privs};
use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Function;
use crate::types::Value;

/// Evaluates one of this file's functions over non-NULL arguments; None
/// for any other function.
pub fn call(func: Function, values: &[Value], ctx: &dyn Env) -> Result<Option<Value>> {
    let names = |catalog: &Catalog, oid: u32| Value::Text(catalog.role_name(oid));
    let (role, session) = (ctx.context().role, ctx.context().session_user);
    let result = match func {
        Function::CurrentUser => names(catalog(ctx)?, role),
        Function::SessionUser => names(catalog(ctx)?, session),
        Function::HasTablePrivilege
        | Function::HasColumnPrivilege
        | Function::HasSchemaPrivilege
        | Function::HasDatabasePrivilege
        | Function::PgHasRole => {
            let catalog = catalog(ctx)?;
            let args: Vec<&str> = values
                .iter()
                .map(|v| match v {
                    Value::Text(s) => Ok(s.as_str()),
                    _ => Err(crate::errinternal!("privilege function argument not text")),
                })
                .collect::<Result<_>>()?;
            let own_args = match func {
                Function::HasColumnPrivilege => 3,
                _ => 2,
            };
            let (who, args) = if args.len() > own_args {
                (catalog.must_get_role(args[0])?, &args[1..])
            } else {
                (role, &args[..])
            };
            Value::Bool(inquire(catalog, func, who, args)?)
        }
        _ => return Ok(None),
    };
    Ok(Some(result))
}

fn catalog(ctx: &dyn Env) -> Result<&Catalog> {
    ctx.catalog()
        .ok_or_else(|| crate::errinternal!("no catalog for a privilege function"))
}

fn inquire(catalog: &Catalog, func: Function, role: u32, args: &[&str]) -> Result<bool> {
    if func == Function::PgHasRole {
        let target = catalog.must_get_role(args[0])?;
        return any_mode(args[1], |mode, admin| {
            Ok(match mode {
                "member" | "set" => catalog.is_member_of_role(role, target),
                "usage" => catalog.has_privs_of_role(role, target),
                other => return Err(unrecognized(other)),
            } && (!admin || has_admin(catalog, role, target)))
        });
    }
    let (object, privs_text) = match func {
        Function::HasTablePrivilege | Function::HasColumnPrivilege => {
            let name = super::catalog_functions::relation_key(catalog, args[0])?;
            let table = catalog.must_get_table(&name)?;
            if func == Function::HasColumnPrivilege {
                let column = identifier(args[1]);
                let n = table.column_index(&column).ok_or_else(|| {
                    errinput!(
                        sqlstate::UNDEFINED_COLUMN,
                        "column \"{column}\" of relation \"{name}\" does not exist"
                    )
                })?;
                (AclObject::Column(table.oid, n as i16 + 1), args[2])
            } else {
                (AclObject::Table(table.oid), args[1])
            }
        }
        Function::HasSchemaPrivilege => {
            let name = identifier(args[0]);
            let schema = catalog.must_get_schema(&name)?;
            (AclObject::Schema(schema.oid), args[1])
        }
        _ => {
            let name = identifier(args[0]);
            let Some(database) = catalog.database_by_name(&name) else {
                return Err(errinput!(
                    sqlstate::INVALID_CATALOG_NAME,
                    "database \"{name}\" does not exist"
                ));
            };
            (AclObject::Database(database.oid), args[1])
        }
    };
    any_mode(privs_text, |mode, grant_option| {
        let privs = privilege(object, mode)?;
        let held = if grant_option {
            catalog.grant_options_of(role, object)
        } else {
            catalog.privileges_of(role, object)
        };
        let column_table = match object {
            AclObject::Column(t, _) if !grant_option => {
                catalog.privileges_of(role, AclObject::Table(t))
            }
            _ => Privs::NONE,
        };
        Ok(held.union(column_table).contains(privs))
    })
}

/// True if any comma-separated mode (with its WITH GRANT/ADMIN OPTION
/// flag) passes `test`.
fn any_mode(text: &str, mut test: impl FnMut(&str, bool) -> Result<bool>) -> Result<bool> {
    let mut any = false;
    for part in text.split(',') {
        let lower = part.trim().to_ascii_lowercase();
        let words: Vec<&str> = lower.split_whitespace().collect();
        let (mode, option) = match words.as_slice() {
            [m] => (*m, false),
            [m, "with", "grant" | "admin", "option"] => (*m, true),
            _ => return Err(unrecognized(part.trim())),
        };
        any |= test(mode, option)?;
    }
    Ok(any)
}

/// A privilege name valid for `object`'s kind.
fn privilege(object: AclObject, mode: &str) -> Result<Privs> {
    let privs = match mode {
        "temp" => Some(Privs::TEMPORARY),
        m => Privs::from_name(m),
    };
    match privs {
        Some(p) if object.all_privileges().contains(p) => Ok(p),
        _ => Err(unrecognized(mode)),
    }
}

fn has_admin(catalog: &Catalog, role: u32, target: u32) -> bool {
    catalog.is_superuser(role)
        || catalog
            .roles()
            .members
            .iter()
            .any(|m| m.role == target && m.admin && catalog.has_privs_of_role(role, m.member))
}

fn unrecognized(mode: &str) -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_PARAMETER_VALUE,
        "unrecognized privilege type: \"{mode}\""
    )
}

fn identifier(text: &str) -> String {
    super::catalog_functions::split_name(text)
        .into_iter()
        .next()
        .unwrap_or_default()
}
