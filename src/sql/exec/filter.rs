//! Filter: passes the rows for which the predicate is true.

use super::super::eval::eval_predicate;
use super::super::expr::Expr;
use super::{ExecContext, Rows};

/// Rows of `input` where `predicate` is TRUE.
pub fn filter<'a>(input: Rows<'a>, predicate: &'a Expr, ctx: &'a ExecContext<'a>) -> Rows<'a> {
    Box::new(input.filter_map(move |r| match r {
        Ok(row) => match eval_predicate(predicate, &row, ctx) {
            Ok(true) => Some(Ok(row)),
            Ok(false) => None,
            Err(e) => Some(Err(e)),
        },
        Err(e) => Some(Err(e)),
    }))
}
