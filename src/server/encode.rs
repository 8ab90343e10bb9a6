//! Wire encoding: result columns as RowDescription fields, rows as
//! DataRows in text or binary per column, parameters decoded from Bind.

use std::sync::Arc;

use bytes::{BufMut, BytesMut};
use pgwire::api::portal::Format;
use pgwire::api::results::{FieldFormat, FieldInfo};
use pgwire::api::Type;
use pgwire::messages::data::DataRow;

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::OutputColumn;
use crate::types::{binary, text, DataType, Value};

/// The pgwire type for a FlintDB type.
pub fn pg_type(t: DataType) -> Type {
    let t = if t == DataType::Unknown {
        DataType::Text
    } else {
        t
    };
    match t {
        DataType::Enum(e) => Type::new(
            e.name.clone(),
            e.oid,
            postgres_types::Kind::Enum(e.labels.iter().map(|l| l.name.clone()).collect()),
            "public".to_string(),
        ),
        DataType::Array(elem @ DataType::Enum(e)) => Type::new(
            format!("_{}", e.name),
            e.array_oid,
            postgres_types::Kind::Array(pg_type(*elem)),
            "public".to_string(),
        ),
        _ => Type::from_oid(t.oid()).unwrap_or(Type::TEXT),
    }
}

/// Checks a Bind message's format codes against the number of values:
/// none, one for all, or one each, and each 0 (text) or 1 (binary).
pub fn check_formats(format: &Format, count: usize, what: &str) -> Result<()> {
    if let Format::Individual(codes) = format {
        if codes.len() != count {
            return Err(errinput!(
                sqlstate::PROTOCOL_VIOLATION,
                "bind message has {} {what} formats but query has {count} {what}s",
                codes.len()
            ));
        }
        if let Some(bad) = codes.iter().find(|c| **c != 0 && **c != 1) {
            return Err(errinput!(
                sqlstate::PROTOCOL_VIOLATION,
                "unsupported format code: {bad}"
            ));
        }
    }
    Ok(())
}

/// Result columns as RowDescription fields with the client's formats.
pub fn fields(columns: &[OutputColumn], format: &Format) -> Result<Arc<Vec<FieldInfo>>> {
    check_formats(format, columns.len(), "result")?;
    Ok(Arc::new(
        columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let table = (c.table_oid != 0).then_some(c.table_oid as i32);
                let column = (c.column_number != 0).then_some(c.column_number);
                FieldInfo::new(
                    c.name.clone(),
                    table,
                    column,
                    pg_type(c.ty.data_type),
                    format.format_for(i),
                )
                .with_type_size(c.ty.data_type.type_len())
                .with_type_modifier(c.ty.typmod)
            })
            .collect(),
    ))
}

/// Encodes a row for the given fields.
pub fn data_row(row: &[Value], fields: &[FieldInfo]) -> DataRow {
    let mut buf = BytesMut::with_capacity(16 * row.len());
    let mut scratch = Vec::new();
    for (value, field) in row.iter().zip(fields) {
        if value.is_null() {
            buf.put_i32(-1);
            continue;
        }
        scratch.clear();
        match field.format() {
            FieldFormat::Binary => binary::encode(value, &mut scratch),
            FieldFormat::Text => {
                let vector = matches!(field.datatype().oid(), 22 | 30);
                let s = if vector {
                    let ty = DataType::from_oid(field.datatype().oid()).unwrap_or(DataType::Text);
                    text::format_as(value, ty)
                } else {
                    text::format(value)
                };
                scratch.extend_from_slice(s.unwrap_or_default().as_bytes())
            }
        }
        buf.put_i32(scratch.len() as i32);
        buf.put_slice(&scratch);
    }
    DataRow::new(buf, row.len() as i16)
}

/// Decodes Bind parameters by the statement's parameter types.
pub fn decode_params(
    raw: &[Option<bytes::Bytes>],
    format: &Format,
    types: &[DataType],
) -> Result<Vec<Value>> {
    if raw.len() != types.len() {
        return Err(errinput!(
            sqlstate::PROTOCOL_VIOLATION,
            "bind message supplies {} parameters, but prepared statement requires {}",
            raw.len(),
            types.len()
        ));
    }
    check_formats(format, raw.len(), "parameter")?;
    raw.iter()
        .zip(types)
        .enumerate()
        .map(|(i, (bytes, ty))| match bytes {
            None => Ok(Value::Null),
            Some(b) if format.is_binary(i) => binary::decode(b, *ty),
            Some(b) => {
                let s = std::str::from_utf8(b).map_err(|_| {
                    errinput!(
                        sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
                        "invalid byte sequence for encoding \"UTF8\""
                    )
                })?;
                text::parse(s, *ty)
            }
        })
        .collect()
}
