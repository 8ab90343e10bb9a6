//! The binder: sqlparser's AST in, a typed [`Plan`] out.
//!
//! It resolves names against the catalog and the FROM clause, types every
//! expression with PostgreSQL's coercion rules, infers the types of `$n`
//! parameters from where they are used, and rejects anything it does not
//! implement with 0A000 naming the feature (never silently ignoring a
//! clause). Files: `scope` (names), `types` (type names and casts), `expr`
//! (expressions), `functions` (calls), `select` (queries), `dml`
//! (INSERT/UPDATE/DELETE), `ddl` (CREATE/DROP TABLE), `index` (index DDL
//! and bound index keys), `access` (choosing index scans), `index_only`
//! (index scans that need not read the heap), `lock` (FOR UPDATE/SHARE).

mod access;
mod alter_table;
mod arrays;
mod case;
mod casts;
mod checks;
mod column_names;
mod columns;
mod databases;
mod datetime_ops;
mod ddl;
mod dml;
mod enum_functions;
mod enum_types;
mod estimate;
mod expr;
mod foreign_keys;
mod from;
mod functions;
mod grouping;
mod index;
mod index_only;
mod join;
mod join_for_order;
mod join_method;
mod join_order;
mod join_search;
mod json_ops;
mod lateral;
mod lock;
mod math_signatures;
mod operators;
pub mod planner_settings;
mod pushdown;
mod query_tail;
mod schemas;
mod scope;
mod select;
mod sequences;
mod set_functions;
mod setop;
mod string_signatures;
mod subquery;
pub mod system_views;
mod table_function;
mod types;
mod upsert;
mod views;
mod windows;

use sqlparser::ast::Statement;

use super::expr::Expr;
use super::parser::Command;
use super::plan::Plan;
use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{text, ColumnType, DataType, Value};

pub(crate) use alter_table::dropped_column;
pub use schemas::contents as schema_contents;
pub use scope::{normalize, table_name};

/// The most parameters a statement may have (the wire's Int16 count).
pub const MAX_PARAMS: usize = 65535;

/// A bound statement and the types of its parameters.
#[derive(Clone, Debug)]
pub struct Bound {
    pub plan: Plan,
    pub param_types: Vec<DataType>,
    /// Some part of it is SELECT … FOR UPDATE/SHARE: it writes row locks.
    pub locks_rows: bool,
    /// The tables it reads and which of their columns (for privileges).
    pub reads: Reads,
}

/// The tables a statement reads, each with the columns it refers to, and
/// the tables whose rows it locks (FOR UPDATE/SHARE).
#[derive(Clone, Debug, Default)]
pub struct Reads {
    pub tables: std::collections::BTreeMap<u32, std::collections::BTreeSet<i16>>,
    pub locked: Vec<u32>,
    /// It calls current_setting or set_config.
    pub settings: bool,
}

impl Reads {
    fn table(&mut self, oid: u32) {
        self.tables.entry(oid).or_default();
    }

    fn column(&mut self, oid: u32, column: i16) {
        if oid != 0 && column > 0 {
            self.tables.entry(oid).or_default().insert(column);
        }
    }
}

/// Binds an index's keys and predicate over its table's rows (for work
/// outside a statement, such as `flintdb check`).
pub fn bind_index(
    catalog: &Catalog,
    table: &crate::catalog::TableDef,
    def: &crate::catalog::IndexDef,
) -> Result<crate::sql::plan::BoundIndex> {
    let mut binder = Binder {
        catalog,
        params: Vec::new(),
        allow_aggregates: false,
        ctes: Vec::new(),
        outer_scopes: Vec::new(),
        correlated: Vec::new(),
        locks_rows: false,
        reads: Reads::default(),
        work_tables: setop::WorkTables::default(),
        set_calls: None,
        window_calls: None,
        view_depth: 0,
    };
    binder.bind_index(table, def)
}

/// Binds one command (VACUUM and GRANT are the session's own and never bound).
pub fn bind_command(
    command: &Command,
    catalog: &Catalog,
    declared: &[Option<DataType>],
) -> Result<Bound> {
    match command {
        Command::Sql(statement) => bind(statement, catalog, declared),
        Command::Reindex { kind, name } => Ok(Bound {
            plan: index::bind_reindex(catalog, *kind, name)?,
            param_types: vec![],
            locks_rows: false,
            reads: Reads::default(),
        }),
        Command::Database(d) => Ok(Bound {
            plan: databases::bind_database_statement(catalog, d)?,
            param_types: vec![],
            locks_rows: false,
            reads: Reads::default(),
        }),
        Command::Sequence(a) => Ok(Bound {
            plan: sequences::bind_sequence_statement(catalog, a)?,
            param_types: vec![],
            locks_rows: false,
            reads: Reads::default(),
        }),
        Command::Vacuum(_) | Command::Grant(_) | Command::Fetch { .. } => Err(crate::errinternal!(
            "a session's own command reached the binder"
        )),
    }
}

/// Binds one statement. `declared` holds the parameter types the client
/// gave (None where it left them to the server).
pub fn bind(
    statement: &Statement,
    catalog: &Catalog,
    declared: &[Option<DataType>],
) -> Result<Bound> {
    let mut binder = Binder {
        catalog,
        params: declared.to_vec(),
        allow_aggregates: false,
        ctes: Vec::new(),
        outer_scopes: Vec::new(),
        correlated: Vec::new(),
        locks_rows: false,
        reads: Reads::default(),
        work_tables: setop::WorkTables::default(),
        set_calls: None,
        window_calls: None,
        view_depth: 0,
    };
    let plan = match statement {
        Statement::Query(q) => {
            let (root, columns) = binder.bind_query(q)?;
            let root = binder.choose_join_methods(root)?;
            let root = index_only::use_index_only(root);
            Plan::Query { root, columns }
        }
        Statement::Insert(i) => binder.bind_insert(i)?,
        Statement::Update(u) => binder.bind_update(u)?,
        Statement::Delete(d) => binder.bind_delete(d)?,
        Statement::CreateTable(c) => binder.bind_create_table(c)?,
        Statement::CreateIndex(c) => binder.bind_create_index(c)?,
        Statement::Explain {
            analyze,
            verbose,
            query_plan,
            estimate,
            statement: inner,
            format,
            options,
            ..
        } => {
            if *verbose || *query_plan || *estimate || format.is_some() {
                return Err(crate::errunsupported!("EXPLAIN options in {statement}"));
            }
            let mut costs = true;
            let mut analyze = *analyze;
            for o in options.iter().flatten() {
                let on = match &o.arg {
                    None => true,
                    Some(sqlparser::ast::Expr::Value(v)) => match &v.value {
                        sqlparser::ast::Value::Boolean(b) => *b,
                        other => {
                            return Err(crate::errunsupported!("EXPLAIN option value {other}"))
                        }
                    },
                    Some(sqlparser::ast::Expr::Identifier(i)) => {
                        match i.value.to_lowercase().as_str() {
                            "on" | "true" => true,
                            "off" | "false" => false,
                            _ => return Err(crate::errunsupported!("EXPLAIN option value {i}")),
                        }
                    }
                    Some(other) => {
                        return Err(crate::errunsupported!("EXPLAIN option value {other}"))
                    }
                };
                match o.name.value.to_lowercase().as_str() {
                    "costs" => costs = on,
                    "analyze" => analyze = on,
                    other => return Err(crate::errunsupported!("EXPLAIN option {other}")),
                }
            }
            let Statement::Query(q) = inner.as_ref() else {
                return Err(crate::errunsupported!("EXPLAIN of anything but a query"));
            };
            let started = std::time::Instant::now();
            let (root, _) = binder.bind_query(q)?;
            let root = binder.choose_join_methods(root)?;
            let root = index_only::use_index_only(root);
            Plan::Explain {
                root,
                costs,
                analyze,
                planning_ms: started.elapsed().as_secs_f64() * 1000.0,
                columns: vec![crate::sql::plan::OutputColumn {
                    name: "QUERY PLAN".to_string(),
                    ty: ColumnType::plain(DataType::Text),
                    table_oid: 0,
                    column_number: 0,
                }],
            }
        }
        Statement::AlterTable(a) => binder.bind_alter_table(a)?,
        Statement::CreateType {
            name,
            representation,
        } => enum_types::bind_create_type(name, representation.as_ref())?,
        Statement::AlterType(a) => enum_types::bind_alter_type(catalog, a)?,
        Statement::Analyze(a) => {
            if a.partitions.is_some()
                || a.for_columns
                || !a.columns.is_empty()
                || a.cache_metadata
                || a.noscan
                || a.compute_statistics
                || a.has_table_keyword
            {
                return Err(crate::errunsupported!("ANALYZE options in {statement}"));
            }
            let tables = match &a.table_name {
                Some(name) => vec![catalog.must_get_table(&table_name(name)?)?],
                None => catalog.tables(),
            };
            Plan::Analyze { tables }
        }
        Statement::CreateSchema {
            schema_name,
            or_replace: false,
            if_not_exists,
            with: None,
            options: None,
            default_collate_spec: None,
            clone: None,
        } => schemas::bind_create_schema(catalog, schema_name, *if_not_exists)?,
        Statement::Drop {
            object_type: sqlparser::ast::ObjectType::Schema,
            if_exists,
            names,
            cascade,
            purge: false,
            temporary: false,
            table: None,
            ..
        } => schemas::bind_drop_schemas(catalog, names, *if_exists, *cascade)?,
        Statement::Drop { .. } => binder.bind_drop(statement)?,
        Statement::CreateView(v) => binder.bind_create_view(v)?,
        Statement::Comment {
            object_type,
            object_name,
            comment,
            if_exists: false,
        } => bind_comment(catalog, object_type, object_name, comment.clone())?,
        Statement::Copy { .. } => binder.bind_copy(statement)?,
        Statement::Truncate(t) => {
            if t.partitions.is_some() || t.on_cluster.is_some() {
                return Err(crate::errunsupported!("{statement}"));
            }
            let mut tables = Vec::new();
            for target in &t.table_names {
                let name = table_name(&target.name)?;
                match catalog.get_table(&name) {
                    Some(table) => tables.push(table),
                    None if t.if_exists => {}
                    None => {
                        return Err(errinput!(
                            sqlstate::UNDEFINED_TABLE,
                            "relation \"{name}\" does not exist"
                        ))
                    }
                }
            }
            let names: Vec<&str> = tables.iter().map(|t| t.name.as_str()).collect();
            for t in &tables {
                let outside = catalog
                    .referencing(t.oid)
                    .into_iter()
                    .find(|(child, _)| !names.contains(&child.name.as_str()));
                if let Some((child, _)) = outside {
                    return Err(errinput!(
                        sqlstate::FEATURE_NOT_SUPPORTED,
                        "cannot truncate a table referenced in a foreign key constraint"
                    )
                    .with_detail(format!(
                        "Table \"{}\" references \"{}\".",
                        child.name, t.name
                    ))
                    .with_hint(format!(
                        "Truncate table \"{}\" at the same time, or use TRUNCATE ... CASCADE.",
                        child.name
                    )));
                }
            }
            Plan::Truncate { tables }
        }
        other => {
            return Err(crate::errunsupported!(
                "statement {}",
                statement_kind(other)
            ))
        }
    };
    let param_types = binder
        .params
        .iter()
        .map(|t| t.unwrap_or(DataType::Text))
        .collect();
    Ok(Bound {
        plan,
        param_types,
        locks_rows: binder.locks_rows,
        reads: binder.reads,
    })
}

/// COMMENT ON TABLE / VIEW / SEQUENCE / INDEX / COLUMN … IS '…' | NULL.
fn bind_comment(
    catalog: &Catalog,
    kind: &sqlparser::ast::CommentObject,
    name: &sqlparser::ast::ObjectName,
    text: Option<String>,
) -> Result<Plan> {
    use sqlparser::ast::CommentObject as C;
    let missing = |n: &str| errinput!(sqlstate::UNDEFINED_TABLE, "relation \"{n}\" does not exist");
    let plan = |oid: u32, sub: i16, kind: &'static str, name: String| Plan::Comment {
        oid,
        sub,
        kind,
        name,
        text: text.clone(),
    };
    Ok(match kind {
        C::Column => {
            let mut parts = scope::name_parts(name)?;
            let column = parts.pop().unwrap_or_default();
            let table = match parts.as_slice() {
                [t] => t.clone(),
                [s, t] => crate::catalog::names::qualified(s, t),
                _ => {
                    return Err(errinput!(
                        sqlstate::SYNTAX_ERROR,
                        "column name must be qualified"
                    ))
                }
            };
            let (oid, columns) = match (catalog.get_table(&table), catalog.get_view(&table)) {
                (Some(t), _) => (t.oid, t.columns.clone()),
                (None, Some(v)) => (v.oid, v.columns.clone()),
                _ => return Err(missing(&table)),
            };
            let n = columns
                .iter()
                .position(|c| c.name == column)
                .ok_or_else(|| {
                    errinput!(
                        sqlstate::UNDEFINED_COLUMN,
                        "column \"{column}\" of relation \"{table}\" does not exist"
                    )
                })?;
            plan(oid, n as i16 + 1, "table", table)
        }
        C::Table | C::View | C::Sequence | C::Index => {
            let n = table_name(name)?;
            let found = match kind {
                C::Table => catalog.get_table(&n).map(|t| (t.oid, "table")),
                C::View => catalog.get_view(&n).map(|v| (v.oid, "view")),
                C::Sequence => catalog.get_sequence(&n).map(|s| (s.oid, "sequence")),
                _ => catalog.find_index(&n).map(|(_, i)| (i.oid, "index")),
            };
            let Some((oid, what)) = found else {
                if catalog.relation_visible(&n) {
                    return Err(errinput!(
                        sqlstate::WRONG_OBJECT_TYPE,
                        "\"{n}\" is not a {}",
                        match kind {
                            C::Table => "table",
                            C::View => "view",
                            C::Sequence => "sequence",
                            _ => "index",
                        }
                    ));
                }
                return Err(missing(&n));
            };
            plan(oid, 0, what, n)
        }
        other => return Err(crate::errunsupported!("COMMENT ON {other}")),
    })
}

/// A short name for a statement kind, for 0A000 messages.
pub fn statement_kind(statement: &Statement) -> String {
    let text = statement.to_string();
    let words: Vec<&str> = text.split_whitespace().take(2).collect();
    match words.as_slice() {
        [first, second] if matches!(*first, "CREATE" | "DROP" | "ALTER" | "SHOW" | "SET") => {
            format!("{first} {second}")
        }
        [first, ..] => first.to_string(),
        [] => "empty".to_string(),
    }
}

struct Binder<'a> {
    catalog: &'a Catalog,
    /// Parameter types known so far ($1 is index 0).
    params: Vec<Option<DataType>>,
    /// Whether aggregate calls may appear in the expression being bound.
    allow_aggregates: bool,
    /// WITH scopes, innermost last.
    ctes: Vec<std::collections::HashMap<String, setop::Cte>>,
    /// Scopes of the queries enclosing the subquery being bound.
    outer_scopes: Vec<scope::Scope>,
    /// Per enclosing subquery level: whether it reads an outer row.
    correlated: Vec<bool>,
    /// A FOR UPDATE/SHARE clause was bound.
    locks_rows: bool,
    /// What the statement reads, for privilege checks.
    reads: Reads,
    /// WITH RECURSIVE work tables handed out and referenced.
    work_tables: setop::WorkTables,
    /// Set-returning calls of the select list being bound (None where
    /// they are not allowed).
    set_calls: Option<set_functions::SetCalls>,
    /// Window calls of the select list being bound (None where they are
    /// not allowed).
    window_calls: Option<windows::WindowCalls>,
    /// How many views deep the binding is.
    view_depth: usize,
}

impl Binder<'_> {
    /// The type of `$n` (1-based), growing the list if needed.
    fn param_type(&mut self, n: usize) -> Result<Option<DataType>> {
        if n == 0 || n > MAX_PARAMS {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_REFERENCE,
                "there is no parameter ${n}"
            ));
        }
        if self.params.len() < n {
            self.params.resize(n, None);
        }
        Ok(self.params[n - 1])
    }

    /// Coerces an expression to a type with an implicit cast; unknown
    /// literals are parsed now and unknown parameters take the type.
    fn coerce(&mut self, e: Expr, to: DataType) -> Result<Expr> {
        let from = e.data_type();
        if from == to {
            return Ok(e);
        }
        match e {
            Expr::Literal(Value::Null, DataType::Unknown) => Ok(Expr::Literal(Value::Null, to)),
            // 'name' and text become an OID alias by looking the name up
            // (nextval('seq'), as PostgreSQL's implicit text→regclass).
            e @ Expr::Literal(Value::Text(_), DataType::Unknown)
                if matches!(to, DataType::Reg(_)) =>
            {
                let DataType::Reg(kind) = to else {
                    return Err(crate::errinternal!("not an OID alias"));
                };
                self.reg_cast(e, kind)
            }
            e if from.is_string() && matches!(to, DataType::Reg(_)) => {
                let DataType::Reg(kind) = to else {
                    return Err(crate::errinternal!("not an OID alias"));
                };
                self.reg_cast(e, kind)
            }
            Expr::Literal(Value::Text(s), DataType::Unknown) => {
                let v = if to == DataType::Unknown {
                    Value::Text(s)
                } else {
                    text::parse(&s, to)?
                };
                Ok(Expr::Literal(v, to))
            }
            Expr::Param {
                index,
                ty: DataType::Unknown,
            } => {
                self.params[index] = Some(to);
                Ok(Expr::Param { index, ty: to })
            }
            e if types::implicit_cast_ok(from, to) => Ok(Expr::Cast {
                expr: Box::new(e),
                to: ColumnType::plain(to),
                explicit: false,
            }),
            _ => Err(errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "cannot cast type {} to {}",
                from.sql_name(),
                to.sql_name()
            )),
        }
    }

    /// Coerces a value to be stored in a column (assignment cast).
    fn coerce_assign(&mut self, e: Expr, to: ColumnType, column: &str) -> Result<Expr> {
        let from = e.data_type();
        let needs_typmod = to.typmod >= 0;
        if from == DataType::Unknown || from == to.data_type {
            let e = self.coerce(e, to.data_type)?;
            return Ok(if needs_typmod {
                Expr::Cast {
                    expr: Box::new(e),
                    to,
                    explicit: false,
                }
            } else {
                e
            });
        }
        if !types::assignment_cast_ok(from, to.data_type) {
            return Err(errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "column \"{column}\" is of type {} but expression is of type {}",
                to.sql_name(),
                from.sql_name()
            )
            .with_hint("You will need to rewrite or cast the expression."));
        }
        Ok(Expr::Cast {
            expr: Box::new(e),
            to,
            explicit: false,
        })
    }

    /// Requires a boolean (WHERE, HAVING, AND, …); `what` names the clause.
    fn coerce_bool(&mut self, e: Expr, what: &str) -> Result<Expr> {
        match e.data_type() {
            DataType::Bool => Ok(e),
            DataType::Unknown => self.coerce(e, DataType::Bool),
            other => Err(errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "argument of {what} must be type boolean, not type {}",
                other.sql_name()
            )),
        }
    }

    /// Gives still-unknown literals and parameters the type text, as
    /// PostgreSQL does for output columns.
    fn resolve_unknown(&mut self, e: Expr) -> Result<Expr> {
        if e.data_type() == DataType::Unknown {
            self.coerce(e, DataType::Text)
        } else {
            Ok(e)
        }
    }
}
