//! OID-alias result columns (`regclass`, `regtype`, …): a client reading
//! one in text gets the object's name, as from PostgreSQL's output
//! functions; in binary it gets the OID.

use super::RowSink;
use crate::catalog::Catalog;
use crate::sql::exec::Row;
use crate::sql::plan::OutputColumn;
use crate::types::{DataType, RegKind, Value};

/// The result columns to send as names.
pub(super) struct RegColumns(Vec<(usize, RegKind)>);

impl RegColumns {
    /// The OID-alias columns the sink reads in text (call after
    /// `sink.columns`, which fixes the formats).
    pub(super) fn of(columns: &[OutputColumn], sink: &dyn RowSink) -> Self {
        RegColumns(
            columns
                .iter()
                .enumerate()
                .filter_map(|(i, c)| match c.ty.data_type {
                    DataType::Reg(kind) if !sink.binary_column(i) => Some((i, kind)),
                    _ => None,
                })
                .collect(),
        )
    }

    /// The row with those columns' OIDs replaced by names.
    pub(super) fn apply(&self, mut row: Row, catalog: &Catalog) -> Row {
        for (i, kind) in &self.0 {
            if let Some(Value::Oid(o)) = row.get(*i) {
                row[*i] = crate::sql::eval::reg_name(*kind, *o, catalog);
            }
        }
        row
    }
}
