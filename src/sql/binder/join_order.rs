//! The order of the FROM list's items (`FROM a, b, c WHERE …`), chosen by
//! `join_search` from row estimates and the WHERE clause's conditions, so
//! equality conditions become hash joins instead of cross products. The joined row is put back
//! in FROM order for everything above, and conditions that cannot move
//! (subqueries, outer references) are applied there.

use std::collections::BTreeSet;

use sqlparser::ast;

use super::scope::Scope;
use super::Binder;
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr};
use crate::sql::plan::Node;
use crate::types::DataType;

impl Binder<'_> {
    /// FROM and WHERE together; `reorder` allows changing the join order.
    pub(super) fn bind_from_where(
        &mut self,
        from: &[ast::TableWithJoins],
        selection: Option<&ast::Expr>,
        reorder: bool,
    ) -> Result<(Node, Scope)> {
        // Inner joins written with JOIN … ON join in the order found for
        // them, as a FROM list with their conditions in WHERE.
        let flat = if reorder {
            flatten_inner_joins(from, selection)
        } else {
            None
        };
        let (from, selection) = match &flat {
            Some((items, predicate)) => (items.as_slice(), Some(predicate)),
            None => (from, selection),
        };
        let lateral = from.iter().any(|t| {
            super::lateral::is_lateral(&t.relation)
                || t.joins
                    .iter()
                    .any(|j| super::lateral::is_lateral(&j.relation))
        });
        if !reorder || lateral || from.len() < 3 || selection.is_none() {
            let (node, scope) = self.bind_from(from)?;
            return match selection {
                None => Ok((node, scope)),
                Some(w) => {
                    let p = self.bind_expr(w, &scope)?;
                    let p = self.coerce_bool(p, "WHERE")?;
                    Ok((self.push_down_where(node, p)?, scope))
                }
            };
        }
        let mut items = Vec::with_capacity(from.len());
        for twj in from {
            items.push(self.bind_from(std::slice::from_ref(twj))?);
        }
        let scope = items
            .iter()
            .fold(Scope::default(), |acc, (_, s)| acc.join(s.clone()));
        let predicate = match selection {
            Some(w) => {
                let p = self.bind_expr(w, &scope)?;
                self.coerce_bool(p, "WHERE")?
            }
            None => return Err(crate::errinternal!("join order without WHERE")),
        };
        let mut starts = Vec::with_capacity(items.len());
        let mut at = 0;
        for (_, s) in &items {
            starts.push(at);
            at += s.columns.len();
        }
        let item_of = |col: usize| starts.partition_point(|s| *s <= col) - 1;
        // Each movable condition with the items it reads.
        let mut movable: Vec<(Expr, BTreeSet<usize>)> = Vec::new();
        let mut stay: Vec<Expr> = Vec::new();
        for c in predicate.conjuncts() {
            match touched(c) {
                Some(cols) => movable.push((c.clone(), cols.into_iter().map(item_of).collect())),
                None => stay.push(c.clone()),
            }
        }
        let sizes: Vec<f64> = items
            .iter()
            .enumerate()
            .map(|(i, (node, _))| {
                let filtered = movable.iter().any(|(_, t)| t.len() == 1 && t.contains(&i));
                self.estimated_rows(node) * if filtered { 0.1 } else { 1.0 }
            })
            .collect();
        // Distinct values of a column of the joined row (ANALYZE's, else
        // as many as its item has rows).
        let distinct = |col: usize| {
            let item = item_of(col);
            let column = Expr::Column {
                index: col - starts[item],
                ty: DataType::Unknown,
            };
            self.key_distinct(&items[item].0, &column)
                .unwrap_or(sizes[item])
                .min(sizes[item].max(1.0))
        };
        let conditions: Vec<super::join_search::Condition> = movable
            .iter()
            .map(|(c, t)| super::join_search::Condition {
                items: t.clone(),
                selectivity: super::join_search::selectivity(c, distinct),
            })
            .collect();
        let order = super::join_search::join_order(&sizes, &conditions);
        if order.iter().enumerate().all(|(k, i)| k == *i) {
            // FROM order is as good: the plain plan.
            let mut node: Option<(Node, Scope)> = None;
            for item in items {
                node = Some(match node {
                    None => item,
                    Some(left) => self.cross_join(left, item),
                });
            }
            let (node, scope) = node.ok_or_else(|| crate::errinternal!("empty FROM"))?;
            let node = self.push_down_where(node, predicate)?;
            return Ok((node, scope));
        }
        // Where each FROM-order column lands in the joined row.
        let mut position = vec![0; at];
        let mut next = 0;
        for &i in &order {
            let width = items[i].1.columns.len();
            for c in 0..width {
                position[starts[i] + c] = next + c;
            }
            next += width;
        }
        let mut slots: Vec<Option<(Node, Scope)>> = items.into_iter().map(Some).collect();
        let mut joined: Option<(Node, Scope)> = None;
        for &i in &order {
            let item = slots[i]
                .take()
                .ok_or_else(|| crate::errinternal!("a FROM item joined twice"))?;
            joined = Some(match joined {
                None => item,
                Some(left) => self.cross_join(left, item),
            });
        }
        let (node, _) = joined.ok_or_else(|| crate::errinternal!("empty FROM"))?;
        let conditions = movable
            .into_iter()
            .map(|(c, _)| remap(c, &position))
            .collect::<Result<Vec<_>>>()?;
        let mut node = match conditions.into_iter().reduce(and) {
            Some(p) => self.push_down_where(node, p)?,
            None => node,
        };
        // Back in FROM order.
        node = Node::Project {
            input: Box::new(node),
            exprs: scope
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| Expr::Column {
                    index: position[i],
                    ty: c.ty.data_type,
                })
                .collect(),
        };
        if let Some(p) = stay.into_iter().reduce(and) {
            node = Node::Filter {
                input: Box::new(node),
                predicate: p,
            };
        }
        Ok((node, scope))
    }
}

/// `a JOIN b ON c1 JOIN c ON c2 … WHERE w` as `a, b, c … WHERE c1 AND c2
/// AND w`, when that means the same: only inner joins with ON conditions
/// over plain tables, whose column references are all qualified (so they
/// resolve alike against the whole FROM list). None otherwise, or when
/// there is no join to flatten.
fn flatten_inner_joins(
    from: &[ast::TableWithJoins],
    selection: Option<&ast::Expr>,
) -> Option<(Vec<ast::TableWithJoins>, ast::Expr)> {
    use ast::{JoinConstraint, JoinOperator as J, TableFactor};
    if from.iter().all(|t| t.joins.is_empty()) {
        return None;
    }
    let plain = |f: &TableFactor| matches!(f, TableFactor::Table { args: None, .. });
    let mut items = Vec::new();
    let mut conditions: Vec<ast::Expr> = Vec::new();
    for twj in from {
        if !plain(&twj.relation) {
            return None;
        }
        items.push(ast::TableWithJoins {
            relation: twj.relation.clone(),
            joins: Vec::new(),
        });
        for join in &twj.joins {
            let (J::Join(JoinConstraint::On(on)) | J::Inner(JoinConstraint::On(on))) =
                &join.join_operator
            else {
                return None;
            };
            if join.global || !plain(&join.relation) || !only_qualified(on) {
                return None;
            }
            items.push(ast::TableWithJoins {
                relation: join.relation.clone(),
                joins: Vec::new(),
            });
            conditions.push(ast::Expr::Nested(Box::new(on.clone())));
        }
    }
    conditions.extend(selection.map(|w| ast::Expr::Nested(Box::new(w.clone()))));
    let predicate = conditions.into_iter().reduce(|a, b| ast::Expr::BinaryOp {
        left: Box::new(a),
        op: ast::BinaryOperator::And,
        right: Box::new(b),
    })?;
    Some((items, predicate))
}

/// Whether an ON condition is built only of qualified column references,
/// literals and operators (nothing whose meaning could change when the
/// whole FROM list is in scope).
fn only_qualified(e: &ast::Expr) -> bool {
    use ast::Expr as E;
    match e {
        E::CompoundIdentifier(parts) => parts.len() == 2,
        E::Value(_) => true,
        E::Nested(x) | E::IsNull(x) | E::IsNotNull(x) | E::UnaryOp { expr: x, .. } => {
            only_qualified(x)
        }
        E::BinaryOp { left, right, .. } => only_qualified(left) && only_qualified(right),
        E::Cast { expr, .. } => only_qualified(expr),
        _ => false,
    }
}

/// The columns a condition reads, or None if it cannot move (it holds a
/// subquery, an aggregate or a reference to an enclosing query).
fn touched(e: &Expr) -> Option<BTreeSet<usize>> {
    let mut cols = BTreeSet::new();
    let mut movable = true;
    e.walk(&mut |x| match x {
        Expr::Column { index, .. } => {
            cols.insert(*index);
        }
        Expr::Subquery(_) | Expr::Aggregate(_) | Expr::OuterColumn { .. } => movable = false,
        _ => {}
    });
    movable.then_some(cols)
}

fn remap(e: Expr, position: &[usize]) -> Result<Expr> {
    e.transform(&mut |x| {
        Ok(match x {
            Expr::Column { index, ty } => Some(Expr::Column {
                index: position[*index],
                ty: *ty,
            }),
            _ => None,
        })
    })
}

/// `a AND b`.
pub(super) fn and(a: Expr, b: Expr) -> Expr {
    Expr::Binary {
        op: BinaryOp::And,
        left: Box::new(a),
        right: Box::new(b),
        ty: DataType::Bool,
    }
}
