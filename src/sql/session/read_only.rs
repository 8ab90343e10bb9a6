//! READ ONLY transactions: which commands write, named as PostgreSQL's
//! 25006 "cannot execute X in a read-only transaction" names them.

use sqlparser::ast::{CopySource, ObjectType, Statement};

use crate::errinput;
use crate::error::Error;
use crate::sql::parser::Command;

/// The error for running `command` in a read-only transaction, if it
/// writes.
pub(super) fn refusal(command: &Command) -> Option<Error> {
    let name = match command {
        Command::Sql(statement) => writer_name(statement)?,
        Command::Reindex { .. } => "REINDEX".to_string(),
        Command::Sequence(_) => "ALTER SEQUENCE".to_string(),
        Command::Database(d) => match d {
            crate::sql::database_syntax::DatabaseStatement::Create { .. } => "CREATE DATABASE",
            crate::sql::database_syntax::DatabaseStatement::Drop { .. } => "DROP DATABASE",
        }
        .to_string(),
        Command::Grant(g) => if g.grant { "GRANT" } else { "REVOKE" }.to_string(),
        Command::Vacuum(_) | Command::Fetch { .. } => return None,
    };
    Some(errinput!(
        "25006",
        "cannot execute {name} in a read-only transaction"
    ))
}

fn writer_name(statement: &Statement) -> Option<String> {
    Some(match statement {
        Statement::Query(q) => match q.locks.first() {
            None => return None,
            Some(lock) => format!("SELECT FOR {}", lock.lock_type),
        },
        Statement::Insert(_) => "INSERT".to_string(),
        Statement::Update { .. } => "UPDATE".to_string(),
        Statement::Delete(_) => "DELETE".to_string(),
        Statement::Copy {
            to: false,
            source: CopySource::Table { .. },
            ..
        } => "COPY FROM".to_string(),
        Statement::CreateTable(_) => "CREATE TABLE".to_string(),
        Statement::CreateIndex(_) => "CREATE INDEX".to_string(),
        Statement::AlterTable(_) => "ALTER TABLE".to_string(),
        Statement::Truncate { .. } => "TRUNCATE TABLE".to_string(),
        Statement::Analyze { .. } => "ANALYZE".to_string(),
        Statement::CreateRole(_) => "CREATE ROLE".to_string(),
        Statement::AlterRole { .. } => "ALTER ROLE".to_string(),
        Statement::Drop { object_type, .. } => format!(
            "DROP {}",
            match object_type {
                ObjectType::User => ObjectType::Role,
                other => *other,
            }
        ),
        _ => return None,
    })
}
