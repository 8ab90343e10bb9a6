//! ANALYZE: reads every visible row of a table and records its row count
//! and, per column, the number of distinct values, the NULL fraction and
//! the bounds (`catalog::TableStats`), for the planner.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use crate::catalog::{ColumnStats, TableDef, TableStats};
use crate::error::Result;

use super::{ExecContext, TableScan};

/// Computes and records the statistics of a table.
pub fn analyze(ctx: &ExecContext, xid: crate::storage::heap::Xid, table: &TableDef) -> Result<()> {
    let width = table.columns.len();
    let mut rows = 0u64;
    let mut distinct: Vec<HashSet<u64>> = vec![HashSet::new(); width];
    let mut nulls = vec![0u64; width];
    let mut columns = vec![ColumnStats::default(); width];
    for r in TableScan::new(ctx, table.rel(), width)? {
        let (_, row) = r?;
        rows += 1;
        for (i, v) in row.iter().enumerate().take(width) {
            if v.is_null() {
                nulls[i] += 1;
                continue;
            }
            let mut h = DefaultHasher::new();
            v.hash(&mut h);
            distinct[i].insert(h.finish());
            let c = &mut columns[i];
            if c.min.as_ref().is_none_or(|m| v.compare(m).is_lt()) {
                c.min = Some(v.clone());
            }
            if c.max.as_ref().is_none_or(|m| v.compare(m).is_gt()) {
                c.max = Some(v.clone());
            }
        }
    }
    for (i, c) in columns.iter_mut().enumerate() {
        c.distinct = distinct[i].len() as f64;
        c.null_frac = if rows == 0 {
            0.0
        } else {
            nulls[i] as f64 / rows as f64
        };
    }
    ctx.engine.catalog().set_stats(
        table.oid,
        TableStats {
            rows: rows as f64,
            columns,
        },
        xid,
    )
}
