//! Expression evaluation with PostgreSQL semantics: three-valued logic,
//! NULL propagation, overflow and division-by-zero errors.

mod array_functions;
mod backend_functions;
mod cast;
mod catalog_functions;
mod datetime_functions;
mod functions;
mod json_functions;
mod jsonb_functions;
mod like;
mod math_functions;
mod ops;
mod privilege_functions;
mod reg_names;
mod regex;
pub mod schema_dump;
mod sequence_functions;
mod setting_functions;
mod string_functions;

pub use cast::cast;
pub use catalog_functions::{format_type, relation_key};
pub use jsonb_functions::{set_values as json_set_values, to_json};
pub use reg_names::reg_name;

/// A relation as PostgreSQL's messages name it: qualified unless the
/// search path finds it by its bare name.
pub fn relation_display(catalog: &crate::catalog::Catalog, oid: u32) -> String {
    match reg_name(crate::types::RegKind::Class, oid, catalog) {
        Value::Text(shown) => shown,
        _ => oid.to_string(),
    }
}

/// The catalog key of a relation named in text, if its schema exists.
pub fn relation_key_of(catalog: &crate::catalog::Catalog, text: &str) -> Option<String> {
    relation_key(catalog, text).ok()
}

mod subquery;

use super::expr::{BinaryOp, Expr};
use super::plan::Node;
use crate::error::Result;
use crate::types::Value;

/// Statement-wide values an expression may read besides its row.
#[derive(Clone, Debug, Default)]
pub struct EvalContext {
    /// Bound parameter values ($1 is index 0).
    pub params: std::sync::Arc<[Value]>,
    /// Statement start time, µs since 2000-01-01 UTC (now(), current_date).
    pub statement_time: i64,
    /// The current role's OID (current_user, privilege functions).
    pub role: u32,
    /// The session user's OID.
    pub session_user: u32,
    /// The session's process id (pg_backend_pid); 0 outside a session.
    pub backend_pid: i32,
    /// The session's settings, for statements that read or set them.
    pub settings: Option<std::sync::Arc<crate::sql::session::settings::StatementSettings>>,
    /// The session's currval/lastval memory.
    pub sequences: std::sync::Arc<parking_lot::Mutex<crate::catalog::SessionSequences>>,
}

/// What evaluation needs from the executor: statement values, the rows of
/// enclosing queries (for correlated subqueries), and running a subquery.
pub trait Env {
    /// The statement-wide values.
    fn context(&self) -> &EvalContext;
    /// A column of an enclosing query's current row (`depth` 1 = the
    /// immediately enclosing query).
    fn outer_value(&self, depth: usize, index: usize) -> Value;
    /// Runs a subquery for the current `row` (which becomes the innermost
    /// outer row), returning at most `limit` rows.
    fn run_subquery(
        &self,
        plan: &Node,
        row: &[Value],
        correlated: bool,
        limit: Option<usize>,
    ) -> Result<Vec<Vec<Value>>>;
    /// The catalog, for functions that ask about roles and privileges.
    fn catalog(&self) -> Option<&crate::catalog::Catalog> {
        None
    }
    /// 57014 if the statement was cancelled or ran out of time (for
    /// functions that wait, like pg_sleep).
    fn check_interrupts(&self) -> Result<()> {
        Ok(())
    }
}

/// Evaluates an expression over a row.
pub fn eval(expr: &Expr, row: &[Value], ctx: &dyn Env) -> Result<Value> {
    Ok(match expr {
        Expr::Literal(v, _) => v.clone(),
        Expr::Column { index, .. } => row.get(*index).cloned().unwrap_or(Value::Null),
        Expr::OuterColumn { depth, index, .. } => ctx.outer_value(*depth, *index),
        Expr::Subquery(sub) => subquery::eval_subquery(sub, row, ctx)?,
        Expr::Param { index, .. } => ctx
            .context()
            .params
            .get(*index)
            .cloned()
            .unwrap_or(Value::Null),
        Expr::Negate(e, _) => ops::negate(eval(e, row, ctx)?)?,
        Expr::Not(e) => match eval(e, row, ctx)? {
            Value::Bool(b) => Value::Bool(!b),
            _ => Value::Null,
        },
        Expr::Binary {
            op: BinaryOp::And,
            left,
            right,
            ..
        } => {
            let l = eval(left, row, ctx)?;
            if matches!(l, Value::Bool(false)) {
                return Ok(l);
            }
            match (l, eval(right, row, ctx)?) {
                (_, Value::Bool(false)) => Value::Bool(false),
                (Value::Bool(true), Value::Bool(true)) => Value::Bool(true),
                _ => Value::Null,
            }
        }
        Expr::Binary {
            op: BinaryOp::Or,
            left,
            right,
            ..
        } => {
            let l = eval(left, row, ctx)?;
            if matches!(l, Value::Bool(true)) {
                return Ok(l);
            }
            match (l, eval(right, row, ctx)?) {
                (_, Value::Bool(true)) => Value::Bool(true),
                (Value::Bool(false), Value::Bool(false)) => Value::Bool(false),
                _ => Value::Null,
            }
        }
        Expr::Binary {
            op,
            left,
            right,
            ty,
        } => {
            let l = eval(left, row, ctx)?;
            let r = eval(right, row, ctx)?;
            ops::binary(*op, l, r, *ty)?
        }
        Expr::IsNull { expr, negated } => Value::Bool(eval(expr, row, ctx)?.is_null() != *negated),
        Expr::IsBool {
            expr,
            value,
            negated,
        } => {
            let is = matches!(eval(expr, row, ctx)?, Value::Bool(b) if b == *value);
            Value::Bool(is != *negated)
        }
        Expr::IsDistinct {
            left,
            right,
            negated,
        } => {
            let l = eval(left, row, ctx)?;
            let r = eval(right, row, ctx)?;
            let distinct = match (l.is_null(), r.is_null()) {
                (true, true) => false,
                (true, false) | (false, true) => true,
                _ => l != r,
            };
            Value::Bool(distinct != *negated)
        }
        Expr::AnyArray {
            left,
            op,
            array,
            all,
        } => {
            let l = eval(left, row, ctx)?;
            let Value::Array(a) = eval(array, row, ctx)? else {
                return Ok(Value::Null);
            };
            // ANY: true if one comparison is; ALL: false if one is;
            // otherwise NULL if a comparison was NULL.
            let mut saw_null = false;
            for item in a.items {
                match ops::binary(*op, l.clone(), item, crate::types::DataType::Bool)? {
                    Value::Bool(b) if b != *all => return Ok(Value::Bool(b)),
                    Value::Bool(_) => {}
                    _ => saw_null = true,
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*all)
            }
        }
        Expr::InList {
            expr,
            list,
            negated,
        } => {
            let v = eval(expr, row, ctx)?;
            if v.is_null() {
                return Ok(Value::Null);
            }
            let mut saw_null = false;
            for item in list {
                let candidate = eval(item, row, ctx)?;
                if candidate.is_null() {
                    saw_null = true;
                } else if candidate == v {
                    return Ok(Value::Bool(!negated));
                }
            }
            if saw_null {
                Value::Null
            } else {
                Value::Bool(*negated)
            }
        }
        Expr::Like {
            expr,
            pattern,
            escape,
            case_insensitive,
            negated,
        } => {
            let v = eval(expr, row, ctx)?;
            let p = eval(pattern, row, ctx)?;
            let e = match escape {
                Some(e) => Some(eval(e, row, ctx)?),
                None => None,
            };
            like::like(v, p, e, *case_insensitive, *negated)?
        }
        Expr::Case {
            operand,
            whens,
            otherwise,
            ..
        } => {
            let subject = match operand {
                Some(o) => Some(eval(o, row, ctx)?),
                None => None,
            };
            for (when, then) in whens {
                let w = eval(when, row, ctx)?;
                let hit = match &subject {
                    Some(s) => !s.is_null() && !w.is_null() && *s == w,
                    None => matches!(w, Value::Bool(true)),
                };
                if hit {
                    return eval(then, row, ctx);
                }
            }
            match otherwise {
                Some(e) => eval(e, row, ctx)?,
                None => Value::Null,
            }
        }
        Expr::Cast { expr, to, explicit } => {
            cast(eval(expr, row, ctx)?, expr.data_type(), *to, *explicit)?
        }
        Expr::Call { func, args, ty } => functions::call(*func, args, *ty, row, ctx)?,
        Expr::Aggregate(_) => {
            return Err(crate::errinternal!(
                "aggregate evaluated outside an Aggregate node"
            ))
        }
    })
}

/// Evaluates a predicate: only TRUE passes (NULL and FALSE do not).
pub fn eval_predicate(expr: &Expr, row: &[Value], ctx: &dyn Env) -> Result<bool> {
    Ok(matches!(eval(expr, row, ctx)?, Value::Bool(true)))
}
