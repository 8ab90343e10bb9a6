//! One-dimensional arrays: the element types FlintDB has array types for,
//! their OIDs and names, and PostgreSQL's text (`{a,"b c",NULL}`) and
//! binary (`array_send`) formats. Arrays always start at index 1.

use super::{binary, text, DataType, Value};
use crate::errinput;
use crate::error::{sqlstate, Result};

/// An array value: its element type and elements (NULL allowed).
#[derive(Clone, Debug)]
pub struct ArrayValue {
    pub elem: DataType,
    pub items: Vec<Value>,
}

/// Element types with an array type: (element, array OID, SQL name of the
/// array, internal name).
const ARRAYS: &[(DataType, u32, &str, &str)] = &[
    (DataType::Bool, 1000, "boolean[]", "_bool"),
    (DataType::Bytea, 1001, "bytea[]", "_bytea"),
    (DataType::Char, 1002, "\"char\"[]", "_char"),
    (DataType::Name, 1003, "name[]", "_name"),
    (DataType::Int2, 1005, "smallint[]", "_int2"),
    (DataType::Int4, 1007, "integer[]", "_int4"),
    (DataType::Text, 1009, "text[]", "_text"),
    (DataType::Bpchar, 1014, "character[]", "_bpchar"),
    (DataType::Varchar, 1015, "character varying[]", "_varchar"),
    (DataType::Int8, 1016, "bigint[]", "_int8"),
    (DataType::Float4, 1021, "real[]", "_float4"),
    (DataType::Float8, 1022, "double precision[]", "_float8"),
    (DataType::Oid, 1028, "oid[]", "_oid"),
    (
        DataType::Timestamp,
        1115,
        "timestamp without time zone[]",
        "_timestamp",
    ),
    (DataType::Date, 1182, "date[]", "_date"),
    (
        DataType::Timestamptz,
        1185,
        "timestamp with time zone[]",
        "_timestamptz",
    ),
    (DataType::Numeric, 1231, "numeric[]", "_numeric"),
    (DataType::Interval, 1187, "interval[]", "_interval"),
    (DataType::Uuid, 2951, "uuid[]", "_uuid"),
    (DataType::Jsonb, 3807, "jsonb[]", "_jsonb"),
];

/// The array type of an element type, if there is one.
pub fn array_of(elem: DataType) -> Option<DataType> {
    Some(match elem {
        DataType::Bool => DataType::Array(&DataType::Bool),
        DataType::Bytea => DataType::Array(&DataType::Bytea),
        DataType::Char => DataType::Array(&DataType::Char),
        DataType::Name => DataType::Array(&DataType::Name),
        DataType::Int2 => DataType::Array(&DataType::Int2),
        DataType::Int4 => DataType::Array(&DataType::Int4),
        DataType::Text | DataType::Unknown => DataType::Array(&DataType::Text),
        DataType::Bpchar => DataType::Array(&DataType::Bpchar),
        DataType::Varchar => DataType::Array(&DataType::Varchar),
        DataType::Int8 => DataType::Array(&DataType::Int8),
        DataType::Float4 => DataType::Array(&DataType::Float4),
        DataType::Float8 => DataType::Array(&DataType::Float8),
        DataType::Oid => DataType::Array(&DataType::Oid),
        DataType::Timestamp => DataType::Array(&DataType::Timestamp),
        DataType::Date => DataType::Array(&DataType::Date),
        DataType::Timestamptz => DataType::Array(&DataType::Timestamptz),
        DataType::Numeric => DataType::Array(&DataType::Numeric),
        DataType::Interval => DataType::Array(&DataType::Interval),
        DataType::Uuid => DataType::Array(&DataType::Uuid),
        DataType::Jsonb => DataType::Array(&DataType::Jsonb),
        DataType::Enum(t) => DataType::Array(super::enums::element_type(t)),
        DataType::Array(_)
        | DataType::Reg(_)
        | DataType::Json
        | DataType::Record(_)
        | DataType::Int2Vector
        | DataType::OidVector => return None,
    })
}

fn entry(elem: DataType) -> (DataType, u32, &'static str, &'static str) {
    ARRAYS
        .iter()
        .copied()
        .find(|(e, ..)| *e == elem)
        .unwrap_or((elem, 0, "unknown[]", "_unknown"))
}

/// The OID of the array type of `elem`.
pub fn oid(elem: DataType) -> u32 {
    match elem {
        DataType::Enum(t) => t.array_oid,
        _ => entry(elem).1,
    }
}

/// The SQL name of the array type of `elem` (`integer[]`).
pub fn sql_name(elem: DataType) -> &'static str {
    match elem {
        DataType::Enum(t) => &t.array_sql_name,
        _ => entry(elem).2,
    }
}

/// The internal name of the array type of `elem` (`_int4`).
pub fn internal_name(elem: DataType) -> &'static str {
    match elem {
        DataType::Enum(t) => &t.array_internal_name,
        _ => entry(elem).3,
    }
}

/// The array type with this OID.
pub fn from_oid(oid: u32) -> Option<DataType> {
    ARRAYS
        .iter()
        .find(|(_, o, ..)| *o == oid)
        .and_then(|(e, ..)| array_of(*e))
}

/// The text form: `{1,2}`, `{a,"b c",NULL,""}`.
pub fn format(a: &ArrayValue) -> String {
    let mut out = String::from("{");
    for (i, v) in a.items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        match text::format(v) {
            None => out.push_str("NULL"),
            Some(s) => {
                let needs_quotes = s.is_empty()
                    || s.eq_ignore_ascii_case("null")
                    || s.chars().any(|c| {
                        matches!(c, '{' | '}' | ',' | '"' | '\\') || c.is_ascii_whitespace()
                    });
                if needs_quotes {
                    out.push('"');
                    for c in s.chars() {
                        if c == '"' || c == '\\' {
                            out.push('\\');
                        }
                        out.push(c);
                    }
                    out.push('"');
                } else {
                    out.push_str(&s);
                }
            }
        }
    }
    out.push('}');
    out
}

/// Parses the text form of a one-dimensional array of `elem`.
pub fn parse(input: &str, elem: DataType) -> Result<Value> {
    let malformed = |detail: &str| {
        errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "malformed array literal: \"{input}\""
        )
        .with_detail(detail.to_string())
    };
    let s = input.trim();
    let Some(body) = s.strip_prefix('{').and_then(|b| b.strip_suffix('}')) else {
        return Err(malformed(
            "Array value must start with \"{\" or dimension information.",
        ));
    };
    let mut items = Vec::new();
    let mut chars = body.chars().peekable();
    if body.trim().is_empty() {
        return Ok(Value::Array(Box::new(ArrayValue { elem, items })));
    }
    loop {
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let mut item = String::new();
        let quoted = chars.peek() == Some(&'"');
        if quoted {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    Some('\\') => item.push(
                        chars
                            .next()
                            .ok_or_else(|| malformed("Unexpected end of input."))?,
                    ),
                    Some(c) => item.push(c),
                    None => return Err(malformed("Unexpected end of input.")),
                }
            }
            while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
                chars.next();
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c == ',' {
                    break;
                }
                if matches!(c, '{' | '}' | '"') {
                    return Err(malformed("Unexpected array element."));
                }
                chars.next();
                if c == '\\' {
                    item.push(
                        chars
                            .next()
                            .ok_or_else(|| malformed("Unexpected end of input."))?,
                    );
                } else {
                    item.push(c);
                }
            }
            item = item.trim_end().to_string();
        }
        if !quoted && item.eq_ignore_ascii_case("null") {
            items.push(Value::Null);
        } else if !quoted && item.is_empty() {
            return Err(malformed("Unexpected \",\" character."));
        } else {
            items.push(text::parse(&item, elem)?);
        }
        match chars.next() {
            None => break,
            Some(',') => continue,
            Some(_) => return Err(malformed("Unexpected array element.")),
        }
    }
    Ok(Value::Array(Box::new(ArrayValue { elem, items })))
}

/// `array_send`: dimensions, a NULL flag, the element type, then each
/// element's length and binary form (-1 for NULL).
pub fn encode_binary(a: &ArrayValue, out: &mut Vec<u8>) {
    let has_nulls = a.items.iter().any(Value::is_null);
    let ndim: i32 = if a.items.is_empty() { 0 } else { 1 };
    out.extend_from_slice(&ndim.to_be_bytes());
    out.extend_from_slice(&(has_nulls as i32).to_be_bytes());
    out.extend_from_slice(&elem_oid(a.elem).to_be_bytes());
    if ndim == 1 {
        out.extend_from_slice(&(a.items.len() as i32).to_be_bytes());
        out.extend_from_slice(&1i32.to_be_bytes());
    }
    for v in &a.items {
        if v.is_null() {
            out.extend_from_slice(&(-1i32).to_be_bytes());
            continue;
        }
        let at = out.len();
        out.extend_from_slice(&[0; 4]);
        binary::encode(v, out);
        let len = (out.len() - at - 4) as i32;
        out[at..at + 4].copy_from_slice(&len.to_be_bytes());
    }
}

fn elem_oid(elem: DataType) -> u32 {
    if elem == DataType::Unknown {
        DataType::Text.oid()
    } else {
        elem.oid()
    }
}

/// `array_recv` for a one-dimensional array of `elem`.
pub fn decode_binary(mut buf: &[u8], elem: DataType) -> Result<Value> {
    let bad = || {
        errinput!(
            sqlstate::INVALID_BINARY_REPRESENTATION,
            "invalid array binary format"
        )
    };
    let int = |buf: &mut &[u8]| -> Result<i32> {
        let (head, rest) = buf.split_first_chunk::<4>().ok_or_else(bad)?;
        *buf = rest;
        Ok(i32::from_be_bytes(*head))
    };
    let ndim = int(&mut buf)?;
    let _flags = int(&mut buf)?;
    let elem_type = int(&mut buf)? as u32;
    if elem_type != elem_oid(elem) {
        return Err(errinput!(
            sqlstate::DATATYPE_MISMATCH,
            "binary data has array element type {elem_type} instead of expected {}",
            elem_oid(elem)
        ));
    }
    let count = match ndim {
        0 => 0,
        1 => {
            let n = int(&mut buf)?;
            let _lower = int(&mut buf)?;
            usize::try_from(n).map_err(|_| bad())?
        }
        _ => return Err(crate::errunsupported!("multidimensional arrays")),
    };
    // Each element takes at least 4 bytes: a count beyond that is a lie.
    if count > buf.len() / 4 {
        return Err(bad());
    }
    let mut items = Vec::with_capacity(count);
    for _ in 0..count {
        let len = int(&mut buf)?;
        if len < 0 {
            items.push(Value::Null);
            continue;
        }
        let len = len as usize;
        if len > buf.len() {
            return Err(bad());
        }
        let (bytes, rest) = buf.split_at(len);
        items.push(binary::decode(bytes, elem)?);
        buf = rest;
    }
    if !buf.is_empty() {
        return Err(bad());
    }
    Ok(Value::Array(Box::new(ArrayValue { elem, items })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trip_with_quoting() {
        let v = parse(r#"{a,"b c",NULL,"",  d ,"x\"y"}"#, DataType::Text).unwrap();
        let Value::Array(a) = &v else { panic!() };
        assert_eq!(a.items.len(), 6);
        assert!(a.items[2].is_null());
        assert_eq!(format(a), r#"{a,"b c",NULL,"",d,"x\"y"}"#);
        assert_eq!(
            format(&ArrayValue {
                elem: DataType::Int4,
                items: vec![]
            }),
            "{}"
        );
    }

    #[test]
    fn binary_round_trip_and_lies() {
        let a = ArrayValue {
            elem: DataType::Int4,
            items: vec![Value::Int4(1), Value::Null, Value::Int4(3)],
        };
        let mut buf = Vec::new();
        encode_binary(&a, &mut buf);
        let Value::Array(b) = decode_binary(&buf, DataType::Int4).unwrap() else {
            panic!()
        };
        assert_eq!(b.items.len(), 3);
        // A count of 2^31-1 elements in a short buffer is refused at once.
        let mut lie = buf.clone();
        lie[12..16].copy_from_slice(&i32::MAX.to_be_bytes());
        assert!(decode_binary(&lie, DataType::Int4).is_err());
        assert!(parse("1,2", DataType::Int4).is_err());
        assert!(parse("{1,,2}", DataType::Int4).is_err());
    }
}
