//! Rows of values into Arrow record batches, column by column, following
//! the schema `schema.rs` made for the columns.

use std::sync::Arc;

use arrow_array::builder::{
    make_builder, ArrayBuilder, BinaryBuilder, BooleanBuilder, Date32Builder, Decimal128Builder,
    FixedSizeBinaryBuilder, Float32Builder, Float64Builder, Int16Builder, Int32Builder,
    Int64Builder, ListBuilder, StringBuilder, StructBuilder, TimestampMicrosecondBuilder,
    UInt32Builder,
};
use arrow_array::RecordBatch;
use arrow_schema::{DataType as Arrow, Schema};
use bigdecimal::num_bigint::ToBigInt;
use bigdecimal::BigDecimal;

use super::{EPOCH_DAYS, EPOCH_MICROS};
use crate::error::Result;
use crate::types::Value;

/// Builds one record batch at a time from rows.
pub struct BatchBuilder {
    schema: Arc<Schema>,
    builders: Vec<Box<dyn ArrayBuilder>>,
    rows: usize,
    bytes: usize,
}

impl BatchBuilder {
    pub fn new(schema: Arc<Schema>) -> Self {
        let builders = new_builders(&schema);
        BatchBuilder {
            schema,
            builders,
            rows: 0,
            bytes: 0,
        }
    }

    /// Rows added since the last batch.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Roughly the bytes of the values added since the last batch.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    /// Adds a row (one value per field).
    pub fn push(&mut self, row: &[Value]) -> Result<()> {
        if row.len() != self.builders.len() {
            return Err(crate::errinternal!(
                "a row of {} values for {} columns",
                row.len(),
                self.builders.len()
            ));
        }
        for ((builder, field), value) in self.builders.iter_mut().zip(self.schema.fields()).zip(row)
        {
            self.bytes += append(builder.as_mut(), field.data_type(), value)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// The rows added so far as a batch; the builder starts afresh.
    pub fn finish(&mut self) -> Result<RecordBatch> {
        let columns = self.builders.iter_mut().map(|b| b.finish()).collect();
        self.rows = 0;
        self.bytes = 0;
        RecordBatch::try_new(self.schema.clone(), columns)
            .map_err(|e| crate::errinternal!("building a record batch: {e}"))
    }
}

fn new_builders(schema: &Schema) -> Vec<Box<dyn ArrayBuilder>> {
    schema
        .fields()
        .iter()
        .map(|f| make_builder(f.data_type(), 1024))
        .collect()
}

fn mismatch(ty: &Arrow, v: &Value) -> crate::error::Error {
    crate::errinternal!("no {ty} form for the value {v:?}")
}

macro_rules! typed {
    ($b:expr, $t:ty) => {
        $b.as_any_mut()
            .downcast_mut::<$t>()
            .ok_or_else(|| crate::errinternal!("Arrow builder of the wrong type"))?
    };
}

/// Appends a value (NULL included); returns roughly its size in bytes.
fn append(b: &mut dyn ArrayBuilder, ty: &Arrow, v: &Value) -> Result<usize> {
    if v.is_null() {
        append_null(b, ty)?;
        return Ok(1);
    }
    match ty {
        Arrow::Boolean => match v {
            Value::Bool(x) => typed!(b, BooleanBuilder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Int16 => match v {
            Value::Int2(x) => typed!(b, Int16Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Int32 => match v {
            Value::Int4(x) => typed!(b, Int32Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Int64 => match v {
            Value::Int8(x) => typed!(b, Int64Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::UInt32 => match v {
            Value::Oid(x) => typed!(b, UInt32Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Float32 => match v {
            Value::Float4(x) => typed!(b, Float32Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Float64 => match v {
            Value::Float8(x) => typed!(b, Float64Builder).append_value(*x),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Decimal128(_, scale) => match v {
            Value::Numeric(d) => {
                typed!(b, Decimal128Builder).append_value(decimal_units(d, *scale)?)
            }
            Value::NumericSpecial(sp) => {
                return Err(crate::errinput!(
                    crate::error::sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "numeric {} has no Decimal128 form",
                    sp.text()
                ))
            }
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Date32 => match v {
            Value::Date(d) => typed!(b, Date32Builder).append_value(
                d.checked_add(EPOCH_DAYS)
                    .ok_or_else(|| crate::errinternal!("date out of Date32's range"))?,
            ),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Timestamp(_, _) => match v {
            Value::Timestamp(t) | Value::Timestamptz(t) => typed!(b, TimestampMicrosecondBuilder)
                .append_value(t.checked_add(EPOCH_MICROS).ok_or_else(|| {
                    crate::errinput!(
                        crate::error::sqlstate::DATETIME_FIELD_OVERFLOW,
                        "timestamp {} is beyond Parquet's Timestamp(µs) range (294247-01-10)",
                        crate::types::text::format(v).unwrap_or_default()
                    )
                })?),
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::FixedSizeBinary(16) => match v {
            Value::Uuid(u) => typed!(b, FixedSizeBinaryBuilder)
                .append_value(u.to_be_bytes())
                .map_err(|e| crate::errinternal!("{e}"))?,
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Binary => match v {
            Value::Bytea(x) => {
                typed!(b, BinaryBuilder).append_value(x);
                return Ok(x.len() + 4);
            }
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::Utf8 => {
            let text = match v {
                Value::Text(s) => {
                    typed!(b, StringBuilder).append_value(s);
                    return Ok(s.len() + 4);
                }
                other => crate::types::text::format(other).unwrap_or_default(),
            };
            typed!(b, StringBuilder).append_value(&text);
            return Ok(text.len() + 4);
        }
        Arrow::Struct(_) => match v {
            Value::Interval(i) => {
                let s = typed!(b, StructBuilder);
                typed!(s.field_builders_mut()[0], Int32Builder).append_value(i.months);
                typed!(s.field_builders_mut()[1], Int32Builder).append_value(i.days);
                typed!(s.field_builders_mut()[2], Int64Builder).append_value(i.micros);
                s.append(true);
                return Ok(16);
            }
            _ => return Err(mismatch(ty, v)),
        },
        Arrow::List(field) => match v {
            Value::Array(a) => {
                let list = typed!(b, ListBuilder<Box<dyn ArrayBuilder>>);
                let mut bytes = 4;
                for item in &a.items {
                    bytes += append(list.values().as_mut(), field.data_type(), item)?;
                }
                list.append(true);
                return Ok(bytes);
            }
            _ => return Err(mismatch(ty, v)),
        },
        other => return Err(mismatch(other, v)),
    }
    Ok(8)
}

fn append_null(b: &mut dyn ArrayBuilder, ty: &Arrow) -> Result<()> {
    match ty {
        Arrow::Boolean => typed!(b, BooleanBuilder).append_null(),
        Arrow::Int16 => typed!(b, Int16Builder).append_null(),
        Arrow::Int32 => typed!(b, Int32Builder).append_null(),
        Arrow::Int64 => typed!(b, Int64Builder).append_null(),
        Arrow::UInt32 => typed!(b, UInt32Builder).append_null(),
        Arrow::Float32 => typed!(b, Float32Builder).append_null(),
        Arrow::Float64 => typed!(b, Float64Builder).append_null(),
        Arrow::Decimal128(_, _) => typed!(b, Decimal128Builder).append_null(),
        Arrow::Date32 => typed!(b, Date32Builder).append_null(),
        Arrow::Timestamp(_, _) => typed!(b, TimestampMicrosecondBuilder).append_null(),
        Arrow::FixedSizeBinary(_) => typed!(b, FixedSizeBinaryBuilder).append_null(),
        Arrow::Binary => typed!(b, BinaryBuilder).append_null(),
        Arrow::Utf8 => typed!(b, StringBuilder).append_null(),
        Arrow::Struct(_) => {
            let s = typed!(b, StructBuilder);
            typed!(s.field_builders_mut()[0], Int32Builder).append_value(0);
            typed!(s.field_builders_mut()[1], Int32Builder).append_value(0);
            typed!(s.field_builders_mut()[2], Int64Builder).append_value(0);
            s.append_null();
        }
        Arrow::List(_) => typed!(b, ListBuilder<Box<dyn ArrayBuilder>>).append_null(),
        other => return Err(crate::errinternal!("no NULL of Arrow type {other}")),
    }
    Ok(())
}

/// A numeric as an integer count of 10^-scale units.
fn decimal_units(d: &BigDecimal, scale: i8) -> Result<i128> {
    let scaled = d.with_scale(scale as i64);
    let (digits, _) = scaled.into_bigint_and_exponent();
    let digits = digits
        .to_bigint()
        .ok_or_else(|| crate::errinternal!("numeric digits"))?;
    i128::try_from(digits).map_err(|_| crate::errinternal!("numeric out of Decimal128's range"))
}
