//! Grouped SELECTs: the group keys and aggregate calls, and rewriting
//! select-list (and HAVING, ORDER BY) expressions over the Aggregate
//! node's output.

use super::scope::Scope;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{AggregateCall, Expr};

/// Group keys and aggregates of a grouped SELECT.
pub(super) struct Grouping {
    pub groups: Vec<Expr>,
    pub aggregates: Vec<AggregateCall>,
}

/// Rewrites a select-list expression over the Aggregate node's output:
/// group keys become columns 0.., aggregates columns after them, and any
/// other input column is a grouping error.
pub(super) fn lift_aggregates(
    e: Expr,
    groups: &[Expr],
    aggregates: &mut Vec<AggregateCall>,
    scope: &Scope,
) -> Result<Expr> {
    e.transform(&mut |node| {
        if let Some(i) = groups.iter().position(|g| g == node) {
            return Ok(Some(Expr::Column { index: i, ty: node.data_type() }));
        }
        match node {
            Expr::Aggregate(call) => {
                let i = match aggregates.iter().position(|a| a == call.as_ref()) {
                    Some(i) => i,
                    None => {
                        aggregates.push((**call).clone());
                        aggregates.len() - 1
                    }
                };
                Ok(Some(Expr::Column { index: groups.len() + i, ty: call.ty }))
            }
            Expr::Subquery(sub) if sub.correlated => Err(crate::errunsupported!(
                "correlated subqueries in a grouped query"
            )),
            Expr::Column { index, .. } => {
                let c = &scope.columns[*index];
                let name = match &c.qualifier {
                    Some(q) => format!("{q}.{}", c.name),
                    None => c.name.clone(),
                };
                Err(errinput!(
                    sqlstate::GROUPING_ERROR,
                    "column \"{name}\" must appear in the GROUP BY clause or be used in an aggregate function"
                ))
            }
            _ => Ok(None),
        }
    })
}
