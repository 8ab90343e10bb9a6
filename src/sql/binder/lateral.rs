//! LATERAL subqueries and functions in FROM: the item may name the
//! columns of the FROM items before it, so it runs once per row of what
//! precedes it (a Lateral node), in an inner or LEFT join (`ON` condition
//! allowed) or a comma list. A set-returning function after another FROM
//! item is LATERAL with or without the key word, as in PostgreSQL.

use sqlparser::ast::{self, TableFactor};

use super::scope::Scope;
use super::Binder;
use crate::error::Result;
use crate::sql::plan::Node;

/// Whether a FROM item is `LATERAL (subquery)` or `LATERAL f(…)`.
pub(super) fn is_lateral(factor: &TableFactor) -> bool {
    matches!(
        factor,
        TableFactor::Derived { lateral: true, .. } | TableFactor::Function { lateral: true, .. }
    )
}

/// Whether a FROM item is a function call (`f(…)`, `UNNEST(…)`): LATERAL
/// whenever something precedes it.
pub(super) fn is_function(factor: &TableFactor) -> bool {
    matches!(
        factor,
        TableFactor::Table { args: Some(_), .. }
            | TableFactor::Function { .. }
            | TableFactor::UNNEST { .. }
    )
}

impl Binder<'_> {
    /// `left` joined to the LATERAL item `factor`: inner, or LEFT when
    /// `left_outer`, under the optional ON condition.
    pub(super) fn bind_lateral(
        &mut self,
        left: (Node, Scope),
        factor: &TableFactor,
        left_outer: bool,
        on: Option<&ast::Expr>,
    ) -> Result<(Node, Scope)> {
        let (right, right_scope, correlated) = match factor {
            TableFactor::Derived {
                subquery,
                alias,
                sample: None,
                ..
            } => {
                let (right, columns, correlated) = self.bind_subquery(subquery, &left.1)?;
                (
                    right,
                    super::from::derived_scope(&columns, alias.as_ref())?,
                    correlated,
                )
            }
            f if is_function(f) => {
                // The call's arguments may name the left side's columns,
                // as a correlated subquery's expressions do.
                self.outer_scopes.push(left.1.clone());
                self.correlated.push(false);
                let bound = match f {
                    TableFactor::Function {
                        name, args, alias, ..
                    } => self.bind_table_function(name, args, alias),
                    other => self.bind_table_factor(other),
                };
                let correlated = self.correlated.pop().unwrap_or(true);
                self.outer_scopes.pop();
                let (right, scope) = bound?;
                (right, scope, correlated)
            }
            _ => return Err(crate::errunsupported!("LATERAL {factor}")),
        };
        let right_width = right_scope.columns.len();
        let scope = left.1.join(right_scope);
        let predicate = match on {
            Some(e) => {
                let p = self.bind_expr(e, &scope)?;
                Some(self.coerce_bool(p, "JOIN/ON")?)
            }
            None => None,
        };
        let node = Node::Lateral {
            left: Box::new(left.0),
            right: Box::new(right),
            right_width,
            correlated,
            left_outer,
            predicate,
        };
        Ok((node, scope))
    }
}
