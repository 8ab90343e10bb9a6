//! Binding set-returning functions: `generate_series`, `unnest` and
//! `generate_subscripts`. In a select list each call becomes a column of a
//! ProjectSet below the projection (the binder collects them while the
//! list is bound); in FROM a call is a ProjectSet over one empty row.

use sqlparser::ast;

use super::scope::Scope;
use super::types::common_type;
use super::Binder;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Expr;
use crate::sql::plan::{SetCall, SetFunction};
use crate::types::DataType;

/// Calls (set-returning or window) collected while a select list is
/// bound; each becomes a column after the rows the list reads.
#[derive(Debug)]
pub struct Collected<T> {
    /// The width of the rows the select list reads.
    pub base: usize,
    pub calls: Vec<T>,
}

impl<T> Collected<T> {
    /// Nothing collected yet over rows `base` columns wide.
    pub fn new(base: usize) -> Self {
        Collected {
            base,
            calls: Vec::new(),
        }
    }

    /// Adds a call; the column that will hold its value.
    pub fn push(&mut self, call: T, ty: DataType) -> Expr {
        self.calls.push(call);
        Expr::Column {
            index: self.base + self.calls.len() - 1,
            ty,
        }
    }
}

/// Set-returning calls of a select list.
pub type SetCalls = Collected<SetCall>;

/// The set-returning function a name calls, if any.
pub fn set_function(name: &str) -> Option<SetFunction> {
    Some(match name {
        "generate_series" => SetFunction::Series,
        "unnest" => SetFunction::Unnest,
        "generate_subscripts" => SetFunction::Subscripts,
        "_pg_expandarray" => SetFunction::ExpandArray,
        // In a select list: (key, value) records; FROM binds them apart.
        "json_each" | "jsonb_each" | "json_each_text" | "jsonb_each_text" => SetFunction::JsonEach,
        "pg_partition_ancestors" => SetFunction::PartitionAncestors,
        "json_array_elements" | "jsonb_array_elements" => SetFunction::JsonElements,
        "json_array_elements_text" | "jsonb_array_elements_text" => SetFunction::JsonElementsText,
        "json_object_keys" | "jsonb_object_keys" => SetFunction::JsonObjectKeys,
        _ => return None,
    })
}

impl Binder<'_> {
    /// A set-returning call in an expression: a column of the select
    /// list's ProjectSet.
    pub(super) fn bind_set_call(
        &mut self,
        func: SetFunction,
        name: &str,
        args: &[&ast::Expr],
        scope: &Scope,
    ) -> Result<Expr> {
        if self.set_calls.is_none() {
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "set-returning functions are not allowed here"
            )
            .with_hint(format!("{name}() may appear in a select list or in FROM.")));
        }
        let call = self.set_call(func, name, args, scope)?;
        let ty = call.ty;
        let Some(collected) = self.set_calls.as_mut() else {
            return Err(crate::errinternal!("set-returning calls vanished"));
        };
        Ok(collected.push(call, ty))
    }

    /// Binds a call's arguments and picks its signature.
    pub(super) fn set_call(
        &mut self,
        func: SetFunction,
        name: &str,
        args: &[&ast::Expr],
        scope: &Scope,
    ) -> Result<SetCall> {
        let mut func = func;
        let mut bound = Vec::with_capacity(args.len());
        for a in args {
            let e = self.bind_expr(a, scope)?;
            if func == SetFunction::Subscripts
                && bound.is_empty()
                && e.data_type().vector_element().is_some()
            {
                func = SetFunction::VectorSubscripts;
            }
            bound.push(super::arrays::vector_as_array(e));
        }
        let types: Vec<DataType> = bound.iter().map(Expr::data_type).collect();
        let no_such = || {
            let names: Vec<&str> = types.iter().map(|t| t.sql_name()).collect();
            errinput!(
                sqlstate::UNDEFINED_FUNCTION,
                "function {name}({}) does not exist",
                names.join(", ")
            )
            .with_hint("No function matches the given name and argument types. You might need to add explicit type casts.")
        };
        let (args, ty) = match func {
            SetFunction::Series => {
                let Some((sig, ty)) = series_signature(&types) else {
                    return Err(no_such());
                };
                let args = bound
                    .into_iter()
                    .zip(sig)
                    .map(|(e, t)| self.coerce(e, t))
                    .collect::<Result<Vec<_>>>()?;
                (args, ty)
            }
            SetFunction::ExpandArray => match types.as_slice() {
                [DataType::Array(elem)] => match crate::types::record::expand_array_fields(**elem) {
                    Some(fields) => (bound, DataType::Record(fields)),
                    None => return Err(no_such()),
                },
                _ => return Err(no_such()),
            },
            SetFunction::Unnest => match types.as_slice() {
                [DataType::Array(elem)] => (bound, **elem),
                [DataType::Unknown] => {
                    return Err(errinput!(
                        "42725",
                        "function unnest(unknown) is not unique"
                    )
                    .with_hint("Could not choose a best candidate function. You might need to add explicit type casts."))
                }
                _ => return Err(no_such()),
            },
            SetFunction::PartitionAncestors => match bound.as_slice() {
                [one] => {
                    let arg = self.coerce(one.clone(), DataType::Reg(crate::types::RegKind::Class))?;
                    (vec![arg], DataType::Reg(crate::types::RegKind::Class))
                }
                _ => return Err(no_such()),
            },
            SetFunction::Subscripts | SetFunction::VectorSubscripts => match types.as_slice() {
                [DataType::Array(_), dim] | [DataType::Array(_), dim, DataType::Bool]
                    if dim.is_numeric() || *dim == DataType::Unknown =>
                {
                    let mut bound = bound;
                    bound[1] = self.coerce(bound[1].clone(), DataType::Int4)?;
                    (bound, DataType::Int4)
                }
                _ => return Err(no_such()),
            },
            SetFunction::JsonEachKey | SetFunction::JsonEachValue | SetFunction::JsonEachValueText => {
                return Err(no_such())
            }
            SetFunction::JsonEach
            | SetFunction::JsonElements
            | SetFunction::JsonElementsText
            | SetFunction::JsonObjectKeys => {
                let doc = if name.starts_with("jsonb") { DataType::Jsonb } else { DataType::Json };
                let [one] = types.as_slice() else {
                    return Err(no_such());
                };
                if !matches!(*one, DataType::Unknown) && *one != doc {
                    return Err(no_such());
                }
                let arg = self.coerce(bound[0].clone(), doc)?;
                let text = name.ends_with("_text") || func == SetFunction::JsonObjectKeys;
                let value = if text { DataType::Text } else { doc };
                let ty = if func == SetFunction::JsonEach {
                    // (key, value) records.
                    DataType::Record(crate::types::record::key_value_fields(value))
                } else {
                    value
                };
                (vec![arg], ty)
            }
        };
        Ok(SetCall { func, args, ty })
    }
}

/// generate_series's argument types and element type: integers or
/// numerics by their common type; timestamps (dates as timestamptz) with
/// an interval step.
pub(super) fn series_signature(types: &[DataType]) -> Option<(Vec<DataType>, DataType)> {
    use DataType as T;
    if !(2..=3).contains(&types.len()) {
        return None;
    }
    let bounds = &types[..2];
    if bounds.iter().any(|t| t.is_datetime()) {
        let mut ty = T::Unknown;
        for t in bounds.iter().filter(|t| **t != T::Unknown) {
            ty = common_type(ty, *t)?;
        }
        let ty = if ty == T::Date { T::Timestamptz } else { ty };
        let step_fits = types
            .get(2)
            .is_some_and(|t| matches!(t, T::Interval | T::Unknown));
        return (ty.is_datetime() && step_fits).then(|| (vec![ty, ty, T::Interval], ty));
    }
    let mut ty = T::Int4;
    for t in types.iter().filter(|t| **t != T::Unknown) {
        ty = common_type(ty, *t)?;
    }
    matches!(ty, T::Int4 | T::Int8 | T::Numeric).then(|| (vec![ty; types.len()], ty))
}
