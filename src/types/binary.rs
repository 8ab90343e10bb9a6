//! Binary wire format (`typsend`/`typrecv`): big-endian integers and IEEE
//! floats, raw UTF-8 text, raw bytea, dates as days and timestamps as
//! microseconds since 2000-01-01, numerics in base-10000 digits.

use super::{numeric, DataType, Value};
use crate::errinput;
use crate::error::{sqlstate, Result};

/// Appends the binary form of a non-NULL value.
pub fn encode(value: &Value, out: &mut Vec<u8>) {
    match value {
        Value::Null => {}
        Value::Bool(b) => out.push(*b as u8),
        Value::Int2(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Int4(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Int8(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Oid(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Array(a) => super::array::encode_binary(a, out),
        Value::Float4(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Float8(v) => out.extend_from_slice(&v.to_be_bytes()),
        Value::Numeric(d) => numeric::to_binary(d, out),
        Value::NumericSpecial(s) => numeric::special_to_binary(*s, out),
        Value::Text(s) => out.extend_from_slice(s.as_bytes()),
        Value::Enum(e) => out.extend_from_slice(e.label.as_bytes()),
        Value::Record(fields) => super::record::encode_binary(fields, out),
        Value::Bytea(b) => out.extend_from_slice(b),
        Value::Date(d) => out.extend_from_slice(&d.to_be_bytes()),
        Value::Timestamp(t) | Value::Timestamptz(t) => out.extend_from_slice(&t.to_be_bytes()),
        Value::Interval(i) => {
            out.extend_from_slice(&i.micros.to_be_bytes());
            out.extend_from_slice(&i.days.to_be_bytes());
            out.extend_from_slice(&i.months.to_be_bytes());
        }
        Value::Uuid(u) => out.extend_from_slice(&u.to_be_bytes()),
        // Version 1: the text form.
        Value::Jsonb(j) => {
            out.push(1);
            out.extend_from_slice(super::jsonb::format(j).as_bytes());
        }
    }
}

fn fixed<const N: usize>(buf: &[u8], type_name: &str) -> Result<[u8; N]> {
    buf.try_into().map_err(|_| {
        errinput!(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "incorrect binary data format for type {type_name}"
        )
    })
}

/// Decodes a binary parameter value of a type.
pub fn decode(buf: &[u8], data_type: DataType) -> Result<Value> {
    let name = data_type.sql_name();
    Ok(match data_type {
        DataType::Record(_) => return Err(crate::errunsupported!("binary input of type record")),
        DataType::Bool => Value::Bool(fixed::<1>(buf, name)?[0] != 0),
        DataType::Int2 => Value::Int2(i16::from_be_bytes(fixed(buf, name)?)),
        DataType::Int4 => Value::Int4(i32::from_be_bytes(fixed(buf, name)?)),
        DataType::Int8 => Value::Int8(i64::from_be_bytes(fixed(buf, name)?)),
        DataType::Float4 => Value::Float4(f32::from_be_bytes(fixed(buf, name)?)),
        DataType::Float8 => Value::Float8(f64::from_be_bytes(fixed(buf, name)?)),
        DataType::Numeric => numeric::value_from_binary(buf)?,
        DataType::Oid | DataType::Reg(_) => Value::Oid(u32::from_be_bytes(fixed(buf, name)?)),
        DataType::Array(elem) => super::array::decode_binary(buf, *elem)?,
        DataType::Int2Vector | DataType::OidVector => {
            let elem = data_type.vector_element().unwrap_or(DataType::Int2);
            super::array::decode_binary(buf, elem)?
        }
        DataType::Text
        | DataType::Varchar
        | DataType::Bpchar
        | DataType::Name
        | DataType::Char
        | DataType::Unknown => Value::Text(String::from_utf8(buf.to_vec()).map_err(|_| {
            errinput!(
                sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
                "invalid byte sequence for encoding \"UTF8\""
            )
        })?),
        DataType::Json | DataType::Enum(_) => super::text::parse(
            std::str::from_utf8(buf).map_err(|_| {
                errinput!(
                    sqlstate::CHARACTER_NOT_IN_REPERTOIRE,
                    "invalid byte sequence for encoding \"UTF8\""
                )
            })?,
            data_type,
        )?,
        DataType::Bytea => Value::Bytea(buf.to_vec()),
        DataType::Date => Value::Date(i32::from_be_bytes(fixed(buf, name)?)),
        DataType::Timestamp => Value::Timestamp(i64::from_be_bytes(fixed(buf, name)?)),
        DataType::Timestamptz => Value::Timestamptz(i64::from_be_bytes(fixed(buf, name)?)),
        DataType::Interval => {
            let b: [u8; 16] = fixed(buf, name)?;
            Value::Interval(super::interval::Interval {
                micros: i64::from_be_bytes(b[..8].try_into().unwrap_or_default()),
                days: i32::from_be_bytes(b[8..12].try_into().unwrap_or_default()),
                months: i32::from_be_bytes(b[12..].try_into().unwrap_or_default()),
            })
        }
        DataType::Uuid => Value::Uuid(u128::from_be_bytes(fixed(buf, name)?)),
        DataType::Jsonb => {
            let (Some(1), Ok(text)) = (
                buf.first(),
                std::str::from_utf8(buf.get(1..).unwrap_or_default()),
            ) else {
                return Err(errinput!(
                    sqlstate::INVALID_BINARY_REPRESENTATION,
                    "unsupported jsonb version number {}",
                    buf.first().copied().unwrap_or(0)
                ));
            };
            Value::Jsonb(Box::new(super::jsonb::parse(text)?))
        }
    })
}
