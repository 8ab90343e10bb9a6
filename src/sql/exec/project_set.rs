//! Set-returning functions per input row (ProjectSet): each call's values
//! side by side, as many rows as the longest call gives, shorter ones
//! padded with NULL, as PostgreSQL 10 and later do. An input row for which
//! every call gives nothing gives no rows.

use super::super::eval::eval;
use super::series::series_values;
use super::{ExecContext, Row, Rows};
use crate::error::Result;
use crate::sql::plan::{SetCall, SetFunction};
use crate::types::{array::ArrayValue, DataType, Value};

/// The rows of a ProjectSet over `input`.
pub fn project_set<'a>(
    input: Rows<'a>,
    calls: &'a [SetCall],
    ctx: &'a ExecContext<'a>,
) -> Rows<'a> {
    let mut input = input;
    let mut pending: std::vec::IntoIter<Row> = Vec::new().into_iter();
    Box::new(std::iter::from_fn(move || loop {
        if let Some(row) = pending.next() {
            return Some(Ok(row));
        }
        let row = match input.next()? {
            Ok(row) => row,
            Err(e) => return Some(Err(e)),
        };
        match expand(&row, calls, ctx) {
            Ok(rows) => pending = rows.into_iter(),
            Err(e) => return Some(Err(e)),
        }
    }))
}

fn expand(row: &Row, calls: &[SetCall], ctx: &ExecContext<'_>) -> Result<Vec<Row>> {
    let mut columns = Vec::with_capacity(calls.len());
    for call in calls {
        columns.push(values(call, row, ctx)?);
    }
    let n = columns.iter().map(Vec::len).max().unwrap_or(0);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let mut r = row.clone();
        r.extend(
            columns
                .iter()
                .map(|c| c.get(i).cloned().unwrap_or(Value::Null)),
        );
        out.push(r);
    }
    Ok(out)
}

/// One call's values for one input row.
pub fn values(call: &SetCall, row: &[Value], ctx: &ExecContext<'_>) -> Result<Vec<Value>> {
    let args = call
        .args
        .iter()
        .map(|a| eval(a, row, ctx))
        .collect::<Result<Vec<_>>>()?;
    Ok(match call.func {
        SetFunction::Series => {
            let step = args.get(2).cloned();
            series_values(args[0].clone(), args[1].clone(), step, call.ty, ctx)?
                .collect::<Result<Vec<_>>>()?
        }
        SetFunction::PartitionAncestors => Vec::new(),
        SetFunction::JsonElements
        | SetFunction::JsonElementsText
        | SetFunction::JsonObjectKeys
        | SetFunction::JsonEachKey
        | SetFunction::JsonEachValue
        | SetFunction::JsonEachValueText => {
            if args[0].is_null() {
                return Ok(Vec::new());
            }
            let json = call.ty == DataType::Json || args[0].data_type() != DataType::Jsonb;
            crate::sql::eval::json_set_values(&args[0], call.func, json)?
        }
        SetFunction::Unnest => match &args[0] {
            Value::Array(a) => a.items.clone(),
            _ => Vec::new(),
        },
        SetFunction::JsonEach => {
            if args[0].is_null() {
                return Ok(Vec::new());
            }
            let json = args[0].data_type() != DataType::Jsonb;
            let value_func = match call.ty {
                DataType::Record(r) if r.fields[1].1 == DataType::Text => {
                    SetFunction::JsonEachValueText
                }
                _ => SetFunction::JsonEachValue,
            };
            let keys = crate::sql::eval::json_set_values(&args[0], SetFunction::JsonEachKey, json)?;
            let values = crate::sql::eval::json_set_values(&args[0], value_func, json)?;
            keys.into_iter()
                .zip(values)
                .map(|(k, v)| Value::Record(vec![k, v]))
                .collect()
        }
        SetFunction::ExpandArray => match &args[0] {
            Value::Array(a) => (1..)
                .zip(&a.items)
                .map(|(n, x)| Value::Record(vec![x.clone(), Value::Int4(n)]))
                .collect(),
            _ => Vec::new(),
        },
        SetFunction::Subscripts | SetFunction::VectorSubscripts => {
            let from = i32::from(call.func == SetFunction::Subscripts);
            match (&args[0], args.get(1)) {
                (Value::Array(a), Some(Value::Int4(1))) => subscripts(a, from, args.get(2)),
                _ => Vec::new(),
            }
        }
    })
}

fn subscripts(a: &ArrayValue, from: i32, reverse: Option<&Value>) -> Vec<Value> {
    let mut out: Vec<Value> = (from..from + a.items.len() as i32)
        .map(Value::Int4)
        .collect();
    if matches!(reverse, Some(Value::Bool(true))) {
        out.reverse();
    }
    out
}
