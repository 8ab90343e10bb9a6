//! A session runs statements against the engine: lock, bind, execute,
//! stream rows to a sink. It is synchronous; the server calls it on a
//! blocking thread.

use std::sync::Arc;

use sqlparser::ast::Statement;

use super::binder::{bind, Bound};
use super::eval::EvalContext;
use super::exec::{self, write, ExecContext, Row};
use super::plan::{OutputColumn, Plan};
use crate::engine::Engine;
use crate::error::Result;
use crate::storage::heap::Xid;
use crate::storage::RelId;
use crate::types::{datetime, DataType, Value};

/// Receives a statement's result rows.
pub trait RowSink {
    /// Called once, before any row, for statements that return rows; `tag`
    /// is the command tag without its row count ("SELECT", "INSERT 0").
    fn columns(&mut self, columns: &[OutputColumn], tag: &str) -> Result<()>;
    /// Called per row; an error (client gone) stops the statement.
    fn row(&mut self, row: Row) -> Result<()>;
    /// A NOTICE for the client (SQLSTATE and message).
    fn notice(&mut self, code: &str, message: String);
}

/// Statement execution against one engine.
pub struct Session {
    engine: Arc<Engine>,
}

impl Session {
    /// A session on an engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        Session { engine }
    }

    /// Binds a statement to learn its parameter and result types.
    pub fn describe(&self, statement: &Statement, declared: &[Option<DataType>]) -> Result<Bound> {
        let _guard = self.engine.begin_read();
        bind(statement, self.engine.catalog(), declared)
    }

    /// Runs a statement with parameter values; returns the command tag
    /// once a write is committed and durable.
    pub fn execute(
        &self,
        statement: &Statement,
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<String> {
        if matches!(statement, Statement::Query(_)) {
            let _read = self.engine.begin_read();
            return self.run(statement, declared, params, sink, 0, &mut Vec::new());
        }
        let mut dropped = Vec::new();
        let (tag, commit_lsn) = {
            let (_write, xid) = self.engine.begin_write();
            match self.run(statement, declared, params, sink, xid, &mut dropped) {
                Ok(tag) => (tag, self.engine.commit(xid)?),
                Err(e) => {
                    self.engine.abort(xid);
                    return Err(e);
                }
            }
        };
        self.engine.wait_durable(commit_lsn)?;
        self.engine.remove_relations(&dropped)?;
        self.engine.maybe_checkpoint()?;
        Ok(tag)
    }

    /// Binds and executes under the statement lock; `dropped` collects the
    /// relations whose files go once the statement commits.
    fn run(
        &self,
        statement: &Statement,
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
        xid: Xid,
        dropped: &mut Vec<RelId>,
    ) -> Result<String> {
        let bound = bind(statement, self.engine.catalog(), declared)?;
        let ctx = ExecContext {
            engine: &self.engine,
            eval: EvalContext {
                params,
                statement_time: datetime::now_micros(),
            },
        };
        match &bound.plan {
            Plan::Query { root, columns } => {
                sink.columns(columns, "SELECT")?;
                let mut n = 0u64;
                for row in exec::execute(root, &ctx)? {
                    sink.row(row?)?;
                    n += 1;
                }
                Ok(format!("SELECT {n}"))
            }
            Plan::Insert {
                table,
                source,
                targets,
                defaults,
                returning,
            } => {
                let result = write::insert(
                    &ctx,
                    xid,
                    table,
                    source,
                    targets,
                    defaults,
                    returning.as_ref(),
                )?;
                send_returning(sink, &bound, "INSERT 0", result.returning)?;
                Ok(format!("INSERT 0 {}", result.count))
            }
            Plan::Update {
                table,
                predicate,
                assignments,
                returning,
            } => {
                let result = write::update(
                    &ctx,
                    xid,
                    table,
                    predicate.as_ref(),
                    assignments,
                    returning.as_ref(),
                )?;
                send_returning(sink, &bound, "UPDATE", result.returning)?;
                Ok(format!("UPDATE {}", result.count))
            }
            Plan::Delete {
                table,
                predicate,
                returning,
            } => {
                let result =
                    write::delete(&ctx, xid, table, predicate.as_ref(), returning.as_ref())?;
                send_returning(sink, &bound, "DELETE", result.returning)?;
                Ok(format!("DELETE {}", result.count))
            }
            Plan::CreateTable {
                name,
                columns,
                if_not_exists,
            } => {
                if !write::create_table(&ctx, xid, name, columns, *if_not_exists)? {
                    sink.notice(
                        "42P07",
                        format!("relation \"{name}\" already exists, skipping"),
                    );
                }
                Ok("CREATE TABLE".to_string())
            }
            Plan::DropTable { names, if_exists } => {
                let (missing, rels) = write::drop_tables(&ctx, xid, names, *if_exists)?;
                for name in missing {
                    sink.notice(
                        "00000",
                        format!("table \"{name}\" does not exist, skipping"),
                    );
                }
                dropped.extend(rels);
                Ok("DROP TABLE".to_string())
            }
        }
    }
}

fn send_returning(sink: &mut dyn RowSink, bound: &Bound, tag: &str, rows: Vec<Row>) -> Result<()> {
    if let Some(columns) = bound.plan.output_columns() {
        sink.columns(columns, tag)?;
        for row in rows {
            sink.row(row)?;
        }
    }
    Ok(())
}
