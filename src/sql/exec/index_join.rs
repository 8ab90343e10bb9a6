//! Index nested loop join: for each left row, an index scan of the right
//! table whose bounds are computed from that row; each row it finds that
//! passes the table's own conditions and the join condition is joined to
//! the left row. LEFT JOIN pads a left row that finds none with NULLs.
//! Streams: nothing is materialised.

use super::index_scan::IndexScan;
use super::{ExecContext, Row, Rows};
use crate::error::Result;
use crate::sql::eval::eval_predicate;
use crate::sql::expr::Expr;
use crate::sql::plan::Node;
use crate::types::Value;

/// The joined rows: left columns then right columns.
pub fn index_nested_loop<'a>(
    left: Rows<'a>,
    right: &'a Node,
    right_width: usize,
    predicate: Option<&'a Expr>,
    left_outer: bool,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let (filter, scan) = match right {
        Node::Filter { input, predicate } => (Some(predicate), input.as_ref()),
        other => (None, other),
    };
    let (keep, scan) = match scan {
        Node::Pruned { scan, keep } => (Some(keep), scan.as_ref()),
        other => (None, other),
    };
    let Node::IndexScan { table, access } = scan else {
        return Err(crate::errinternal!("index nested loop over {scan:?}"));
    };
    let scan_node = scan as *const Node as usize;
    let analyzing = ctx.stats.lock().is_some();
    let mut left = left;
    // The current left row, its scan, and whether it found a row.
    let mut current: Option<(Row, IndexScan<'a>, bool)> = None;
    let mut step = move || -> Result<Option<Row>> {
        loop {
            if current.is_none() {
                let Some(l) = left.next().transpose()? else {
                    return Ok(None);
                };
                ctx.check_deadline()?;
                let mut scan = IndexScan::probing(
                    ctx,
                    table.rel(),
                    table.columns.len(),
                    access,
                    scan_node,
                    &l,
                )?;
                if let Some(keep) = keep {
                    scan = scan.keeping(keep.clone());
                }
                if analyzing {
                    if let Some(stats) = ctx.stats.lock().as_mut() {
                        stats.entry(scan_node).or_default().loops += 1;
                    }
                }
                current = Some((l, scan, false));
            }
            let Some((l, scan, matched)) = current.as_mut() else {
                continue;
            };
            match scan.next().transpose()? {
                Some((_, r)) => {
                    if let Some(f) = filter {
                        if !eval_predicate(f, &r, ctx)? {
                            continue;
                        }
                    }
                    if analyzing {
                        if let Some(stats) = ctx.stats.lock().as_mut() {
                            stats.entry(scan_node).or_default().rows += 1;
                        }
                    }
                    let mut joined = Vec::with_capacity(l.len() + r.len());
                    joined.extend(l.iter().cloned());
                    joined.extend(r);
                    if let Some(p) = predicate {
                        if !eval_predicate(p, &joined, ctx)? {
                            continue;
                        }
                    }
                    *matched = true;
                    return Ok(Some(joined));
                }
                None => {
                    let Some((l, _, matched)) = current.take() else {
                        continue;
                    };
                    if left_outer && !matched {
                        let mut padded = l;
                        padded.extend(std::iter::repeat_n(Value::Null, right_width));
                        return Ok(Some(padded));
                    }
                }
            }
        }
    };
    Ok(Box::new(std::iter::from_fn(move || step().transpose())))
}
