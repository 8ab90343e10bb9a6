//! Index scan: the visible rows whose index entries fall within the scan's
//! bounds, in index order.
//!
//! The bounds' values are evaluated once when the scan starts and encoded
//! like the index keys. An IN list becomes one probe per value (sorted and
//! without duplicates, so rows still come in index order). A NULL value
//! bounds nothing: `key = NULL` is never true, so such a probe is skipped.
//! Each entry's heap tuple is fetched and checked for visibility; entries
//! of versions this statement cannot see are passed over. An index-only
//! scan takes the row's index columns from the entry instead when the
//! visibility map says every tuple on the entry's heap page is visible to
//! all (the row's other columns are NULL: nothing above reads them).

use std::collections::VecDeque;

use crate::encoding::key::{decode_value, encode_value, KeyOrder};
use crate::error::Result;
use crate::sql::eval::eval;
use crate::sql::expr::Expr;
use crate::sql::plan::{IndexAccess, KeyBound};
use crate::storage::btree::{Bound, RangeScan};
use crate::storage::{RelId, Tid};
use crate::types::Value;

use super::{ExecContext, Row};

/// Iterates the rows an index access finds, with their addresses.
pub struct IndexScan<'a> {
    ctx: &'a ExecContext<'a>,
    table: RelId,
    index: RelId,
    width: usize,
    /// Only these columns are decoded (the others are NULL).
    keep: Option<std::sync::Arc<[bool]>>,
    forward: bool,
    probes: VecDeque<(Bound, Bound)>,
    current: Option<RangeScan<'a>>,
    /// For an index-only scan: each entry column's encoding and the table
    /// column it fills (None for an expression key).
    entry_columns: Option<Vec<(KeyOrder, Option<usize>)>>,
    /// The plan node's address, for EXPLAIN ANALYZE's heap fetch count.
    node: usize,
}

impl<'a> IndexScan<'a> {
    /// Starts a scan of `table` (rows `width` columns wide) through `access`
    /// for the plan node at address `node`.
    pub fn new(
        ctx: &'a ExecContext<'a>,
        table: RelId,
        width: usize,
        access: &IndexAccess,
        node: usize,
    ) -> Result<Self> {
        Self::probing(ctx, table, width, access, node, &[])
    }

    /// Starts a scan whose bounds read `row`'s columns (an index nested
    /// loop's left row).
    pub fn probing(
        ctx: &'a ExecContext<'a>,
        table: RelId,
        width: usize,
        access: &IndexAccess,
        node: usize,
        row: &[Value],
    ) -> Result<Self> {
        let mut probes = probes(access, row, ctx)?;
        if !access.forward {
            probes.reverse();
        }
        Ok(IndexScan {
            ctx,
            table,
            index: access.index.def.rel(),
            width,
            keep: None,
            forward: access.forward,
            probes: probes.into(),
            current: None,
            entry_columns: access.index_only.then(|| entry_columns(access)),
            node,
        })
    }

    /// The scan decoding only the columns `keep` marks.
    pub fn keeping(mut self, keep: std::sync::Arc<[bool]>) -> Self {
        self.keep = Some(keep);
        self
    }

    /// The row an index-only scan takes from an entry, if its heap page is
    /// all-visible.
    fn row_from_entry(&self, key: &[u8], tid: Tid) -> Result<Option<Row>> {
        let Some(columns) = &self.entry_columns else {
            return Ok(None);
        };
        let vm = self.ctx.engine.heap().visibility_map();
        if !vm.is_all_visible(self.table, tid.block) {
            if let Some(stats) = self.ctx.stats.lock().as_mut() {
                stats.entry(self.node).or_default().heap_fetches += 1;
            }
            return Ok(None);
        }
        let mut row = vec![Value::Null; self.width];
        let mut at = 0;
        for (order, column) in columns {
            let (value, used) =
                decode_value(&key[at.min(key.len())..], order).ok_or_else(|| {
                    crate::error::Error::Corrupted(format!(
                        "index entry of relation {} cannot be decoded",
                        self.table.0
                    ))
                })?;
            at += used;
            if let Some(c) = column {
                if let Some(slot) = row.get_mut(*c) {
                    *slot = value;
                }
            }
        }
        Ok(Some(row))
    }

    fn next_entry(&mut self) -> Option<Result<(Vec<u8>, Tid)>> {
        loop {
            if let Some(scan) = &mut self.current {
                if let Some(entry) = scan.next() {
                    return Some(entry);
                }
            }
            let (lower, upper) = self.probes.pop_front()?;
            self.current = Some(self.ctx.engine.btree().scan(
                self.index,
                lower,
                upper,
                self.forward,
            ));
        }
    }

    fn visible_row(&self, tid: Tid) -> Result<Option<Row>> {
        let Some(tuple) = self.ctx.engine.heap().fetch(self.table, tid)? else {
            return Ok(None);
        };
        if !self
            .ctx
            .visibility
            .sees(&tuple.header, self.ctx.engine.clog())
        {
            return Ok(None);
        }
        Ok(Some(super::toast::decode_row_columns(
            self.ctx,
            self.table,
            &tuple.data,
            self.width,
            self.keep.as_deref(),
        )?))
    }
}

impl Iterator for IndexScan<'_> {
    type Item = Result<(Tid, Row)>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let (key, tid) = match self.next_entry()? {
                Ok(e) => e,
                Err(e) => return Some(Err(e)),
            };
            match self.row_from_entry(&key, tid) {
                Ok(Some(row)) => return Some(Ok((tid, row))),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
            match self.visible_row(tid) {
                Ok(Some(row)) => return Some(Ok((tid, row))),
                Ok(None) => continue,
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

/// Each column of an index's entries: its encoding and the table column
/// it holds (None for an expression key).
fn entry_columns(access: &IndexAccess) -> Vec<(KeyOrder, Option<usize>)> {
    let index = &access.index;
    let keys = index.keys.iter().zip(&index.orders).map(|(k, o)| {
        let column = match k {
            Expr::Column { index, .. } => Some(*index),
            _ => None,
        };
        (*o, column)
    });
    let included = index
        .included
        .iter()
        .zip(index.included_orders())
        .map(|((c, _), o)| (o, Some(*c)));
    keys.chain(included).collect()
}

/// Tag byte of a non-NULL key column (see `encoding::key`).
const VALUE_TAG: u8 = 0x01;
/// Most probes an IN list product may expand to.
const MAX_PROBES: usize = 100_000;

/// The (lower, upper) byte bounds of each probe, in ascending key order.
fn probes(
    access: &IndexAccess,
    row: &[Value],
    ctx: &ExecContext<'_>,
) -> Result<Vec<(Bound, Bound)>> {
    let orders = &access.index.orders;
    // Encoded prefixes for the equality / IN keys.
    let mut prefixes: Vec<Vec<u8>> = vec![Vec::new()];
    let mut range = None;
    for (i, bound) in access.bounds.iter().enumerate() {
        let order = &orders[i];
        match bound {
            KeyBound::Eq(e) => {
                let v = eval(e, row, ctx)?;
                if v.is_null() {
                    return Ok(Vec::new());
                }
                for p in &mut prefixes {
                    encode_value(&v, order, p);
                }
            }
            KeyBound::In(list) => {
                let mut values = Vec::new();
                for e in list {
                    let v = eval(e, row, ctx)?;
                    if !v.is_null() {
                        values.push(v);
                    }
                }
                let mut next = Vec::new();
                for p in &prefixes {
                    for v in &values {
                        let mut q = p.clone();
                        encode_value(v, order, &mut q);
                        next.push(q);
                    }
                }
                next.sort();
                next.dedup();
                if next.len() > MAX_PROBES {
                    return Err(crate::errunsupported!(
                        "an IN list product of {} values",
                        next.len()
                    ));
                }
                prefixes = next;
            }
            KeyBound::Range { lower, upper } => {
                let lower = eval_limit(lower, row, ctx)?;
                let upper = eval_limit(upper, row, ctx)?;
                if matches!(lower, Some(None)) || matches!(upper, Some(None)) {
                    return Ok(Vec::new());
                }
                range = Some((lower.flatten(), upper.flatten(), *order));
            }
        }
    }
    Ok(prefixes
        .into_iter()
        .map(|prefix| match &range {
            None if access.bounds.is_empty() => (Bound::Unbounded, Bound::Unbounded),
            None => (Bound::Included(prefix.clone()), Bound::Included(prefix)),
            Some((lower, upper, order)) => range_bounds(&prefix, lower, upper, order),
        })
        .collect())
}

/// A limit's value: None for no limit, Some(None) for a NULL limit.
fn eval_limit(
    limit: &Option<(crate::sql::expr::Expr, bool)>,
    row: &[Value],
    ctx: &ExecContext<'_>,
) -> Result<Option<Option<(Value, bool)>>> {
    match limit {
        None => Ok(None),
        Some((e, inclusive)) => {
            let v = eval(e, row, ctx)?;
            Ok(Some((!v.is_null()).then_some((v, *inclusive))))
        }
    }
}

/// Byte bounds for a range on the key after `prefix`. A DESC key swaps
/// which value limit bounds the bytes from below. Open ends stop at the
/// non-NULL tag, so NULL entries are never in a range.
fn range_bounds(
    prefix: &[u8],
    lower: &Option<(Value, bool)>,
    upper: &Option<(Value, bool)>,
    order: &KeyOrder,
) -> (Bound, Bound) {
    let (low_value, high_value) = if order.descending {
        (upper, lower)
    } else {
        (lower, upper)
    };
    let encode = |limit: &Option<(Value, bool)>| -> Bound {
        let mut b = prefix.to_vec();
        match limit {
            None => {
                b.push(VALUE_TAG);
                Bound::Included(b)
            }
            Some((v, inclusive)) => {
                encode_value(v, order, &mut b);
                if *inclusive {
                    Bound::Included(b)
                } else {
                    Bound::Excluded(b)
                }
            }
        }
    };
    (encode(low_value), encode(high_value))
}
