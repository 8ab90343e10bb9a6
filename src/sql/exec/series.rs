//! generate_series: the values from start to stop by step (1 unless
//! given; timestamps step by an interval), produced as they are pulled. A NULL argument gives no rows; a
//! zero step is 22023.

use bigdecimal::BigDecimal;

use super::super::eval::eval;
use super::super::expr::Expr;
use super::{ExecContext, Rows};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{DataType, Value};

/// The rows of `generate_series(start, stop, step)` of type `ty`.
pub fn series<'a>(
    start: &Expr,
    stop: &Expr,
    step: Option<&Expr>,
    ty: DataType,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let start = eval(start, &[], ctx)?;
    let stop = eval(stop, &[], ctx)?;
    let step = step.map(|e| eval(e, &[], ctx)).transpose()?;
    Ok(Box::new(
        series_values(start, stop, step, ty, ctx)?.map(|v| v.map(|v| vec![v])),
    ))
}

/// The values of generate_series over evaluated arguments.
pub fn series_values<'a>(
    start: Value,
    stop: Value,
    step: Option<Value>,
    ty: DataType,
    ctx: &'a ExecContext<'a>,
) -> Result<Box<dyn Iterator<Item = Result<Value>> + 'a>> {
    let step = match step {
        Some(v) => v,
        None if ty == DataType::Numeric => Value::Numeric(BigDecimal::from(1)),
        None => Value::Int8(1),
    };
    if start.is_null() || stop.is_null() || step.is_null() {
        return Ok(Box::new(std::iter::empty()));
    }
    let zero_step = || {
        errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "step size cannot equal zero"
        )
    };
    if let (Value::Numeric(a), Value::Numeric(b), Value::Numeric(s)) = (&start, &stop, &step) {
        if s.sign() == bigdecimal::num_bigint::Sign::NoSign {
            return Err(zero_step());
        }
        let (stop, step) = (b.clone(), s.clone());
        let up = step.sign() == bigdecimal::num_bigint::Sign::Plus;
        let mut next = Some(a.clone());
        return Ok(Box::new(std::iter::from_fn(move || {
            let v = next.take()?;
            if (up && v > stop) || (!up && v < stop) {
                return None;
            }
            next = Some(&v + &step);
            Some(Ok(Value::Numeric(v)))
        })));
    }
    if let (
        Value::Timestamp(a) | Value::Timestamptz(a),
        Value::Timestamp(b) | Value::Timestamptz(b),
        Value::Interval(s),
    ) = (&start, &stop, &step)
    {
        if s.span() == 0 {
            return Err(zero_step());
        }
        let (stop, step, up) = (*b, *s, s.span() > 0);
        let zoned = matches!(start, Value::Timestamptz(_));
        let mut next = Some(*a);
        return Ok(Box::new(std::iter::from_fn(move || {
            let v = next.take()?;
            if (up && v > stop) || (!up && v < stop) {
                return None;
            }
            next = crate::types::interval::add_to_timestamp(v, step).ok();
            if let Err(e) = ctx.check_deadline() {
                return Some(Err(e));
            }
            Some(Ok(if zoned {
                Value::Timestamptz(v)
            } else {
                Value::Timestamp(v)
            }))
        })));
    }
    let (Some(a), Some(b), Some(s)) = (start.as_i64(), stop.as_i64(), step.as_i64()) else {
        return Err(crate::errinternal!("generate_series over {ty:?}"));
    };
    if s == 0 {
        return Err(zero_step());
    }
    let wrap = move |v: i64| match ty {
        DataType::Int4 => Value::Int4(v as i32),
        _ => Value::Int8(v),
    };
    let mut next = Some(a);
    Ok(Box::new(std::iter::from_fn(move || {
        let v = next.take()?;
        if (s > 0 && v > b) || (s < 0 && v < b) {
            return None;
        }
        next = v.checked_add(s);
        if let Err(e) = ctx.check_deadline() {
            return Some(Err(e));
        }
        Some(Ok(wrap(v)))
    })))
}
