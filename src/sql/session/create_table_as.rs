//! CREATE TABLE … AS query and SELECT … INTO table: the query is bound
//! to learn its columns, then the session runs, in the statement's
//! transaction, the CREATE TABLE those columns make and an INSERT of the
//! query's rows (so defaults, privileges and the write path are the
//! ordinary ones). The command tag is `SELECT n`, as in PostgreSQL.

use sqlparser::ast::{CreateTable, Expr, ObjectName, OnCommit, Query, SetExpr, Statement};

use super::{RowSink, Session};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::binder::system_views::quote_ident;
use crate::sql::parser;
use crate::sql::plan::Plan;
use crate::types::DataType;

/// What a CREATE TABLE … AS (or SELECT … INTO) asks for.
struct TableAs {
    name: ObjectName,
    temporary: bool,
    if_not_exists: bool,
    on_commit: Option<OnCommit>,
    query: Query,
}

impl Session {
    /// CREATE TABLE … AS: None if the statement is not one.
    pub(super) fn create_table_as(
        &mut self,
        statement: &Statement,
        sink: &mut dyn RowSink,
    ) -> Option<Result<String>> {
        let request = match statement {
            Statement::CreateTable(c) => table_as(c)?,
            Statement::Query(q) => select_into(q)?,
            _ => return None,
        };
        Some(request.and_then(|r| self.run_table_as(r, sink)))
    }

    fn run_table_as(&mut self, r: TableAs, sink: &mut dyn RowSink) -> Result<String> {
        let catalog = self.engine.catalog();
        let bound =
            crate::sql::binder::bind(&Statement::Query(Box::new(r.query.clone())), catalog, &[])?;
        let Plan::Query { columns, .. } = &bound.plan else {
            return Err(crate::errinternal!("CREATE TABLE AS of a non-query"));
        };
        if r.if_not_exists && catalog.relation_visible(&r.name.to_string()) {
            sink.notice(
                "NOTICE",
                "42P07",
                format!("relation \"{}\" already exists, skipping", r.name),
            );
            return Ok("CREATE TABLE AS".to_string());
        }
        let mut definitions = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            if columns[..i].iter().any(|o| o.name == c.name) {
                return Err(errinput!(
                    sqlstate::DUPLICATE_COLUMN,
                    "column \"{}\" specified more than once",
                    c.name
                ));
            }
            let ty = match c.ty.data_type {
                DataType::Unknown => "text".to_string(),
                DataType::Record(_) => {
                    return Err(crate::errunsupported!("a column of type record"))
                }
                t => crate::sql::eval::format_type(t.oid(), c.ty.typmod, Some(catalog)),
            };
            definitions.push(format!("{} {ty}", quote_ident(&c.name)));
        }
        let on_commit = match r.on_commit {
            Some(OnCommit::DeleteRows) => " ON COMMIT DELETE ROWS",
            Some(OnCommit::Drop) => " ON COMMIT DROP",
            Some(OnCommit::PreserveRows) | None => "",
        };
        let create = format!(
            "CREATE {}TABLE {} ({}){on_commit}",
            if r.temporary { "TEMPORARY " } else { "" },
            r.name,
            definitions.join(", ")
        );
        self.run_own(&create, sink)?;
        // A new temporary schema is not on this statement's search path.
        let target = match (r.temporary, r.name.0.last()) {
            (true, Some(last)) => format!("pg_temp.{last}"),
            _ => r.name.to_string(),
        };
        let tag = self.run_own(&format!("INSERT INTO {target} {}", r.query), sink)?;
        let rows = tag.rsplit(' ').next().unwrap_or("0");
        Ok(format!("SELECT {rows}"))
    }

    /// Runs one statement of the session's own making in the open
    /// transaction, as the current statement's part.
    fn run_own(&mut self, sql: &str, sink: &mut dyn RowSink) -> Result<String> {
        let mut tag = String::new();
        for command in parser::parse(sql)? {
            tag = self.run(&command, &[], vec![], sink)?;
            self.note_on_commit(&command);
        }
        Ok(tag)
    }
}

/// Whether a statement is CREATE TABLE … AS or SELECT … INTO (which the
/// session runs itself; they return no rows).
pub(super) fn is_table_as(statement: &Statement) -> bool {
    match statement {
        Statement::CreateTable(c) => c.query.is_some(),
        Statement::Query(q) => select_into(q).is_some(),
        _ => false,
    }
}

/// The parts of CREATE TABLE … AS; None for a plain CREATE TABLE.
fn table_as(c: &CreateTable) -> Option<Result<TableAs>> {
    let query = c.query.as_ref()?;
    if !c.columns.is_empty() || !c.constraints.is_empty() || c.or_replace || c.unlogged {
        return Some(Err(crate::errunsupported!(
            "this form of CREATE TABLE … AS (column lists, constraints, OR REPLACE, UNLOGGED)"
        )));
    }
    Some(Ok(TableAs {
        name: c.name.clone(),
        temporary: c.temporary,
        if_not_exists: c.if_not_exists,
        on_commit: c.on_commit,
        query: (**query).clone(),
    }))
}

/// SELECT … INTO [TEMP] table as CREATE TABLE … AS; None without INTO.
fn select_into(q: &Query) -> Option<Result<TableAs>> {
    let SetExpr::Select(select) = q.body.as_ref() else {
        return None;
    };
    let into = select.into.as_ref()?;
    if into.unlogged {
        return Some(Err(crate::errunsupported!("SELECT … INTO UNLOGGED")));
    }
    let name = match into.targets.as_slice() {
        [Expr::Identifier(i)] => ObjectName::from(vec![i.clone()]),
        [Expr::CompoundIdentifier(parts)] => ObjectName::from(parts.clone()),
        _ => {
            return Some(Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "SELECT … INTO takes one table name"
            )))
        }
    };
    let mut query = q.clone();
    if let SetExpr::Select(s) = query.body.as_mut() {
        s.into = None;
    }
    Some(Ok(TableAs {
        name,
        temporary: into.temporary,
        if_not_exists: false,
        on_commit: None,
        query,
    }))
}
