//! The enum support functions: `enum_first(x)`, `enum_last(x)` and
//! `enum_range(x)` depend only on the argument's type, so they bind to the
//! type's labels as constants (statements are bound each time they run,
//! so an `ALTER TYPE … ADD VALUE` is seen); `enum_range(a, b)` takes the
//! labels from `a` to `b` (a NULL bound is open) at run time, from the
//! type's labels given as a third, constant argument.

use super::Binder;
use crate::error::Result;
use crate::sql::expr::{Expr, Function};
use crate::types::array::{array_of, ArrayValue};
use crate::types::{DataType, Value};

impl Binder<'_> {
    /// An enum function's call, or None when `name` is not one or its
    /// arguments are not of an enum type.
    pub(super) fn bind_enum_function(
        &mut self,
        name: &str,
        args: Vec<Expr>,
        types: &[DataType],
    ) -> Result<Option<(Function, Vec<Expr>, DataType)>> {
        let Some(t) = types.iter().find_map(|t| match t {
            DataType::Enum(t) => Some(*t),
            _ => None,
        }) else {
            return Ok(None);
        };
        let ty = DataType::Enum(t);
        let Some(array) = array_of(ty) else {
            return Ok(None);
        };
        let labels = || {
            Value::Array(Box::new(ArrayValue {
                elem: ty,
                items: t.labels.iter().map(|l| t.value(l)).collect(),
            }))
        };
        // A constant, as pg_typeof's: the argument is never evaluated.
        let constant =
            |v: Value, ty: DataType| (Function::Coalesce, vec![Expr::Literal(v, ty)], ty);
        Ok(Some(match (name, args.len()) {
            ("enum_first", 1) => {
                let first = t.labels.first().map_or(Value::Null, |l| t.value(l));
                constant(first, ty)
            }
            ("enum_last", 1) => {
                let last = t.labels.last().map_or(Value::Null, |l| t.value(l));
                constant(last, ty)
            }
            ("enum_range", 1) => constant(labels(), array),
            ("enum_range", 2) => {
                let mut bound = Vec::with_capacity(3);
                for a in args {
                    bound.push(self.coerce(a, ty)?);
                }
                bound.push(Expr::Literal(labels(), array));
                (Function::EnumRange, bound, array)
            }
            _ => return Ok(None),
        }))
    }
}
