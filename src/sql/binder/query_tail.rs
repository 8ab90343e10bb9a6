//! The tail of a query: ORDER BY, LIMIT/OFFSET (or FETCH FIRST … WITH
//! TIES) and FOR UPDATE/SHARE, as `select` applies them to the body.

use sqlparser::ast;

use super::lock::Lock;

/// ORDER BY, LIMIT/OFFSET and FOR UPDATE/SHARE of a query, applied to
/// its body.
pub(super) struct Tail<'q> {
    pub order_by: Vec<&'q ast::OrderByExpr>,
    pub limit: Option<&'q ast::Expr>,
    pub offset: Option<&'q ast::Expr>,
    /// FETCH FIRST … WITH TIES: rows equal to the last one in the ORDER
    /// BY keys come too.
    pub with_ties: bool,
    pub lock: Option<Lock<'q>>,
}

impl Tail<'_> {
    /// About how many rows LIMIT and OFFSET read, if there is a LIMIT (a
    /// parameter's value is guessed).
    pub fn rows_wanted(&self) -> Option<f64> {
        let count = |e: &ast::Expr| match e {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::Number(n, _) => n.parse::<f64>().ok(),
                _ => None,
            },
            _ => None,
        };
        let limit = count(self.limit?).unwrap_or(100.0);
        Some(limit + self.offset.map_or(0.0, |o| count(o).unwrap_or(100.0)))
    }

    pub fn none() -> Self {
        Tail {
            order_by: vec![],
            limit: None,
            offset: None,
            with_ties: false,
            lock: None,
        }
    }
}
