//! Index-only scans and pruned scans: an index scan whose consumers read
//! no column the index lacks returns the values stored in its entries,
//! reading the heap only for pages the visibility map does not call
//! all-visible; any other scan whose consumers leave columns unread
//! becomes a Pruned scan, which never decodes them (nor fetches them when
//! stored out of line).
//!
//! A pass over the finished plan works out, for each node, which columns
//! of its input anything above reads; an index scan where all of them are
//! plain key or INCLUDE columns of types whose key encoding is lossless
//! becomes index-only. A join passes each input the columns read of it
//! (plus its condition's and keys'). Anything it cannot follow (LATERAL,
//! DISTINCT, set operations, window functions, correlated subqueries,
//! locked rows) counts as reading every column.

use std::collections::HashSet;

use crate::encoding::key::is_lossless;
use crate::sql::expr::Expr;
use crate::sql::plan::{BoundIndex, Node};

/// Marks the index scans of a query's plan that can be index-only.
pub(super) fn use_index_only(node: Node) -> Node {
    visit(node, None)
}

/// Columns of a node's output read above it; None for all of them.
type Needed = Option<HashSet<usize>>;

fn visit(node: Node, needed: Needed) -> Node {
    match node {
        Node::IndexScan { table, mut access } => {
            if let Some(columns) = &needed {
                access.index_only = columns.iter().all(|c| covers(&access.index, *c));
            }
            let width = table.columns.len();
            let index_only = access.index_only;
            let scan = Node::IndexScan { table, access };
            match needed {
                Some(columns) if !index_only => pruned(scan, width, &columns),
                _ => scan,
            }
        }
        Node::SeqScan { table } => {
            let width = table.columns.len();
            let scan = Node::SeqScan { table };
            match needed {
                Some(columns) => pruned(scan, width, &columns),
                None => scan,
            }
        }
        Node::Filter { input, predicate } => {
            let needed = add(needed, std::slice::from_ref(&predicate));
            Node::Filter {
                input: Box::new(visit(*input, needed)),
                predicate,
            }
        }
        Node::Project { input, exprs } => {
            let needed = add(Some(HashSet::new()), &exprs);
            Node::Project {
                input: Box::new(visit(*input, needed)),
                exprs,
            }
        }
        Node::Aggregate {
            input,
            group_by,
            aggregates,
            sets,
        } => {
            let args: Vec<Expr> = aggregates
                .iter()
                .flat_map(|a| {
                    a.arg
                        .iter()
                        .chain(&a.separator)
                        .chain(&a.filter)
                        .chain(a.order_by.iter().map(|k| &k.expr))
                        .cloned()
                })
                .collect();
            let needed = add(add(Some(HashSet::new()), &group_by), &args);
            Node::Aggregate {
                input: Box::new(visit(*input, needed)),
                group_by,
                aggregates,
                sets,
            }
        }
        Node::Sort { input, keys } => {
            let exprs: Vec<Expr> = keys.iter().map(|k| k.expr.clone()).collect();
            Node::Sort {
                input: Box::new(visit(*input, add(needed, &exprs))),
                keys,
            }
        }
        Node::Limit {
            input,
            limit,
            offset,
            ties,
        } => Node::Limit {
            // WITH TIES reads its keys' columns too.
            input: Box::new(visit(*input, if ties.is_empty() { needed } else { None })),
            limit,
            offset,
            ties,
        },
        Node::NestedLoopJoin {
            left,
            right,
            predicate,
            left_outer,
            right_width,
            right_outer,
        } => {
            let needed = add(needed, predicate.as_slice());
            let (l, r) = split(&needed, left.width());
            Node::NestedLoopJoin {
                left: Box::new(visit(*left, l)),
                right: Box::new(visit(*right, r)),
                predicate,
                left_outer,
                right_width,
                right_outer,
            }
        }
        Node::IndexNestedLoop {
            left,
            right,
            right_width,
            predicate,
            index_cond,
            left_outer,
        } => {
            let needed = add(needed, predicate.as_slice());
            let (l, r) = split(&needed, left.width());
            // The inner scan's bounds read the left row.
            let l = add(l, &probe_values(&right));
            Node::IndexNestedLoop {
                left: Box::new(visit(*left, l)),
                right: Box::new(visit(*right, r)),
                right_width,
                predicate,
                index_cond,
                left_outer,
            }
        }
        Node::MergeJoin {
            left,
            right,
            right_width,
            key,
            predicate,
            left_outer,
        } => {
            let needed = add(needed, predicate.as_slice());
            let (l, r) = split(&needed, left.width());
            Node::MergeJoin {
                left: Box::new(visit(*left, add(l, std::slice::from_ref(&key.left)))),
                right: Box::new(visit(*right, add(r, std::slice::from_ref(&key.right)))),
                right_width,
                key,
                predicate,
                left_outer,
            }
        }
        pruned @ Node::Pruned { .. } => pruned,
        other @ (Node::Values { .. } | Node::Series { .. } | Node::WorkTable { .. }) => other,
        // The rest pass their inputs every column: DISTINCT and set
        // operations compare whole rows, window functions and
        // set-returning functions pass them through, LATERAL's right side
        // reads its left rows, and a locked row (WithAddress, LockRows) is
        // read from the heap.
        other => match other.map_inputs::<std::convert::Infallible>(&mut |n| Ok(visit(n, None))) {
            Ok(node) => node,
            Err(never) => match never {},
        },
    }
}

/// A scan whose consumers read only `columns`, pruned to them when that
/// leaves some out.
fn pruned(scan: Node, width: usize, columns: &HashSet<usize>) -> Node {
    if (0..width).all(|c| columns.contains(&c)) {
        return scan;
    }
    let keep: std::sync::Arc<[bool]> = (0..width).map(|c| columns.contains(&c)).collect();
    Node::Pruned {
        scan: Box::new(scan),
        keep,
    }
}

/// A join's needed columns split into its left input's and its right
/// input's (renumbered from 0).
fn split(needed: &Needed, left_width: usize) -> (Needed, Needed) {
    match needed {
        None => (None, None),
        Some(cols) => (
            Some(cols.iter().copied().filter(|c| *c < left_width).collect()),
            Some(
                cols.iter()
                    .filter(|c| **c >= left_width)
                    .map(|c| c - left_width)
                    .collect(),
            ),
        ),
    }
}

/// The expressions of an index nested loop's inner scan bounds (over the
/// left row).
fn probe_values(right: &Node) -> Vec<Expr> {
    let scan = match right {
        Node::Filter { input, .. } => input.as_ref(),
        other => other,
    };
    let Node::IndexScan { access, .. } = scan else {
        return Vec::new();
    };
    access
        .bounds
        .iter()
        .flat_map(|b| match b {
            crate::sql::plan::KeyBound::Eq(e) => vec![e.clone()],
            crate::sql::plan::KeyBound::In(list) => list.clone(),
            crate::sql::plan::KeyBound::Range { lower, upper } => lower
                .iter()
                .chain(upper.iter())
                .map(|(e, _)| e.clone())
                .collect(),
        })
        .collect()
}

/// `needed` plus the columns the expressions read (None if one holds a
/// correlated subquery, which may read any column of the row).
fn add(needed: Needed, exprs: &[Expr]) -> Needed {
    let mut needed = needed?;
    let mut correlated = false;
    for e in exprs {
        e.walk(&mut |e| match e {
            Expr::Column { index, .. } => {
                needed.insert(*index);
            }
            Expr::Subquery(sub) => correlated |= sub.correlated,
            _ => {}
        });
    }
    (!correlated).then_some(needed)
}

/// Whether the index's entries give back a table column's exact value.
fn covers(index: &BoundIndex, column: usize) -> bool {
    let key = index.keys.iter().zip(&index.orders).any(|(k, o)| {
        matches!(k, Expr::Column { index, .. } if *index == column) && is_lossless(o.data_type)
    });
    key || index
        .included
        .iter()
        .any(|(c, t)| *c == column && is_lossless(*t))
}
