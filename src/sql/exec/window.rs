//! Window functions: the input is materialized; for each call its rows
//! are sorted (stably) by partition then order keys, and each partition
//! is walked once. Ranking functions look at peers (rows equal in the
//! order keys); value functions and aggregates at the row's frame. A
//! running frame (from the partition's start) accumulates as it goes;
//! other frames are computed row by row.

use std::cmp::Ordering;

use super::super::eval::eval;
use super::aggregate::Accumulator;
use super::sort::compare_keys;
use super::{ExecContext, Row, Rows};
use crate::errinput;
use crate::error::Result;
use crate::sql::plan::{FrameBound, SortKey, WindowCall, WindowFunction};
use crate::types::Value;

/// The input rows with one column per call appended.
pub fn window<'a>(
    input: Rows<'a>,
    calls: &'a [WindowCall],
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let mut rows: Vec<Row> = input.collect::<Result<_>>()?;
    let mut order: Vec<usize> = (0..rows.len()).collect();
    for call in calls {
        let (values, sorted) = compute(call, &rows, ctx)?;
        for (row, v) in rows.iter_mut().zip(values) {
            row.push(v);
        }
        order = sorted;
    }
    let mut slots: Vec<Option<Row>> = rows.into_iter().map(Some).collect();
    let out: Vec<Row> = order.iter().filter_map(|i| slots[*i].take()).collect();
    Ok(Box::new(out.into_iter().map(Ok)))
}

/// One call's value for every row (in input order), and the rows' order
/// by its partition and order keys.
fn compute(
    call: &WindowCall,
    rows: &[Row],
    ctx: &ExecContext<'_>,
) -> Result<(Vec<Value>, Vec<usize>)> {
    let width = call.partition_by.len();
    let mut keys: Vec<Vec<Value>> = Vec::with_capacity(rows.len());
    for row in rows {
        let mut k = Vec::with_capacity(width + call.order_by.len());
        for e in &call.partition_by {
            k.push(eval(e, row, ctx)?);
        }
        for o in &call.order_by {
            k.push(eval(&o.expr, row, ctx)?);
        }
        keys.push(k);
    }
    let sort_keys: Vec<SortKey> = call
        .partition_by
        .iter()
        .map(|e| SortKey {
            expr: e.clone(),
            descending: false,
            nulls_first: false,
        })
        .chain(call.order_by.iter().cloned())
        .collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by(|a, b| compare_keys(&keys[*a], &keys[*b], &sort_keys));
    let mut values = vec![Value::Null; rows.len()];
    let mut start = 0;
    while start < order.len() {
        ctx.check_deadline()?;
        let same_partition = |i: usize| {
            compare_keys(
                &keys[order[start]][..width],
                &keys[order[i]][..width],
                &sort_keys[..width],
            ) == Ordering::Equal
        };
        let mut end = start + 1;
        while end < order.len() && same_partition(end) {
            end += 1;
        }
        let part = &order[start..end];
        let peers = |a: usize, b: usize| {
            compare_keys(&keys[a][width..], &keys[b][width..], &sort_keys[width..])
                == Ordering::Equal
        };
        let computed = partition(call, part, rows, &peers, ctx)?;
        for (i, v) in part.iter().zip(computed) {
            values[*i] = v;
        }
        start = end;
    }
    Ok((values, order))
}

/// The values for one partition's rows (in partition order).
fn partition(
    call: &WindowCall,
    part: &[usize],
    rows: &[Row],
    peers: &dyn Fn(usize, usize) -> bool,
    ctx: &ExecContext<'_>,
) -> Result<Vec<Value>> {
    let n = part.len();
    // Each row's first and last peer (positions in the partition).
    let mut first_peer = vec![0; n];
    let mut last_peer = vec![0; n];
    let mut i = 0;
    while i < n {
        let mut j = i + 1;
        while j < n && peers(part[i], part[j]) {
            j += 1;
        }
        for k in i..j {
            first_peer[k] = i;
            last_peer[k] = j - 1;
        }
        i = j;
    }
    let arg = |k: usize, a: usize| -> Result<Value> {
        match call.args.get(a) {
            Some(e) => eval(e, &rows[part[k]], ctx),
            None => Ok(Value::Null),
        }
    };
    let mut out = Vec::with_capacity(n);
    match &call.func {
        WindowFunction::RowNumber => out.extend((1..=n as i64).map(Value::Int8)),
        WindowFunction::Rank => out.extend(first_peer.iter().map(|f| Value::Int8(*f as i64 + 1))),
        WindowFunction::DenseRank => {
            let mut rank = 0;
            for (k, first) in first_peer.iter().enumerate() {
                if *first == k {
                    rank += 1;
                }
                out.push(Value::Int8(rank));
            }
        }
        WindowFunction::PercentRank => out.extend(first_peer.iter().map(|f| {
            Value::Float8(if n > 1 {
                *f as f64 / (n - 1) as f64
            } else {
                0.0
            })
        })),
        WindowFunction::CumeDist => out.extend(
            last_peer
                .iter()
                .map(|l| Value::Float8((*l + 1) as f64 / n as f64)),
        ),
        WindowFunction::Ntile => {
            for k in 0..n {
                let buckets = match arg(k, 0)? {
                    Value::Int4(b) if b > 0 => b as usize,
                    Value::Null => {
                        out.push(Value::Null);
                        continue;
                    }
                    _ => {
                        return Err(errinput!(
                            "22014",
                            "argument of ntile must be greater than zero"
                        ))
                    }
                };
                out.push(Value::Int4(ntile(k, n, buckets) as i32));
            }
        }
        WindowFunction::Lag | WindowFunction::Lead => {
            for k in 0..n {
                let offset = match arg(k, 1)? {
                    Value::Null if call.args.len() > 1 => {
                        out.push(Value::Null);
                        continue;
                    }
                    Value::Int4(o) => o as i64,
                    _ => 1,
                };
                let target = if matches!(call.func, WindowFunction::Lag) {
                    k as i64 - offset
                } else {
                    k as i64 + offset
                };
                out.push(if (0..n as i64).contains(&target) {
                    arg(target as usize, 0)?
                } else {
                    arg(k, 2)?
                });
            }
        }
        WindowFunction::FirstValue | WindowFunction::LastValue | WindowFunction::NthValue => {
            for k in 0..n {
                let (s, e) = frame(call, k, n, &first_peer, &last_peer);
                let at = match call.func {
                    WindowFunction::FirstValue => Some(s),
                    WindowFunction::LastValue => e.checked_sub(1),
                    _ => match arg(k, 1)? {
                        Value::Int4(m) if m > 0 => Some(s + m as usize - 1),
                        Value::Null => None,
                        _ => {
                            return Err(errinput!(
                                "22016",
                                "argument of nth_value must be greater than zero"
                            ))
                        }
                    },
                };
                out.push(match at {
                    Some(a) if a >= s && a < e => arg(a, 0)?,
                    _ => Value::Null,
                });
            }
        }
        WindowFunction::Aggregate(agg) => {
            let running = matches!(call.frame.start, FrameBound::UnboundedPreceding)
                && !matches!(call.frame.end, FrameBound::Preceding(_));
            if running {
                // Frames grow from the start: accumulate as the end moves.
                let mut acc = Accumulator::new(agg);
                let mut added = 0;
                for k in 0..n {
                    let (_, e) = frame(call, k, n, &first_peer, &last_peer);
                    while added < e {
                        acc.add_row(agg, &rows[part[added]], ctx)?;
                        added += 1;
                    }
                    out.push(acc.clone().finish()?);
                }
            } else {
                for k in 0..n {
                    let (s, e) = frame(call, k, n, &first_peer, &last_peer);
                    let mut acc = Accumulator::new(agg);
                    for r in s..e.max(s) {
                        acc.add_row(agg, &rows[part[r]], ctx)?;
                    }
                    out.push(acc.finish()?);
                }
            }
        }
    }
    Ok(out)
}

/// Row `k`'s frame as positions `start..end` in its partition of `n`.
fn frame(
    call: &WindowCall,
    k: usize,
    n: usize,
    first_peer: &[usize],
    last_peer: &[usize],
) -> (usize, usize) {
    let f = call.frame;
    let start = match f.start {
        FrameBound::UnboundedPreceding => 0,
        FrameBound::Preceding(m) => k.saturating_sub(m as usize),
        FrameBound::CurrentRow if f.rows => k,
        FrameBound::CurrentRow => first_peer[k],
        FrameBound::Following(m) => (k + m as usize).min(n),
        FrameBound::UnboundedFollowing => n,
    };
    let end = match f.end {
        FrameBound::UnboundedFollowing => n,
        FrameBound::Following(m) => (k + m as usize + 1).min(n),
        FrameBound::CurrentRow if f.rows => k + 1,
        FrameBound::CurrentRow => last_peer[k] + 1,
        FrameBound::Preceding(m) => (k + 1).saturating_sub(m as usize),
        FrameBound::UnboundedPreceding => 0,
    };
    (start, end.max(start))
}

/// PostgreSQL's ntile: the first `n % buckets` buckets get one row more.
fn ntile(k: usize, n: usize, buckets: usize) -> usize {
    let per = n / buckets;
    let extra = n % buckets;
    let big = extra * (per + 1);
    if k < big {
        k / (per + 1) + 1
    } else {
        extra + (k - big).checked_div(per).unwrap_or(0) + 1
    }
}

#[cfg(test)]
mod tests {
    use super::ntile;

    #[test]
    fn ntile_spreads_the_remainder_first() {
        let got: Vec<usize> = (0..10).map(|k| ntile(k, 10, 3)).collect();
        assert_eq!(got, vec![1, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
        let got: Vec<usize> = (0..2).map(|k| ntile(k, 2, 4)).collect();
        assert_eq!(got, vec![1, 2]);
    }
}
