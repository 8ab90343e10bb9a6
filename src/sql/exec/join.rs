//! Joins: the right input is materialised once; for each left row the
//! candidate right rows are every row (nested loop) or, when the
//! condition has equality keys (`join_keys`), the rows in the same hash
//! bucket; the rest of the condition is checked per pair. LEFT JOIN pads
//! unmatched left rows with NULLs, RIGHT JOIN unmatched right rows (after
//! the last left row), FULL JOIN both.

use std::borrow::Cow;

use rustc_hash::FxHashMap;

use super::super::eval::Env;
use super::super::eval::{eval, eval_predicate};
use super::super::expr::Expr;
use super::super::plan::Node;
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

/// The right rows by join key: one key column (the usual case) hashes
/// the value itself, several a vector of them.
enum Buckets {
    One(FxHashMap<Value, Vec<usize>>),
    Many(FxHashMap<Vec<Value>, Vec<usize>>),
}

impl Buckets {
    fn new(width: usize, rows: usize) -> Self {
        let hasher = rustc_hash::FxBuildHasher;
        if width == 1 {
            Buckets::One(FxHashMap::with_capacity_and_hasher(rows, hasher))
        } else {
            Buckets::Many(FxHashMap::with_capacity_and_hasher(rows, hasher))
        }
    }

    /// Files right row `i` under its key (a NULL key matches nothing).
    fn add(&mut self, keys: &[Expr], row: &[Value], i: usize, ctx: &dyn Env) -> Result<()> {
        match self {
            Buckets::One(map) => {
                let key = key_value(&keys[0], row, ctx)?;
                if !key.is_null() {
                    map.entry(key.into_owned()).or_default().push(i);
                }
            }
            Buckets::Many(map) => {
                let key = keys
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                if !key.iter().any(Value::is_null) {
                    map.entry(key).or_default().push(i);
                }
            }
        }
        Ok(())
    }

    /// The right rows whose keys equal a left row's (none for a NULL key).
    fn probe(&self, keys: &[Expr], row: &[Value], ctx: &dyn Env) -> Result<&[usize]> {
        let found = match self {
            Buckets::One(map) => {
                let key = key_value(&keys[0], row, ctx)?;
                if key.is_null() {
                    return Ok(&[]);
                }
                map.get(key.as_ref())
            }
            Buckets::Many(map) => {
                let key = keys
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                map.get(&key)
            }
        };
        Ok(found.map_or(&[], Vec::as_slice))
    }
}

/// A key of a row: the column itself when the key is one, else computed.
fn key_value<'r>(e: &Expr, row: &'r [Value], ctx: &dyn Env) -> Result<Cow<'r, Value>> {
    match e {
        Expr::Column { index, .. } if *index < row.len() => Ok(Cow::Borrowed(&row[*index])),
        _ => eval(e, row, ctx).map(Cow::Owned),
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
    let mut buckets = match &keys {
        Some(k) => Buckets::new(k.right.len(), right_rows.len()),
        None => Buckets::new(0, 0),
    };
    if let Some(k) = &keys {
        for (i, r) in right_rows.iter().enumerate() {
            buckets.add(&k.right, r, i, ctx)?;
        }
    }
    let predicate: Option<Expr> = match &keys {
        Some(k) => k.residual.clone(),
        None => predicate.cloned(),
    };
    let all: Vec<usize> = if keys.is_none() {
        (0..right_rows.len()).collect()
    } else {
        Vec::new()
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
        let candidates: &[usize] = match &keys {
            None => &all,
            Some(k) => match buckets.probe(&k.left, &l, ctx) {
                Ok(found) => found,
                Err(e) => return Some(Err(e)),
            },
        };
        // One candidate, the usual case of a key join: no buffering.
        if let ([i], None, false) = (candidates, &predicate, outer.left) {
            if let Some(m) = matched.get_mut(*i) {
                *m = true;
            }
            let right = &right_rows[*i];
            let mut joined = l;
            joined.reserve_exact(right.len());
            joined.extend(right.iter().cloned());
            return Some(Ok(joined));
        }
        let mut out = Vec::new();
        for &i in candidates {
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
