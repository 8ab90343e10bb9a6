//! COPY's Parquet format: rows to a client or a server file as one
//! Parquet file, and a Parquet file's rows into a table. Built with the
//! `parquet` feature (on by default); without it, FORMAT parquet is a
//! clean 0A000 error.

use std::path::Path;

use super::{CopyIn, RowSink, Session};
use crate::copy_files::{PendingFile, ServerFile};
use crate::error::Result;
use crate::sql::plan::OutputColumn;
use crate::types::Value;

#[cfg(feature = "parquet")]
mod enabled {
    use super::*;
    use crate::columnar::reader::value_rows;
    use crate::columnar::{ParquetRows, ParquetSink};

    /// Bytes of Parquet output held before they go to the client.
    const PARQUET_CHUNK: usize = 1 << 20;

    fn named_types(columns: &[OutputColumn]) -> Vec<(String, crate::types::ColumnType)> {
        columns.iter().map(|c| (c.name.clone(), c.ty)).collect()
    }

    /// COPY … TO STDOUT (FORMAT parquet): the file in 1 MiB messages, the
    /// footer alone in the last, so a client can read the row count.
    pub fn to_client(
        rows: impl Iterator<Item = Result<Vec<Value>>>,
        columns: &[OutputColumn],
        sink: &mut dyn RowSink,
    ) -> Result<u64> {
        sink.copy_out(columns, true)?;
        let mut out = ParquetSink::new(Vec::new(), &named_types(columns))?;
        for row in rows {
            out.push(&row?)?;
            if out.output().len() >= PARQUET_CHUNK {
                let chunk = std::mem::take(out.output());
                sink.row(vec![Value::Bytea(chunk)])?;
            }
        }
        let n = out.rows();
        let before_footer = std::mem::take(out.output());
        if !before_footer.is_empty() {
            sink.row(vec![Value::Bytea(before_footer)])?;
        }
        sink.row(vec![Value::Bytea(out.finish()?)])?;
        Ok(n)
    }

    /// COPY … TO 'file' (FORMAT parquet).
    pub fn to_file(
        file: &mut PendingFile,
        rows: impl Iterator<Item = Result<Vec<Value>>>,
        columns: &[OutputColumn],
    ) -> Result<u64> {
        let types = named_types(columns);
        let mut parquet = ParquetSink::new(file.take_writer()?, &types)?;
        for row in rows {
            parquet.push(&row?)?;
        }
        let n = parquet.rows();
        file.put_writer(parquet.finish()?);
        Ok(n)
    }

    impl Session {
        /// COPY … FROM 'file' (FORMAT parquet): columns by position.
        pub(in crate::sql::session) fn copy_parquet_file(
            &mut self,
            copy: &mut CopyIn,
            file: ServerFile,
            path: &Path,
        ) -> Result<()> {
            let mut rows = ParquetRows::open(file)?;
            if rows.schema().fields().len() != copy.width() {
                return Err(crate::errinput!(
                    crate::sql::copy::BAD_COPY_FILE_FORMAT,
                    "Parquet file \"{}\" has {} columns; COPY expects {}",
                    path.display(),
                    rows.schema().fields().len(),
                    copy.width()
                ));
            }
            while let Some(batch) = rows.next_batch()? {
                self.copy_value_rows(copy, value_rows(&batch)?)?;
            }
            Ok(())
        }
    }
}

#[cfg(not(feature = "parquet"))]
mod enabled {
    use super::*;

    fn unavailable() -> crate::error::Error {
        crate::errunsupported!("COPY FORMAT parquet in a build without the parquet feature")
    }

    pub fn to_client(
        _: impl Iterator<Item = Result<Vec<Value>>>,
        _: &[OutputColumn],
        _: &mut dyn RowSink,
    ) -> Result<u64> {
        Err(unavailable())
    }

    pub fn to_file(
        _: &mut PendingFile,
        _: impl Iterator<Item = Result<Vec<Value>>>,
        _: &[OutputColumn],
    ) -> Result<u64> {
        Err(unavailable())
    }

    impl Session {
        pub(in crate::sql::session) fn copy_parquet_file(
            &mut self,
            _: &mut CopyIn,
            _: ServerFile,
            _: &Path,
        ) -> Result<()> {
            Err(unavailable())
        }
    }
}

pub(super) use enabled::{to_client, to_file};
