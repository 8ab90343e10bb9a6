//! Sort: materialises its input and orders it by the keys (stable), NULLs
//! placed per key as NULLS FIRST/LAST says.

use std::cmp::Ordering;

use super::super::eval::eval;
use super::super::plan::SortKey;
use super::{ExecContext, Row, Rows};
use crate::error::Result;
use crate::types::Value;

/// The input rows, sorted.
pub fn sort<'a>(
    input: Rows<'a>,
    keys: &'a [SortKey],
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let mut keyed: Vec<(Vec<Value>, Row)> = Vec::new();
    for r in input {
        let row = r?;
        let k = keys
            .iter()
            .map(|k| eval(&k.expr, &row, ctx))
            .collect::<Result<Vec<_>>>()?;
        keyed.push((k, row));
    }
    keyed.sort_by(|(a, _), (b, _)| compare_keys(a, b, keys));
    Ok(Box::new(keyed.into_iter().map(|(_, row)| Ok(row))))
}

pub(super) fn compare_keys(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    for ((x, y), key) in a.iter().zip(b).zip(keys) {
        let ord = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if key.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if key.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = x.compare(y);
                if key.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}
