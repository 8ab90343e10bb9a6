//! CREATE ROLE / CREATE USER, ALTER ROLE / ALTER USER and DROP ROLE / DROP
//! USER, with PostgreSQL's permission rules: creating or changing roles
//! needs CREATEROLE, superusers only come from superusers, and a role may
//! change its own password. Passwords are stored as SCRAM-SHA-256
//! verifiers (a verifier given in stored form is kept as it is).

use sqlparser::ast::{
    AlterRoleOperation, CreateRole, Expr, ObjectName, ObjectType, Password, RoleOption, Statement,
    Value as SqlValue,
};

use super::grant::denied;
use super::RowSink;
use crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
use crate::catalog::RoleDef;
use crate::engine::Engine;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::security::scram;
use crate::storage::heap::Xid;

/// True for the statements this module runs.
pub fn is_role_statement(statement: &Statement) -> bool {
    matches!(
        statement,
        Statement::CreateRole(_)
            | Statement::AlterRole { .. }
            | Statement::Drop {
                object_type: ObjectType::Role | ObjectType::User,
                ..
            }
    )
}

/// Runs a role statement as `who` in transaction `xid`; returns the
/// command tag.
pub fn execute(
    engine: &Engine,
    who: super::Who,
    statement: &Statement,
    xid: Xid,
    sink: &mut dyn RowSink,
) -> Result<String> {
    let roles = engine.catalog().roles();
    let me = roles
        .by_oid(who.current)
        .cloned()
        .ok_or_else(|| crate::errinternal!("the session's role is gone"))?;
    match statement {
        Statement::CreateRole(create) => {
            create_roles(engine, &me, create, xid, sink)?;
            Ok("CREATE ROLE".to_string())
        }
        Statement::AlterRole { name, operation } => {
            let Some(target) = roles.by_name(&name.value).cloned() else {
                return Err(no_such_role(&name.value));
            };
            match operation {
                AlterRoleOperation::WithOptions { options } => {
                    let mut changed = target.clone();
                    for option in options {
                        apply_option(&mut changed, option, sink)?;
                    }
                    check_alter(&me, &target, &changed)?;
                    engine.catalog().update_role(changed, xid)?;
                }
                AlterRoleOperation::RenameRole { role_name } => {
                    for (oid, which) in [(who.session, "session"), (who.current, "current")] {
                        if target.oid == oid {
                            return Err(errinput!(
                                sqlstate::FEATURE_NOT_SUPPORTED,
                                "{which} user cannot be renamed"
                            ));
                        }
                    }
                    check_create_role(&me)?;
                    if target.superuser && !me.superuser {
                        return Err(denied("must be superuser to rename superusers"));
                    }
                    check_name(&role_name.value)?;
                    // SCRAM verifiers do not depend on the name (MD5 ones
                    // did), so the password stays.
                    let changed = RoleDef {
                        name: role_name.value.clone(),
                        ..target
                    };
                    engine.catalog().update_role(changed, xid)?;
                }
                _ => return Err(crate::errunsupported!("this form of ALTER ROLE")),
            }
            Ok("ALTER ROLE".to_string())
        }
        Statement::Drop {
            names, if_exists, ..
        } => {
            check_create_role(&me).map_err(|_| denied("permission denied to drop role"))?;
            for name in names {
                let name = role_name(name)?;
                let Some(target) = engine.catalog().roles().by_name(&name).cloned() else {
                    if *if_exists {
                        sink.notice(
                            "NOTICE",
                            "00000",
                            format!("role \"{name}\" does not exist, skipping"),
                        );
                        continue;
                    }
                    return Err(no_such_role(&name));
                };
                for (oid, which) in [(who.current, "current"), (who.session, "session")] {
                    if target.oid == oid {
                        return Err(errinput!(
                            sqlstate::OBJECT_IN_USE,
                            "{which} user cannot be dropped"
                        ));
                    }
                }
                if target.oid == BOOTSTRAP_SUPERUSER_OID {
                    return Err(errinput!(
                        sqlstate::OBJECT_IN_USE,
                        "cannot drop role {name} because it is required by the database system"
                    ));
                }
                if target.superuser && !me.superuser {
                    return Err(denied("must be superuser to drop superusers"));
                }
                let dependents = engine.catalog().role_dependents(target.oid);
                if !dependents.is_empty() {
                    return Err(errinput!(
                        sqlstate::DEPENDENT_OBJECTS_STILL_EXIST,
                        "role \"{name}\" cannot be dropped because some objects depend on it"
                    )
                    .with_detail(dependents.join("\n")));
                }
                engine.catalog().drop_role(target.oid, xid)?;
            }
            Ok("DROP ROLE".to_string())
        }
        _ => Err(crate::errinternal!("not a role statement")),
    }
}

fn create_roles(
    engine: &Engine,
    me: &RoleDef,
    create: &CreateRole,
    xid: Xid,
    sink: &mut dyn RowSink,
) -> Result<()> {
    check_create_role(me)?;
    if !create.in_role.is_empty()
        || !create.in_group.is_empty()
        || !create.role.is_empty()
        || !create.user.is_empty()
        || !create.admin.is_empty()
    {
        return Err(crate::errunsupported!(
            "CREATE ROLE with IN ROLE, ROLE or ADMIN"
        ));
    }
    for name in &create.names {
        let name = role_name(name)?;
        check_name(&name)?;
        let mut role = RoleDef::new(&name);
        role.login = create.login.unwrap_or(false);
        role.inherit = create.inherit.unwrap_or(true);
        role.superuser = create.superuser.unwrap_or(false);
        role.create_db = create.create_db.unwrap_or(false);
        role.create_role = create.create_role.unwrap_or(false);
        if create.replication == Some(true) || create.bypassrls == Some(true) {
            return Err(crate::errunsupported!("REPLICATION and BYPASSRLS"));
        }
        if let Some(limit) = &create.connection_limit {
            role.connection_limit = connection_limit(limit)?;
        }
        if let Some(until) = &create.valid_until {
            role.valid_until = valid_until(until)?;
        }
        if let Some(password) = &create.password {
            role.password = password_of(password, sink)?;
        }
        if role.superuser && !me.superuser {
            return Err(denied("must be superuser to create superusers"));
        }
        if create.if_not_exists {
            return Err(crate::errunsupported!("CREATE ROLE IF NOT EXISTS"));
        }
        engine.catalog().create_role(role, xid)?;
    }
    Ok(())
}

fn apply_option(role: &mut RoleDef, option: &RoleOption, sink: &mut dyn RowSink) -> Result<()> {
    match option {
        RoleOption::SuperUser(v) => role.superuser = *v,
        RoleOption::CreateDB(v) => role.create_db = *v,
        RoleOption::CreateRole(v) => role.create_role = *v,
        RoleOption::Inherit(v) => role.inherit = *v,
        RoleOption::Login(v) => role.login = *v,
        RoleOption::ConnectionLimit(e) => role.connection_limit = connection_limit(e)?,
        RoleOption::ValidUntil(e) => role.valid_until = valid_until(e)?,
        RoleOption::Password(p) => role.password = password_of(p, sink)?,
        RoleOption::Replication(_) | RoleOption::BypassRLS(_) => {
            return Err(crate::errunsupported!("REPLICATION and BYPASSRLS"))
        }
    }
    Ok(())
}

/// PostgreSQL's rules for ALTER ROLE: superuser roles and the superuser
/// attribute need a superuser; other changes need CREATEROLE, except a
/// role changing only its own password.
fn check_alter(me: &RoleDef, before: &RoleDef, after: &RoleDef) -> Result<()> {
    if me.superuser {
        return Ok(());
    }
    if before.superuser || after.superuser {
        return Err(denied(
            "must be superuser to alter superuser roles or change superuser attribute",
        ));
    }
    let only_password = RoleDef {
        password: before.password.clone(),
        ..after.clone()
    } == *before;
    if me.oid == before.oid && only_password {
        return Ok(());
    }
    if !me.create_role {
        return Err(denied("permission denied"));
    }
    Ok(())
}

fn check_create_role(me: &RoleDef) -> Result<()> {
    if me.superuser || me.create_role {
        Ok(())
    } else {
        Err(denied("permission denied to create role"))
    }
}

fn check_name(name: &str) -> Result<()> {
    if name.starts_with("pg_") {
        return Err(
            errinput!(sqlstate::RESERVED_NAME, "role name \"{name}\" is reserved")
                .with_detail("Role names starting with \"pg_\" are reserved."),
        );
    }
    if matches!(name, "public" | "none") {
        return Err(errinput!(
            sqlstate::RESERVED_NAME,
            "role name \"{name}\" is reserved"
        ));
    }
    Ok(())
}

fn no_such_role(name: &str) -> crate::error::Error {
    errinput!(sqlstate::UNDEFINED_OBJECT, "role \"{name}\" does not exist")
}

fn role_name(name: &ObjectName) -> Result<String> {
    match name.0.as_slice() {
        [part] => part
            .as_ident()
            .map(|i| i.value.clone())
            .ok_or_else(|| crate::errunsupported!("this role name")),
        _ => Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "role name must be a simple name: {name}"
        )),
    }
}

fn string_literal(e: &Expr) -> Option<&str> {
    match e {
        Expr::Value(v) => match &v.value {
            SqlValue::SingleQuotedString(s) => Some(s),
            _ => None,
        },
        _ => None,
    }
}

fn password_of(password: &Password, sink: &mut dyn RowSink) -> Result<Option<String>> {
    match password {
        Password::NullPassword => Ok(None),
        Password::Password(e) => {
            let text = string_literal(e).ok_or_else(|| {
                errinput!(sqlstate::SYNTAX_ERROR, "PASSWORD must be a string constant")
            })?;
            if text.is_empty() {
                sink.notice(
                    "NOTICE",
                    "00000",
                    "empty string is not a valid password, clearing password".to_string(),
                );
                return Ok(None);
            }
            Ok(Some(scram::stored_form(text)))
        }
    }
}

fn connection_limit(e: &Expr) -> Result<i32> {
    let text = match e {
        Expr::Value(v) => match &v.value {
            SqlValue::Number(n, _) => n.to_string(),
            _ => String::new(),
        },
        Expr::UnaryOp { expr, .. } => format!("-{expr}"),
        _ => String::new(),
    };
    match text.parse::<i32>() {
        Ok(n) if n >= -1 => Ok(n),
        _ => Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "invalid connection limit: {e}"
        )),
    }
}

fn valid_until(e: &Expr) -> Result<Option<i64>> {
    let text = string_literal(e).ok_or_else(|| {
        errinput!(
            sqlstate::SYNTAX_ERROR,
            "VALID UNTIL must be a string constant"
        )
    })?;
    if text.eq_ignore_ascii_case("infinity") {
        return Ok(None);
    }
    crate::types::datetime::parse_timestamptz(text).map(Some)
}
