//! Table statistics from ANALYZE: the planner's row counts and per-column
//! distinct counts, NULL fractions and bounds. Kept in memory (lost at
//! restart, like statistics before the first ANALYZE: the planner falls
//! back to page counts and PostgreSQL's default selectivities).

use crate::types::Value;

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
