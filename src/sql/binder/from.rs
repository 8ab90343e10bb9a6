//! Binding FROM: tables (and the system catalogs), WITH queries, derived
//! tables, set-returning functions, UNNEST, and the joins between them.

use sqlparser::ast::{self, TableFactor};

use super::scope::{name_parts, normalize, table_name, Scope};
use super::select::output_scope;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::Node;

impl Binder<'_> {
    /// FROM: nothing, tables, derived tables and joins.
    pub(super) fn bind_from(&mut self, from: &[ast::TableWithJoins]) -> Result<(Node, Scope)> {
        let mut result: Option<(Node, Scope)> = None;
        for twj in from {
            let lateral = super::lateral::is_lateral(&twj.relation)
                || (result.is_some() && super::lateral::is_function(&twj.relation));
            let mut current = if lateral {
                // `FROM a, LATERAL (…)`: it sees every item before it.
                let left = result
                    .take()
                    .unwrap_or((Node::Values { rows: vec![vec![]] }, Scope::default()));
                self.bind_lateral(left, &twj.relation, false, None)?
            } else {
                let item = self.bind_table_factor(&twj.relation)?;
                match result.take() {
                    None => item,
                    Some(left)
                        if twj.joins.iter().any(|j| {
                            super::lateral::is_lateral(&j.relation)
                                || super::lateral::is_function(&j.relation)
                        }) =>
                    {
                        // A later LATERAL join may name columns before
                        // this item: cross join first.
                        self.cross_join(left, item)
                    }
                    Some(left) => {
                        result = Some(left);
                        item
                    }
                }
            };
            for join in &twj.joins {
                if join.global {
                    return Err(crate::errunsupported!("GLOBAL JOIN"));
                }
                if super::lateral::is_lateral(&join.relation)
                    || super::lateral::is_function(&join.relation)
                {
                    use ast::JoinOperator as J;
                    let (left_outer, on) = match &join.join_operator {
                        J::Join(c) | J::Inner(c) | J::CrossJoin(c) => (false, c),
                        J::Left(c) | J::LeftOuter(c) => (true, c),
                        other => return Err(crate::errunsupported!("LATERAL in join {other:?}")),
                    };
                    let on = match on {
                        ast::JoinConstraint::On(e) => Some(e),
                        ast::JoinConstraint::None => None,
                        other => return Err(crate::errunsupported!("LATERAL join {other:?}")),
                    };
                    current = self.bind_lateral(current, &join.relation, left_outer, on)?;
                    continue;
                }
                let right = self.bind_table_factor(&join.relation)?;
                current = self.bind_join(current, right, &join.join_operator)?;
            }
            result = Some(match result {
                None => current,
                Some(left) => self.cross_join(left, current),
            });
        }
        Ok(result.unwrap_or((Node::Values { rows: vec![vec![]] }, Scope::default())))
    }

    pub(super) fn cross_join(
        &mut self,
        left: (Node, Scope),
        right: (Node, Scope),
    ) -> (Node, Scope) {
        let right_width = right.1.columns.len();
        let node = Node::NestedLoopJoin {
            left: Box::new(left.0),
            right: Box::new(right.0),
            predicate: None,
            left_outer: false,
            right_width,
            right_outer: None,
        };
        (node, left.1.join(right.1))
    }

    pub(super) fn bind_table_factor(&mut self, factor: &TableFactor) -> Result<(Node, Scope)> {
        match factor {
            TableFactor::Table {
                name,
                alias,
                args: Some(_),
                with_ordinality: true,
                ..
            } if name.to_string().ends_with("pg_partition_ancestors") => {
                Ok(super::table_function::no_partition_ancestors(alias))
            }
            TableFactor::Table {
                name,
                alias,
                args,
                with_hints,
                version: None,
                with_ordinality: false,
                partitions,
                json_path: None,
                sample: None,
                index_hints,
            } if with_hints.is_empty() && partitions.is_empty() && index_hints.is_empty() => {
                // `name(args)` is a set-returning function.
                if let Some(args) = args {
                    if args.settings.is_some() {
                        return Err(crate::errunsupported!("FROM item {factor}"));
                    }
                    return self.bind_table_function(name, &args.args, alias);
                }
                if let Some((cte_name, cte)) = self.lookup_cte(name) {
                    if let Node::WorkTable { id, .. } = cte.node {
                        let depth = self.outer_scopes.len();
                        self.work_tables.references.push((id, depth));
                    }
                    let qualifier = match alias {
                        Some(a) if a.columns.is_empty() => normalize(&a.name),
                        Some(_) => {
                            return Err(crate::errunsupported!("column aliases on a WITH query"))
                        }
                        None => cte_name,
                    };
                    let mut scope = output_scope(&cte.columns);
                    for c in &mut scope.columns {
                        c.qualifier = Some(qualifier.clone());
                    }
                    return Ok((cte.node, scope));
                }
                if let Some(view) = super::system_views::lookup(&name_parts(name)?) {
                    let qualifier = match alias {
                        Some(a) if a.columns.is_empty() => normalize(&a.name),
                        Some(_) => return Err(crate::errunsupported!("column aliases on a table")),
                        None => view.1 .0.to_string(),
                    };
                    if view.1 .0 == "pg_settings" {
                        self.reads.settings = true;
                    }
                    return Ok(super::system_views::bind(self.catalog, view, &qualifier));
                }
                let view_name = table_name(name)?;
                if let Some(view) = self.catalog.get_view(&view_name) {
                    let qualifier = match alias {
                        Some(a) if a.columns.is_empty() => normalize(&a.name),
                        Some(_) => return Err(crate::errunsupported!("column aliases on a view")),
                        None => view.name.clone(),
                    };
                    return self.bind_view_reference(&view, qualifier);
                }
                let table = self.catalog.must_get_table(&view_name)?;
                let qualifier = match alias {
                    Some(a) => {
                        if !a.columns.is_empty() {
                            return Err(crate::errunsupported!("column aliases on a table"));
                        }
                        normalize(&a.name)
                    }
                    None => table.name.clone(),
                };
                let scope = super::dml::table_scope(&table, &qualifier);
                self.reads.table(table.oid);
                Ok((Node::SeqScan { table }, scope))
            }
            TableFactor::Derived {
                lateral: false,
                subquery,
                alias,
                sample: None,
            } => {
                let (node, columns) = self.bind_query(subquery)?;
                Ok((node, derived_scope(&columns, alias.as_ref())?))
            }
            TableFactor::UNNEST {
                alias,
                array_exprs,
                with_offset: false,
                with_offset_alias: None,
                with_ordinality: false,
            } => self.bind_unnest(array_exprs, alias),
            TableFactor::NestedJoin {
                table_with_joins,
                alias: None,
            } => self.bind_from(std::slice::from_ref(table_with_joins)),
            TableFactor::Function {
                lateral: false,
                name,
                args,
                with_ordinality: false,
                alias,
            } => self.bind_table_function(name, args, alias),
            other => Err(crate::errunsupported!("FROM item {other}")),
        }
    }
}

/// The columns of a subquery in FROM under its alias (required) and the
/// alias's column names.
pub(super) fn derived_scope(
    columns: &[crate::sql::plan::OutputColumn],
    alias: Option<&ast::TableAlias>,
) -> Result<Scope> {
    let Some(alias) = alias else {
        return Err(errinput!(
            sqlstate::SYNTAX_ERROR,
            "subquery in FROM must have an alias"
        ));
    };
    let qualifier = normalize(&alias.name);
    if alias.columns.len() > columns.len() {
        return Err(errinput!(
            sqlstate::INVALID_COLUMN_REFERENCE,
            "table \"{qualifier}\" has {} columns available but {} columns specified",
            columns.len(),
            alias.columns.len()
        ));
    }
    let mut scope = output_scope(columns);
    for (i, c) in scope.columns.iter_mut().enumerate() {
        c.qualifier = Some(qualifier.clone());
        if let Some(a) = alias.columns.get(i) {
            c.name = normalize(&a.name);
        }
    }
    Ok(scope)
}
