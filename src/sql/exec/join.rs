//! Nested-loop join: for each left row, every right row (materialised
//! once); LEFT JOIN pads unmatched left rows with NULLs, RIGHT JOIN
//! unmatched right rows (after the last left row), FULL JOIN both.

use super::super::eval::eval_predicate;
use super::super::expr::Expr;
use super::{ExecContext, Row, Rows};
use crate::error::Result;
use crate::types::Value;

/// Which unmatched rows a join keeps.
#[derive(Clone, Copy, Debug)]
pub struct Outer {
    /// Unmatched left rows, padded with `right_width` NULLs.
    pub left: bool,
    pub right_width: usize,
    /// Unmatched right rows, padded with this many NULLs.
    pub right: Option<usize>,
}

/// Joined rows: left columns then right columns.
pub fn nested_loop<'a>(
    left: Rows<'a>,
    right: Rows<'a>,
    predicate: Option<&'a Expr>,
    outer: Outer,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let right_rows: Vec<Row> = right.collect::<Result<_>>()?;
    let mut matched = vec![
        false;
        if outer.right.is_some() {
            right_rows.len()
        } else {
            0
        }
    ];
    let mut left = left;
    let mut pending: std::vec::IntoIter<Result<Row>> = Vec::new().into_iter();
    let mut left_done = false;
    let mut unmatched_at = 0;
    Ok(Box::new(std::iter::from_fn(move || loop {
        if let Some(r) = pending.next() {
            return Some(r);
        }
        if left_done {
            // RIGHT/FULL: the right rows no left row matched.
            let left_width = outer.right?;
            while unmatched_at < right_rows.len() {
                let i = unmatched_at;
                unmatched_at += 1;
                if !matched[i] {
                    let mut padded = vec![Value::Null; left_width];
                    padded.extend(right_rows[i].iter().cloned());
                    return Some(Ok(padded));
                }
            }
            return None;
        }
        let l = match left.next() {
            None => {
                left_done = true;
                continue;
            }
            Some(l) => l.and_then(|l| ctx.check_deadline().map(|_| l)),
        };
        let l = match l {
            Ok(l) => l,
            Err(e) => return Some(Err(e)),
        };
        let mut out = Vec::new();
        for (i, r) in right_rows.iter().enumerate() {
            let mut joined = l.clone();
            joined.extend(r.iter().cloned());
            match predicate
                .map(|p| eval_predicate(p, &joined, ctx))
                .unwrap_or(Ok(true))
            {
                Ok(true) => {
                    if let Some(m) = matched.get_mut(i) {
                        *m = true;
                    }
                    out.push(Ok(joined));
                }
                Ok(false) => {}
                Err(e) => {
                    out.push(Err(e));
                    break;
                }
            }
        }
        if out.is_empty() && outer.left {
            let mut padded = l;
            padded.extend(std::iter::repeat_n(Value::Null, outer.right_width));
            out.push(Ok(padded));
        }
        pending = out.into_iter();
    })))
}
