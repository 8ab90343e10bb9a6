//! Operators: arithmetic with PostgreSQL's overflow and division errors,
//! comparisons, string concatenation, and date arithmetic.

use bigdecimal::Zero;

use super::super::expr::BinaryOp;
use crate::errinput;
use crate::error::{sqlstate, Error, Result};
use crate::types::interval::{self, Interval};
use crate::types::{numeric, DataType, Value};

fn out_of_range(ty: &str) -> Error {
    errinput!(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "{ty} out of range")
}

fn division_by_zero() -> Error {
    errinput!(sqlstate::DIVISION_BY_ZERO, "division by zero")
}

/// Unary minus.
pub fn negate(v: Value) -> Result<Value> {
    Ok(match v {
        Value::Int2(i) => Value::Int2(i.checked_neg().ok_or_else(|| out_of_range("smallint"))?),
        Value::Int4(i) => Value::Int4(i.checked_neg().ok_or_else(|| out_of_range("integer"))?),
        Value::Int8(i) => Value::Int8(i.checked_neg().ok_or_else(|| out_of_range("bigint"))?),
        Value::Float4(f) => Value::Float4(-f),
        Value::Float8(f) => Value::Float8(-f),
        Value::Numeric(d) => Value::Numeric(-d),
        Value::NumericSpecial(s) => Value::NumericSpecial(match s {
            numeric::Special::PosInf => numeric::Special::NegInf,
            numeric::Special::NegInf => numeric::Special::PosInf,
            nan => nan,
        }),
        Value::Interval(i) => Value::Interval(i.checked_neg()?),
        other => other,
    })
}

/// A binary operator other than AND/OR on evaluated operands.
pub fn binary(op: BinaryOp, l: Value, r: Value, ty: DataType) -> Result<Value> {
    if l.is_null() || r.is_null() {
        return Ok(Value::Null);
    }
    if op.is_comparison() {
        let ord = l.compare(&r);
        return Ok(Value::Bool(match op {
            BinaryOp::Eq => ord.is_eq(),
            BinaryOp::NotEq => ord.is_ne(),
            BinaryOp::Lt => ord.is_lt(),
            BinaryOp::LtEq => ord.is_le(),
            BinaryOp::Gt => ord.is_gt(),
            _ => ord.is_ge(),
        }));
    }
    if op == BinaryOp::Concat {
        return Ok(match (l, r) {
            (Value::Text(a), Value::Text(b)) => Value::Text(a + &b),
            (Value::Bytea(mut a), Value::Bytea(b)) => {
                a.extend_from_slice(&b);
                Value::Bytea(a)
            }
            _ => return Err(crate::errinternal!("|| on non-string operands")),
        });
    }
    match (l, r) {
        (Value::Int2(a), Value::Int2(b)) => int_op(
            op,
            a as i64,
            b as i64,
            "smallint",
            i16::MIN as i64,
            i16::MAX as i64,
        )
        .map(|v| Value::Int2(v as i16)),
        (Value::Int4(a), Value::Int4(b)) => int_op(
            op,
            a as i64,
            b as i64,
            "integer",
            i32::MIN as i64,
            i32::MAX as i64,
        )
        .map(|v| Value::Int4(v as i32)),
        (Value::Int8(a), Value::Int8(b)) => int8_op(op, a, b).map(Value::Int8),
        (Value::Float4(a), Value::Float4(b)) => float_op(op, a as f64, b as f64).and_then(|v| {
            let f = v as f32;
            if f.is_infinite() && !v.is_infinite() {
                Err(errinput!(
                    sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
                    "value out of range: overflow"
                ))
            } else {
                Ok(Value::Float4(f))
            }
        }),
        (Value::Float8(a), Value::Float8(b)) => float_op(op, a, b).map(Value::Float8),
        (Value::Numeric(a), Value::Numeric(b)) => numeric_op(op, &a, &b).map(Value::Numeric),
        (
            l @ (Value::Numeric(_) | Value::NumericSpecial(_)),
            r @ (Value::Numeric(_) | Value::NumericSpecial(_)),
        ) => special_op(op, l, r),
        (Value::Date(d), Value::Int4(n)) | (Value::Int4(n), Value::Date(d))
            if ty == DataType::Date =>
        {
            let days = if op == BinaryOp::Subtract {
                d.checked_sub(n)
            } else {
                d.checked_add(n)
            };
            days.map(Value::Date)
                .ok_or_else(|| errinput!(sqlstate::DATETIME_FIELD_OVERFLOW, "date out of range"))
        }
        (Value::Date(a), Value::Date(b)) if op == BinaryOp::Subtract => Ok(Value::Int4(a - b)),
        (l, r)
            if ty == DataType::Interval
                || matches!(l, Value::Interval(_))
                || matches!(r, Value::Interval(_)) =>
        {
            interval_op(op, l, r)
        }
        (a, b) => Err(crate::errinternal!(
            "operator {} on {} and {}",
            op.symbol(),
            a.data_type().sql_name(),
            b.data_type().sql_name()
        )),
    }
}

/// Numeric arithmetic with NaN or an infinity, by PostgreSQL's rules:
/// NaN in, NaN out; the infinities as IEEE floats have them, except that
/// a division by zero is still an error and a finite value modulo an
/// infinity is that value.
fn special_op(op: BinaryOp, l: Value, r: Value) -> Result<Value> {
    use numeric::Special;
    let (a, b) = (
        l.as_f64().unwrap_or(f64::NAN),
        r.as_f64().unwrap_or(f64::NAN),
    );
    let divides = matches!(op, BinaryOp::Divide | BinaryOp::Modulo);
    if divides && matches!(&r, Value::Numeric(d) if d.is_zero()) && !a.is_nan() {
        return Err(division_by_zero());
    }
    if op == BinaryOp::Modulo && !a.is_nan() && a.is_finite() && b.is_infinite() {
        return Ok(l);
    }
    let result = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => a / b,
        BinaryOp::Modulo => {
            if a.is_infinite() || b.is_nan() {
                f64::NAN
            } else {
                a % b
            }
        }
        _ => {
            return Err(crate::errinternal!(
                "operator {} on numeric NaN or infinity",
                op.symbol()
            ))
        }
    };
    Ok(match Special::of_float(result) {
        Some(s) => Value::NumericSpecial(s),
        // Only a finite value over an infinity gets here: zero.
        None => Value::Numeric(bigdecimal::BigDecimal::from(0)),
    })
}

/// The interval operators the binder resolved (see binder/datetime_ops.rs).
fn interval_op(op: BinaryOp, l: Value, r: Value) -> Result<Value> {
    use interval::add_to_timestamp;
    let negated = |i: Interval| -> Result<Interval> {
        if op == BinaryOp::Subtract {
            i.checked_neg()
        } else {
            Ok(i)
        }
    };
    Ok(match (l, r) {
        (Value::Timestamp(t), Value::Interval(i)) | (Value::Interval(i), Value::Timestamp(t)) => {
            Value::Timestamp(add_to_timestamp(t, negated(i)?)?)
        }
        (Value::Timestamptz(t), Value::Interval(i))
        | (Value::Interval(i), Value::Timestamptz(t)) => {
            Value::Timestamptz(add_to_timestamp(t, negated(i)?)?)
        }
        (Value::Timestamp(a), Value::Timestamp(b))
        | (Value::Timestamptz(a), Value::Timestamptz(b)) => {
            Value::Interval(interval::between(a, b)?)
        }
        (Value::Interval(a), Value::Interval(b)) => Value::Interval(a.checked_add(negated(b)?)?),
        (Value::Interval(i), Value::Float8(f)) if op == BinaryOp::Divide => {
            Value::Interval(i.divided_by(f)?)
        }
        (Value::Interval(i), Value::Float8(f)) | (Value::Float8(f), Value::Interval(i)) => {
            Value::Interval(i.times(f)?)
        }
        (a, b) => {
            return Err(crate::errinternal!(
                "operator {} on {} and {}",
                op.symbol(),
                a.data_type().sql_name(),
                b.data_type().sql_name()
            ))
        }
    })
}

fn int_op(op: BinaryOp, a: i64, b: i64, name: &str, min: i64, max: i64) -> Result<i64> {
    let v = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => {
            if b == 0 {
                return Err(division_by_zero());
            }
            a / b
        }
        BinaryOp::Modulo => {
            if b == 0 {
                return Err(division_by_zero());
            }
            a % b
        }
        _ => return Err(crate::errinternal!("integer operator {}", op.symbol())),
    };
    if v < min || v > max {
        return Err(out_of_range(name));
    }
    Ok(v)
}

fn int8_op(op: BinaryOp, a: i64, b: i64) -> Result<i64> {
    let v = match op {
        BinaryOp::Add => a.checked_add(b),
        BinaryOp::Subtract => a.checked_sub(b),
        BinaryOp::Multiply => a.checked_mul(b),
        BinaryOp::Divide => {
            if b == 0 {
                return Err(division_by_zero());
            }
            a.checked_div(b)
        }
        BinaryOp::Modulo => {
            if b == 0 {
                return Err(division_by_zero());
            }
            Some(a.checked_rem(b).unwrap_or(0))
        }
        _ => return Err(crate::errinternal!("bigint operator {}", op.symbol())),
    };
    v.ok_or_else(|| out_of_range("bigint"))
}

fn float_op(op: BinaryOp, a: f64, b: f64) -> Result<f64> {
    let v = match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => {
            if b == 0.0 {
                return Err(division_by_zero());
            }
            a / b
        }
        BinaryOp::Modulo => {
            return Err(crate::errinternal!("float modulo"));
        }
        _ => return Err(crate::errinternal!("float operator {}", op.symbol())),
    };
    if v.is_infinite() && a.is_finite() && b.is_finite() {
        return Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow"
        ));
    }
    if v == 0.0 && op == BinaryOp::Multiply && a != 0.0 && b != 0.0 {
        return Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: underflow"
        ));
    }
    Ok(v)
}

fn numeric_op(
    op: BinaryOp,
    a: &bigdecimal::BigDecimal,
    b: &bigdecimal::BigDecimal,
) -> Result<bigdecimal::BigDecimal> {
    Ok(match op {
        BinaryOp::Add => a + b,
        BinaryOp::Subtract => a - b,
        BinaryOp::Multiply => a * b,
        BinaryOp::Divide => {
            if b.is_zero() {
                return Err(division_by_zero());
            }
            numeric::divide(a, b)?
        }
        BinaryOp::Modulo => numeric::modulo(a, b)?,
        _ => return Err(crate::errinternal!("numeric operator {}", op.symbol())),
    })
}
