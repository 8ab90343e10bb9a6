//! One cell of an Arrow array as a FlintDB value: the inverse of
//! `build.rs` for FlintDB's own files, and a faithful reading of the
//! common Arrow types any other writer (pyarrow, Spark, DuckDB) uses.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Decimal128Type, Float32Type, Float64Type, Int16Type, Int32Type,
    Int64Type, Int8Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::Array;
use arrow_schema::{DataType as Arrow, TimeUnit};
use bigdecimal::num_bigint::BigInt;
use bigdecimal::BigDecimal;

use super::{EPOCH_DAYS, EPOCH_MICROS};
use crate::error::Result;
use crate::types::array::ArrayValue;
use crate::types::interval::Interval;
use crate::types::{DataType, Value};

/// The value at `row` of `array`.
pub fn value_at(array: &dyn Array, row: usize) -> Result<Value> {
    if array.is_null(row) {
        return Ok(Value::Null);
    }
    Ok(match array.data_type() {
        Arrow::Boolean => Value::Bool(array.as_boolean().value(row)),
        Arrow::Int8 => Value::Int2(array.as_primitive::<Int8Type>().value(row) as i16),
        Arrow::Int16 => Value::Int2(array.as_primitive::<Int16Type>().value(row)),
        Arrow::Int32 => Value::Int4(array.as_primitive::<Int32Type>().value(row)),
        Arrow::Int64 => Value::Int8(array.as_primitive::<Int64Type>().value(row)),
        Arrow::UInt8 => Value::Int2(array.as_primitive::<UInt8Type>().value(row) as i16),
        Arrow::UInt16 => Value::Int4(array.as_primitive::<UInt16Type>().value(row) as i32),
        Arrow::UInt32 => Value::Int8(array.as_primitive::<UInt32Type>().value(row) as i64),
        Arrow::UInt64 => Value::Numeric(BigDecimal::from(
            array.as_primitive::<UInt64Type>().value(row),
        )),
        Arrow::Float32 => Value::Float4(array.as_primitive::<Float32Type>().value(row)),
        Arrow::Float64 => Value::Float8(array.as_primitive::<Float64Type>().value(row)),
        Arrow::Decimal128(_, scale) => Value::Numeric(BigDecimal::new(
            BigInt::from(array.as_primitive::<Decimal128Type>().value(row)),
            *scale as i64,
        )),
        Arrow::Utf8 => Value::Text(array.as_string::<i32>().value(row).to_string()),
        Arrow::LargeUtf8 => Value::Text(array.as_string::<i64>().value(row).to_string()),
        Arrow::Utf8View => Value::Text(array.as_string_view().value(row).to_string()),
        Arrow::Binary => Value::Bytea(array.as_binary::<i32>().value(row).to_vec()),
        Arrow::LargeBinary => Value::Bytea(array.as_binary::<i64>().value(row).to_vec()),
        Arrow::BinaryView => Value::Bytea(array.as_binary_view().value(row).to_vec()),
        Arrow::FixedSizeBinary(16) => {
            let bytes = array.as_fixed_size_binary().value(row);
            let mut b = [0u8; 16];
            b.copy_from_slice(bytes);
            Value::Uuid(u128::from_be_bytes(b))
        }
        Arrow::FixedSizeBinary(_) => Value::Bytea(array.as_fixed_size_binary().value(row).to_vec()),
        Arrow::Date32 => Value::Date(array.as_primitive::<Date32Type>().value(row) - EPOCH_DAYS),
        Arrow::Date64 => {
            let ms = array.as_primitive::<Date64Type>().value(row);
            Value::Date((ms.div_euclid(86_400_000) - EPOCH_DAYS as i64) as i32)
        }
        Arrow::Timestamp(unit, zone) => {
            let micros = match unit {
                TimeUnit::Second => array
                    .as_primitive::<TimestampSecondType>()
                    .value(row)
                    .saturating_mul(1_000_000),
                TimeUnit::Millisecond => array
                    .as_primitive::<TimestampMillisecondType>()
                    .value(row)
                    .saturating_mul(1_000),
                TimeUnit::Microsecond => {
                    array.as_primitive::<TimestampMicrosecondType>().value(row)
                }
                TimeUnit::Nanosecond => array
                    .as_primitive::<TimestampNanosecondType>()
                    .value(row)
                    .div_euclid(1_000),
            };
            let pg = micros - EPOCH_MICROS;
            if zone.is_some() {
                Value::Timestamptz(pg)
            } else {
                Value::Timestamp(pg)
            }
        }
        Arrow::Struct(fields) if is_interval(fields) => {
            let s = array.as_struct();
            Value::Interval(Interval {
                months: s.column(0).as_primitive::<Int32Type>().value(row),
                days: s.column(1).as_primitive::<Int32Type>().value(row),
                micros: s.column(2).as_primitive::<Int64Type>().value(row),
            })
        }
        Arrow::List(field) => list(array.as_list::<i32>().value(row).as_ref(), field)?,
        Arrow::LargeList(field) => list(array.as_list::<i64>().value(row).as_ref(), field)?,
        other => {
            return Err(crate::errinput!(
                crate::error::sqlstate::FEATURE_NOT_SUPPORTED,
                "Parquet column of Arrow type {other} cannot be read"
            ))
        }
    })
}

fn is_interval(fields: &arrow_schema::Fields) -> bool {
    let names: Vec<&str> = fields.iter().map(|f| f.name().as_str()).collect();
    names == ["months", "days", "microseconds"]
}

fn list(items: &dyn Array, field: &arrow_schema::Field) -> Result<Value> {
    let elem = element_data_type(field.data_type());
    let items = (0..items.len())
        .map(|i| value_at(items, i))
        .collect::<Result<Vec<_>>>()?;
    Ok(Value::Array(Box::new(ArrayValue { elem, items })))
}

/// The FlintDB type of an array's elements of this Arrow type.
fn element_data_type(t: &Arrow) -> DataType {
    match t {
        Arrow::Boolean => DataType::Bool,
        Arrow::Int8 | Arrow::Int16 | Arrow::UInt8 => DataType::Int2,
        Arrow::Int32 | Arrow::UInt16 => DataType::Int4,
        Arrow::Int64 | Arrow::UInt32 => DataType::Int8,
        Arrow::Float32 => DataType::Float4,
        Arrow::Float64 => DataType::Float8,
        Arrow::Decimal128(_, _) | Arrow::UInt64 => DataType::Numeric,
        Arrow::Binary | Arrow::LargeBinary | Arrow::BinaryView => DataType::Bytea,
        Arrow::FixedSizeBinary(16) => DataType::Uuid,
        Arrow::Date32 | Arrow::Date64 => DataType::Date,
        Arrow::Timestamp(_, Some(_)) => DataType::Timestamptz,
        Arrow::Timestamp(_, None) => DataType::Timestamp,
        Arrow::Struct(f) if is_interval(f) => DataType::Interval,
        _ => DataType::Text,
    }
}
