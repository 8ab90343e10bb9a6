//! Index-only scans: an index scan whose consumers read no column the
//! index lacks returns the values stored in its entries, reading the heap
//! only for pages the visibility map does not call all-visible.
//!
//! A pass over the finished plan works out, for each node, which columns
//! of its input anything above reads; an index scan where all of them are
//! plain key or INCLUDE columns of types whose key encoding is lossless
//! becomes index-only. Anything it cannot follow (joins, DISTINCT, set
//! operations, correlated subqueries) counts as reading every column.

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
            Node::IndexScan { table, access }
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
        // Everything passes through; the calls' arguments read more.
        Node::ProjectSet { input, calls } => Node::ProjectSet {
            input: Box::new(visit(*input, None)),
            calls,
        },
        Node::Window { input, calls } => Node::Window {
            input: Box::new(visit(*input, None)),
            calls,
        },
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
        Node::Distinct { input } => Node::Distinct {
            input: Box::new(visit(*input, None)),
        },
        Node::DistinctOn { input, columns } => Node::DistinctOn {
            input: Box::new(visit(*input, None)),
            columns,
        },
        Node::SetOp {
            left,
            right,
            op,
            all,
        } => Node::SetOp {
            left: Box::new(visit(*left, None)),
            right: Box::new(visit(*right, None)),
            op,
            all,
        },
        Node::RecursiveUnion {
            base,
            recursive,
            work_table,
            all,
        } => Node::RecursiveUnion {
            base: Box::new(visit(*base, None)),
            recursive: Box::new(visit(*recursive, None)),
            work_table,
            all,
        },
        Node::NestedLoopJoin {
            left,
            right,
            predicate,
            left_outer,
            right_width,
            right_outer,
        } => Node::NestedLoopJoin {
            left: Box::new(visit(*left, None)),
            right: Box::new(visit(*right, None)),
            predicate,
            left_outer,
            right_width,
            right_outer,
        },
        Node::Lateral {
            left,
            right,
            right_width,
            correlated,
            left_outer,
            predicate,
        } => Node::Lateral {
            left: Box::new(visit(*left, None)),
            right: Box::new(visit(*right, None)),
            right_width,
            correlated,
            left_outer,
            predicate,
        },
        join @ (Node::IndexNestedLoop { .. } | Node::MergeJoin { .. }) => {
            match join.map_inputs(&mut |n| Ok(visit(n, None))) {
                Ok(join) => join,
                Err(_) => unreachable!("visiting a join's inputs cannot fail"),
            }
        }
        // A locked row is read from the heap: its address is needed.
        Node::WithAddress { scan } => Node::WithAddress {
            scan: Box::new(visit(*scan, None)),
        },
        Node::LockRows {
            input,
            table,
            address,
            waiting,
        } => Node::LockRows {
            input: Box::new(visit(*input, None)),
            table,
            address,
            waiting,
        },
        other @ (Node::Values { .. }
        | Node::SeqScan { .. }
        | Node::Series { .. }
        | Node::WorkTable { .. }) => other,
    }
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
