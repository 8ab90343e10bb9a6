//! Limit: skips OFFSET rows, then returns at most LIMIT rows (with FETCH
//! … WITH TIES, also the rows after them equal to the last in the ORDER
//! BY keys).

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
    ties: &[crate::sql::plan::SortKey],
    ctx: &ExecContext,
) -> Result<Rows<'a>> {
    if !ties.is_empty() && limit.is_some_and(|e| matches!(eval(e, &[], ctx), Ok(Value::Null))) {
        return Err(errinput!(
            "2201W",
            "row count cannot be null in FETCH FIRST ... WITH TIES clause"
        ));
    }
    let count = |e: Option<&Expr>, code: &'static str, what: &str| -> Result<Option<i64>> {
        match e.map(|e| eval(e, &[], ctx)).transpose()? {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Int8(n)) if n < 0 => Err(errinput!(code, "{what} must not be negative")),
            Some(v) => Ok(v.as_i64()),
        }
    };
    let limit = count(limit, sqlstate::INVALID_ROW_COUNT_IN_LIMIT, "LIMIT")?;
    let offset = count(offset, sqlstate::INVALID_ROW_COUNT_IN_OFFSET, "OFFSET")?.unwrap_or(0);
    let mut rows = input.skip(offset as usize);
    match limit {
        Some(n) if !ties.is_empty() => {
            let mut kept: Vec<super::Row> = Vec::new();
            let mut last: Option<Vec<Value>> = None;
            for row in rows.by_ref() {
                let row = row?;
                let keys = ties
                    .iter()
                    .map(|k| eval(&k.expr, &row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                if kept.len() as i64 >= n && last.as_ref() != Some(&keys) {
                    break;
                }
                if n == 0 {
                    break;
                }
                last = Some(keys);
                kept.push(row);
            }
            Ok(Box::new(kept.into_iter().map(Ok)))
        }
        Some(n) => Ok(Box::new(rows.take(n as usize))),
        None => Ok(Box::new(rows)),
    }
}
