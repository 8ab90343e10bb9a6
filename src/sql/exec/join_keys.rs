//! Equi-join keys: the `left_expr = right_expr` conjuncts of a join
//! condition whose sides each read only one input. With at least one, the
//! join hashes the right input on its keys and probes with each left row
//! (what EXPLAIN shows as a Hash Join); the other conjuncts are checked
//! on each candidate pair.

use crate::sql::expr::{BinaryOp, Expr};

/// A join condition split for hashing.
#[derive(Clone, Debug)]
pub struct EquiKeys {
    /// Key expressions over a left row.
    pub left: Vec<Expr>,
    /// Key expressions over a right row (renumbered from the joined row).
    pub right: Vec<Expr>,
    /// The conjuncts that are not keys, over the joined row.
    pub residual: Option<Expr>,
}

/// The hash keys of a join condition, if it has any.
pub fn equi_keys(predicate: Option<&Expr>, left_width: usize) -> Option<EquiKeys> {
    let predicate = predicate?;
    let mut keys = EquiKeys {
        left: Vec::new(),
        right: Vec::new(),
        residual: None,
    };
    let mut rest = Vec::new();
    for c in predicate.conjuncts() {
        match split(c, left_width) {
            Some((l, r)) => {
                keys.left.push(l);
                keys.right.push(r);
            }
            None => rest.push(c.clone()),
        }
    }
    if keys.left.is_empty() {
        return None;
    }
    keys.residual = rest.into_iter().reduce(|a, b| Expr::Binary {
        op: BinaryOp::And,
        left: Box::new(a),
        right: Box::new(b),
        ty: crate::types::DataType::Bool,
    });
    Some(keys)
}

/// `a = b` with one side over the left columns and the other over the
/// right: (left key, right key renumbered for a right row).
pub fn split(c: &Expr, left_width: usize) -> Option<(Expr, Expr)> {
    let Expr::Binary {
        op: BinaryOp::Eq,
        left,
        right,
        ..
    } = c
    else {
        return None;
    };
    match (side(left, left_width)?, side(right, left_width)?) {
        (Side::Left, Side::Right) => Some(((**left).clone(), shift(right, left_width))),
        (Side::Right, Side::Left) => Some(((**right).clone(), shift(left, left_width))),
        _ => None,
    }
}

#[derive(PartialEq)]
enum Side {
    Left,
    Right,
}

/// Which input an expression reads; None if both, neither, or it holds
/// something that cannot move (a subquery, an outer reference, a volatile
/// call).
fn side(e: &Expr, left_width: usize) -> Option<Side> {
    let (mut left, mut right, mut fixed) = (false, false, false);
    e.walk(&mut |x| match x {
        Expr::Column { index, .. } if *index < left_width => left = true,
        Expr::Column { .. } => right = true,
        Expr::Subquery(_) | Expr::Aggregate(_) | Expr::OuterColumn { .. } => fixed = true,
        Expr::Call { func, .. } if func.is_volatile() => fixed = true,
        _ => {}
    });
    match (left, right, fixed) {
        (true, false, false) => Some(Side::Left),
        (false, true, false) => Some(Side::Right),
        _ => None,
    }
}

fn shift(e: &Expr, by: usize) -> Expr {
    e.clone()
        .transform(&mut |x| {
            Ok(match x {
                Expr::Column { index, ty } => Some(Expr::Column {
                    index: index - by,
                    ty: *ty,
                }),
                _ => None,
            })
        })
        .unwrap_or_else(|_| e.clone())
}
