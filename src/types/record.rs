//! Anonymous rows (`record`, type OID 2249): the values of set-returning
//! functions that return several columns in a select list, such as
//! `information_schema._pg_expandarray`, read with `(expr).field`. Text
//! output is PostgreSQL's `record_out` (`(1,"a b",)`), binary output its
//! `record_send`; records are never stored in tables.

use std::cmp::Ordering;

use super::{DataType, Value};

/// A record's fields: names and types (a thin pointer in `DataType`).
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct RecordType {
    pub fields: &'static [(&'static str, DataType)],
}

/// `(x, n)` of `_pg_expandarray` over arrays of each element type it
/// takes.
pub fn expand_array_fields(elem: DataType) -> Option<&'static RecordType> {
    const fn of(x: DataType) -> RecordType {
        RecordType {
            fields: match x {
                DataType::Int2 => &[("x", DataType::Int2), ("n", DataType::Int4)],
                DataType::Int4 => &[("x", DataType::Int4), ("n", DataType::Int4)],
                DataType::Int8 => &[("x", DataType::Int8), ("n", DataType::Int4)],
                DataType::Oid => &[("x", DataType::Oid), ("n", DataType::Int4)],
                _ => &[("x", DataType::Text), ("n", DataType::Int4)],
            },
        }
    }
    static INT2: RecordType = of(DataType::Int2);
    static INT4: RecordType = of(DataType::Int4);
    static INT8: RecordType = of(DataType::Int8);
    static OID: RecordType = of(DataType::Oid);
    static TEXT: RecordType = of(DataType::Text);
    Some(match elem {
        DataType::Int2 => &INT2,
        DataType::Int4 => &INT4,
        DataType::Int8 => &INT8,
        DataType::Oid => &OID,
        DataType::Text => &TEXT,
        _ => return None,
    })
}

/// `(key, value)` of `json[b]_each[_text]`, the value json, jsonb or text.
pub fn key_value_fields(value: DataType) -> &'static RecordType {
    static JSON: RecordType = RecordType {
        fields: &[("key", DataType::Text), ("value", DataType::Json)],
    };
    static JSONB: RecordType = RecordType {
        fields: &[("key", DataType::Text), ("value", DataType::Jsonb)],
    };
    static TEXT: RecordType = RecordType {
        fields: &[("key", DataType::Text), ("value", DataType::Text)],
    };
    match value {
        DataType::Json => &JSON,
        DataType::Jsonb => &JSONB,
        _ => &TEXT,
    }
}

/// Field by field, NULLs last, as PostgreSQL's record comparison.
pub fn compare(a: &[Value], b: &[Value]) -> Ordering {
    for (x, y) in a.iter().zip(b) {
        let o = x.compare(y);
        if o != Ordering::Equal {
            return o;
        }
    }
    a.len().cmp(&b.len())
}

/// `record_out`: fields in parentheses, NULL as nothing, a field quoted
/// when empty or holding `"`, `\`, `(`, `)`, `,` or white space.
pub fn format(fields: &[Value]) -> String {
    let mut out = String::from("(");
    for (i, v) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(s) = super::text::format(v) else {
            continue;
        };
        let quote = s.is_empty()
            || s.chars()
                .any(|c| matches!(c, '"' | '\\' | '(' | ')' | ',') || c.is_ascii_whitespace());
        if quote {
            out.push('"');
            for c in s.chars() {
                if matches!(c, '"' | '\\') {
                    out.push(c);
                }
                out.push(c);
            }
            out.push('"');
        } else {
            out.push_str(&s);
        }
    }
    out.push(')');
    out
}

/// `record_send`: the field count, then each field's type OID, length
/// (-1 for NULL) and binary form.
pub fn encode_binary(fields: &[Value], out: &mut Vec<u8>) {
    out.extend_from_slice(&(fields.len() as i32).to_be_bytes());
    for v in fields {
        let oid = match v.data_type() {
            DataType::Unknown => DataType::Text.oid(),
            t => t.oid(),
        };
        out.extend_from_slice(&oid.to_be_bytes());
        if v.is_null() {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        let mut bytes = Vec::new();
        super::binary::encode(v, &mut bytes);
        out.extend_from_slice(&(bytes.len() as i32).to_be_bytes());
        out.extend_from_slice(&bytes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_record_out() {
        let r = [
            Value::Int4(1),
            Value::Text("a b".into()),
            Value::Null,
            Value::Text(String::new()),
            Value::Text("q\"".into()),
        ];
        assert_eq!(format(&r), "(1,\"a b\",,\"\",\"q\"\"\")");
    }
}
