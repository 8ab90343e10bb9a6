//! Binding set operations (UNION / INTERSECT / EXCEPT [ALL]) and WITH
//! (common table expressions, recursive ones too).
//!
//! Each branch of a set operation is bound on its own; columns must match
//! in number and unify in type, untyped literals taking the other branch's
//! type as in PostgreSQL (`SELECT 1 UNION SELECT '2'` is integer). A CTE is
//! bound once and inlined wherever its name is used in FROM. A recursive
//! CTE's own name, inside its recursive term, reads a work table: the rows
//! the previous round added.

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

/// WITH RECURSIVE bookkeeping for one statement.
#[derive(Debug, Default)]
pub struct WorkTables {
    /// The next work-table id to hand out.
    next: usize,
    /// Each reference to a work table: its id and the subquery depth it
    /// was made at.
    pub references: Vec<(usize, usize)>,
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
            let bound = match recursive_shape(with, &cte.query) {
                Some((base, all, step)) => {
                    self.bind_recursive(&name, &cte.alias, base, all, step)?
                }
                None => {
                    let (node, mut columns) = self.bind_query(&cte.query)?;
                    name_columns(&name, &mut columns, &cte.alias)?;
                    Cte { node, columns }
                }
            };
            // Later CTEs may refer to earlier ones.
            if let Some(top) = self.ctes.last_mut() {
                top.insert(name.clone(), bound.clone());
            }
            scope.insert(name, bound);
        }
        Ok(())
    }

    /// A recursive CTE `base UNION [ALL] step`: the step sees the CTE's
    /// name as the work table, typed by the base term as in PostgreSQL.
    fn bind_recursive(
        &mut self,
        name: &str,
        alias: &ast::TableAlias,
        base: &SetExpr,
        all: bool,
        step: &SetExpr,
    ) -> Result<Cte> {
        let (base_node, mut columns) = self.bind_set_expr(base)?;
        name_columns(name, &mut columns, alias)?;
        let types: Vec<DataType> = columns
            .iter()
            .map(|c| match c.ty.data_type {
                DataType::Unknown => DataType::Text,
                t => t,
            })
            .collect();
        let base_node = self.cast_columns(base_node, &columns, &types)?;
        for (c, t) in columns.iter_mut().zip(&types) {
            if c.ty.data_type != *t {
                c.ty = ColumnType::plain(*t);
            }
        }
        let id = self.work_tables.next;
        self.work_tables.next += 1;
        let work_table = Cte {
            node: Node::WorkTable {
                id,
                width: columns.len(),
            },
            columns: columns.clone(),
        };
        if let Some(top) = self.ctes.last_mut() {
            top.insert(name.to_string(), work_table);
        }
        let depth = self.outer_scopes.len();
        let stepped = self.bind_set_expr(step);
        if let Some(top) = self.ctes.last_mut() {
            top.remove(name);
        }
        let (step_node, step_columns) = stepped?;
        let references: Vec<usize> = self
            .work_tables
            .references
            .iter()
            .filter(|(i, _)| *i == id)
            .map(|(_, d)| *d)
            .collect();
        if references.iter().any(|d| *d > depth) {
            return Err(errinput!(
                "42P19",
                "recursive reference to query \"{name}\" must not appear within a subquery"
            ));
        }
        if step_columns.len() != columns.len() {
            return Err(errinput!(
                sqlstate::SYNTAX_ERROR,
                "each UNION query must have the same number of columns"
            ));
        }
        for (i, (c, t)) in step_columns.iter().zip(&types).enumerate() {
            let st = c.ty.data_type;
            if st != *t && common_type(*t, st) != Some(*t) {
                return Err(errinput!(
                    sqlstate::DATATYPE_MISMATCH,
                    "recursive query \"{name}\" column {} has type {} in non-recursive term but type {} overall",
                    i + 1,
                    t.sql_name(),
                    common_type(*t, st).unwrap_or(st).sql_name()
                )
                .with_hint("Cast the output of the non-recursive term to the correct type."));
            }
        }
        let step_node = self.cast_columns(step_node, &step_columns, &types)?;
        let node = if references.is_empty() {
            Node::SetOp {
                left: Box::new(base_node),
                right: Box::new(step_node),
                op: SetOp::Union,
                all,
            }
        } else {
            Node::RecursiveUnion {
                base: Box::new(base_node),
                recursive: Box::new(step_node),
                work_table: id,
                all,
            }
        };
        Ok(Cte { node, columns })
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

/// A WITH RECURSIVE query of the form `base UNION [ALL] step`: its terms
/// and whether duplicates are kept. Other shapes bind as plain queries.
fn recursive_shape<'q>(
    with: &ast::With,
    query: &'q ast::Query,
) -> Option<(&'q SetExpr, bool, &'q SetExpr)> {
    if !with.recursive
        || query.with.is_some()
        || query.order_by.is_some()
        || query.limit_clause.is_some()
    {
        return None;
    }
    match query.body.as_ref() {
        SetExpr::SetOperation {
            left,
            op: SetOperator::Union,
            set_quantifier,
            right,
        } => match set_quantifier {
            SetQuantifier::All => Some((left, true, right)),
            SetQuantifier::Distinct | SetQuantifier::None => Some((left, false, right)),
            _ => None,
        },
        _ => None,
    }
}

/// Renames a CTE's columns to its alias list.
fn name_columns(name: &str, columns: &mut [OutputColumn], alias: &ast::TableAlias) -> Result<()> {
    if alias.columns.len() > columns.len() {
        return Err(errinput!(
            sqlstate::INVALID_COLUMN_REFERENCE,
            "WITH query \"{name}\" has {} columns available but {} columns specified",
            columns.len(),
            alias.columns.len()
        ));
    }
    for (c, a) in columns.iter_mut().zip(&alias.columns) {
        c.name = normalize(&a.name);
    }
    Ok(())
}
