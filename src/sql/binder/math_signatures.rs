//! The math functions' signatures (ln, log, exp, cbrt, pi, the
//! trigonometric ones, sqrt, power: float8, or numeric for numeric
//! arguments as PostgreSQL resolves them) and the bitwise operators on
//! integers. Evaluated in `eval/math_functions.rs`.

use super::expr::no_operator;
use super::types::{common_type, float_or_numeric, numeric_like};
use super::Binder;
use crate::error::Result;
use crate::sql::expr::{BitwiseOp, Expr, Function, MathFunction};
use crate::types::DataType;

/// The bitwise operator a binary operator is, if it is one.
pub(super) fn bitwise_op(op: &sqlparser::ast::BinaryOperator) -> Option<BitwiseOp> {
    use sqlparser::ast::BinaryOperator as B;
    Some(match op {
        B::BitwiseAnd => BitwiseOp::And,
        B::BitwiseOr => BitwiseOp::Or,
        B::PGBitwiseXor => BitwiseOp::Xor,
        B::PGBitwiseShiftLeft => BitwiseOp::ShiftLeft,
        B::PGBitwiseShiftRight => BitwiseOp::ShiftRight,
        _ => return None,
    })
}

/// (function, argument types, result type), or None if `name` is not one
/// of these or the arguments do not fit.
pub(super) fn signature(
    name: &str,
    types: &[DataType],
) -> Option<(Function, Vec<DataType>, DataType)> {
    use DataType as T;
    let all = |f: &dyn Fn(&DataType) -> bool| types.iter().all(f);
    match (name, types.len()) {
        ("ln" | "exp" | "log" | "log10", 1) if numeric_like(&types[0]) => {
            let t = float_or_numeric(types[0]);
            let f = match name {
                "ln" => MathFunction::Ln,
                "exp" => MathFunction::Exp,
                _ => MathFunction::Log10,
            };
            Some((Function::Math(f), vec![t], t))
        }
        ("log", 2) if all(&numeric_like) => Some((
            Function::Math(MathFunction::Log),
            vec![T::Numeric; 2],
            T::Numeric,
        )),
        ("pi", 0) => Some((Function::Math(MathFunction::Pi), vec![], T::Float8)),
        ("atan2", 2) if all(&numeric_like) => Some((
            Function::Math(MathFunction::Atan2),
            vec![T::Float8; 2],
            T::Float8,
        )),
        (
            "cbrt" | "degrees" | "radians" | "sin" | "cos" | "tan" | "cot" | "asin" | "acos"
            | "atan" | "sinh" | "cosh" | "tanh",
            1,
        ) if numeric_like(&types[0]) => {
            let f = match name {
                "cbrt" => MathFunction::Cbrt,
                "degrees" => MathFunction::Degrees,
                "radians" => MathFunction::Radians,
                "sin" => MathFunction::Sin,
                "cos" => MathFunction::Cos,
                "tan" => MathFunction::Tan,
                "cot" => MathFunction::Cot,
                "asin" => MathFunction::Asin,
                "acos" => MathFunction::Acos,
                "atan" => MathFunction::Atan,
                "sinh" => MathFunction::Sinh,
                "cosh" => MathFunction::Cosh,
                _ => MathFunction::Tanh,
            };
            Some((Function::Math(f), vec![T::Float8], T::Float8))
        }
        ("sqrt", 1) if numeric_like(&types[0]) => {
            let t = float_or_numeric(types[0]);
            Some((Function::Sqrt, vec![t], t))
        }
        ("power" | "pow", 2) if all(&numeric_like) => {
            if types.contains(&T::Numeric) {
                Some((Function::Power, vec![T::Numeric; 2], T::Numeric))
            } else {
                Some((Function::Power, vec![T::Float8; 2], T::Float8))
            }
        }
        _ => None,
    }
}

impl Binder<'_> {
    /// `& | # << >>` on integers (the shift count is an int4).
    pub(super) fn bind_bitwise(&mut self, op: BitwiseOp, l: Expr, r: Expr) -> Result<Expr> {
        use DataType as T;
        let integer = |t: DataType| matches!(t, T::Int2 | T::Int4 | T::Int8 | T::Unknown);
        let (lt, rt) = (l.data_type(), r.data_type());
        if !integer(lt) || !integer(rt) {
            return Err(no_operator(&format!(
                "{} {} {}",
                lt.sql_name(),
                op.symbol(),
                rt.sql_name()
            )));
        }
        let (lt, rt) = if matches!(op, BitwiseOp::ShiftLeft | BitwiseOp::ShiftRight) {
            (if lt == T::Unknown { T::Int4 } else { lt }, T::Int4)
        } else {
            let t = match common_type(lt, rt) {
                Some(T::Unknown) | None => T::Int4,
                Some(t) => t,
            };
            (t, t)
        };
        let l = self.coerce_or_cast(l, lt)?;
        let r = self.coerce_or_cast(r, rt)?;
        Ok(Expr::Call {
            func: Function::Bitwise(op),
            args: vec![l, r],
            ty: lt,
        })
    }
}
