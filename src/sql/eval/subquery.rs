//! Subquery expressions: scalar, EXISTS, and `op ANY/ALL` (IN, NOT IN),
//! with PostgreSQL's NULL rules.

use super::super::expr::{SubqueryExpr, SubqueryKind};
use super::{eval, ops, Env};
use crate::errinput;
use crate::error::Result;
use crate::types::{DataType, Value};

/// Evaluates a subquery expression for the current row.
pub fn eval_subquery(sub: &SubqueryExpr, row: &[Value], ctx: &dyn Env) -> Result<Value> {
    match &sub.kind {
        SubqueryKind::Scalar => {
            let rows = ctx.run_subquery(&sub.plan, row, sub.correlated, Some(2))?;
            if rows.len() > 1 {
                return Err(errinput!(
                    "21000",
                    "more than one row returned by a subquery used as an expression"
                ));
            }
            Ok(rows
                .into_iter()
                .next()
                .and_then(|r| r.into_iter().next())
                .unwrap_or(Value::Null))
        }
        SubqueryKind::Array => {
            let rows = ctx.run_subquery(&sub.plan, row, sub.correlated, None)?;
            let elem = match sub.ty {
                DataType::Array(elem) => *elem,
                other => other,
            };
            let items = rows
                .into_iter()
                .map(|r| r.into_iter().next().unwrap_or(Value::Null))
                .collect();
            Ok(Value::Array(Box::new(crate::types::array::ArrayValue {
                elem,
                items,
            })))
        }
        SubqueryKind::Exists => {
            let rows = ctx.run_subquery(&sub.plan, row, sub.correlated, Some(1))?;
            Ok(Value::Bool(!rows.is_empty()))
        }
        SubqueryKind::Quantified { left, op, all } => {
            let l = eval(left, row, ctx)?;
            let rows = ctx.run_subquery(&sub.plan, row, sub.correlated, None)?;
            // ANY: true if one comparison is true; ALL: false if one is false;
            // otherwise NULL if a comparison was NULL.
            let mut saw_null = false;
            for r in rows {
                let v = r.into_iter().next().unwrap_or(Value::Null);
                match ops::binary(*op, l.clone(), v, DataType::Bool)? {
                    Value::Bool(b) if b != *all => return Ok(Value::Bool(b)),
                    Value::Bool(_) => {}
                    _ => saw_null = true,
                }
            }
            Ok(if saw_null {
                Value::Null
            } else {
                Value::Bool(*all)
            })
        }
    }
}
