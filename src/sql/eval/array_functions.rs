//! Array functions: subscripts, `array_to_string`, `array_upper`,
//! `array_lower`, `array_length`, `cardinality`, `array_position`, `@>`,
//! `<@`, `&&` and `||`
//! — for one-dimensional arrays with lower bound 1, as PostgreSQL's.

use crate::error::Result;
use crate::sql::expr::Function;
use crate::types::{text, DataType, Value};

/// Evaluates an array function over non-NULL arguments; None for others.
pub fn call(func: Function, values: &[Value]) -> Result<Option<Value>> {
    let items = || match &values[0] {
        Value::Array(a) => a.items.as_slice(),
        _ => &[],
    };
    let dim_one = || matches!(values.get(1), Some(Value::Int4(1)));
    let len = || items().len() as i32;
    Ok(Some(match func {
        Function::ArraySubscript => {
            let Value::Int4(i) = values[1] else {
                return Ok(Some(Value::Null));
            };
            usize::try_from(i)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .and_then(|i| items().get(i).cloned())
                .unwrap_or(Value::Null)
        }
        Function::ArrayToString => array_to_string(values)?,
        Function::ArrayUpper if dim_one() && len() > 0 => Value::Int4(len()),
        Function::ArrayLower if dim_one() && len() > 0 => Value::Int4(1),
        Function::ArrayLength if dim_one() && len() > 0 => Value::Int4(len()),
        Function::ArrayUpper | Function::ArrayLower | Function::ArrayLength => Value::Null,
        Function::Cardinality => Value::Int4(len()),
        Function::ArrayContains | Function::ArrayOverlaps => {
            let Value::Array(other) = &values[1] else {
                return Ok(Some(Value::Null));
            };
            let found = |v: &Value| !v.is_null() && items().contains(v);
            Value::Bool(if func == Function::ArrayContains {
                other.items.iter().all(found)
            } else {
                other.items.iter().any(found)
            })
        }
        Function::ArrayPosition => items()
            .iter()
            .position(|v| !v.is_null() && *v == values[1])
            .map_or(Value::Null, |p| Value::Int4(p as i32 + 1)),
        _ => return Ok(None),
    }))
}

/// `enum_range(a, b)` given the type's labels in order: those from `a` to
/// `b` (a NULL bound is open; none when `a` sorts after `b`).
pub fn enum_range(values: &[Value]) -> Value {
    let sort = |v: &Value| match v {
        Value::Enum(e) => Some(e.sort),
        _ => None,
    };
    let (low, high) = (sort(&values[0]), sort(&values[1]));
    let Value::Array(labels) = &values[2] else {
        return Value::Null;
    };
    let items = labels
        .items
        .iter()
        .filter(|v| {
            sort(v).is_some_and(|s| low.is_none_or(|l| s >= l) && high.is_none_or(|h| s <= h))
        })
        .cloned()
        .collect();
    Value::Array(Box::new(crate::types::array::ArrayValue {
        elem: labels.elem,
        items,
    }))
}

/// `array_to_string(array, separator [, null_string])`: NULL elements are
/// skipped unless a null string is given.
pub fn array_to_string(values: &[Value]) -> Result<Value> {
    let (Value::Array(a), Value::Text(sep)) = (&values[0], &values[1]) else {
        return Ok(Value::Null);
    };
    let null_text = match values.get(2) {
        Some(Value::Text(s)) => Some(s.as_str()),
        _ => None,
    };
    let mut parts = Vec::with_capacity(a.items.len());
    for v in &a.items {
        match (text::format(v), null_text) {
            (Some(s), _) => parts.push(s),
            (None, Some(n)) => parts.push(n.to_string()),
            (None, None) => {}
        }
    }
    Ok(Value::Text(parts.join(sep)))
}

/// `||` over arrays: concatenation, or an element appended or prepended;
/// a NULL array counts as empty (NULL only when both sides are).
pub fn array_cat(values: Vec<Value>, types: &[DataType], ty: DataType) -> Value {
    let elem = match ty {
        DataType::Array(e) => *e,
        other => other,
    };
    let mut items = Vec::new();
    let mut any = false;
    for (v, t) in values.into_iter().zip(types) {
        match (v, t) {
            (Value::Array(a), _) => {
                any = true;
                items.extend(a.items);
            }
            (Value::Null, DataType::Array(_)) => {}
            (element, _) => {
                any = true;
                items.push(element);
            }
        }
    }
    if !any {
        return Value::Null;
    }
    Value::Array(Box::new(crate::types::array::ArrayValue { elem, items }))
}
