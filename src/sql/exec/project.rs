//! Project: computes one output column per expression.

use super::super::eval::eval;
use super::super::expr::Expr;
use super::{ExecContext, Rows};

/// Each input row mapped through `exprs`.
pub fn project<'a>(input: Rows<'a>, exprs: &'a [Expr], ctx: &'a ExecContext<'a>) -> Rows<'a> {
    Box::new(input.map(move |r| {
        let row = r?;
        exprs.iter().map(|e| eval(e, &row, ctx)).collect()
    }))
}
