//! Joins: the right input is materialised once; for each left row the
//! candidate right rows are every row (nested loop) or, when the
//! condition has equality keys (`join_keys`), the rows in the same hash
//! bucket; the rest of the condition is checked per pair. LEFT JOIN pads
//! unmatched left rows with NULLs, RIGHT JOIN unmatched right rows (after
//! the last left row), FULL JOIN both.

use super::super::eval::eval_predicate;
use super::super::eval::Env;
use super::super::expr::Expr;
use super::super::plan::Node;
use super::hash_buckets::{self, Buckets};
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
    /// The left input's width (where the right columns start).
    pub left_width: usize,
}

/// The right rows a left row may join: its key's, or all of them.
enum Candidates<'b> {
    Keyed(hash_buckets::Candidates<'b>),
    All(std::ops::Range<usize>),
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        match self {
            Candidates::Keyed(c) => c.next(),
            Candidates::All(r) => r.next(),
        }
    }
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
    let keys = super::join_keys::equi_keys(predicate, outer.left_width);
    let buckets = match &keys {
        Some(k) => Some(Buckets::build(&k.left, &k.right, &right_rows, ctx)?),
        None => None,
    };
    let predicate: Option<Expr> = match &keys {
        Some(k) => k.residual.clone(),
        None => predicate.cloned(),
    };
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
        let candidates = match (&keys, &buckets) {
            (Some(k), Some(b)) => match b.probe(&k.left, &l, ctx) {
                Ok(found) => Candidates::Keyed(found),
                Err(e) => return Some(Err(e)),
            },
            _ => Candidates::All(0..right_rows.len()),
        };
        // One candidate, the usual case of a key join: no buffering.
        let single = match &candidates {
            Candidates::Keyed(c) => c.single(),
            Candidates::All(_) => None,
        };
        if let (Some(i), None, false) = (single, &predicate, outer.left) {
            if let Some(m) = matched.get_mut(i) {
                *m = true;
            }
            let right = &right_rows[i];
            let mut joined = l;
            joined.reserve_exact(right.len());
            joined.extend(right.iter().cloned());
            return Some(Ok(joined));
        }
        let mut out = Vec::new();
        for i in candidates {
            let r = &right_rows[i];
            let mut joined = l.clone();
            joined.extend(r.iter().cloned());
            match predicate
                .as_ref()
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

/// LATERAL: for each left row, the right plan's rows with that row as its
/// outer row; LEFT pads a left row that gets none with NULLs.
pub fn lateral<'a>(
    left: Rows<'a>,
    right: &Node,
    right_width: usize,
    correlated: bool,
    left_outer: bool,
    predicate: Option<&Expr>,
    ctx: &ExecContext,
) -> Result<Rows<'a>> {
    let mut out: Vec<Row> = Vec::new();
    for l in left {
        let l = l?;
        let mut matched = false;
        for r in ctx.run_subquery(right, &l, correlated, None)? {
            let mut row = l.clone();
            row.extend(r);
            if let Some(p) = predicate {
                if !eval_predicate(p, &row, ctx)? {
                    continue;
                }
            }
            matched = true;
            out.push(row);
        }
        if left_outer && !matched {
            let mut row = l;
            row.extend(std::iter::repeat_n(Value::Null, right_width));
            out.push(row);
        }
    }
    Ok(Box::new(out.into_iter().map(Ok)))
}
