//! Table statistics from ANALYZE: the planner's row counts and per-column
//! distinct counts, NULL fractions and bounds, stored transactionally in a
//! system relation (like pg_statistic) and cached in memory:
//!
//! ```text
//! relation 5  flint_statistic  (starelid int8, staattnum int2,
//!                               stadistinct float8, stanullfrac float8,
//!                               stamin any, stamax any)
//! ```
//! `staattnum` 0 is the table's row: its row count in `stadistinct`.
//! Before a table's first ANALYZE the planner falls back to page counts
//! and PostgreSQL's default selectivities.

use std::collections::HashMap;
use std::sync::Arc;

use super::{corrupt, delete_rows, insert_row, scan};
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::storage::RelId;
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the statistics.
pub const STATISTIC_REL: RelId = RelId(5);
const WIDTH: usize = 6;

/// What ANALYZE found in one column.
#[derive(Clone, Debug, Default)]
pub struct ColumnStats {
    /// Distinct non-NULL values.
    pub distinct: f64,
    /// Fraction of rows where the column is NULL.
    pub null_frac: f64,
    pub min: Option<Value>,
    pub max: Option<Value>,
}

/// What ANALYZE found in one table.
#[derive(Clone, Debug, Default)]
pub struct TableStats {
    /// Live rows.
    pub rows: f64,
    pub columns: Vec<ColumnStats>,
}

impl ColumnStats {
    /// The fraction of rows equal to one value.
    pub fn eq_selectivity(&self) -> f64 {
        (1.0 - self.null_frac) / self.distinct.max(1.0)
    }

    /// The fraction of rows between two limits (None: open), for numeric
    /// columns with known bounds, by linear interpolation.
    pub fn range_selectivity(&self, lower: Option<&Value>, upper: Option<&Value>) -> Option<f64> {
        let (min, max) = (self.min.as_ref()?.as_f64()?, self.max.as_ref()?.as_f64()?);
        if max <= min {
            return None;
        }
        let lo = lower.map_or(Some(min), |v| v.as_f64())?.max(min);
        let hi = upper.map_or(Some(max), |v| v.as_f64())?.min(max);
        Some(((hi - lo) / (max - min)).clamp(0.0, 1.0) * (1.0 - self.null_frac))
    }
}

/// Replaces a table's statistics rows.
pub fn write(heap: &Heap, clog: &Clog, table_oid: u32, stats: &TableStats, xid: Xid) -> Result<()> {
    delete(heap, clog, table_oid, xid)?;
    let oid = Value::Int8(table_oid as i64);
    insert_row(
        heap,
        STATISTIC_REL,
        xid,
        &[
            oid.clone(),
            Value::Int2(0),
            Value::Float8(stats.rows),
            Value::Float8(0.0),
            Value::Null,
            Value::Null,
        ],
    )?;
    for (i, c) in stats.columns.iter().enumerate() {
        insert_row(
            heap,
            STATISTIC_REL,
            xid,
            &[
                oid.clone(),
                Value::Int2(i as i16 + 1),
                Value::Float8(c.distinct),
                Value::Float8(c.null_frac),
                c.min.clone().unwrap_or(Value::Null),
                c.max.clone().unwrap_or(Value::Null),
            ],
        )?;
    }
    Ok(())
}

/// Deletes a table's statistics rows.
pub fn delete(heap: &Heap, clog: &Clog, table_oid: u32, xid: Xid) -> Result<()> {
    let oid = Value::Int8(table_oid as i64);
    delete_rows(heap, clog, STATISTIC_REL, WIDTH, xid, |v| v[0] == oid)
}

/// Every table's statistics.
pub fn read(heap: &Heap, clog: &Clog) -> Result<HashMap<u32, Arc<TableStats>>> {
    let mut tables: HashMap<u32, TableStats> = HashMap::new();
    let mut rows = scan(heap, clog, STATISTIC_REL, WIDTH)?;
    rows.sort_by_key(|v| match (&v[0], &v[1]) {
        (Value::Int8(t), Value::Int2(n)) => (*t, *n),
        _ => (0, 0),
    });
    for v in rows {
        let (Value::Int8(oid), Value::Int2(num), Value::Float8(distinct), Value::Float8(null_frac)) =
            (&v[0], &v[1], &v[2], &v[3])
        else {
            return Err(corrupt("flint_statistic"));
        };
        let table = tables.entry(*oid as u32).or_default();
        if *num == 0 {
            table.rows = *distinct;
            continue;
        }
        let bound = |v: &Value| (!v.is_null()).then(|| v.clone());
        table.columns.push(ColumnStats {
            distinct: *distinct,
            null_frac: *null_frac,
            min: bound(&v[4]),
            max: bound(&v[5]),
        });
    }
    Ok(tables.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
}
