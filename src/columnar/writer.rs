//! Rows into a Parquet file: zstd-compressed, row groups bounded in bytes
//! and rows, so that writing a table of any size holds at most one row
//! group (plus one record batch) in memory.

use std::io::Write;

use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::build::BatchBuilder;
use super::schema::arrow_schema;
use crate::error::Result;
use crate::types::{ColumnType, Value};

/// Rows per record batch handed to the Parquet writer.
const BATCH_ROWS: usize = 8192;
/// Bytes of values per record batch (large values make small batches).
const BATCH_BYTES: usize = 8 << 20;
/// Rows per row group at most.
const ROW_GROUP_ROWS: usize = 1 << 20;
/// Encoded bytes per row group at most.
const ROW_GROUP_BYTES: usize = 64 << 20;
/// zstd level: level 1 compresses text-heavy tables well at the speed of
/// the scan.
const ZSTD_LEVEL: i32 = 1;

/// A Parquet file being written.
pub struct ParquetSink<W: Write + Send> {
    batch: BatchBuilder,
    writer: ArrowWriter<W>,
    rows: u64,
}

fn parquet_error(e: parquet::errors::ParquetError) -> crate::error::Error {
    crate::error::Error::Io(format!("Parquet: {e}"))
}

impl<W: Write + Send> ParquetSink<W> {
    /// A file of rows with these columns, written to `out`.
    pub fn new(out: W, columns: &[(String, ColumnType)]) -> Result<Self> {
        let schema = arrow_schema(columns);
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(ZSTD_LEVEL).map_err(parquet_error)?,
            ))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_created_by(format!("FlintDB {}", env!("CARGO_PKG_VERSION")))
            .build();
        let writer =
            ArrowWriter::try_new(out, schema.clone(), Some(properties)).map_err(parquet_error)?;
        Ok(ParquetSink {
            batch: BatchBuilder::new(schema),
            writer,
            rows: 0,
        })
    }

    /// Adds a row.
    pub fn push(&mut self, row: &[Value]) -> Result<()> {
        self.batch.push(row)?;
        self.rows += 1;
        if self.batch.rows() >= BATCH_ROWS || self.batch.bytes() >= BATCH_BYTES {
            self.write_batch()?;
        }
        Ok(())
    }

    fn write_batch(&mut self) -> Result<()> {
        if self.batch.rows() == 0 {
            return Ok(());
        }
        let batch = self.batch.finish()?;
        self.writer.write(&batch).map_err(parquet_error)
    }

    /// Rows added so far.
    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// The output, for draining what has been written so far.
    pub fn output(&mut self) -> &mut W {
        self.writer.inner_mut()
    }

    /// Writes the last rows and the footer; returns the output.
    pub fn finish(mut self) -> Result<W> {
        self.write_batch()?;
        self.writer.into_inner().map_err(parquet_error)
    }
}
