//! JSON built from SQL values: `json_build_object(k, v, …)` with
//! PostgreSQL's output layout (`{"k" : v, "k2" : v2}`): numbers and
//! booleans as themselves, json values embedded as written, NULL as null,
//! everything else as a JSON string of its text form.

use crate::errinput;
use crate::error::Result;
use crate::types::jsonb::push_string;
use crate::types::{text, DataType, Value};

/// `json_build_object(variadic "any")`.
pub fn build_object(values: &[Value], types: &[DataType]) -> Result<Value> {
    let mut out = String::from("{");
    for (i, pair) in values.chunks(2).enumerate() {
        let (key, value) = (&pair[0], &pair[1]);
        if key.is_null() {
            return Err(errinput!("22023", "argument {} cannot be null", 2 * i + 1)
                .with_hint("Object keys should be text."));
        }
        if i > 0 {
            out.push_str(", ");
        }
        push_string(&text::format(key).unwrap_or_default(), &mut out);
        out.push_str(" : ");
        push_value(value, types[2 * i + 1], &mut out);
    }
    out.push('}');
    Ok(Value::Text(out))
}

/// A SQL value as JSON text, as to_json and the json build functions
/// write it.
pub(super) fn push_value(value: &Value, ty: DataType, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Text(s) if ty == DataType::Json => out.push_str(s),
        Value::Jsonb(j) => out.push_str(&crate::types::jsonb::format(j)),
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                push_value(item, a.elem, out);
            }
            out.push(']');
        }
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Oid(_) | Value::Numeric(_) => {
            out.push_str(&text::format(value).unwrap_or_default())
        }
        Value::Float4(_) | Value::Float8(_) => {
            let t = text::format(value).unwrap_or_default();
            // NaN and the infinities are not JSON numbers.
            if t.parse::<f64>().is_ok_and(f64::is_finite) {
                out.push_str(&t);
            } else {
                push_string(&t, out);
            }
        }
        other => push_string(&super::jsonb_functions::iso_text(other), out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_look_like_postgresql_s() {
        let v = build_object(
            &[
                Value::Text("a".into()),
                Value::Int4(1),
                Value::Text("b".into()),
                Value::Text("x\"y".into()),
                Value::Text("c".into()),
                Value::Null,
                Value::Text("d".into()),
                Value::Text("[1, 2]".into()),
            ],
            &[
                DataType::Text,
                DataType::Int4,
                DataType::Text,
                DataType::Text,
                DataType::Text,
                DataType::Bool,
                DataType::Text,
                DataType::Json,
            ],
        )
        .unwrap();
        assert_eq!(
            v,
            Value::Text(r#"{"a" : 1, "b" : "x\"y", "c" : null, "d" : [1, 2]}"#.into())
        );
    }
}
