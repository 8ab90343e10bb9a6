//! Moving WHERE conditions down a tree of joins: a condition on one
//! table's columns filters that table's rows before they are joined (and
//! may use its indexes); a condition on both sides of an inner join
//! becomes that join's predicate. Without this, `FROM a, b, c WHERE …`
//! would build the whole cross product before filtering it.
//!
//! Only inner and cross joins take conditions on both sides or on their
//! right side; below a LEFT JOIN, conditions go only to the preserved
//! (left) side, since WHERE filters after NULL-extension. Conditions with
//! subqueries stay on top (a correlated subquery reads the row of the node
//! that evaluates it).

use super::Binder;
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::Node;
use crate::types::DataType;

impl Binder<'_> {
    /// Applies a WHERE predicate to `node`, pushing its conjuncts as far
    /// down as they may go.
    pub(super) fn push_down_where(&mut self, node: Node, predicate: Expr) -> Result<Node> {
        let conjuncts = predicate.conjuncts().into_iter().cloned().collect();
        let (node, rest) = self.push(node, conjuncts)?;
        Ok(wrap(node, rest))
    }

    /// Pushes what it can of `conjuncts` into `node`; returns the new node
    /// and the conjuncts that must stay above it.
    fn push(&mut self, node: Node, conjuncts: Vec<Expr>) -> Result<(Node, Vec<Expr>)> {
        let left_width = match &node {
            Node::NestedLoopJoin { left, .. } => Some(left.width()),
            _ => None,
        };
        match (node, left_width) {
            (
                Node::NestedLoopJoin {
                    left,
                    right,
                    predicate,
                    left_outer,
                    right_width,
                    right_outer,
                },
                Some(left_width),
            ) => {
                // Above a RIGHT or FULL join, left columns may be NULL
                // padding: their conditions stay above it.
                let right_outer_join = right_outer.is_some();
                let (mut to_left, mut to_right, mut to_join, mut stay) =
                    (Vec::new(), Vec::new(), Vec::new(), Vec::new());
                for c in conjuncts {
                    match columns_used(&c) {
                        None => stay.push(c),
                        Some((lo, hi)) if hi < left_width && lo <= hi && !right_outer_join => {
                            to_left.push(c)
                        }
                        Some((lo, _)) if lo >= left_width && !left_outer && !right_outer_join => {
                            to_right.push(shift(c, left_width)?)
                        }
                        Some((lo, hi)) if lo <= hi && !left_outer && !right_outer_join => {
                            to_join.push(c)
                        }
                        Some(_) => stay.push(c),
                    }
                }
                let (left, rest) = self.push(*left, to_left)?;
                let left = wrap(left, rest);
                let (right, rest) = self.push(*right, to_right)?;
                let right = wrap(right, rest);
                let mut join_preds: Vec<Expr> = predicate.into_iter().collect();
                join_preds.extend(to_join);
                Ok((
                    Node::NestedLoopJoin {
                        left: Box::new(left),
                        right: Box::new(right),
                        predicate: and_all(join_preds),
                        left_outer,
                        right_width,
                        right_outer,
                    },
                    stay,
                ))
            }
            (node @ Node::SeqScan { .. }, _) => match and_all(conjuncts) {
                Some(p) => Ok((self.plan_filter(node, p)?, Vec::new())),
                None => Ok((node, Vec::new())),
            },
            (other, _) => Ok((other, conjuncts)),
        }
    }
}

fn wrap(node: Node, rest: Vec<Expr>) -> Node {
    match and_all(rest) {
        Some(p) => Node::Filter {
            input: Box::new(node),
            predicate: p,
        },
        None => node,
    }
}

fn and_all(mut parts: Vec<Expr>) -> Option<Expr> {
    let first = if parts.is_empty() {
        return None;
    } else {
        parts.remove(0)
    };
    Some(parts.into_iter().fold(first, |acc, p| Expr::Binary {
        op: BinaryOp::And,
        left: Box::new(acc),
        right: Box::new(p),
        ty: DataType::Bool,
    }))
}

/// The lowest and highest column a condition reads (lo > hi when it reads
/// none); None if it must stay where it is (it holds a subquery or an
/// aggregate).
fn columns_used(e: &Expr) -> Option<(usize, usize)> {
    let mut lo = usize::MAX;
    let mut hi = 0;
    let mut movable = true;
    e.walk(&mut |x| match x {
        Expr::Column { index, .. } => {
            lo = lo.min(*index);
            hi = hi.max(*index);
        }
        Expr::Subquery(_) | Expr::Aggregate(_) => movable = false,
        _ => {}
    });
    if !movable {
        return None;
    }
    Some((lo, hi))
}

/// Renumbers the columns of a condition moving to a join's right side.
fn shift(e: Expr, by: usize) -> Result<Expr> {
    e.transform(&mut |x| {
        Ok(match x {
            Expr::Column { index, ty } => Some(Expr::Column {
                index: index - by,
                ty: *ty,
            }),
            _ => None,
        })
    })
}
