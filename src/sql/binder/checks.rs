//! CHECK constraints: validated and named when a table gets them (CREATE
//! TABLE, ALTER TABLE … ADD), and bound over the table's rows for every
//! INSERT, UPDATE and COPY, which refuse a row for which one is false
//! (23514; NULL passes, as in SQL).

use sqlparser::ast;

use super::scope::{Scope, ScopeColumn};
use super::Binder;
use crate::catalog::{CheckDef, ColumnDef, TableDef};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::BoundCheck;

impl Binder<'_> {
    /// A new CHECK constraint over `columns`: the condition must bind over
    /// them alone and be boolean; its name is PostgreSQL's choice unless
    /// given: `table_column_check` for the column it is declared on or
    /// the one column it mentions, else `table_check`.
    pub(super) fn new_check(
        &mut self,
        table: &str,
        columns: &[ColumnDef],
        condition: &ast::Expr,
        name: Option<String>,
        column: Option<&str>,
        taken: &[String],
    ) -> Result<CheckDef> {
        let bound = self.bind_check_expr(table, columns, condition)?;
        let name = match name {
            Some(n) => n,
            None => {
                let mut named = column.map(str::to_string);
                if named.is_none() {
                    let mut mentioned: Vec<usize> = Vec::new();
                    bound.walk(&mut |e| {
                        if let Expr::Column { index, .. } = e {
                            if !mentioned.contains(index) {
                                mentioned.push(*index);
                            }
                        }
                    });
                    if let [one] = mentioned.as_slice() {
                        named = columns.get(*one).map(|c| c.name.clone());
                    }
                }
                let parts: Vec<String> = named.into_iter().collect();
                self.choose_name("public", table, &parts, "check", taken)
            }
        };
        Ok(CheckDef {
            oid: 0,
            name,
            expr: condition.to_string(),
        })
    }

    /// The table's CHECK constraints bound over its rows.
    pub(super) fn bind_checks(&mut self, table: &TableDef) -> Result<Vec<BoundCheck>> {
        table
            .checks
            .iter()
            .map(|c| {
                let parsed = crate::sql::parser::parse_expr(&c.expr)?;
                Ok(BoundCheck {
                    name: c.name.clone(),
                    expr: self.bind_check_expr(&table.name, &table.columns, &parsed)?,
                })
            })
            .collect()
    }

    fn bind_check_expr(
        &mut self,
        table: &str,
        columns: &[ColumnDef],
        condition: &ast::Expr,
    ) -> Result<Expr> {
        let scope = Scope {
            columns: columns
                .iter()
                .map(|c| ScopeColumn {
                    qualifier: (!c.is_dropped()).then(|| table.to_string()),
                    name: c.name.clone(),
                    ty: c.ty,
                    table_oid: 0,
                    column_number: 0,
                    hidden: c.is_dropped(),
                })
                .collect(),
        };
        let params = self.params.len();
        let bound = self.bind_expr(condition, &scope)?;
        if self.params.len() > params {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_REFERENCE,
                "there is no parameter $1"
            ));
        }
        if bound.contains_aggregate() {
            return Err(errinput!(
                sqlstate::GROUPING_ERROR,
                "aggregate functions are not allowed in check constraints"
            ));
        }
        let mut subquery = false;
        bound.walk(&mut |e| subquery |= matches!(e, Expr::Subquery(_)));
        if subquery {
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot use subquery in check constraint"
            ));
        }
        self.coerce_bool(bound, "CHECK")
    }
}
