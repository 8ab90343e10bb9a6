//! LATERAL subqueries in FROM: the subquery may name the columns of the
//! FROM items before it, so it runs once per row of what precedes it (a
//! Lateral node), in an inner or LEFT join (`ON` condition allowed) or a
//! comma list.

use sqlparser::ast::{self, TableFactor};

use super::scope::Scope;
use super::Binder;
use crate::error::Result;
use crate::sql::plan::Node;

/// Whether a FROM item is `LATERAL (subquery)`.
pub(super) fn is_lateral(factor: &TableFactor) -> bool {
    matches!(
        factor,
        TableFactor::Derived { lateral: true, .. } | TableFactor::Function { lateral: true, .. }
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
        let TableFactor::Derived {
            subquery,
            alias,
            sample: None,
            ..
        } = factor
        else {
            return Err(crate::errunsupported!("LATERAL {factor}"));
        };
        let (right, columns, correlated) = self.bind_subquery(subquery, &left.1)?;
        let right_scope = super::from::derived_scope(&columns, alias.as_ref())?;
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
            right_width: columns.len(),
            correlated,
            left_outer,
            predicate,
        };
        Ok((node, scope))
    }
}
