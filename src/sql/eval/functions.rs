//! Scalar functions: strings, math, date/time and the conditional forms
//! (COALESCE, NULLIF, GREATEST, LEAST). Arguments arrive already coerced to
//! the signature the binder chose, so each function matches on values.

use bigdecimal::num_bigint::BigInt;
use bigdecimal::{BigDecimal, Signed, Zero};

use super::super::expr::{Expr, Function};
use super::{eval, Env};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{datetime, numeric, DataType, Value};

/// Evaluates a function call.
pub fn call(
    func: Function,
    args: &[Expr],
    ty: DataType,
    row: &[Value],
    ctx: &dyn Env,
) -> Result<Value> {
    // Conditional forms evaluate lazily.
    match func {
        Function::Coalesce => {
            for a in args {
                let v = eval(a, row, ctx)?;
                if !v.is_null() {
                    return Ok(v);
                }
            }
            return Ok(Value::Null);
        }
        Function::Greatest | Function::Least => {
            let mut best: Option<Value> = None;
            for a in args {
                let v = eval(a, row, ctx)?;
                if v.is_null() {
                    continue;
                }
                let better = match &best {
                    None => true,
                    Some(b) => {
                        let ord = v.compare(b);
                        if func == Function::Greatest {
                            ord.is_gt()
                        } else {
                            ord.is_lt()
                        }
                    }
                };
                if better {
                    best = Some(v);
                }
            }
            return Ok(best.unwrap_or(Value::Null));
        }
        Function::Concat | Function::ConcatWs => {
            let values = args
                .iter()
                .map(|a| eval(a, row, ctx))
                .collect::<Result<Vec<_>>>()?;
            return Ok(concat(func, values));
        }
        _ => {}
    }
    let values = args
        .iter()
        .map(|a| eval(a, row, ctx))
        .collect::<Result<Vec<_>>>()?;
    if func == Function::JsonBuildObject {
        let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        return super::json_functions::build_object(&values, &types);
    }
    if func == Function::Format {
        return super::string_functions::format(&values);
    }
    // The build functions take NULLs (as JSON null).
    if matches!(func, Function::JsonbBuildObject | Function::JsonBuildArray) {
        let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        return Ok(super::jsonb_functions::call(func, &values, &types, ty)?.unwrap_or(Value::Null));
    }
    if func == Function::ArrayConstruct {
        let elem = match ty {
            DataType::Array(elem) => *elem,
            other => other,
        };
        return Ok(Value::Array(Box::new(crate::types::array::ArrayValue {
            elem,
            items: values,
        })));
    }
    if func == Function::ArrayToString && values.len() == 3 && !values[0].is_null() {
        return super::array_functions::array_to_string(&values);
    }
    // format_type takes a NULL typmod; the others are strict.
    if func == Function::FormatType && !values[0].is_null() {
        return Ok(super::catalog_functions::call(func, &values, ctx)?.unwrap_or(Value::Null));
    }
    if func == Function::NullIf {
        let (a, b) = (&values[0], &values[1]);
        return Ok(if !a.is_null() && !b.is_null() && a == b {
            Value::Null
        } else {
            a.clone()
        });
    }
    if func == Function::EnumRange {
        return Ok(super::array_functions::enum_range(&values));
    }
    if func == Function::ArrayCat {
        let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
        return Ok(super::array_functions::array_cat(values, &types, ty));
    }
    if func == Function::QuoteNullable && values[0].is_null() {
        return Ok(Value::Text("NULL".to_string()));
    }
    if values.iter().any(Value::is_null) {
        return Ok(Value::Null);
    }
    if let Some(v) = super::sequence_functions::call(func, &values, ctx)? {
        return Ok(v);
    }
    if let Some(v) = super::backend_functions::call(func, &values, ctx)? {
        return Ok(v);
    }
    if let Some(v) = super::privilege_functions::call(func, &values, ctx)? {
        return Ok(v);
    }
    if let Some(v) = super::catalog_functions::call(func, &values, ctx)? {
        return Ok(v);
    }
    if let Some(v) = super::regex::call(func, &values)? {
        return Ok(v);
    }
    if let Some(v) = super::math_functions::call(func, &values)? {
        return Ok(v);
    }
    if let Some(v) = super::array_functions::call(func, &values)? {
        return Ok(v);
    }
    if let Some(v) = super::datetime_functions::call(func, &values)? {
        return Ok(v);
    }
    if let Some(v) = super::string_functions::call(func, &values)? {
        return Ok(v);
    }
    let types: Vec<DataType> = args.iter().map(Expr::data_type).collect();
    if let Some(v) = super::jsonb_functions::call(func, &values, &types, ty)? {
        return Ok(v);
    }
    match func {
        Function::PgSleep => pg_sleep(&values[0], ctx),
        Function::CurrentSetting => super::setting_functions::current_setting(&values, ctx),
        Function::SettingValue => super::setting_functions::setting_value(&values, ctx),
        Function::SetConfig => super::setting_functions::set_config(&values, ctx),
        Function::Now => Ok(Value::Timestamptz(ctx.context().statement_time)),
        Function::LocalTimestamp => Ok(Value::Timestamp(ctx.context().statement_time)),
        Function::CurrentDate => Ok(Value::Date(
            ctx.context()
                .statement_time
                .div_euclid(datetime::USECS_PER_DAY) as i32,
        )),
        _ => call_strict(func, values, ty),
    }
}

fn text_arg(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        _ => "",
    }
}

fn int_arg(v: &Value) -> i64 {
    v.as_i64().unwrap_or(0)
}

fn concat(func: Function, values: Vec<Value>) -> Value {
    let (sep, rest) = match func {
        Function::ConcatWs => match values.first() {
            Some(Value::Text(s)) => (s.clone(), &values[1..]),
            _ => return Value::Null,
        },
        _ => (String::new(), &values[..]),
    };
    let parts: Vec<String> = rest.iter().filter_map(crate::types::text::format).collect();
    Value::Text(parts.join(&sep))
}

fn call_strict(func: Function, v: Vec<Value>, ty: DataType) -> Result<Value> {
    Ok(match func {
        Function::Length => match &v[0] {
            Value::Bytea(b) => Value::Int4(b.len() as i32),
            Value::Text(s) => Value::Int4(s.chars().count() as i32),
            _ => Value::Null,
        },
        Function::OctetLength => match &v[0] {
            Value::Bytea(b) => Value::Int4(b.len() as i32),
            other => Value::Int4(text_arg(other).len() as i32),
        },
        Function::GetByte => {
            let (Value::Bytea(b), n) = (&v[0], int_arg(&v[1])) else {
                return Ok(Value::Null);
            };
            match usize::try_from(n).ok().and_then(|i| b.get(i)) {
                Some(byte) => Value::Int4(*byte as i32),
                None => {
                    return Err(crate::errinput!(
                        "2202E",
                        "index {n} out of valid range, 0..{}",
                        b.len() as i64 - 1
                    ))
                }
            }
        }
        Function::Lower => Value::Text(text_arg(&v[0]).to_lowercase()),
        Function::QuoteLiteral | Function::QuoteNullable => {
            Value::Text(quote_literal(text_arg(&v[0])))
        }
        Function::QuoteIdent => Value::Text(crate::sql::binder::system_views::quote_ident(
            text_arg(&v[0]),
        )),
        Function::Upper => Value::Text(text_arg(&v[0]).to_uppercase()),
        Function::Substr => substr(text_arg(&v[0]), int_arg(&v[1]), v.get(2).map(int_arg))?,
        Function::Btrim | Function::Ltrim | Function::Rtrim => {
            let chars: Vec<char> = v
                .get(1)
                .map_or(vec![' '], |c| text_arg(c).chars().collect());
            let s = text_arg(&v[0]);
            let s = match func {
                Function::Ltrim => s.trim_start_matches(&chars[..]),
                Function::Rtrim => s.trim_end_matches(&chars[..]),
                _ => s.trim_matches(&chars[..]),
            };
            Value::Text(s.to_string())
        }
        Function::Replace => {
            let (s, from, to) = (text_arg(&v[0]), text_arg(&v[1]), text_arg(&v[2]));
            Value::Text(if from.is_empty() {
                s.to_string()
            } else {
                s.replace(from, to)
            })
        }
        Function::Strpos => {
            let (s, sub) = (text_arg(&v[0]), text_arg(&v[1]));
            Value::Int4(
                s.find(sub)
                    .map_or(0, |byte| s[..byte].chars().count() as i32 + 1),
            )
        }
        Function::Repeat => {
            let (s, n) = (text_arg(&v[0]), int_arg(&v[1]).max(0) as usize);
            if s.len().saturating_mul(n) >= 1 << 30 {
                return Err(crate::errinput!(
                    crate::error::sqlstate::PROGRAM_LIMIT_EXCEEDED,
                    "requested length too large"
                ));
            }
            Value::Text(s.repeat(n))
        }
        Function::Left | Function::Right => {
            let s = text_arg(&v[0]);
            let len = s.chars().count() as i64;
            let n = int_arg(&v[1]);
            // A negative count leaves out that many from the other end.
            let keep = if n < 0 { (len + n).max(0) } else { n.min(len) } as usize;
            Value::Text(if func == Function::Left {
                s.chars().take(keep).collect()
            } else {
                s.chars().skip(len as usize - keep).collect()
            })
        }
        Function::Abs => match &v[0] {
            Value::Int2(i) => Value::Int2(i.checked_abs().ok_or_else(|| range("smallint"))?),
            Value::Int4(i) => Value::Int4(i.checked_abs().ok_or_else(|| range("integer"))?),
            Value::Int8(i) => Value::Int8(i.checked_abs().ok_or_else(|| range("bigint"))?),
            Value::Float4(f) => Value::Float4(f.abs()),
            Value::Float8(f) => Value::Float8(f.abs()),
            Value::Numeric(d) => Value::Numeric(d.abs()),
            Value::NumericSpecial(crate::types::numeric::Special::NegInf) => {
                Value::NumericSpecial(crate::types::numeric::Special::PosInf)
            }
            s @ Value::NumericSpecial(_) => s.clone(),
            _ => Value::Null,
        },
        Function::Round | Function::Trunc => round_or_trunc(func, &v)?,
        Function::Ceil | Function::Floor => match &v[0] {
            Value::Float8(f) => Value::Float8(if func == Function::Ceil {
                f.ceil()
            } else {
                f.floor()
            }),
            Value::Numeric(d) => {
                let mode = if func == Function::Ceil {
                    bigdecimal::RoundingMode::Ceiling
                } else {
                    bigdecimal::RoundingMode::Floor
                };
                Value::Numeric(d.with_scale_round(0, mode))
            }
            s @ Value::NumericSpecial(_) => s.clone(),
            _ => Value::Null,
        },
        Function::Sign => match &v[0] {
            Value::Float8(f) => Value::Float8(if *f > 0.0 {
                1.0
            } else if *f < 0.0 {
                -1.0
            } else {
                0.0
            }),
            Value::Numeric(d) => Value::Numeric(BigDecimal::from(if d.is_zero() {
                0
            } else if d.is_positive() {
                1
            } else {
                -1
            })),
            Value::NumericSpecial(s) => match s {
                crate::types::numeric::Special::NaN => v[0].clone(),
                crate::types::numeric::Special::PosInf => Value::Numeric(BigDecimal::from(1)),
                crate::types::numeric::Special::NegInf => Value::Numeric(BigDecimal::from(-1)),
            },
            _ => Value::Null,
        },
        Function::Mod => super::ops::binary(
            super::super::expr::BinaryOp::Modulo,
            v[0].clone(),
            v[1].clone(),
            ty,
        )?,
        Function::Power => power(&v[0], &v[1])?,
        Function::RecordField(at) => match &v[0] {
            Value::Record(fields) => fields.get(at).cloned().unwrap_or(Value::Null),
            _ => Value::Null,
        },
        Function::Sqrt => match &v[0] {
            Value::Float8(f) if *f < 0.0 => return Err(sqrt_negative()),
            Value::Float8(f) => Value::Float8(f.sqrt()),
            Value::Numeric(d) => Value::Numeric(sqrt_numeric(d)?),
            Value::NumericSpecial(crate::types::numeric::Special::NegInf) => {
                return Err(sqrt_negative())
            }
            s @ Value::NumericSpecial(_) => s.clone(),
            _ => Value::Null,
        },
        other => {
            return Err(crate::errinternal!(
                "function {other:?} evaluated as strict"
            ))
        }
    })
}

fn range(name: &str) -> crate::error::Error {
    errinput!(sqlstate::NUMERIC_VALUE_OUT_OF_RANGE, "{name} out of range")
}

fn sqrt_negative() -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_ARGUMENT_FOR_POWER,
        "cannot take square root of a negative number"
    )
}

/// substr with PostgreSQL's rules for starts before 1 and negative lengths.
fn substr(s: &str, start: i64, len: Option<i64>) -> Result<Value> {
    if let Some(l) = len {
        if l < 0 {
            return Err(errinput!(
                sqlstate::SUBSTRING_ERROR,
                "negative substring length not allowed"
            ));
        }
    }
    let end = len.map(|l| start.saturating_add(l));
    let from = start.max(1);
    let chars = s.chars().skip((from - 1) as usize);
    let out: String = match end {
        Some(e) if e <= from => String::new(),
        Some(e) => chars.take((e - from) as usize).collect(),
        None => chars.collect(),
    };
    Ok(Value::Text(out))
}

fn round_or_trunc(func: Function, v: &[Value]) -> Result<Value> {
    let places = v.get(1).map(int_arg).unwrap_or(0);
    Ok(match &v[0] {
        Value::Float8(f) => Value::Float8(if func == Function::Round {
            f.round_ties_even()
        } else {
            f.trunc()
        }),
        Value::Numeric(d) => {
            let mode = if func == Function::Round {
                bigdecimal::RoundingMode::HalfUp
            } else {
                bigdecimal::RoundingMode::Down
            };
            let r = d.with_scale_round(places, mode);
            // A negative place count rounds left of the point; scale stays 0.
            Value::Numeric(if places < 0 { r.with_scale(0) } else { r })
        }
        s @ Value::NumericSpecial(_) => s.clone(),
        _ => Value::Null,
    })
}

fn power(base: &Value, exp: &Value) -> Result<Value> {
    let (b, e) = match (base, exp) {
        (Value::Float8(b), Value::Float8(e)) => (b, e),
        (Value::Numeric(b), Value::Numeric(e)) => {
            return Ok(Value::Numeric(super::math_functions::power_numeric(b, e)?))
        }
        _ => return Ok(Value::Null),
    };
    if *b == 0.0 && *e < 0.0 {
        return Err(errinput!(
            sqlstate::INVALID_ARGUMENT_FOR_POWER,
            "zero raised to a negative power is undefined"
        ));
    }
    if *b < 0.0 && e.fract() != 0.0 {
        return Err(errinput!(
            sqlstate::INVALID_ARGUMENT_FOR_POWER,
            "a negative number raised to a non-integer power yields a complex result"
        ));
    }
    let r = b.powf(*e);
    if r.is_infinite() {
        return Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "value out of range: overflow"
        ));
    }
    Ok(Value::Float8(r))
}

/// Square root with PostgreSQL's result scale (at least 16 significant digits).
fn sqrt_numeric(d: &BigDecimal) -> Result<BigDecimal> {
    if d.is_negative() {
        return Err(sqrt_negative());
    }
    if d.is_zero() {
        return Ok(BigDecimal::zero().with_scale(d.fractional_digit_count().max(0)));
    }
    let (digits, scale) = d.as_bigint_and_exponent();
    let integer_digits = digits.to_string().len() as i64 - scale;
    // Base-10000 weight of the argument, as PostgreSQL computes it.
    let weight = (integer_digits - 1).div_euclid(4);
    let sweight = (weight + 1) * 4 / 2 - 1;
    let rscale = (16 - sweight)
        .max(d.fractional_digit_count().max(0))
        .clamp(0, 1000);
    // floor(sqrt(d * 10^(2(r+1)))) then round the extra digit.
    let shift = 2 * (rscale + 1) - scale;
    let n: BigInt = if shift >= 0 {
        digits * BigInt::from(10).pow(shift as u32)
    } else {
        digits / BigInt::from(10).pow((-shift) as u32)
    };
    let root = n.sqrt();
    let r = BigDecimal::new(root, rscale + 1);
    Ok(numeric::round(&r, rscale))
}

/// `pg_sleep(seconds)`: waits in short slices so a cancel or
/// statement_timeout stops it (57014); returns void's empty text.
fn pg_sleep(seconds: &Value, ctx: &dyn Env) -> Result<Value> {
    let seconds = match seconds {
        Value::Float8(s) if s.is_finite() && *s > 0.0 => *s,
        _ => 0.0,
    };
    let until = std::time::Instant::now() + std::time::Duration::from_secs_f64(seconds.min(1e7));
    loop {
        ctx.check_interrupts()?;
        let now = std::time::Instant::now();
        if now >= until {
            return Ok(Value::Text(String::new()));
        }
        std::thread::sleep((until - now).min(std::time::Duration::from_millis(10)));
    }
}

/// PostgreSQL's quote_literal: quotes doubled, and an `E'…'` string with
/// doubled backslashes when there are any.
pub(super) fn quote_literal(s: &str) -> String {
    let quoted = s.replace('\'', "''");
    if s.contains('\\') {
        format!("E'{}'", quoted.replace('\\', "\\\\"))
    } else {
        format!("'{quoted}'")
    }
}
