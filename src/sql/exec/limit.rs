//! Limit: skips OFFSET rows, then returns at most LIMIT rows.

use super::super::eval::eval;
use super::super::expr::Expr;
use super::{ExecContext, Rows};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::Value;

/// OFFSET then LIMIT; NULL means no limit (or no offset).
pub fn limit<'a>(
    input: Rows<'a>,
    limit: Option<&Expr>,
    offset: Option<&Expr>,
    ctx: &ExecContext,
) -> Result<Rows<'a>> {
    let count = |e: Option<&Expr>, code: &'static str, what: &str| -> Result<Option<i64>> {
        match e.map(|e| eval(e, &[], ctx)).transpose()? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Int8(n)) if n < 0 => Err(errinput!(code, "{what} must not be negative")),
            Some(v) => Ok(v.as_i64()),
        }
    };
    let limit = count(limit, sqlstate::INVALID_ROW_COUNT_IN_LIMIT, "LIMIT")?;
    let offset = count(offset, sqlstate::INVALID_ROW_COUNT_IN_OFFSET, "OFFSET")?.unwrap_or(0);
    let rows = input.skip(offset as usize);
    Ok(match limit {
        Some(n) => Box::new(rows.take(n as usize)),
        None => Box::new(rows),
    })
}
