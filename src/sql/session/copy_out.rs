//! COPY … TO: the rows of a table or query written in text, CSV, binary
//! or Parquet, to the client (COPY TO STDOUT) or to a server file. A
//! server file is written beside its final name and renamed into place
//! once complete and synced, so a failed COPY never leaves half a file.

use std::io::Write;
use std::path::PathBuf;

use super::RowSink;
use crate::copy_files::PendingFile;
use crate::error::Result;
use crate::sql::copy::CopyFormat;
use crate::sql::exec::{self, ExecContext};
use crate::sql::plan::{Node, OutputColumn};
use crate::types::Value;

/// Runs COPY … TO; returns the command tag.
pub(super) fn copy_to(
    root: &Node,
    columns: &[OutputColumn],
    format: &CopyFormat,
    file: Option<&str>,
    ctx: &ExecContext,
    sink: &mut dyn RowSink,
) -> Result<String> {
    let rows = exec::execute(root, ctx)?;
    let n = match file {
        Some(path) => {
            let mut file = PendingFile::create(&absolute_target(path)?)?;
            let n = write_file(&mut file, rows, columns, format)?;
            file.commit()?;
            n
        }
        None if format.parquet => super::copy_parquet::to_client(rows, columns, sink)?,
        None => {
            sink.copy_out(columns, format.binary)?;
            let mut n = 0u64;
            let mut first = Some(preamble(columns, format));
            for row in rows {
                let mut record = first.take().unwrap_or_default();
                record.extend_from_slice(&format.write_row(&row?));
                sink.row(vec![Value::Bytea(record)])?;
                n += 1;
            }
            if let Some(p) = first.filter(|p| !p.is_empty()) {
                sink.row(vec![Value::Bytea(p)])?;
            }
            if format.binary {
                let trailer = crate::sql::copy_binary::TRAILER.to_vec();
                sink.row(vec![Value::Bytea(trailer)])?;
            }
            n
        }
    };
    Ok(format!("COPY {n}"))
}

/// What precedes the first record: the binary header or the CSV header
/// line. (The binary header rides with the first row: the wire layer
/// counts the messages that are not the trailer as rows.)
fn preamble(columns: &[OutputColumn], format: &CopyFormat) -> Vec<u8> {
    if format.binary {
        return crate::sql::copy_binary::header();
    }
    if format.csv && format.header {
        let names: Vec<Value> = columns
            .iter()
            .map(|c| Value::Text(c.name.clone()))
            .collect();
        return format.write_row(&names);
    }
    Vec::new()
}

fn write_file(
    file: &mut PendingFile,
    rows: impl Iterator<Item = Result<Vec<Value>>>,
    columns: &[OutputColumn],
    format: &CopyFormat,
) -> Result<u64> {
    if format.parquet {
        return super::copy_parquet::to_file(file, rows, columns);
    }
    let out = file.writer()?;
    let mut n = 0;
    out.write_all(&preamble(columns, format))?;
    for row in rows {
        out.write_all(&format.write_row(&row?))?;
        n += 1;
    }
    if format.binary {
        out.write_all(crate::sql::copy_binary::TRAILER)?;
    }
    Ok(n)
}

/// PostgreSQL refuses a relative path for COPY TO (it would land in the
/// data directory).
fn absolute_target(path: &str) -> Result<PathBuf> {
    let p = PathBuf::from(path);
    if !p.is_absolute() {
        return Err(crate::errinput!(
            "42602",
            "relative path not allowed for COPY to file"
        ));
    }
    Ok(p)
}
