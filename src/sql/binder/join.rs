//! Binding joins: INNER, LEFT, RIGHT, FULL and CROSS, with ON, USING or
//! NATURAL. USING (and NATURAL, which is USING of the common names)
//! merges each named pair into one column, first in `*` and reachable
//! unqualified; the pair stays reachable qualified (`t1.id`), as in
//! PostgreSQL. A RIGHT or FULL join's merged column is the non-NULL side.

use sqlparser::ast;

use super::scope::{Scope, ScopeColumn};
use super::types::common_type;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{BinaryOp, Expr, Function};
use crate::sql::plan::Node;
use crate::types::ColumnType;

impl Binder<'_> {
    pub(super) fn bind_join(
        &mut self,
        left: (Node, Scope),
        right: (Node, Scope),
        op: &ast::JoinOperator,
    ) -> Result<(Node, Scope)> {
        use ast::JoinOperator as J;
        let (constraint, left_outer, right_outer) = match op {
            J::Join(c) | J::Inner(c) => (c, false, false),
            J::Left(c) | J::LeftOuter(c) => (c, true, false),
            J::Right(c) | J::RightOuter(c) => (c, false, true),
            J::FullOuter(c) => (c, true, true),
            J::CrossJoin(c) => (c, false, false),
            other => return Err(crate::errunsupported!("join type {other:?}")),
        };
        let left_width = left.1.columns.len();
        let right_width = right.1.columns.len();
        let scope = left.1.clone().join(right.1.clone());
        let using: Vec<String> = match constraint {
            ast::JoinConstraint::Using(names) => names
                .iter()
                .map(super::scope::table_name)
                .collect::<Result<_>>()?,
            ast::JoinConstraint::Natural => left
                .1
                .columns
                .iter()
                .filter(|l| {
                    !l.hidden
                        && right
                            .1
                            .columns
                            .iter()
                            .any(|r| !r.hidden && r.name == l.name)
                })
                .map(|c| c.name.clone())
                .collect(),
            _ => Vec::new(),
        };
        let mut pairs = Vec::with_capacity(using.len());
        for name in &using {
            let side = |s: &Scope, which: &str| -> Result<usize> {
                s.find(None, name)?.ok_or_else(|| {
                    errinput!(
                        sqlstate::UNDEFINED_COLUMN,
                        "column \"{name}\" specified in USING clause does not exist in {which} table"
                    )
                })
            };
            pairs.push((
                side(&left.1, "left")?,
                left_width + side(&right.1, "right")?,
            ));
        }
        let predicate = match constraint {
            ast::JoinConstraint::None => None,
            ast::JoinConstraint::On(e) => {
                let p = self.bind_expr(e, &scope)?;
                Some(self.coerce_bool(p, "JOIN/ON")?)
            }
            ast::JoinConstraint::Using(_) | ast::JoinConstraint::Natural => {
                let mut all: Option<Expr> = None;
                for (l, r) in &pairs {
                    let eq = self.equality(&scope, *l, *r)?;
                    all = Some(match all {
                        None => eq,
                        Some(a) => Expr::Binary {
                            op: BinaryOp::And,
                            left: Box::new(a),
                            right: Box::new(eq),
                            ty: crate::types::DataType::Bool,
                        },
                    });
                }
                all
            }
        };
        let node = Node::NestedLoopJoin {
            left: Box::new(left.0),
            right: Box::new(right.0),
            predicate,
            left_outer,
            right_width,
            right_outer: right_outer.then_some(left_width),
        };
        if pairs.is_empty() {
            return Ok((node, scope));
        }
        self.merge_using(node, scope, &pairs, right_outer, left_outer)
    }

    /// `left = right` over two columns of the joined row, in their common type.
    fn equality(&mut self, scope: &Scope, l: usize, r: usize) -> Result<Expr> {
        let (lt, rt) = (scope.columns[l].ty.data_type, scope.columns[r].ty.data_type);
        let name = &scope.columns[l].name;
        let t = common_type(lt, rt).ok_or_else(|| {
            errinput!(
                sqlstate::DATATYPE_MISMATCH,
                "JOIN/USING types {} and {} cannot be matched",
                lt.sql_name(),
                rt.sql_name()
            )
            .with_detail(format!("Column \"{name}\" is of different types."))
        })?;
        let left = self.coerce(Expr::Column { index: l, ty: lt }, t)?;
        let right = self.coerce(Expr::Column { index: r, ty: rt }, t)?;
        Ok(Expr::Binary {
            op: BinaryOp::Eq,
            left: Box::new(left),
            right: Box::new(right),
            ty: crate::types::DataType::Bool,
        })
    }

    /// The merged USING columns first, then every joined column (the
    /// merged pairs hidden from unqualified names and `*`).
    fn merge_using(
        &mut self,
        node: Node,
        scope: Scope,
        pairs: &[(usize, usize)],
        right_outer: bool,
        left_outer: bool,
    ) -> Result<(Node, Scope)> {
        let mut exprs = Vec::with_capacity(pairs.len() + scope.columns.len());
        let mut columns = Vec::with_capacity(exprs.capacity());
        for (l, r) in pairs {
            let (lc, rc) = (&scope.columns[*l], &scope.columns[*r]);
            let t = common_type(lc.ty.data_type, rc.ty.data_type).unwrap_or(lc.ty.data_type);
            let left = self.coerce(
                Expr::Column {
                    index: *l,
                    ty: lc.ty.data_type,
                },
                t,
            )?;
            let right = self.coerce(
                Expr::Column {
                    index: *r,
                    ty: rc.ty.data_type,
                },
                t,
            )?;
            let merged = match (left_outer, right_outer) {
                (_, false) => left,
                (false, true) => right,
                (true, true) => Expr::Call {
                    func: Function::Coalesce,
                    args: vec![left, right],
                    ty: t,
                },
            };
            exprs.push(merged);
            columns.push(ScopeColumn {
                qualifier: None,
                name: lc.name.clone(),
                ty: if t == lc.ty.data_type {
                    lc.ty
                } else {
                    ColumnType::plain(t)
                },
                table_oid: 0,
                column_number: 0,
                hidden: false,
            });
        }
        for (i, c) in scope.columns.iter().enumerate() {
            exprs.push(Expr::Column {
                index: i,
                ty: c.ty.data_type,
            });
            let mut c = c.clone();
            if pairs.iter().any(|(l, r)| *l == i || *r == i) {
                c.hidden = true;
            }
            columns.push(c);
        }
        let node = Node::Project {
            input: Box::new(node),
            exprs,
        };
        Ok((node, Scope { columns }))
    }
}
