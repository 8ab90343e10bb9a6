//! Binding views: CREATE [OR REPLACE] VIEW binds the query once (its
//! columns and types become the view's) and keeps the SQL text; a view
//! named in FROM is its query bound again, as a derived table with the
//! view's column names; DROP TABLE refuses while a view reads the table.

use sqlparser::ast::{self, Statement};

use super::scope::{normalize, Scope};
use super::select::output_scope;
use super::Binder;
use crate::catalog::{names, Catalog, ColumnDef, ViewDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::parser::Command;
use crate::sql::plan::{Node, Plan};
use crate::types::{ColumnType, DataType};

/// How deep views may name views (a cycle made with CREATE OR REPLACE
/// stops here).
const MAX_VIEW_DEPTH: usize = 64;

impl Binder<'_> {
    pub(super) fn bind_create_view(&mut self, v: &ast::CreateView) -> Result<Plan> {
        if v.materialized
            || v.or_alter
            || v.secure
            || v.if_not_exists
            || !v.cluster_by.is_empty()
            || v.to.is_some()
            || v.params.is_some()
            || v.copy_grants
            || v.with_no_schema_binding
        {
            return Err(crate::errunsupported!("CREATE VIEW syntax in {v}"));
        }
        if !matches!(v.options, ast::CreateTableOptions::None) || v.comment.is_some() {
            return Err(crate::errunsupported!("CREATE VIEW options in {v}"));
        }
        let (schema, name, _) =
            super::scope::creation_name_temp(self.catalog, &v.name, v.temporary)?;
        let (_, columns) = self.bind_query(&v.query)?;
        if v.columns.len() > columns.len() {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "CREATE VIEW specifies more column names than columns"
            ));
        }
        let mut defs: Vec<ColumnDef> = Vec::with_capacity(columns.len());
        for (i, c) in columns.iter().enumerate() {
            let name = v
                .columns
                .get(i)
                .map_or_else(|| c.name.clone(), |a| normalize(&a.name));
            if defs.iter().any(|d| d.name == name) {
                return Err(errinput!(
                    sqlstate::DUPLICATE_COLUMN,
                    "column \"{name}\" specified more than once"
                ));
            }
            // An untyped literal column is text, as in PostgreSQL.
            let ty = if c.ty.data_type == DataType::Unknown {
                ColumnType::plain(DataType::Text)
            } else {
                c.ty
            };
            defs.push(ColumnDef {
                identity: None,
                name,
                ty,
                not_null: false,
                default: None,
            });
        }
        Ok(Plan::CreateView {
            schema,
            name,
            columns: defs,
            definition: v.query.to_string(),
            replace: v.or_replace,
        })
    }

    /// A view named in FROM: its query, with the view's column names.
    pub(super) fn bind_view_reference(
        &mut self,
        view: &ViewDef,
        qualifier: String,
    ) -> Result<(Node, Scope)> {
        if self.view_depth >= MAX_VIEW_DEPTH {
            return Err(errinput!(
                "42P17",
                "infinite recursion detected in rules for relation \"{}\"",
                view.name
            ));
        }
        let query = view_query(view)?;
        self.view_depth += 1;
        let bound = names::with_search_path(view_path(view), || self.bind_query(&query));
        self.view_depth -= 1;
        let (node, columns) = bound?;
        let mut scope = output_scope(&columns);
        for (c, def) in scope.columns.iter_mut().zip(&view.columns) {
            c.name = def.name.clone();
            c.qualifier = Some(qualifier.clone());
        }
        scope.columns.truncate(view.columns.len());
        Ok((node, scope))
    }
}

/// The search path a view's query is bound with: the view's schema, then
/// `public` (names in it were written for the path it was created on).
pub fn view_path(view: &ViewDef) -> std::sync::Arc<names::SearchPath> {
    let current = names::search_path();
    let mut schemas = vec![view.schema.clone()];
    if view.schema != "public" {
        schemas.push("public".to_string());
    }
    std::sync::Arc::new(names::SearchPath {
        schemas,
        creation: Some(view.schema.clone()),
        temp: current.temp.clone(),
        database: view.database,
        database_name: current.database_name.clone(),
    })
}

/// A view's query bound on its own path.
pub fn bind_view_query(catalog: &Catalog, view: &ViewDef) -> Result<super::Bound> {
    let q = view_query(view)?;
    names::with_search_path(view_path(view), || {
        super::bind(&Statement::Query(Box::new(q)), catalog, &[])
    })
}

/// A view's query, parsed from its text.
fn view_query(view: &ViewDef) -> Result<ast::Query> {
    let corrupt = || crate::errinternal!("the query of view \"{}\" does not parse", view.name);
    match crate::sql::parser::parse(&view.definition)?.pop() {
        Some(Command::Sql(Statement::Query(q))) => Ok(*q),
        _ => Err(corrupt()),
    }
}

/// The views whose query reads a column of a table (1-based).
pub fn views_reading_column(catalog: &Catalog, table_oid: u32, attnum: i16) -> Vec<String> {
    catalog
        .views()
        .iter()
        .filter(|v| {
            bind_view_query(catalog, v).is_ok_and(|b| {
                b.reads
                    .tables
                    .get(&table_oid)
                    .is_some_and(|columns| columns.contains(&attnum))
            })
        })
        .map(|v| v.key())
        .collect()
}

/// The views whose queries read the table with this OID.
pub fn views_reading(catalog: &Catalog, table_oid: u32) -> Vec<String> {
    catalog
        .views()
        .iter()
        .filter(|v| {
            bind_view_query(catalog, v).is_ok_and(|b| b.reads.tables.contains_key(&table_oid))
        })
        .map(|v| v.key())
        .collect()
}
