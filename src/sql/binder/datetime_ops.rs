//! Binding the interval operators as PostgreSQL resolves them:
//! `timestamp[tz] ± interval`, `date ± interval` (a timestamp),
//! `interval + timestamp[tz]|date`, `timestamp[tz] - timestamp[tz]` (an
//! interval), `interval ± interval`, `interval * number`,
//! `number * interval`, `interval / number`. An untyped literal on one side
//! takes the type the operator needs (`now() + '1 day'`). Also the
//! signatures of the date/time functions, `EXTRACT` fields and `INTERVAL`
//! literals.

use sqlparser::ast;

use super::Binder;
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr, Function};
use crate::types::{interval, DataType, Value};

type Operands = (Expr, Expr);

impl Binder<'_> {
    /// The bound operator, or the operands back if no interval operator
    /// applies.
    pub(super) fn bind_interval_arithmetic(
        &mut self,
        op: BinaryOp,
        l: Expr,
        r: Expr,
    ) -> Result<std::result::Result<Expr, Operands>> {
        use DataType as T;
        let (lt, rt) = (l.data_type(), r.data_type());
        let moment = |t: DataType| matches!(t, T::Timestamp | T::Timestamptz | T::Date);
        let time_of = |t: DataType| if t == T::Date { T::Timestamp } else { t };
        let additive = matches!(op, BinaryOp::Add | BinaryOp::Subtract);
        let number = |t: DataType| t.is_numeric() || t == T::Unknown;
        let (l_to, r_to, ty) = match (lt, rt) {
            // moment ± interval (an untyped right side is an interval for
            // +; for - it is the moment's own type, below).
            (l, T::Interval) if moment(l) && additive => (time_of(l), T::Interval, time_of(l)),
            (l, T::Unknown) if moment(l) && op == BinaryOp::Add && l != T::Date => {
                (l, T::Interval, l)
            }
            (T::Interval | T::Unknown, r) if moment(r) && op == BinaryOp::Add => {
                (T::Interval, time_of(r), time_of(r))
            }
            // timestamp - timestamp (an untyped side takes the other's type).
            (T::Timestamp | T::Timestamptz, T::Timestamp | T::Timestamptz | T::Unknown)
            | (T::Unknown, T::Timestamp | T::Timestamptz)
                if op == BinaryOp::Subtract =>
            {
                let common = if lt == T::Timestamptz || rt == T::Timestamptz {
                    T::Timestamptz
                } else {
                    T::Timestamp
                };
                (common, common, T::Interval)
            }
            (T::Interval, T::Interval | T::Unknown) | (T::Unknown, T::Interval) if additive => {
                (T::Interval, T::Interval, T::Interval)
            }
            (T::Interval, r)
                if number(r) && matches!(op, BinaryOp::Multiply | BinaryOp::Divide) =>
            {
                (T::Interval, T::Float8, T::Interval)
            }
            (l, T::Interval) if number(l) && l != T::Unknown && op == BinaryOp::Multiply => {
                (T::Float8, T::Interval, T::Interval)
            }
            _ => return Ok(Err((l, r))),
        };
        let l = self.coerce_or_cast(l, l_to)?;
        let r = self.coerce_or_cast(r, r_to)?;
        Ok(Ok(Expr::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
            ty,
        }))
    }

    /// An implicit cast, which for numbers to float8 and date to timestamp
    /// always exists.
    pub(super) fn coerce_or_cast(&mut self, e: Expr, to: DataType) -> Result<Expr> {
        let from = e.data_type();
        if from == to || from == DataType::Unknown {
            return self.coerce(e, to);
        }
        Ok(Expr::Cast {
            expr: Box::new(e),
            to: to.into(),
            explicit: false,
        })
    }
}

/// The signatures of the date/time functions: (function, argument types,
/// result type), or None if `name` is not one or the arguments do not fit.
pub(super) fn signature(
    name: &str,
    types: &[DataType],
) -> Option<(Function, Vec<DataType>, DataType)> {
    use DataType as T;
    let n = types.len();
    let text_like = |t: DataType| t.is_string();
    let integer = |t: DataType| matches!(t, T::Int2 | T::Int4 | T::Unknown);
    Some(match (name, n) {
        ("extract" | "date_part", 2) if text_like(types[0]) => {
            let arg = match types[1] {
                T::Unknown => T::Timestamptz,
                t @ (T::Timestamp | T::Timestamptz | T::Date | T::Interval) => t,
                _ => return None,
            };
            if name == "extract" {
                (Function::Extract, vec![T::Text, arg], T::Numeric)
            } else {
                (Function::DatePart, vec![T::Text, arg], T::Float8)
            }
        }
        ("date_trunc", 2) if text_like(types[0]) => {
            let arg = match types[1] {
                T::Timestamp => T::Timestamp,
                T::Timestamptz | T::Date | T::Unknown => T::Timestamptz,
                T::Interval => T::Interval,
                _ => return None,
            };
            (Function::DateTrunc, vec![T::Text, arg], arg)
        }
        ("age", 2) if types.iter().all(|t| t.is_datetime() || *t == T::Unknown) => {
            let plain = types.iter().all(|t| matches!(t, T::Timestamp | T::Date))
                && types.contains(&T::Timestamp);
            let t = if plain { T::Timestamp } else { T::Timestamptz };
            (Function::Age, vec![t, t], T::Interval)
        }
        ("justify_days" | "justify_hours" | "justify_interval", 1)
            if matches!(types[0], T::Interval | T::Unknown) =>
        {
            let f = match name {
                "justify_days" => Function::JustifyDays,
                "justify_hours" => Function::JustifyHours,
                _ => Function::JustifyInterval,
            };
            (f, vec![T::Interval], T::Interval)
        }
        ("make_interval", 0..=7)
            if types.iter().take(6).all(|t| integer(*t))
                && types
                    .get(6)
                    .is_none_or(|t| t.is_numeric() || *t == T::Unknown) =>
        {
            let mut sig = vec![T::Int4; n.min(6)];
            if n == 7 {
                sig.push(T::Float8);
            }
            (Function::MakeInterval, sig, T::Interval)
        }
        ("gen_random_uuid", 0) => (Function::GenRandomUuid, vec![], T::Uuid),
        ("random", 0) => (Function::Random, vec![], T::Float8),
        ("to_char", 2) if text_like(types[1]) => {
            let arg = match types[0] {
                T::Date | T::Unknown => T::Timestamptz,
                t @ (T::Timestamp | T::Timestamptz | T::Interval) => t,
                t if t.is_numeric() => t,
                _ => return None,
            };
            (Function::ToChar, vec![arg, T::Text], T::Text)
        }
        ("to_date", 2) if text_like(types[0]) && text_like(types[1]) => {
            (Function::ToDate, vec![T::Text, T::Text], T::Date)
        }
        ("to_timestamp", 2) if text_like(types[0]) && text_like(types[1]) => (
            Function::ToTimestamp,
            vec![T::Text, T::Text],
            T::Timestamptz,
        ),
        ("to_timestamp", 1) if types[0].is_numeric() || types[0] == T::Unknown => {
            (Function::ToTimestamp, vec![T::Float8], T::Timestamptz)
        }
        _ => return None,
    })
}

/// The name of an `extract` field (`EXTRACT(YEAR FROM …)` → `year`).
pub(super) fn field_name(field: &ast::DateTimeField) -> String {
    match field {
        ast::DateTimeField::Custom(ident) => ident.value.to_ascii_lowercase(),
        ast::DateTimeField::Week(_) => "week".to_string(),
        ast::DateTimeField::Millenium => "millennium".to_string(),
        other => other.to_string().to_ascii_lowercase(),
    }
}

impl Binder<'_> {
    /// `INTERVAL '1 day'`, `INTERVAL '5' DAY`: a literal; a bare number
    /// counts in the leading field.
    pub(super) fn bind_interval_literal(&mut self, iv: &ast::Interval) -> Result<Expr> {
        if iv.last_field.is_some()
            || iv.leading_precision.is_some()
            || iv.fractional_seconds_precision.is_some()
        {
            return Err(crate::errunsupported!(
                "interval fields or precision (INTERVAL {iv})"
            ));
        }
        let text = match iv.value.as_ref() {
            ast::Expr::Value(v) => match &v.value {
                ast::Value::SingleQuotedString(s) => s.clone(),
                ast::Value::Number(n, _) => n.clone(),
                _ => return Err(crate::errunsupported!("INTERVAL {iv}")),
            },
            _ => return Err(crate::errunsupported!("INTERVAL {iv}")),
        };
        let unit = match &iv.leading_field {
            None => interval::Unit::Second,
            Some(f) => interval::Unit::parse(&field_name(f))
                .ok_or_else(|| crate::errunsupported!("INTERVAL {iv}"))?,
        };
        let value = interval::parse(&text, unit)?;
        Ok(Expr::Literal(Value::Interval(value), DataType::Interval))
    }
}
