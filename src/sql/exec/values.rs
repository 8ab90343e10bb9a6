//! VALUES: constant rows, evaluated as they are pulled.

use super::super::eval::eval;
use super::super::expr::Expr;
use super::{ExecContext, Rows};

/// Rows of constant expressions.
pub fn values<'a>(rows: &'a [Vec<Expr>], ctx: &'a ExecContext<'a>) -> Rows<'a> {
    Box::new(
        rows.iter()
            .map(move |row| row.iter().map(|e| eval(e, &[], ctx)).collect()),
    )
}
