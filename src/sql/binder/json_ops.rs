//! Binding the JSON operators as PostgreSQL types them: `->` and `->>`
//! (a key or an array index, on json and jsonb), `#>` and `#>>` (a text[]
//! path), and on jsonb `@>`, `<@`, `?`, `?|`, `?&`, `||` and `-` (a key,
//! an index or a text[] of keys). Each becomes a call to a JSON function.
//! On arrays, `@>`, `<@` and `&&` are the array operators (`binder::arrays`).

use sqlparser::ast::{self, BinaryOperator};

use super::expr::no_operator;
use super::scope::Scope;
use super::Binder;
use crate::error::Result;
use crate::sql::expr::{Expr, Function};
use crate::types::DataType;

const TEXT_ARRAY: DataType = DataType::Array(&DataType::Text);

fn is_json(t: DataType) -> bool {
    matches!(t, DataType::Json | DataType::Jsonb)
}

impl Binder<'_> {
    /// A JSON operator; None if `op` is not one.
    pub(super) fn bind_json_operator(
        &mut self,
        left: &ast::Expr,
        op: &BinaryOperator,
        right: &ast::Expr,
        scope: &Scope,
    ) -> Result<Option<Expr>> {
        use BinaryOperator as B;
        if !matches!(
            op,
            B::Arrow
                | B::LongArrow
                | B::HashArrow
                | B::HashLongArrow
                | B::AtArrow
                | B::ArrowAt
                | B::PGOverlap
                | B::Question
                | B::QuestionPipe
                | B::QuestionAnd
        ) {
            return Ok(None);
        }
        let l = self.bind_expr(left, scope)?;
        let r = self.bind_expr(right, scope)?;
        let (lt, rt) = (l.data_type(), r.data_type());
        let fail = || {
            no_operator(&format!(
                "{} {op} {}",
                if lt == DataType::Unknown {
                    "unknown"
                } else {
                    lt.sql_name()
                },
                if rt == DataType::Unknown {
                    "unknown"
                } else {
                    rt.sql_name()
                }
            ))
        };
        let array = |t: DataType| matches!(t, DataType::Array(_));
        if matches!(op, B::AtArrow | B::ArrowAt | B::PGOverlap) && (array(lt) || array(rt)) {
            return self.bind_array_operator(l, op, r).map(Some);
        }
        let (func, args, ty) = match op {
            B::Arrow | B::LongArrow if is_json(lt) => {
                let (func, r) = match rt {
                    DataType::Int2 | DataType::Int4 | DataType::Int8 => {
                        (Function::JsonIndex, self.coerce(r, DataType::Int4)?)
                    }
                    t if t.is_string() => (Function::JsonField, self.coerce(r, DataType::Text)?),
                    _ => return Err(fail()),
                };
                let ty = if *op == B::Arrow { lt } else { DataType::Text };
                (func, vec![l, r], ty)
            }
            B::HashArrow | B::HashLongArrow if is_json(lt) => {
                if !(rt == TEXT_ARRAY || rt == DataType::Unknown) {
                    return Err(fail());
                }
                let r = self.coerce(r, TEXT_ARRAY)?;
                let ty = if *op == B::HashArrow {
                    lt
                } else {
                    DataType::Text
                };
                (Function::JsonPath, vec![l, r], ty)
            }
            B::AtArrow | B::ArrowAt => {
                let jsonb = |t: DataType| matches!(t, DataType::Jsonb | DataType::Unknown);
                if !(jsonb(lt) && jsonb(rt)) || (lt, rt) == (DataType::Unknown, DataType::Unknown) {
                    return Err(fail());
                }
                let l = self.coerce(l, DataType::Jsonb)?;
                let r = self.coerce(r, DataType::Jsonb)?;
                let args = if *op == B::AtArrow {
                    vec![l, r]
                } else {
                    vec![r, l]
                };
                (Function::JsonContains, args, DataType::Bool)
            }
            B::Question if lt == DataType::Jsonb && (rt.is_string()) => {
                let r = self.coerce(r, DataType::Text)?;
                (Function::JsonHasKey, vec![l, r], DataType::Bool)
            }
            B::QuestionPipe | B::QuestionAnd
                if lt == DataType::Jsonb && (rt == TEXT_ARRAY || rt == DataType::Unknown) =>
            {
                let r = self.coerce(r, TEXT_ARRAY)?;
                let func = if *op == B::QuestionPipe {
                    Function::JsonHasAnyKey
                } else {
                    Function::JsonHasAllKeys
                };
                (func, vec![l, r], DataType::Bool)
            }
            _ => return Err(fail()),
        };
        Ok(Some(Expr::Call { func, args, ty }))
    }

    /// `jsonb || jsonb`; None unless a side is jsonb.
    pub(super) fn bind_jsonb_concat(
        &mut self,
        l: Expr,
        r: Expr,
    ) -> Result<Result<Expr, (Expr, Expr)>> {
        let (lt, rt) = (l.data_type(), r.data_type());
        let fits = |t: DataType| matches!(t, DataType::Jsonb | DataType::Unknown);
        if !(fits(lt) && fits(rt) && (lt == DataType::Jsonb || rt == DataType::Jsonb)) {
            return Ok(Err((l, r)));
        }
        let l = self.coerce(l, DataType::Jsonb)?;
        let r = self.coerce(r, DataType::Jsonb)?;
        Ok(Ok(Expr::Call {
            func: Function::JsonConcat,
            args: vec![l, r],
            ty: DataType::Jsonb,
        }))
    }

    /// `jsonb - text`, `jsonb - int`, `jsonb - text[]`; None unless the
    /// left side is jsonb.
    pub(super) fn bind_jsonb_delete(
        &mut self,
        l: Expr,
        r: Expr,
    ) -> Result<Result<Expr, (Expr, Expr)>> {
        if l.data_type() != DataType::Jsonb {
            return Ok(Err((l, r)));
        }
        let (func, r) = match r.data_type() {
            DataType::Int2 | DataType::Int4 | DataType::Int8 => {
                (Function::JsonDeleteIndex, self.coerce(r, DataType::Int4)?)
            }
            t if t == TEXT_ARRAY => (Function::JsonDeleteKeys, r),
            t if t.is_string() => (Function::JsonDeleteKey, self.coerce(r, DataType::Text)?),
            t => return Err(no_operator(&format!("jsonb - {}", t.sql_name()))),
        };
        Ok(Ok(Expr::Call {
            func,
            args: vec![l, r],
            ty: DataType::Jsonb,
        }))
    }
}

/// The signatures of the fixed-argument JSON functions.
pub(super) fn signature(
    name: &str,
    types: &[DataType],
) -> Option<(Function, Vec<DataType>, DataType)> {
    use DataType as T;
    let jsonb = |i: usize| matches!(types.get(i), Some(T::Jsonb | T::Unknown));
    let json = |i: usize| matches!(types.get(i), Some(T::Json | T::Unknown));
    Some(match (name, types.len()) {
        ("jsonb_typeof", 1) if jsonb(0) => (Function::JsonTypeof, vec![T::Jsonb], T::Text),
        ("json_typeof", 1) if json(0) => (Function::JsonTypeof, vec![T::Json], T::Text),
        ("jsonb_array_length", 1) if jsonb(0) => {
            (Function::JsonArrayLength, vec![T::Jsonb], T::Int4)
        }
        ("json_array_length", 1) if json(0) => (Function::JsonArrayLength, vec![T::Json], T::Int4),
        ("jsonb_pretty", 1) if jsonb(0) => (Function::JsonbPretty, vec![T::Jsonb], T::Text),
        ("jsonb_strip_nulls", 1) if jsonb(0) => {
            (Function::JsonbStripNulls, vec![T::Jsonb], T::Jsonb)
        }
        ("jsonb_set", 3 | 4) if jsonb(0) && (types[1] == T::Unknown || types[1] == TEXT_ARRAY) => {
            let mut sig = vec![T::Jsonb, TEXT_ARRAY, T::Jsonb];
            if types.len() == 4 {
                sig.push(T::Bool);
            }
            (Function::JsonbSet, sig, T::Jsonb)
        }
        ("to_jsonb" | "to_json", 1) => {
            let arg = if types[0] == T::Unknown {
                T::Text
            } else {
                types[0]
            };
            let ty = if name == "to_jsonb" {
                T::Jsonb
            } else {
                T::Json
            };
            (Function::ToJson, vec![arg], ty)
        }
        _ => return None,
    })
}
