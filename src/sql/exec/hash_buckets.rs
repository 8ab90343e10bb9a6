//! The hash table of a hash join: the right input's rows by join key.
//!
//! Each distinct key maps to the first and last of its rows, and the rows
//! of one key are chained through `next` in the order they came (as
//! PostgreSQL's buckets chain tuples), so building allocates nothing per
//! key. One integer key column (the usual foreign-key join) whose values
//! are dense (serial ids: the range at most twice the row count) indexes
//! an array by key, so probes in key order walk memory in order; sparse
//! integers hash as i64; one key of another type hashes the value; several
//! keys a vector of them. A NULL key matches nothing.

use std::borrow::Cow;

use rustc_hash::{FxBuildHasher, FxHashMap};

use super::super::eval::{eval, Env};
use super::super::expr::Expr;
use crate::error::Result;
use crate::types::{DataType, Value};

/// The end of a chain.
const END: u32 = u32::MAX;

/// A key's chain: its first and last row.
type Chain = (u32, u32);

enum KeyMap {
    /// Chains by key - min.
    Dense {
        min: i64,
        chains: Vec<Chain>,
    },
    Int(FxHashMap<i64, Chain>),
    One(FxHashMap<Value, Chain>),
    Many(FxHashMap<Vec<Value>, Chain>),
}

/// Right rows by key.
pub struct Buckets {
    map: KeyMap,
    /// The next row with the same key, or END.
    next: Vec<u32>,
}

/// The rows of one key, in the order they were added.
pub struct Candidates<'b> {
    next: &'b [u32],
    at: u32,
}

impl Iterator for Candidates<'_> {
    type Item = usize;

    fn next(&mut self) -> Option<usize> {
        if self.at == END {
            return None;
        }
        let i = self.at as usize;
        self.at = self.next[i];
        Some(i)
    }
}

impl Candidates<'_> {
    /// The row, when there is exactly one.
    pub fn single(&self) -> Option<usize> {
        (self.at != END && self.next[self.at as usize] == END).then_some(self.at as usize)
    }
}

fn is_integer(t: DataType) -> bool {
    matches!(t, DataType::Int2 | DataType::Int4 | DataType::Int8)
}

impl Buckets {
    /// Hashes `rows` on the `right` key expressions; `left` are the keys
    /// the probes will use (their types pick the integer table).
    pub fn build(
        left: &[Expr],
        right: &[Expr],
        rows: &[Vec<Value>],
        ctx: &dyn Env,
    ) -> Result<Self> {
        let n = rows.len();
        let integer =
            left.len() == 1 && is_integer(left[0].data_type()) && is_integer(right[0].data_type());
        if integer {
            let keys = rows
                .iter()
                .map(|row| Ok(key_value(&right[0], row, ctx)?.as_i64()))
                .collect::<Result<Vec<_>>>()?;
            return Ok(Self::build_integer(&keys));
        }
        let mut b = Buckets {
            map: match right.len() {
                1 => KeyMap::One(FxHashMap::with_capacity_and_hasher(n, FxBuildHasher)),
                _ => KeyMap::Many(FxHashMap::with_capacity_and_hasher(n, FxBuildHasher)),
            },
            next: vec![END; n],
        };
        for (i, row) in rows.iter().enumerate() {
            let i = i as u32;
            let chain = match &mut b.map {
                KeyMap::Dense { .. } | KeyMap::Int(_) => {
                    return Err(crate::errinternal!("integer keys built as values"))
                }
                KeyMap::One(map) => {
                    let key = key_value(&right[0], row, ctx)?;
                    if key.is_null() {
                        continue;
                    }
                    map.entry(key.into_owned()).or_insert((END, END))
                }
                KeyMap::Many(map) => {
                    let key = right
                        .iter()
                        .map(|e| eval(e, row, ctx))
                        .collect::<Result<Vec<_>>>()?;
                    if key.iter().any(Value::is_null) {
                        continue;
                    }
                    map.entry(key).or_insert((END, END))
                }
            };
            link(&mut b.next, chain, i);
        }
        Ok(b)
    }

    /// The table of one integer key column (NULL keys left out).
    fn build_integer(keys: &[Option<i64>]) -> Self {
        let n = keys.len();
        let mut next = vec![END; n];
        let (min, max) = keys
            .iter()
            .flatten()
            .fold((i64::MAX, i64::MIN), |(lo, hi), &k| (lo.min(k), hi.max(k)));
        let span = (max as i128 - min as i128 + 1).max(0) as u128;
        if min <= max && span <= 2 * n as u128 + 1024 {
            let mut chains = vec![(END, END); span as usize];
            for (i, k) in keys.iter().enumerate() {
                if let Some(k) = k {
                    link(&mut next, &mut chains[(k - min) as usize], i as u32);
                }
            }
            return Buckets {
                map: KeyMap::Dense { min, chains },
                next,
            };
        }
        let mut map = FxHashMap::with_capacity_and_hasher(n, FxBuildHasher);
        for (i, k) in keys.iter().enumerate() {
            if let Some(k) = k {
                link(&mut next, map.entry(*k).or_insert((END, END)), i as u32);
            }
        }
        Buckets {
            map: KeyMap::Int(map),
            next,
        }
    }

    /// The right rows whose keys equal a left row's.
    pub fn probe(&self, left: &[Expr], row: &[Value], ctx: &dyn Env) -> Result<Candidates<'_>> {
        let chain = match &self.map {
            KeyMap::Dense { min, chains } => key_value(&left[0], row, ctx)?
                .as_i64()
                .and_then(|k| k.checked_sub(*min))
                .and_then(|at| usize::try_from(at).ok())
                .and_then(|at| chains.get(at))
                .filter(|c| c.0 != END),
            KeyMap::Int(map) => key_value(&left[0], row, ctx)?
                .as_i64()
                .and_then(|k| map.get(&k)),
            KeyMap::One(map) => {
                let key = key_value(&left[0], row, ctx)?;
                if key.is_null() {
                    None
                } else {
                    map.get(key.as_ref())
                }
            }
            KeyMap::Many(map) => {
                let key = left
                    .iter()
                    .map(|e| eval(e, row, ctx))
                    .collect::<Result<Vec<_>>>()?;
                map.get(&key)
            }
        };
        Ok(Candidates {
            next: &self.next,
            at: chain.map_or(END, |c| c.0),
        })
    }
}

/// Appends row `i` to a key's chain.
fn link(next: &mut [u32], chain: &mut Chain, i: u32) {
    if chain.0 == END {
        chain.0 = i;
    } else {
        next[chain.1 as usize] = i;
    }
    chain.1 = i;
}

/// A key of a row: the column itself when the key is one, else computed.
fn key_value<'r>(e: &Expr, row: &'r [Value], ctx: &dyn Env) -> Result<Cow<'r, Value>> {
    match e {
        Expr::Column { index, .. } if *index < row.len() => Ok(Cow::Borrowed(&row[*index])),
        _ => eval(e, row, ctx).map(Cow::Owned),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows_of(b: &Buckets, key: i64) -> Vec<usize> {
        let at = match &b.map {
            KeyMap::Dense { min, chains } => chains.get((key - min) as usize).map_or(END, |c| c.0),
            KeyMap::Int(map) => map.get(&key).map_or(END, |c| c.0),
            _ => END,
        };
        Candidates { next: &b.next, at }.collect()
    }

    #[test]
    fn chains_keep_insertion_order_dense_or_sparse() {
        let dense = [Some(3), None, Some(1), Some(3), Some(2), Some(3)];
        let sparse = [Some(3_000_000), None, Some(1), Some(3_000_000), Some(-5)];
        let b = Buckets::build_integer(&dense);
        assert!(matches!(b.map, KeyMap::Dense { .. }));
        assert_eq!(rows_of(&b, 3), vec![0, 3, 5]);
        assert_eq!(rows_of(&b, 1), vec![2]);
        assert_eq!(rows_of(&b, 7), Vec::<usize>::new());
        let b = Buckets::build_integer(&sparse);
        assert!(matches!(b.map, KeyMap::Int(_)));
        assert_eq!(rows_of(&b, 3_000_000), vec![0, 3]);
        assert_eq!(rows_of(&b, -5), vec![4]);
    }
}
