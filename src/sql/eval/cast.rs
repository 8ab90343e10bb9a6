//! Casts between types, and coercion to a column's typmod.
//!
//! Which casts are allowed where (implicit, assignment, explicit) is the
//! binder's business; this file performs them. Strings convert through the
//! target's text input function; anything converts to a string through its
//! output function. Length limits follow PostgreSQL: an explicit cast to
//! varchar(n)/char(n) truncates, an assignment raises 22001 unless only
//! spaces would be cut.

use bigdecimal::{BigDecimal, ToPrimitive};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{numeric, text, ColumnType, DataType, Value};

/// Converts a value to a type (and its typmod).
pub fn cast(v: Value, from: DataType, to: ColumnType, explicit: bool) -> Result<Value> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let converted = convert(v, from, to.data_type)?;
    apply_typmod(converted, to, explicit)
}

fn convert(v: Value, from: DataType, to: DataType) -> Result<Value> {
    use DataType as T;
    Ok(match (v, to) {
        // bpchar loses its trailing spaces when it becomes another string.
        (Value::Text(s), T::Text | T::Varchar | T::Unknown) if from == T::Bpchar => {
            Value::Text(s.trim_end_matches(' ').to_string())
        }
        (Value::Text(s), T::Text | T::Varchar | T::Bpchar | T::Unknown) => Value::Text(s),
        (Value::Text(s), T::Name | T::Char) => text::parse(&s, to)?,
        (Value::Text(s), T::Bytea) => Value::Bytea(text::parse_bytea(&s)?),
        (Value::Text(s), _) => text::parse(&s, to)?,
        (other, T::Text | T::Varchar | T::Bpchar | T::Name) => {
            Value::Text(text::format_as(&other, from).unwrap_or_default())
        }
        (Value::Oid(o), T::Oid | T::Reg(_)) => Value::Oid(o),
        (Value::Oid(o), _) if to.is_numeric() => from_i64(o as i64, to)?,
        (v @ (Value::Int2(_) | Value::Int4(_) | Value::Int8(_)), T::Oid | T::Reg(_)) => {
            let i = v.as_i64().unwrap_or_default();
            if !(i32::MIN as i64..=u32::MAX as i64).contains(&i) {
                return Err(errinput!(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "OID out of range"
                ));
            }
            Value::Oid(i as u32)
        }
        (Value::Array(a), T::Array(elem)) => {
            let from_elem = a.elem;
            let items = a
                .items
                .into_iter()
                .map(|v| {
                    if v.is_null() {
                        Ok(v)
                    } else {
                        convert(v, from_elem, *elem)
                    }
                })
                .collect::<Result<Vec<_>>>()?;
            Value::Array(Box::new(crate::types::array::ArrayValue {
                elem: *elem,
                items,
            }))
        }
        (Value::Bool(b), T::Bool) => Value::Bool(b),
        (Value::Bool(b), T::Int4) => Value::Int4(b as i32),
        (Value::Int4(i), T::Bool) => Value::Bool(i != 0),
        (v @ (Value::Int2(_) | Value::Int4(_) | Value::Int8(_)), _) if to.is_numeric() => {
            let i = v.as_i64().unwrap_or_default();
            from_i64(i, to)?
        }
        (Value::Float4(f), _) if to.is_numeric() => from_f64(f as f64, to, 6)?,
        (Value::Float8(f), _) if to.is_numeric() => from_f64(f, to, 15)?,
        (Value::Numeric(d), _) if to.is_numeric() => from_numeric(d, to)?,
        (Value::NumericSpecial(s), _) if to.is_numeric() => from_special(s, to)?,
        (Value::Date(d), T::Date) => Value::Date(d),
        (Value::Date(d), T::Timestamp) => {
            Value::Timestamp(d as i64 * crate::types::datetime::USECS_PER_DAY)
        }
        (Value::Date(d), T::Timestamptz) => {
            Value::Timestamptz(d as i64 * crate::types::datetime::USECS_PER_DAY)
        }
        (Value::Timestamp(t) | Value::Timestamptz(t), T::Date) => {
            Value::Date(t.div_euclid(crate::types::datetime::USECS_PER_DAY) as i32)
        }
        (Value::Timestamp(t) | Value::Timestamptz(t), T::Timestamp) => Value::Timestamp(t),
        (Value::Timestamp(t) | Value::Timestamptz(t), T::Timestamptz) => Value::Timestamptz(t),
        (Value::Bytea(b), T::Bytea) => Value::Bytea(b),
        (v @ Value::Interval(_), T::Interval) | (v @ Value::Uuid(_), T::Uuid) => v,
        (v @ Value::Jsonb(_), T::Jsonb) | (v @ Value::Enum(_), T::Enum(_)) => v,
        (Value::Jsonb(j), T::Json) => Value::Text(crate::types::jsonb::format(&j)),
        (Value::Jsonb(j), _) if to.is_numeric() || to == T::Bool => jsonb_scalar(*j, to)?,
        (v, _) => {
            return Err(errinput!(
                "42846",
                "cannot cast type {} to {}",
                v.data_type().sql_name(),
                to.sql_name()
            ))
        }
    })
}

/// `jsonb::numeric`, `::int4`, `::bool`, …: a JSON number or boolean.
fn jsonb_scalar(j: crate::types::jsonb::Jsonb, to: DataType) -> Result<Value> {
    use crate::types::jsonb::Jsonb;
    match (j, to) {
        (Jsonb::Number(d), _) if to.is_numeric() => from_numeric(d, to),
        (Jsonb::Bool(b), DataType::Bool) => Ok(Value::Bool(b)),
        (other, _) => Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "cannot cast jsonb {} to type {}",
            other.type_name(),
            to.sql_name()
        )),
    }
}

fn out_of_range(to: DataType) -> crate::error::Error {
    let name = match to {
        DataType::Int2 => "smallint",
        DataType::Int4 => "integer",
        _ => "bigint",
    };
    errinput!(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "{name} out of range")
}

fn from_i64(i: i64, to: DataType) -> Result<Value> {
    Ok(match to {
        DataType::Int2 => Value::Int2(i16::try_from(i).map_err(|_| out_of_range(to))?),
        DataType::Int4 => Value::Int4(i32::try_from(i).map_err(|_| out_of_range(to))?),
        DataType::Int8 => Value::Int8(i),
        DataType::Float4 => Value::Float4(i as f32),
        DataType::Float8 => Value::Float8(i as f64),
        _ => Value::Numeric(BigDecimal::from(i)),
    })
}

fn from_f64(f: f64, to: DataType, digits: usize) -> Result<Value> {
    Ok(match to {
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            // rint(): round half to even, as PostgreSQL does.
            let r = f.round_ties_even();
            if !r.is_finite() || r < i64::MIN as f64 || r >= i64::MAX as f64 {
                return Err(out_of_range(to));
            }
            from_i64(r as i64, to)?
        }
        DataType::Float4 => {
            let v = f as f32;
            if v.is_infinite() && f.is_finite() {
                return Err(errinput!(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "value out of range: overflow"
                ));
            }
            Value::Float4(v)
        }
        DataType::Float8 => Value::Float8(f),
        _ => match numeric::Special::of_float(f) {
            Some(s) => Value::NumericSpecial(s),
            None => Value::Numeric(numeric::from_float(f, digits)?),
        },
    })
}

/// NaN and the infinities as another numeric type: floats have them,
/// integers do not.
fn from_special(s: numeric::Special, to: DataType) -> Result<Value> {
    Ok(match to {
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            let name = match to {
                DataType::Int2 => "smallint",
                DataType::Int4 => "integer",
                _ => "bigint",
            };
            let what = if s == numeric::Special::NaN {
                "NaN"
            } else {
                "infinity"
            };
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "cannot convert {what} to {name}"
            ));
        }
        DataType::Float4 => Value::Float4(s.to_f64() as f32),
        DataType::Float8 => Value::Float8(s.to_f64()),
        _ => Value::NumericSpecial(s),
    })
}

fn from_numeric(d: BigDecimal, to: DataType) -> Result<Value> {
    Ok(match to {
        DataType::Int2 | DataType::Int4 | DataType::Int8 => {
            let r = numeric::round(&d, 0);
            let i = r.to_i64().ok_or_else(|| out_of_range(to))?;
            from_i64(i, to)?
        }
        DataType::Float4 | DataType::Float8 => {
            // Through the float's text input, as PostgreSQL does.
            return text::parse(&numeric::format(&d), to);
        }
        _ => Value::Numeric(d),
    })
}

/// Applies a column type's modifier: string length, numeric precision.
fn apply_typmod(v: Value, to: ColumnType, explicit: bool) -> Result<Value> {
    match (v, to.data_type) {
        (Value::Text(s), DataType::Varchar | DataType::Bpchar) => {
            let Some(max) = to.char_length() else {
                return Ok(Value::Text(s));
            };
            let len = s.chars().count();
            let s = if len > max {
                let cut: String = s.chars().take(max).collect();
                let rest_is_spaces = s.chars().skip(max).all(|c| c == ' ');
                if !explicit && !rest_is_spaces {
                    let name = if to.data_type == DataType::Bpchar {
                        "character"
                    } else {
                        "character varying"
                    };
                    return Err(errinput!(
                        sqlstate::STRING_DATA_RIGHT_TRUNCATION,
                        "value too long for type {name}({max})"
                    ));
                }
                cut
            } else {
                s
            };
            if to.data_type == DataType::Bpchar {
                let len = s.chars().count();
                return Ok(Value::Text(format!(
                    "{s}{}",
                    " ".repeat(max.saturating_sub(len))
                )));
            }
            Ok(Value::Text(s))
        }
        (Value::NumericSpecial(s), DataType::Numeric) => match to.numeric_precision_scale() {
            Some((p, sc)) if s != numeric::Special::NaN => Err(errinput!(
                sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                "numeric field overflow"
            )
            .with_detail(format!(
                "A field with precision {p}, scale {sc} cannot hold an infinite value."
            ))),
            _ => Ok(Value::NumericSpecial(s)),
        },
        (Value::Numeric(d), DataType::Numeric) => match to.numeric_precision_scale() {
            Some((p, s)) => Ok(Value::Numeric(numeric::apply_typmod(&d, p, s)?)),
            None => Ok(Value::Numeric(d)),
        },
        (v, _) => Ok(v),
    }
}
