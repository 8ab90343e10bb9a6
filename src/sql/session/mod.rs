//! A session: one client's statements, its transaction block, its
//! settings. It is synchronous; the server calls it on a blocking thread.
//!
//! Every statement runs in a transaction: the open block (BEGIN …) or one
//! made for it alone (autocommit). Reads see a snapshot; the first write
//! takes the writer lock, which the transaction keeps until it ends. A
//! write is acknowledged only once its commit is durable. A failed
//! statement in a block puts it in the aborted state (25P02) until
//! ROLLBACK or ROLLBACK TO SAVEPOINT.

mod audit;
mod authorize;
mod control;
mod copy;
mod copy_file;
mod copy_out;
mod copy_parquet;
mod create_table_as;
mod cursors;
mod execute;
mod grant;
mod read_only;
mod reg_output;
mod reported;
mod roles;
mod search_path;
pub mod settings;
mod snapshots;
mod temp_tables;
mod transaction;

use std::sync::Arc;

use sqlparser::ast::{
    ContextModifier, Reset, Set, Statement, TransactionIsolationLevel, TransactionMode,
};

pub use copy::CopyIn;
pub use settings::Settings;
pub use transaction::Transaction;

use control::{aborted, is_transaction_control, setting_name};
use execute::{execute_plan, StatementRun};

use super::binder::{bind_command, normalize, table_name, Bound};
use super::exec::Row;
use super::parser::{Command, Vacuum};
use super::plan::{OutputColumn, Plan};
use crate::engine::Engine;
use crate::errinput;
use crate::error::{Error, Result};
use crate::txn::{Isolation, SchemaMode, WaitLimits};
use crate::types::{ColumnType, DataType, Value};

/// Receives a statement's result rows and messages.
pub trait RowSink {
    /// Called once, before any row, for statements that return rows; `tag`
    /// is the command tag without its row count ("SELECT", "INSERT 0").
    fn columns(&mut self, columns: &[OutputColumn], tag: &str) -> Result<()>;
    /// Called per row; an error (client gone) stops the statement.
    fn row(&mut self, row: Row) -> Result<()>;
    /// A NOTICE or WARNING for the client.
    fn notice(&mut self, severity: &str, code: &str, message: String);
    /// A NOTICE with a DETAIL field.
    fn notice_with_detail(&mut self, severity: &str, code: &str, message: String, _detail: String) {
        self.notice(severity, code, message)
    }
    /// A reported setting changed (the wire's ParameterStatus).
    fn parameter_status(&mut self, _name: &str, _value: &str) {}
    /// COPY TO STDOUT begins; each row after is one record's bytes.
    fn copy_out(&mut self, columns: &[OutputColumn], _binary: bool) -> Result<()> {
        self.columns(columns, "COPY")
    }
    /// Whether the client reads this result column in binary, where an
    /// OID-alias value stays an OID (in text it is sent as a name).
    fn binary_column(&self, _column: usize) -> bool {
        false
    }
}

/// How a statement changed the transaction state (the server reports it
/// in ReadyForQuery).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TxnEffect {
    None,
    Started,
    Ended,
}

/// A finished statement: its command tag and transaction effect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Outcome {
    pub tag: String,
    pub effect: TxnEffect,
}

impl Outcome {
    fn tag(tag: impl Into<String>) -> Self {
        Outcome {
            tag: tag.into(),
            effect: TxnEffect::None,
        }
    }
}

/// Who runs a statement: the current role (after SET ROLE) and the
/// session user (after SET SESSION AUTHORIZATION), by OID.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Who {
    pub current: u32,
    pub session: u32,
}

/// One client's session.
pub struct Session {
    engine: Arc<Engine>,
    txn: Option<Transaction>,
    settings: Settings,
    /// The role that logged in (session_user), by OID.
    user: u32,
    /// Set by a CancelRequest: the running statement stops with 57014.
    interrupt: Arc<std::sync::atomic::AtomicBool>,
    /// DECLAREd cursors.
    cursors: cursors::Cursors,
    /// What currval and lastval return.
    sequences: Arc<parking_lot::Mutex<crate::catalog::SessionSequences>>,
    /// The reported settings as the client last heard them (None until
    /// the first statement, when they are what the connection reported).
    reported: Option<Vec<(&'static str, String)>>,
    /// This session's entry among the live ones (pg_backend_pid,
    /// pg_stat_activity), when it has one.
    backend: Option<(i32, Arc<crate::catalog::backends::Backend>)>,
    /// This transaction exported its snapshot (pg_export_snapshot): the
    /// export is withdrawn when it ends.
    exported_snapshot: bool,
    /// The database it connected to.
    database: u32,
    /// Temporary tables with ON COMMIT DELETE ROWS or DROP, by key.
    on_commit: Vec<(String, crate::sql::plan::OnCommit)>,
}

impl Drop for Session {
    fn drop(&mut self) {
        if let Some(t) = self.txn.take() {
            if let Err(e) = t.finish(&self.engine, false) {
                tracing::warn!(error = %e, "rolling back a closed session's transaction failed");
            }
        }
    }
}

impl Session {
    /// A session on an engine.
    pub fn new(engine: Arc<Engine>) -> Self {
        let options = engine.options();
        let settings = Settings::new(
            options.statement_timeout,
            options.lock_timeout,
            options.synchronous_commit,
            engine.is_encrypted(),
        );
        Session {
            engine,
            txn: None,
            settings,
            user: crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID,
            interrupt: Default::default(),
            cursors: Default::default(),
            sequences: Default::default(),
            reported: None,
            backend: None,
            exported_snapshot: false,
            on_commit: Vec::new(),
            database: crate::catalog::acl::DATABASE_OID,
        }
    }

    /// The database the session works in (it exists: authentication
    /// checked).
    pub fn with_database(mut self, name: &str) -> Self {
        if let Some(d) = self.engine.catalog().database_by_name(name) {
            self.database = d.oid;
            if let Some((_, backend)) = &self.backend {
                backend
                    .database
                    .store(d.oid, std::sync::atomic::Ordering::Relaxed);
            }
        }
        self
    }

    /// The database the session works in.
    pub fn database(&self) -> u32 {
        self.database
    }

    /// The session's entry among the live sessions, with its pid.
    pub fn with_backend(
        mut self,
        pid: i32,
        backend: Arc<crate::catalog::backends::Backend>,
    ) -> Self {
        self.backend = Some((pid, backend));
        self
    }

    /// Notes what the session is doing for pg_stat_activity: the
    /// statement starting (Some) or finished (None).
    pub fn note_activity(&self, statement: Option<&Arc<Command>>) {
        let Some((_, backend)) = &self.backend else {
            return;
        };
        let mut a = backend.activity.lock();
        match statement {
            Some(s) => {
                a.state = "active";
                a.query = Some(s.clone());
                a.query_start = Some(crate::types::datetime::now_micros());
            }
            None => {
                a.state = match &self.txn {
                    Some(t) if t.failed => "idle in transaction (aborted)",
                    Some(_) => "idle in transaction",
                    None => "idle",
                };
            }
        }
    }

    /// The session of a role that logged in.
    pub fn with_user(mut self, role: u32) -> Self {
        self.user = role;
        self
    }

    /// Statements stop (57014) when `interrupt` is set (it is cleared as
    /// each statement starts).
    pub fn with_interrupt(mut self, interrupt: Arc<std::sync::atomic::AtomicBool>) -> Self {
        self.interrupt = interrupt;
        self
    }

    /// The role that logged in, by OID.
    pub fn user(&self) -> u32 {
        self.user
    }

    /// The current role and session user, from the `role` and
    /// `session_authorization` settings (a role dropped since falls back
    /// to the one below it).
    pub fn who(&self) -> Who {
        let roles = self.engine.catalog().roles();
        let lookup = |setting: &str| {
            let name = self.settings.get(setting);
            roles.by_name(&name).map(|r| r.oid)
        };
        let session = lookup("session_authorization").unwrap_or(self.user);
        let current = match self.settings.get("role").as_str() {
            "none" => session,
            _ => lookup("role").unwrap_or(session),
        };
        Who { current, session }
    }

    /// The isolation of new transactions (default_transaction_isolation).
    fn default_isolation(&self) -> Isolation {
        match self.settings.get("default_transaction_isolation").as_str() {
            "repeatable read" => Isolation::RepeatableRead,
            _ => Isolation::ReadCommitted,
        }
    }

    /// Whether new transactions are READ ONLY (default_transaction_read_only).
    fn default_read_only(&self) -> bool {
        self.settings.get("default_transaction_read_only") == "on"
    }

    /// True inside a transaction block.
    pub fn in_block(&self) -> bool {
        self.txn.as_ref().is_some_and(|t| t.explicit)
    }

    /// Starts PostgreSQL's implicit transaction block for a Query message
    /// holding several statements: they commit together at its end, or
    /// none does. A no-op inside an explicit block.
    pub fn begin_implicit_block(&mut self) {
        if self.txn.is_none() {
            let mut t = Transaction::new(self.default_isolation(), false);
            t.implicit_block = true;
            self.txn = Some(t);
        }
    }

    /// Ends the implicit block (commit unless a statement failed). An
    /// explicit block opened inside it (BEGIN) stays open.
    pub fn end_implicit_block(&mut self, commit: bool) -> Result<()> {
        if self
            .txn
            .as_ref()
            .is_some_and(|t| t.implicit_block && !t.explicit)
        {
            self.end_transaction(commit)?;
        }
        Ok(())
    }

    /// Binds a statement to learn its parameter and result types.
    pub fn describe(
        engine: &Engine,
        command: &Command,
        declared: &[Option<DataType>],
    ) -> Result<Bound> {
        // DECLARE: no result, but the parameters of its query.
        if let Command::Sql(Statement::Declare { stmts }) = command {
            if let [sqlparser::ast::Declare {
                for_query: Some(query),
                ..
            }] = stmts.as_slice()
            {
                let inner = Command::Sql(Statement::Query(query.clone()));
                let bound = bind_command(&inner, engine.catalog(), declared)?;
                return Ok(Bound {
                    plan: Plan::Utility { columns: None },
                    ..bound
                });
            }
        }
        // Statements the session answers itself: their result columns, if any.
        let utility = match command {
            Command::Vacuum(_) => Some(None),
            Command::Sql(s) => utility_columns(s).map(Some).or((is_transaction_control(s)
                || create_table_as::is_table_as(s)
                || roles::is_role_statement(s)
                || is_owner_change(s)
                || matches!(
                    s,
                    Statement::Declare { .. }
                        | Statement::Close { .. }
                        | Statement::Deallocate { .. }
                ))
            .then_some(None)),
            Command::Reindex { .. } | Command::Sequence(_) | Command::Database(_) => None,
            Command::Grant(_) | Command::Fetch { .. } => Some(None),
        };
        match utility {
            Some(columns) => Ok(Bound {
                plan: Plan::Utility { columns },
                param_types: vec![],
                locks_rows: false,
                reads: Default::default(),
            }),
            None => bind_command(command, engine.catalog(), declared),
        }
    }

    /// Runs a statement with parameter values, names found along the
    /// session's search path.
    pub fn execute(
        &mut self,
        command: &Command,
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<Outcome> {
        let path = self.search_path();
        let planner = self.settings.planner();
        crate::catalog::names::with_search_path(path, || {
            crate::sql::binder::planner_settings::with_planner_settings(planner, || {
                self.execute_on_path(command, declared, params, sink)
            })
        })
    }

    fn execute_on_path(
        &mut self,
        command: &Command,
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<Outcome> {
        self.interrupt
            .store(false, std::sync::atomic::Ordering::Release);
        if self.reported.is_none() {
            let now = self.reportable();
            self.publish_application_name(&now);
            self.reported = Some(now);
        }
        let control = match command {
            Command::Sql(statement) => self.transaction_control(statement, sink),
            Command::Vacuum(v) => self.vacuum(v, sink).map(Some),
            Command::Reindex { .. }
            | Command::Sequence(_)
            | Command::Database(_)
            | Command::Grant(_)
            | Command::Fetch { .. } => Ok(None),
        };
        match control {
            Ok(Some(outcome)) => {
                self.report_changes(sink);
                return Ok(outcome);
            }
            Ok(None) => {}
            Err(e) => {
                // Any error inside a block aborts it, as in PostgreSQL.
                if let Some(t) = self.txn.as_mut().filter(|t| t.explicit) {
                    t.failed = true;
                }
                return Err(e);
            }
        }
        if let Some(path) = copy_file::is_copy_from_file(command) {
            return self.copy_from_file(command, path);
        }
        if self.txn.as_ref().is_some_and(|t| t.failed) {
            return Err(errinput!(
                "25P02",
                "current transaction is aborted, commands ignored until end of transaction block"
            ));
        }
        let implicit = self.txn.is_none();
        if implicit {
            let mut t = Transaction::new(self.default_isolation(), false);
            t.read_only = self.default_read_only();
            self.txn = Some(t);
        }
        // A bug that panics fails the statement, not the session: the
        // transaction is rolled back (or its block fails) as for any error.
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let tag = self.run(command, declared, params, sink)?;
            self.note_on_commit(command);
            Ok(tag)
        }))
        .unwrap_or_else(|_| {
            tracing::error!("a statement panicked; its transaction is rolled back");
            Err(crate::errinternal!(
                "internal error while running the statement"
            ))
        });
        audit::record(
            &self.engine,
            self.who().current,
            command,
            result.as_ref().map(|_| ()),
        );
        let Some(txn) = self.txn.as_mut() else {
            return Err(crate::errinternal!("transaction vanished"));
        };
        txn.started = true;
        match result {
            Ok(tag) if implicit => {
                self.end_transaction(true)?;
                Ok(Outcome::tag(tag))
            }
            Ok(tag) => Ok(Outcome::tag(tag)),
            Err(e) => {
                if implicit {
                    self.end_transaction(false)?;
                } else {
                    txn.failed = true;
                }
                Err(e)
            }
        }
    }

    /// Commits (or rolls back) the current transaction and waits for the
    /// commit to be durable.
    fn end_transaction(&mut self, commit: bool) -> Result<()> {
        if commit && !self.on_commit.is_empty() && self.txn.as_ref().is_some_and(|t| !t.failed) {
            if let Err(e) = self.run_on_commit() {
                // The commit becomes a rollback, as when a deferred check fails.
                self.end_transaction(false)?;
                return Err(e);
            }
        }
        let Some(txn) = self.txn.take() else {
            return Ok(());
        };
        self.withdraw_exports();
        let dropped = txn.dropped.clone();
        self.settings.end_transaction(commit);
        self.cursors.end_transaction();
        let lsn = txn.finish(&self.engine, commit)?;
        if commit && lsn > 0 {
            self.engine
                .wait_durable(lsn, self.settings.synchronous_commit())?;
            self.engine.remove_relations(&dropped)?;
            self.engine.maybe_checkpoint()?;
        } else if commit {
            // Values nextval handed out must not come again after a crash
            // (a writing transaction's commit record follows their write).
            let sequences = self.engine.catalog().sequence_lsn();
            self.engine
                .wait_durable(sequences, self.settings.synchronous_commit())?;
        }
        Ok(())
    }

    /// VACUUM [ANALYZE] of some tables or all, outside any transaction
    /// block; ANALYZE runs in a transaction of its own afterwards.
    fn vacuum(&mut self, v: &Vacuum, sink: &mut dyn RowSink) -> Result<Outcome> {
        if self.txn.is_some() {
            return Err(errinput!(
                "25001",
                "VACUUM cannot run inside a transaction block"
            ));
        }
        if v.full {
            return Err(crate::errunsupported!("VACUUM FULL"));
        }
        let catalog = self.engine.catalog();
        let tables = v
            .tables
            .iter()
            .map(|name| catalog.must_get_table(&table_name(name)?))
            .collect::<Result<Vec<_>>>()?;
        let role = self.who().current;
        let (tables, rels) = if catalog.is_superuser(role) {
            let rels = if tables.is_empty() {
                catalog.relations()
            } else {
                tables.iter().map(|t| t.rel()).collect()
            };
            (tables, rels)
        } else {
            // Others vacuum only what they own (or all, as database owner).
            let candidates = if tables.is_empty() {
                catalog.tables()
            } else {
                tables
            };
            let mut mine = Vec::new();
            for t in candidates {
                if authorize::may_maintain(catalog, role, &t) {
                    mine.push(t);
                } else {
                    sink.notice(
                        "WARNING",
                        "01000",
                        format!(
                            "skipping \"{}\" --- only table or database owner can vacuum it",
                            t.name
                        ),
                    );
                }
            }
            let rels = mine.iter().map(|t| t.rel()).collect();
            (mine, rels)
        };
        self.engine.vacuum(&rels)?;
        if v.analyze {
            let tables = if tables.is_empty() {
                catalog.tables()
            } else {
                tables
            };
            // ANALYZE in a transaction of its own, like an autocommit statement.
            self.txn = Some(Transaction::new(self.default_isolation(), false));
            let mut bound = Some(Bound {
                plan: Plan::Analyze { tables },
                param_types: vec![],
                locks_rows: false,
                reads: Default::default(),
            });
            let result = self.run_with(
                Some(SchemaMode::Exclusive),
                |_| {
                    bound
                        .take()
                        .ok_or_else(|| crate::errinternal!("ANALYZE bound twice"))
                },
                vec![],
                sink,
            );
            self.end_transaction(result.is_ok())?;
            result?;
        }
        Ok(Outcome::tag("VACUUM"))
    }

    /// Binds and executes inside the current transaction.
    fn run(
        &mut self,
        command: &Command,
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<String> {
        if self.txn.as_ref().is_some_and(|t| t.read_only) {
            if let Some(e) = read_only::refusal(command) {
                return Err(e);
            }
        }
        if let Command::Database(d) = command {
            if self.in_block() {
                let what = match d {
                    crate::sql::database_syntax::DatabaseStatement::Create { .. } => "CREATE",
                    crate::sql::database_syntax::DatabaseStatement::Drop { .. } => "DROP",
                };
                return Err(errinput!(
                    "25001",
                    "{what} DATABASE cannot run inside a transaction block"
                ));
            }
        }
        match command {
            Command::Sql(statement) if roles::is_role_statement(statement) => {
                return self.run_role_statement(statement, sink);
            }
            Command::Grant(g) => {
                let who = self.who();
                let xid = self.exclusive_xid()?;
                return grant::execute(self.engine.catalog(), who, g, xid, sink);
            }
            Command::Sql(Statement::Declare { stmts }) => {
                return self.declare(stmts, declared, params, sink)
            }
            Command::Sql(statement @ (Statement::CreateTable(_) | Statement::Query(_))) => {
                if let Some(result) = self.create_table_as(statement, sink) {
                    return result;
                }
            }
            Command::Sql(Statement::Deallocate { name, .. }) => {
                // Protocol-level statements belong to the wire layer, which
                // drops them with the connection; SQL PREPARE does not exist.
                let all = name.quote_style.is_none() && name.value.eq_ignore_ascii_case("all");
                return Ok(if all { "DEALLOCATE ALL" } else { "DEALLOCATE" }.to_string());
            }
            Command::Fetch {
                cursor,
                direction,
                move_only,
            } => {
                let cursor = self.cursors.get(cursor)?;
                let rows = cursor.fetch(*direction);
                let n = rows.len();
                if *move_only {
                    return Ok(format!("MOVE {n}"));
                }
                sink.columns(&cursor.columns, "FETCH")?;
                let names = reg_output::RegColumns::of(&cursor.columns, sink);
                for row in rows {
                    sink.row(names.apply(row, self.engine.catalog()))?;
                }
                return Ok(format!("FETCH {n}"));
            }
            Command::Sql(Statement::Close { cursor }) => {
                return match cursor {
                    sqlparser::ast::CloseCursor::All => {
                        self.cursors.close_all();
                        Ok("CLOSE CURSOR ALL".to_string())
                    }
                    sqlparser::ast::CloseCursor::Specific { name } => {
                        self.cursors.close(&normalize(name))?;
                        Ok("CLOSE CURSOR".to_string())
                    }
                };
            }
            Command::Sql(statement) => {
                if let Some((a, new_owner)) = owner_change(statement) {
                    return self.alter_owner(a, new_owner);
                }
            }
            _ => {}
        }
        self.run_with(
            schema_mode(command),
            |catalog| bind_command(command, catalog, declared),
            params,
            sink,
        )
    }

    /// Runs CREATE/ALTER/DROP ROLE under the exclusive schema lock.
    fn run_role_statement(
        &mut self,
        statement: &Statement,
        sink: &mut dyn RowSink,
    ) -> Result<String> {
        let who = self.who();
        let xid = self.exclusive_xid()?;
        roles::execute(&self.engine, who, statement, xid, sink)
    }

    /// ALTER TABLE … OWNER TO.
    fn alter_owner(
        &mut self,
        a: &sqlparser::ast::AlterTable,
        owner: &sqlparser::ast::Owner,
    ) -> Result<String> {
        use crate::sql::parser::RoleSpec;
        let who = self.who();
        let xid = self.exclusive_xid()?;
        let catalog = self.engine.catalog();
        let name = table_name(&a.name)?;
        let table = match catalog.get_table(&name) {
            Some(t) => t,
            None if a.if_exists => return Ok("ALTER TABLE".to_string()),
            None => {
                return Err(catalog
                    .must_get_table(&name)
                    .err()
                    .unwrap_or_else(|| crate::errinternal!("table vanished")))
            }
        };
        let spec = match owner {
            sqlparser::ast::Owner::Ident(i) => RoleSpec::Name(normalize(i)),
            sqlparser::ast::Owner::CurrentRole => RoleSpec::CurrentRole,
            sqlparser::ast::Owner::CurrentUser => RoleSpec::CurrentUser,
            sqlparser::ast::Owner::SessionUser => RoleSpec::SessionUser,
        };
        grant::alter_owner(catalog, who, &table, &spec, xid)?;
        Ok("ALTER TABLE".to_string())
    }

    /// The transaction's xid, holding the schema lock alone (catalog changes).
    fn exclusive_xid(&mut self) -> Result<crate::storage::heap::Xid> {
        let engine = self.engine.clone();
        let limits = self.wait_limits();
        let txn = self
            .txn
            .as_mut()
            .ok_or_else(|| crate::errinternal!("no transaction"))?;
        let xid = txn.write_xid(&engine, SchemaMode::Exclusive, limits)?;
        txn.ddl = true;
        Ok(xid)
    }

    /// How long a statement starting now may wait (lock_timeout) and run
    /// (statement_timeout).
    fn wait_limits(&self) -> WaitLimits {
        let deadline = self
            .settings
            .statement_timeout()
            .map(|t| std::time::Instant::now() + t);
        WaitLimits::from_now(self.settings.lock_timeout(), deadline)
    }

    /// Executes what `bind` binds inside the current transaction; a
    /// statement that writes first takes the schema lock in `writes` mode
    /// and an xid. A READ COMMITTED statement that meets a row changed by
    /// a transaction committed since its snapshot runs again with a new one.
    fn run_with(
        &mut self,
        writes: Option<SchemaMode>,
        bind: impl FnOnce(&crate::catalog::Catalog) -> Result<Bound>,
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<String> {
        let engine = self.engine.clone();
        let limits = self.wait_limits();
        let who = self.who();
        let txn = self
            .txn
            .as_mut()
            .ok_or_else(|| crate::errinternal!("no transaction"))?;
        // REPEATABLE READ fixes its snapshot at the first statement, before
        // waiting for a lock (so a concurrent update is a 40001); READ
        // COMMITTED takes its snapshot once the locks are held.
        if txn.isolation == Isolation::RepeatableRead {
            txn.visibility(&engine);
        }
        let mut xid = match writes {
            Some(mode) => txn.write_xid(&engine, mode, limits)?,
            None => 0,
        };
        let mut bound = bind(engine.catalog())?;
        authorize::authorize(engine.catalog(), who.current, &mut bound, sink)?;
        // FOR UPDATE in a subquery: only binding showed that it locks rows.
        if bound.locks_rows && xid == 0 {
            xid = txn.write_xid(&engine, SchemaMode::Shared, limits)?;
        }
        if matches!(
            bound.plan,
            Plan::CreateTable { .. }
                | Plan::CreateView { .. }
                | Plan::DropView { .. }
                | Plan::DropTable { .. }
                | Plan::CreateIndex { .. }
                | Plan::DropIndex { .. }
                | Plan::Reindex { .. }
                | Plan::Analyze { .. }
                | Plan::CreateSequence { .. }
                | Plan::AlterTable { .. }
                | Plan::Comment { .. }
                | Plan::CreateEnum { .. }
                | Plan::AlterEnum { .. }
                | Plan::DropTypes { .. }
                | Plan::AlterSequence { .. }
                | Plan::DropSequence { .. }
                | Plan::CreateSchema { .. }
                | Plan::DropSchemas { .. }
        ) {
            txn.ddl = true;
        }
        let params: std::sync::Arc<[Value]> = params.into();
        let settings = bound.reads.settings.then(|| {
            Arc::new(settings::StatementSettings {
                current: parking_lot::Mutex::new(self.settings.clone()),
                changes: Default::default(),
            })
        });
        let result = loop {
            let run = StatementRun {
                visibility: txn.visibility(&engine),
                params: params.clone(),
                xid,
                top: txn.top_xid().unwrap_or(0),
                isolation: txn.isolation,
                limits,
                interrupt: self.interrupt.clone(),
                who,
                settings: settings.clone(),
                backend_pid: self.backend.as_ref().map_or(0, |(pid, _)| *pid),
                sequences: self.sequences.clone(),
            };
            let mut dropped = Vec::new();
            match execute_plan(&engine, &bound, run, sink, &mut dropped) {
                Err(Error::Restart) if txn.isolation == Isolation::ReadCommitted => continue,
                Err(Error::Restart) => {
                    return Err(errinput!(
                        "40001",
                        "could not serialize access due to concurrent update"
                    ))
                }
                result => {
                    txn.dropped.extend(dropped);
                    break result?;
                }
            }
        };
        if let Some(settings) = settings {
            let changes = std::mem::take(&mut *settings.changes.lock());
            if !changes.is_empty() {
                // A local change outside a block ends with the statement.
                let in_block = self.in_block();
                for c in changes.into_iter().filter(|c| !c.local || in_block) {
                    self.set_setting(&c.name, Some(&c.value), c.local, sink)?;
                }
                self.report_changes(sink);
            }
        }
        Ok(result)
    }
}

/// How a command holds the schema lock: row writes share it, everything
/// else that writes (DDL, TRUNCATE, ANALYZE, REINDEX) takes it alone;
/// reads take none.
fn schema_mode(command: &Command) -> Option<SchemaMode> {
    match command {
        Command::Sql(Statement::Query(q)) if q.locks.is_empty() => None,
        Command::Sql(Statement::Explain { .. }) => None,
        Command::Sql(
            Statement::Query(_)
            | Statement::Insert(_)
            | Statement::Update { .. }
            | Statement::Delete(_)
            | Statement::Copy { .. },
        ) => Some(SchemaMode::Shared),
        _ => Some(SchemaMode::Exclusive),
    }
}

/// ALTER TABLE … OWNER TO, which the session runs itself.
fn owner_change(
    statement: &Statement,
) -> Option<(&sqlparser::ast::AlterTable, &sqlparser::ast::Owner)> {
    match statement {
        Statement::AlterTable(a) => match a.operations.as_slice() {
            [sqlparser::ast::AlterTableOperation::OwnerTo { new_owner }] => Some((a, new_owner)),
            _ => None,
        },
        _ => None,
    }
}

fn is_owner_change(statement: &Statement) -> bool {
    owner_change(statement).is_some()
}

/// Result columns of SHOW (the session answers it itself).
fn utility_columns(statement: &Statement) -> Option<Vec<OutputColumn>> {
    let Statement::ShowVariable { variable } = statement else {
        return None;
    };
    let text = |name: &str| OutputColumn {
        name: name.to_string(),
        ty: ColumnType::plain(DataType::Text),
        table_oid: 0,
        column_number: 0,
    };
    let name = setting_name(variable);
    Some(match name.as_str() {
        "transaction_isolation" => vec![text("transaction_isolation")],
        "transaction_read_only" => vec![text("transaction_read_only")],
        "all" => vec![text("name"), text("setting"), text("description")],
        _ => vec![text(&settings::display_name(&name))],
    })
}
