//! What a session writes to the audit log: every DDL statement, every role
//! change, and INSERT/UPDATE/DELETE/COPY on the tables the config names —
//! with who ran it and whether it succeeded. Passwords are replaced by
//! `'********'` before the statement text is written.

use serde_json::Value as Json;
use sqlparser::ast::{
    AlterRoleOperation, Expr, ObjectType, Password, RoleOption, Statement, TableFactor,
    TableObject, Value as SqlValue,
};

use crate::engine::Engine;
use crate::error::Error;
use crate::sql::parser::Command;

/// Records `command` if it is audited.
pub(super) fn record(engine: &Engine, user: u32, command: &Command, result: Result<(), &Error>) {
    let Some(log) = engine.audit() else {
        return;
    };
    let Some(event) = event_of(engine, command) else {
        return;
    };
    let user = engine
        .catalog()
        .roles()
        .by_oid(user)
        .map(|r| r.name.clone())
        .unwrap_or_default();
    let mut fields = vec![
        ("user", Json::from(user)),
        ("statement", Json::from(redacted(command))),
        ("ok", Json::from(result.is_ok())),
    ];
    if let Err(e) = result {
        fields.push(("sqlstate", Json::from(e.sqlstate())));
    }
    log.record(event, &fields);
}

/// "role", "privilege", "ddl" or "dml"; None if not audited.
fn event_of(engine: &Engine, command: &Command) -> Option<&'static str> {
    let statement = match command {
        Command::Reindex { .. } | Command::Sequence(_) | Command::Database(_) => {
            return Some("ddl")
        }
        Command::Vacuum(_) | Command::Fetch { .. } => return None,
        Command::Grant(g) => {
            return Some(match g.what {
                crate::sql::parser::Granted::Roles(_) => "role",
                crate::sql::parser::Granted::Privileges { .. } => "privilege",
            })
        }
        Command::Sql(s) => s,
    };
    match statement {
        Statement::CreateRole(_)
        | Statement::AlterRole { .. }
        | Statement::Grant(_)
        | Statement::Revoke(_)
        | Statement::Drop {
            object_type: ObjectType::Role | ObjectType::User,
            ..
        } => Some("role"),
        Statement::Insert(insert) => match &insert.table {
            TableObject::TableName(name) => audited(engine, name),
            _ => None,
        },
        Statement::Update(update) => match &update.table.relation {
            TableFactor::Table { name, .. } => audited(engine, name),
            _ => None,
        },
        Statement::Delete(delete) => {
            let tables = match &delete.from {
                sqlparser::ast::FromTable::WithFromKeyword(t)
                | sqlparser::ast::FromTable::WithoutKeyword(t) => t,
            };
            tables.iter().find_map(|t| match &t.relation {
                TableFactor::Table { name, .. } => audited(engine, name),
                _ => None,
            })
        }
        Statement::Copy { source, to, .. } if !to => match source {
            sqlparser::ast::CopySource::Table { table_name, .. } => audited(engine, table_name),
            _ => None,
        },
        Statement::Query(_)
        | Statement::Copy { .. }
        | Statement::Explain { .. }
        | Statement::StartTransaction { .. }
        | Statement::Commit { .. }
        | Statement::Rollback { .. }
        | Statement::Savepoint { .. }
        | Statement::ReleaseSavepoint { .. }
        | Statement::Set(_)
        | Statement::ShowVariable { .. }
        | Statement::Discard { .. }
        | Statement::Prepare { .. }
        | Statement::Execute { .. }
        | Statement::Deallocate { .. } => None,
        _ => Some("ddl"),
    }
}

fn audited(engine: &Engine, table: &sqlparser::ast::ObjectName) -> Option<&'static str> {
    let last = table.0.last()?.as_ident()?;
    engine.audits_table(&last.value).then_some("dml")
}

/// The statement's text with any password replaced.
pub fn redacted(command: &Command) -> String {
    let hidden = || {
        Password::Password(Expr::Value(
            SqlValue::SingleQuotedString("********".to_string()).into(),
        ))
    };
    match command {
        Command::Sql(Statement::CreateRole(create)) if create.password.is_some() => {
            let mut c = create.clone();
            if matches!(c.password, Some(Password::Password(_))) {
                c.password = Some(hidden());
            }
            Statement::CreateRole(c).to_string()
        }
        Command::Sql(Statement::AlterRole {
            name,
            operation: AlterRoleOperation::WithOptions { options },
        }) => {
            let options = options
                .iter()
                .map(|o| match o {
                    RoleOption::Password(Password::Password(_)) => RoleOption::Password(hidden()),
                    other => other.clone(),
                })
                .collect();
            Statement::AlterRole {
                name: name.clone(),
                operation: AlterRoleOperation::WithOptions { options },
            }
            .to_string()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_survive() {
        for sql in [
            "CREATE ROLE a LOGIN PASSWORD 'hunter2hunter2'",
            "CREATE USER a PASSWORD 'hunter2hunter2'",
            "ALTER ROLE a WITH PASSWORD 'hunter2hunter2' VALID UNTIL '2030-01-01'",
            "ALTER USER a PASSWORD 'hunter2hunter2'",
        ] {
            let command = crate::sql::parser::parse(sql).unwrap().remove(0);
            let text = redacted(&command);
            assert!(!text.contains("hunter2"), "{sql} -> {text}");
            assert!(text.contains("'********'"), "{sql} -> {text}");
        }
    }
}
