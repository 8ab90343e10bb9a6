//! A backup file's rows as COPY data for the server: binary COPY where
//! every column is of a type whose binary form follows from the value
//! (numbers, strings, bytea, dates and times, uuid, interval) — no hex
//! text for bytea, no parsing of numbers — else COPY text, which every
//! type's input function reads.

use std::path::PathBuf;

use bytes::Bytes;

use crate::columnar::cells::value_at;
use crate::columnar::ParquetRows;
use crate::error::Result;
use crate::sql::copy::CopyFormat;
use crate::types::{text, DataType, Value};

/// Bytes of COPY data sent per message.
const COPY_CHUNK: usize = 1 << 20;

/// The column types, when every one has a binary form the client can
/// write (the manifest names them as format_type does).
pub fn binary_types(columns: &[(String, String)]) -> Option<Vec<DataType>> {
    columns.iter().map(|(_, ty)| simple_type(ty)).collect()
}

fn simple_type(name: &str) -> Option<DataType> {
    let base = name.split('(').next().unwrap_or(name).trim();
    Some(match base {
        "smallint" => DataType::Int2,
        "integer" => DataType::Int4,
        "bigint" => DataType::Int8,
        "real" => DataType::Float4,
        "double precision" => DataType::Float8,
        "numeric" => DataType::Numeric,
        "boolean" => DataType::Bool,
        "bytea" => DataType::Bytea,
        "text" => DataType::Text,
        "character varying" => DataType::Varchar,
        "character" | "bpchar" => DataType::Bpchar,
        "date" => DataType::Date,
        "timestamp without time zone" => DataType::Timestamp,
        "timestamp with time zone" => DataType::Timestamptz,
        "interval" => DataType::Interval,
        "uuid" => DataType::Uuid,
        _ => return None,
    })
}

/// A value read from Parquet as its column's type: a value of the type
/// itself passes, text (a numeric or timestamp kept as text) is parsed.
fn as_column(v: Value, ty: DataType) -> Result<Value> {
    match (v, ty) {
        (Value::Text(s), t)
            if !matches!(t, DataType::Text | DataType::Varchar | DataType::Bpchar) =>
        {
            text::parse(&s, t)
        }
        (v, _) => Ok(v),
    }
}

/// Sends a Parquet file's rows as COPY data chunks (binary when `binary`
/// gives the column types); runs on a blocking thread.
pub fn copy_chunks(
    path: PathBuf,
    binary: Option<Vec<DataType>>,
    tx: tokio::sync::mpsc::Sender<Result<Bytes>>,
) {
    let run = || -> Result<()> {
        let mut rows = ParquetRows::open(std::fs::File::open(&path)?)?;
        let text_format = CopyFormat::from_options(&[], &[])?;
        let mut buf = Vec::with_capacity(COPY_CHUNK * 2);
        if binary.is_some() {
            buf.extend_from_slice(&crate::sql::copy_binary::header());
        }
        let mut values = Vec::new();
        while let Some(batch) = rows.next_batch()? {
            let columns = batch.columns();
            for row in 0..batch.num_rows() {
                values.clear();
                for (i, c) in columns.iter().enumerate() {
                    let v = value_at(c.as_ref(), row)?;
                    values.push(match &binary {
                        Some(types) if !v.is_null() => as_column(v, types[i])?,
                        _ => v,
                    });
                }
                match binary {
                    Some(_) => buf.extend_from_slice(&crate::sql::copy_binary::write_row(&values)),
                    None => buf.extend_from_slice(&text_format.write_row(&values)),
                }
                if buf.len() >= COPY_CHUNK {
                    let chunk = std::mem::replace(&mut buf, Vec::with_capacity(COPY_CHUNK * 2));
                    if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                        return Ok(());
                    }
                }
            }
        }
        if binary.is_some() {
            buf.extend_from_slice(crate::sql::copy_binary::TRAILER);
        }
        if !buf.is_empty() {
            let _ = tx.blocking_send(Ok(Bytes::from(buf)));
        }
        Ok(())
    };
    if let Err(e) = run() {
        let _ = tx.blocking_send(Err(e));
    }
}
