//! Typing `||` (text, bytea, arrays, jsonb) and the arithmetic operators
//! with PostgreSQL's operand coercion (integer division truncates,
//! date/time arithmetic, numeric widening).

use super::expr::no_operator;
use super::types::common_type;
use super::Binder;
use crate::error::Result;
use crate::sql::expr::{BinaryOp, Expr};
use crate::types::DataType;

impl Binder<'_> {
    pub(super) fn bind_concat(&mut self, l: Expr, r: Expr) -> Result<Expr> {
        let (l, r) = match self.bind_jsonb_concat(l, r)? {
            Ok(bound) => return Ok(bound),
            Err(operands) => operands,
        };
        let (lt, rt) = (l.data_type(), r.data_type());
        if lt == DataType::Bytea && (rt == DataType::Bytea || rt == DataType::Unknown) {
            let r = self.coerce(r, DataType::Bytea)?;
            return Ok(Expr::Binary {
                op: BinaryOp::Concat,
                left: Box::new(l),
                right: Box::new(r),
                ty: DataType::Bytea,
            });
        }
        if matches!(lt, DataType::Array(_)) || matches!(rt, DataType::Array(_)) {
            return self.bind_array_concat(l, r);
        }
        if !lt.is_string() && !rt.is_string() {
            return Err(no_operator(&format!(
                "{} || {}",
                lt.sql_name(),
                rt.sql_name()
            )));
        }
        let as_text = |b: &mut Self, e: Expr| -> Result<Expr> {
            match e.data_type() {
                DataType::Unknown => b.coerce(e, DataType::Text),
                DataType::Text => Ok(e),
                _ => Ok(Expr::Cast {
                    expr: Box::new(e),
                    to: DataType::Text.into(),
                    explicit: false,
                }),
            }
        };
        let l = as_text(self, l)?;
        let r = as_text(self, r)?;
        Ok(Expr::Binary {
            op: BinaryOp::Concat,
            left: Box::new(l),
            right: Box::new(r),
            ty: DataType::Text,
        })
    }

    pub(super) fn bind_arithmetic(&mut self, op: BinaryOp, l: Expr, r: Expr) -> Result<Expr> {
        let (l, r) = match op {
            BinaryOp::Subtract => match self.bind_jsonb_delete(l, r)? {
                Ok(bound) => return Ok(bound),
                Err(operands) => operands,
            },
            _ => (l, r),
        };
        let (lt, rt) = (l.data_type(), r.data_type());
        // date ± integer, integer + date, date - date
        let date_int =
            |t: DataType| matches!(t, DataType::Int2 | DataType::Int4 | DataType::Unknown);
        if lt == DataType::Date && date_int(rt) && matches!(op, BinaryOp::Add | BinaryOp::Subtract)
        {
            let r = self.coerce(r, DataType::Int4)?;
            return Ok(Expr::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
                ty: DataType::Date,
            });
        }
        if rt == DataType::Date && date_int(lt) && op == BinaryOp::Add {
            let l = self.coerce(l, DataType::Int4)?;
            return Ok(Expr::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
                ty: DataType::Date,
            });
        }
        if lt == DataType::Date && rt == DataType::Date && op == BinaryOp::Subtract {
            return Ok(Expr::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
                ty: DataType::Int4,
            });
        }
        let (l, r) = match self.bind_interval_arithmetic(op, l, r)? {
            Ok(bound) => return Ok(bound),
            Err(operands) => operands,
        };
        let numeric_or_unknown = |t: DataType| t.is_numeric() || t == DataType::Unknown;
        let target = match common_type(lt, rt) {
            Some(t) if numeric_or_unknown(lt) && numeric_or_unknown(rt) && t.is_numeric() => t,
            _ => {
                return Err(no_operator(&format!(
                    "{} {} {}",
                    lt.sql_name(),
                    op.symbol(),
                    rt.sql_name()
                )))
            }
        };
        if op == BinaryOp::Modulo && matches!(target, DataType::Float4 | DataType::Float8) {
            return Err(no_operator(&format!(
                "{} % {}",
                target.sql_name(),
                target.sql_name()
            )));
        }
        let l = self.coerce(l, target)?;
        let r = self.coerce(r, target)?;
        Ok(Expr::Binary {
            op,
            left: Box::new(l),
            right: Box::new(r),
            ty: target,
        })
    }
}
