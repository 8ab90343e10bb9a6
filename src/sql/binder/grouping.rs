//! Grouped SELECTs: the group keys and aggregate calls, and rewriting
//! select-list (and HAVING, ORDER BY) expressions over the Aggregate
//! node's output.

use sqlparser::ast;

use super::scope::Scope;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{AggregateCall, AggregateFunction, Expr};
use crate::types::array::ArrayValue;
use crate::types::{DataType, Value};

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
            Expr::Aggregate(call) if call.func == AggregateFunction::Grouping => {
                let call = grouping_call(call, groups)?;
                let i = match aggregates.iter().position(|a| *a == call) {
                    Some(i) => i,
                    None => {
                        aggregates.push(call);
                        aggregates.len() - 1
                    }
                };
                Ok(Some(Expr::Column { index: groups.len() + i, ty: DataType::Int4 }))
            }
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

/// GROUPING(…) with its arguments replaced by their positions among the
/// group keys (42803 for an argument that is not one).
fn grouping_call(call: &AggregateCall, groups: &[Expr]) -> Result<AggregateCall> {
    let Some(Expr::Call { args, .. }) = &call.arg else {
        return Err(crate::errinternal!("GROUPING without its arguments"));
    };
    let positions = args
        .iter()
        .map(|a| {
            groups
                .iter()
                .position(|g| g == a)
                .map(|p| Value::Int4(p as i32))
                .ok_or_else(|| {
                    errinput!(
                        sqlstate::GROUPING_ERROR,
                        "arguments to GROUPING must be grouping expressions of the associated query level"
                    )
                })
        })
        .collect::<Result<Vec<_>>>()?;
    let array = ArrayValue {
        elem: DataType::Int4,
        items: positions,
    };
    let mut lifted = call.clone();
    lifted.arg = Some(Expr::Literal(
        Value::Array(Box::new(array)),
        DataType::Array(&DataType::Int4),
    ));
    Ok(lifted)
}

/// GROUP BY's items as a list of distinct grouping expressions and, when
/// GROUPING SETS, ROLLUP or CUBE appear, the sets (positions in that list)
/// that the items multiply out to, as PostgreSQL does: `a, ROLLUP (b, c)`
/// is the sets (a, b, c), (a, b), (a). No sets: a plain GROUP BY.
pub(super) fn grouping_sets(items: &[ast::Expr]) -> Result<(Vec<ast::Expr>, Vec<Vec<usize>>)> {
    let mut flat: Vec<ast::Expr> = Vec::new();
    let mut position = |e: &ast::Expr| -> usize {
        match flat.iter().position(|f| f == e) {
            Some(i) => i,
            None => {
                flat.push(e.clone());
                flat.len() - 1
            }
        }
    };
    let mut special = false;
    // Each item: the sets it stands for.
    let mut factors: Vec<Vec<Vec<usize>>> = Vec::new();
    for item in items {
        let lists = |lists: &Vec<Vec<ast::Expr>>, position: &mut dyn FnMut(&ast::Expr) -> usize| {
            lists
                .iter()
                .map(|l| l.iter().map(&mut *position).collect::<Vec<usize>>())
                .collect::<Vec<_>>()
        };
        match item {
            ast::Expr::GroupingSets(sets) => {
                special = true;
                factors.push(lists(sets, &mut position));
            }
            ast::Expr::Rollup(elements) => {
                special = true;
                let elements = lists(elements, &mut position);
                let mut sets = Vec::with_capacity(elements.len() + 1);
                for n in (0..=elements.len()).rev() {
                    sets.push(elements[..n].concat());
                }
                factors.push(sets);
            }
            ast::Expr::Cube(elements) => {
                special = true;
                let elements = lists(elements, &mut position);
                if elements.len() > 12 {
                    return Err(errinput!(
                        sqlstate::PROGRAM_LIMIT_EXCEEDED,
                        "CUBE is limited to 12 elements"
                    ));
                }
                let mut sets = Vec::new();
                for mask in (0..1u32 << elements.len()).rev() {
                    let mut set = Vec::new();
                    for (i, e) in elements.iter().enumerate() {
                        if mask & (1 << (elements.len() - 1 - i)) != 0 {
                            set.extend(e);
                        }
                    }
                    sets.push(set);
                }
                factors.push(sets);
            }
            plain => {
                let p = position(plain);
                factors.push(vec![vec![p]]);
            }
        }
    }
    if !special {
        return Ok((flat, Vec::new()));
    }
    let mut sets: Vec<Vec<usize>> = vec![Vec::new()];
    for factor in factors {
        let mut next = Vec::with_capacity(sets.len() * factor.len());
        for s in &sets {
            for f in &factor {
                let mut combined = s.clone();
                for p in f {
                    if !combined.contains(p) {
                        combined.push(*p);
                    }
                }
                next.push(combined);
            }
        }
        sets = next;
    }
    if sets.len() > 4096 {
        return Err(errinput!(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "too many grouping sets present (maximum 4096)"
        ));
    }
    Ok((flat, sets))
}
