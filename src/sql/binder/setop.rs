//! Binding set operations (UNION / INTERSECT / EXCEPT [ALL]) and WITH
//! (common table expressions, not recursive).
//!
//! Each branch of a set operation is bound on its own; columns must match
//! in number and unify in type, untyped literals taking the other branch's
//! type as in PostgreSQL (`SELECT 1 UNION SELECT '2'` is integer). A CTE is
//! bound once and inlined wherever its name is used in FROM.

use std::collections::HashMap;

use sqlparser::ast::{self, SetExpr, SetOperator, SetQuantifier};

use super::scope::normalize;
use super::types::common_type;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{Node, OutputColumn, SetOp};
use crate::types::{ColumnType, DataType};

/// A bound common table expression.
#[derive(Clone, Debug)]
pub struct Cte {
    pub node: Node,
    pub columns: Vec<OutputColumn>,
}

impl Binder<'_> {
    /// Binds a query body that may be a set operation.
    pub(super) fn bind_set_expr(&mut self, body: &SetExpr) -> Result<(Node, Vec<OutputColumn>)> {
        match body {
            SetExpr::Select(s) => self.bind_select_alone(s),
            SetExpr::Values(v) => self.bind_values(v),
            SetExpr::Query(q) => self.bind_query(q),
            SetExpr::SetOperation {
                left,
                op,
                set_quantifier,
                right,
            } => self.bind_set_operation(left, *op, *set_quantifier, right),
            other => Err(crate::errunsupported!("query body {other}")),
        }
    }

    fn bind_set_operation(
        &mut self,
        left: &SetExpr,
        op: SetOperator,
        quantifier: SetQuantifier,
        right: &SetExpr,
    ) -> Result<(Node, Vec<OutputColumn>)> {
        let (op, name) = match op {
            SetOperator::Union => (SetOp::Union, "UNION"),
            SetOperator::Intersect => (SetOp::Intersect, "INTERSECT"),
            SetOperator::Except | SetOperator::Minus => (SetOp::Except, "EXCEPT"),
        };
        let all = match quantifier {
            SetQuantifier::All => true,
            SetQuantifier::Distinct | SetQuantifier::None => false,
            other => return Err(crate::errunsupported!("{name} {other}")),
        };
        let (left_node, left_cols) = self.bind_set_expr(left)?;
        let (right_node, right_cols) = self.bind_set_expr(right)?;
        if left_cols.len() != right_cols.len() {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "each {name} query must have the same number of columns"
            ));
        }
        let mut types = Vec::with_capacity(left_cols.len());
        for (l, r) in left_cols.iter().zip(&right_cols) {
            let (lt, rt) = (l.ty.data_type, r.ty.data_type);
            let t = common_type(lt, rt).ok_or_else(|| {
                errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "{name} types {} and {} cannot be matched",
                    lt.sql_name(),
                    rt.sql_name()
                )
            })?;
            types.push(if t == DataType::Unknown {
                DataType::Text
            } else {
                t
            });
        }
        let left_node = self.cast_columns(left_node, &left_cols, &types)?;
        let right_node = self.cast_columns(right_node, &right_cols, &types)?;
        let columns = left_cols
            .iter()
            .zip(&types)
            .map(|(c, t)| OutputColumn {
                name: c.name.clone(),
                ty: if *t == c.ty.data_type {
                    c.ty
                } else {
                    ColumnType::plain(*t)
                },
                table_oid: 0,
                column_number: 0,
            })
            .collect();
        let node = Node::SetOp {
            left: Box::new(left_node),
            right: Box::new(right_node),
            op,
            all,
        };
        Ok((node, columns))
    }

    /// Projects a branch's columns to the unified types (a no-op if equal).
    fn cast_columns(
        &mut self,
        node: Node,
        columns: &[OutputColumn],
        types: &[DataType],
    ) -> Result<Node> {
        if columns.iter().zip(types).all(|(c, t)| c.ty.data_type == *t) {
            return Ok(node);
        }
        let exprs = columns
            .iter()
            .zip(types)
            .enumerate()
            .map(|(i, (c, t))| {
                self.coerce(
                    Expr::Column {
                        index: i,
                        ty: c.ty.data_type,
                    },
                    *t,
                )
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Node::Project {
            input: Box::new(node),
            exprs,
        })
    }

    /// Binds the CTEs of a WITH clause into a new name scope.
    pub(super) fn push_ctes(&mut self, with: &ast::With) -> Result<()> {
        if with.recursive {
            return Err(crate::errunsupported!("WITH RECURSIVE"));
        }
        let mut scope: HashMap<String, Cte> = HashMap::new();
        self.ctes.push(HashMap::new());
        for cte in &with.cte_tables {
            if cte.from.is_some() || cte.materialized.is_some() {
                return Err(crate::errunsupported!("WITH ... AS [NOT] MATERIALIZED"));
            }
            let name = normalize(&cte.alias.name);
            if scope.contains_key(&name) {
                return Err(errinput!(
                    "42712",
                    "WITH query name \"{name}\" specified more than once"
                ));
            }
            let (node, mut columns) = self.bind_query(&cte.query)?;
            if cte.alias.columns.len() > columns.len() {
                return Err(errinput!(
                    sqlstate::INVALID_COLUMN_REFERENCE,
                    "WITH query \"{name}\" has {} columns available but {} columns specified",
                    columns.len(),
                    cte.alias.columns.len()
                ));
            }
            for (c, alias) in columns.iter_mut().zip(&cte.alias.columns) {
                c.name = normalize(&alias.name);
            }
            let bound = Cte { node, columns };
            // Later CTEs may refer to earlier ones.
            if let Some(top) = self.ctes.last_mut() {
                top.insert(name.clone(), bound.clone());
            }
            scope.insert(name, bound);
        }
        Ok(())
    }

    /// The CTE a FROM name refers to, innermost WITH first.
    pub(super) fn lookup_cte(&self, name: &ast::ObjectName) -> Option<(String, Cte)> {
        let [ast::ObjectNamePart::Identifier(ident)] = name.0.as_slice() else {
            return None;
        };
        let key = normalize(ident);
        self.ctes
            .iter()
            .rev()
            .find_map(|scope| scope.get(&key))
            .map(|c| (key, c.clone()))
    }
}
