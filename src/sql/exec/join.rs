//! Nested-loop join: for each left row, every right row (materialised
//! once); LEFT JOIN pads unmatched left rows with NULLs.

use super::super::eval::eval_predicate;
use super::super::expr::Expr;
use super::{ExecContext, Row, Rows};
use crate::error::Result;
use crate::types::Value;

/// Joined rows: left columns then right columns.
pub fn nested_loop<'a>(
    left: Rows<'a>,
    right: Rows<'a>,
    predicate: Option<&'a Expr>,
    left_outer: bool,
    right_width: usize,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let right_rows: Vec<Row> = right.collect::<Result<_>>()?;
    Ok(Box::new(left.flat_map(
        move |l| -> Box<dyn Iterator<Item = Result<Row>>> {
            let l = match l.and_then(|l| ctx.check_deadline().map(|_| l)) {
                Ok(l) => l,
                Err(e) => return Box::new(std::iter::once(Err(e))),
            };
            let mut out = Vec::new();
            for r in &right_rows {
                let mut joined = l.clone();
                joined.extend(r.iter().cloned());
                match predicate
                    .map(|p| eval_predicate(p, &joined, ctx))
                    .unwrap_or(Ok(true))
                {
                    Ok(true) => out.push(Ok(joined)),
                    Ok(false) => {}
                    Err(e) => {
                        out.push(Err(e));
                        break;
                    }
                }
            }
            if out.is_empty() && left_outer {
                let mut padded = l;
                padded.extend(std::iter::repeat_n(Value::Null, right_width));
                out.push(Ok(padded));
            }
            Box::new(out.into_iter())
        },
    )))
}
