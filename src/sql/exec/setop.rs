//! UNION, INTERSECT, EXCEPT, with and without ALL, on whole rows (NULLs
//! compare equal, as PostgreSQL's set operations treat them).

use std::collections::{HashMap, HashSet};

use super::super::plan::SetOp;
use super::distinct::distinct;
use super::{Row, Rows};
use crate::error::Result;

/// Combines two row streams of the same shape.
pub fn set_op<'a>(left: Rows<'a>, right: Rows<'a>, op: SetOp, all: bool) -> Result<Rows<'a>> {
    if op == SetOp::Union {
        let both: Rows<'a> = Box::new(left.chain(right));
        return Ok(if all { both } else { distinct(both) });
    }
    // INTERSECT / EXCEPT: count the right side, then walk the left.
    let mut counts: HashMap<Row, usize> = HashMap::new();
    for r in right {
        *counts.entry(r?).or_default() += 1;
    }
    let mut emitted: HashSet<Row> = HashSet::new();
    let rows = left.filter_map(move |r| {
        let row = match r {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        let in_right = counts.get_mut(&row).filter(|n| **n > 0);
        let keep = match (op, all) {
            (SetOp::Intersect, true) => in_right.map(|n| *n -= 1).is_some(),
            (SetOp::Intersect, false) => in_right.is_some() && emitted.insert(row.clone()),
            (SetOp::Except, true) => match in_right {
                Some(n) => {
                    *n -= 1;
                    false
                }
                None => true,
            },
            _ => in_right.is_none() && emitted.insert(row.clone()),
        };
        keep.then_some(Ok(row))
    });
    Ok(Box::new(rows))
}
