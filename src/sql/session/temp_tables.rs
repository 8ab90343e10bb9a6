//! Temporary tables: a session's live in its own schema, `pg_temp_<pid>`,
//! made by its first CREATE TEMP TABLE and searched before the search
//! path. ON COMMIT DELETE ROWS empties a table at each commit, ON COMMIT
//! DROP drops it at the end of its transaction; the whole schema goes
//! when the session ends. Schemas a crash left behind are dropped when
//! the server starts.

use std::sync::Arc;

use sqlparser::ast::Statement;

use super::copy::NoRows;
use super::Session;
use crate::catalog::names;
use crate::catalog::schemas::TEMP_SCHEMA_PREFIX;
use crate::engine::Engine;
use crate::error::Result;
use crate::sql::binder::system_views::quote_ident;
use crate::sql::parser::{self, Command};
use crate::sql::plan::OnCommit;

impl Session {
    /// The name of this session's schema of temporary tables.
    pub fn temp_schema_name(&self) -> String {
        let pid = self.backend.as_ref().map_or(0, |(pid, _)| *pid);
        format!("{TEMP_SCHEMA_PREFIX}{pid}")
    }

    /// Remembers a temporary table's ON COMMIT action once CREATE TEMP
    /// TABLE succeeded.
    pub(super) fn note_on_commit(&mut self, command: &Command) {
        let Command::Sql(Statement::CreateTable(c)) = command else {
            return;
        };
        let action = match c.on_commit {
            Some(sqlparser::ast::OnCommit::DeleteRows) => OnCommit::DeleteRows,
            Some(sqlparser::ast::OnCommit::Drop) => OnCommit::Drop,
            _ => return,
        };
        let Some(name) = c.name.0.last().and_then(|p| p.as_ident()) else {
            return;
        };
        let key = names::key(
            &self.temp_schema_name(),
            &crate::sql::binder::normalize(name),
        );
        self.on_commit.retain(|(k, _)| *k != key);
        self.on_commit.push((key, action));
    }

    /// Carries out the ON COMMIT actions inside the committing transaction.
    pub(super) fn run_on_commit(&mut self) -> Result<()> {
        let actions = std::mem::take(&mut self.on_commit);
        for (key, action) in actions {
            let Some(table) = self.engine.catalog().get_table(&key) else {
                continue;
            };
            let name = format!(
                "{}.{}",
                quote_ident(&table.schema),
                quote_ident(&table.name)
            );
            match action {
                OnCommit::DeleteRows => {
                    self.run_internal(&format!("TRUNCATE {name}"))?;
                    self.on_commit.push((key, action));
                }
                OnCommit::Drop => self.run_internal(&format!("DROP TABLE {name}"))?,
            }
        }
        Ok(())
    }

    /// Ends the session: its temporary schema and tables are dropped.
    pub fn close(&mut self) {
        self.on_commit.clear();
        if let Some(t) = self.txn.take() {
            if let Err(e) = t.finish(&self.engine, false) {
                tracing::warn!(error = %e, "rolling back a closed session's transaction failed");
            }
        }
        let schema = self.temp_schema_name();
        if self.engine.catalog().schema_by_name(&schema).is_some() {
            if let Err(e) = self.run_sql(&format!("DROP SCHEMA {} CASCADE", quote_ident(&schema))) {
                tracing::warn!(error = %e, schema, "dropping a closed session's temporary tables failed");
            }
        }
    }

    /// DISCARD TEMP (and ALL): drops the session's temporary tables, in the
    /// open transaction block or in a transaction of its own.
    pub(super) fn discard_temp(&mut self) -> Result<()> {
        self.on_commit.clear();
        let schema = self.temp_schema_name();
        if self.engine.catalog().schema_by_name(&schema).is_none() {
            return Ok(());
        }
        let sql = format!("DROP SCHEMA {} CASCADE", quote_ident(&schema));
        if self.txn.is_some() {
            self.run_internal(&sql)
        } else {
            self.run_sql(&sql)
        }
    }

    /// Drops the temporary schemas of sessions a crash ended.
    pub fn drop_leftover_temp_schemas(engine: Arc<Engine>) {
        let leftovers: Vec<(String, u32)> = engine
            .catalog()
            .all_schemas()
            .iter()
            .filter(|s| s.is_temp())
            .map(|s| (s.name.clone(), s.database))
            .collect();
        let mut session = Session::new(engine);
        for (schema, database) in leftovers {
            session.database = database;
            if let Err(e) =
                session.run_sql(&format!("DROP SCHEMA {} CASCADE", quote_ident(&schema)))
            {
                tracing::warn!(error = %e, schema, "dropping leftover temporary tables failed");
            }
        }
    }

    /// Runs one statement of FlintDB's own as its own transaction.
    fn run_sql(&mut self, sql: &str) -> Result<()> {
        for command in parser::parse(sql)? {
            self.execute(&command, &[], vec![], &mut NoRows)?;
        }
        Ok(())
    }

    /// Runs one statement of FlintDB's own in the open transaction.
    fn run_internal(&mut self, sql: &str) -> Result<()> {
        for command in parser::parse(sql)? {
            self.run(&command, &[], vec![], &mut NoRows)?;
        }
        Ok(())
    }
}
