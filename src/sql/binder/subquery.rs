//! Binding subquery expressions: scalar `(SELECT …)`, `EXISTS`, `IN`,
//! `NOT IN` and `op ANY|ALL (SELECT …)`. A subquery is bound with the
//! enclosing scopes pushed, so its names may reach outward (correlation);
//! the levels it reaches across are marked correlated.

use sqlparser::ast::{self, BinaryOperator};

use super::expr::no_operator;
use super::scope::Scope;
use super::types::common_type;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::{BinaryOp, Expr, SubqueryExpr, SubqueryKind};
use crate::sql::plan::{Node, OutputColumn};
use crate::types::DataType;

impl Binder<'_> {
    /// Binds a subquery used in an expression over `scope`; returns its plan,
    /// its output columns, and whether it reads the enclosing row.
    pub(super) fn bind_subquery(
        &mut self,
        q: &ast::Query,
        scope: &Scope,
    ) -> Result<(Node, Vec<OutputColumn>, bool)> {
        let saved_aggregates = std::mem::replace(&mut self.allow_aggregates, false);
        self.outer_scopes.push(scope.clone());
        self.correlated.push(false);
        let bound = self.bind_query(q);
        let correlated = self.correlated.pop().unwrap_or(true);
        self.outer_scopes.pop();
        self.allow_aggregates = saved_aggregates;
        let (node, columns) = bound?;
        Ok((node, columns, correlated))
    }

    /// A one-column subquery for IN / ANY / ALL, compared with `left`.
    pub(super) fn bind_quantified(
        &mut self,
        left: &ast::Expr,
        op: BinaryOp,
        all: bool,
        q: &ast::Query,
        scope: &Scope,
    ) -> Result<Expr> {
        let l = self.bind_expr(left, scope)?;
        let (node, columns, correlated) = self.bind_subquery(q, scope)?;
        if columns.len() != 1 {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "subquery has too many columns"
            ));
        }
        let (lt, rt) = (l.data_type(), columns[0].ty.data_type);
        let target = comparison_type(lt, op, rt)?;
        let l = self.coerce(l, target)?;
        let node = if rt == target {
            node
        } else {
            let cast = self.coerce(Expr::Column { index: 0, ty: rt }, target)?;
            Node::Project {
                input: Box::new(node),
                exprs: vec![cast],
            }
        };
        let kind = SubqueryKind::Quantified { left: l, op, all };
        Ok(Expr::Subquery(Box::new(SubqueryExpr {
            plan: node,
            kind,
            correlated,
            ty: DataType::Bool,
        })))
    }
}

/// The type both sides of `left op right` compare as (unknown is text).
pub(super) fn comparison_type(lt: DataType, op: BinaryOp, rt: DataType) -> Result<DataType> {
    match common_type(lt, rt) {
        Some(DataType::Unknown) => Ok(DataType::Text),
        Some(t) => Ok(t),
        None => Err(no_operator(&format!(
            "{} {} {}",
            lt.sql_name(),
            op.symbol(),
            rt.sql_name()
        ))),
    }
}

/// The comparison operator of an ANY/ALL.
pub(super) fn comparison_op(op: &BinaryOperator) -> Result<BinaryOp> {
    Ok(match op {
        BinaryOperator::Eq => BinaryOp::Eq,
        BinaryOperator::NotEq => BinaryOp::NotEq,
        BinaryOperator::Lt => BinaryOp::Lt,
        BinaryOperator::LtEq => BinaryOp::LtEq,
        BinaryOperator::Gt => BinaryOp::Gt,
        BinaryOperator::GtEq => BinaryOp::GtEq,
        other => return Err(crate::errunsupported!("operator {other} with ANY/ALL")),
    })
}
