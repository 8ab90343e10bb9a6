//! Reading a Parquet file batch by batch, as rows of values (`cells.rs`);
//! COPY then types each for its column.

use std::fs::File;
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use parquet::arrow::arrow_reader::{ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};

use crate::error::Result;
use crate::sql::copy::BAD_COPY_FILE_FORMAT;

/// Rows decoded per record batch.
const BATCH_ROWS: usize = 1024;

/// A Parquet file read batch by batch.
pub struct ParquetRows {
    schema: Arc<Schema>,
    reader: ParquetRecordBatchReader,
    /// Rows the footer declares.
    pub total_rows: u64,
}

fn bad_file(e: impl std::fmt::Display) -> crate::error::Error {
    crate::errinput!(BAD_COPY_FILE_FORMAT, "invalid Parquet file: {e}")
}

impl ParquetRows {
    /// Opens a Parquet file.
    pub fn open(file: File) -> Result<Self> {
        let builder = ParquetRecordBatchReaderBuilder::try_new(file).map_err(bad_file)?;
        let total_rows = builder.metadata().file_metadata().num_rows().max(0) as u64;
        let schema = builder.schema().clone();
        let reader = builder
            .with_batch_size(BATCH_ROWS)
            .build()
            .map_err(bad_file)?;
        Ok(ParquetRows {
            schema,
            reader,
            total_rows,
        })
    }

    /// The file's Arrow schema.
    pub fn schema(&self) -> &Arc<Schema> {
        &self.schema
    }

    /// The next batch, or None at the end.
    pub fn next_batch(&mut self) -> Result<Option<RecordBatch>> {
        self.reader.next().transpose().map_err(bad_file)
    }
}

/// A batch's rows as values (see `cells.rs`).
pub fn value_rows(batch: &RecordBatch) -> Result<Vec<Vec<crate::types::Value>>> {
    let mut rows = Vec::with_capacity(batch.num_rows());
    for row in 0..batch.num_rows() {
        let mut values = Vec::with_capacity(batch.num_columns());
        for column in batch.columns() {
            values.push(super::cells::value_at(column.as_ref(), row)?);
        }
        rows.push(values);
    }
    Ok(rows)
}
