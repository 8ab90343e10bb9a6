//! Arrow and Parquet: how FlintDB values become Arrow arrays and Parquet
//! files (COPY … (FORMAT parquet), backups) and how Arrow arrays from any
//! Parquet file become values again. The type mapping is documented in
//! docs/ARCHITECTURE.md ("Backup and restore").

pub mod build;
pub mod cells;
pub mod reader;
pub mod schema;
pub mod writer;

pub use reader::ParquetRows;
pub use schema::arrow_schema;
pub use writer::ParquetSink;

/// Days from 1970-01-01 (Arrow's epoch) to 2000-01-01 (PostgreSQL's).
pub const EPOCH_DAYS: i32 = 10_957;
/// Microseconds from 1970-01-01 to 2000-01-01.
pub const EPOCH_MICROS: i64 = EPOCH_DAYS as i64 * 86_400_000_000;
