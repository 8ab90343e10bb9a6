//! Text format: PostgreSQL's output functions (`int4out`, `float8out`,
//! `byteaout`, …) and input functions with their exact error messages.

use super::{datetime, float_format, numeric, DataType, Value};
use crate::errinput;
use crate::error::{sqlstate, Result};

/// Formats a non-NULL value as PostgreSQL's text output; `None` for NULL.
pub fn format(value: &Value) -> Option<String> {
    Some(match value {
        Value::Null => return None,
        Value::Bool(b) => (if *b { "t" } else { "f" }).to_string(),
        Value::Int2(v) => v.to_string(),
        Value::Int4(v) => v.to_string(),
        Value::Int8(v) => v.to_string(),
        Value::Oid(v) => v.to_string(),
        Value::Array(a) => super::array::format(a),
        Value::Float4(v) => float_format::format_f32(*v),
        Value::Float8(v) => float_format::format_f64(*v),
        Value::Numeric(d) => numeric::format(d),
        Value::NumericSpecial(s) => s.text().to_string(),
        Value::Text(s) => s.clone(),
        Value::Bytea(b) => format_bytea(b),
        Value::Date(d) => datetime::format_date(*d),
        Value::Timestamp(t) => datetime::format_timestamp(*t, false),
        Value::Timestamptz(t) => datetime::format_timestamp(*t, true),
        Value::Interval(i) => super::interval::format(*i),
        Value::Uuid(u) => super::uuid::format(*u),
        Value::Jsonb(j) => super::jsonb::format(j),
        Value::Enum(e) => e.label.clone(),
        Value::Record(fields) => super::record::format(fields),
    })
}

/// A value as text for its type: what [`format`] gives, but int2vector
/// and oidvector print as space-separated numbers.
pub fn format_as(value: &Value, ty: DataType) -> Option<String> {
    match (value, ty.vector_element()) {
        (Value::Array(a), Some(_)) => Some(
            a.items
                .iter()
                .map(|v| format(v).unwrap_or_default())
                .collect::<Vec<_>>()
                .join(" "),
        ),
        _ => format(value),
    }
}

/// `\x` followed by lowercase hex, PostgreSQL's default `bytea_output`.
pub fn format_bytea(bytes: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 + bytes.len() * 2);
    out.push_str("\\x");
    for b in bytes {
        out.push(HEX[(b >> 4) as usize] as char);
        out.push(HEX[(b & 15) as usize] as char);
    }
    out
}

/// Parses text input for a type, with PostgreSQL's errors.
pub fn parse(text: &str, data_type: DataType) -> Result<Value> {
    Ok(match data_type {
        DataType::Bool => Value::Bool(parse_bool(text)?),
        DataType::Int2 => {
            let v = parse_integer(text, "smallint")?;
            Value::Int2(i16::try_from(v).map_err(|_| out_of_range(text, "smallint"))?)
        }
        DataType::Int4 => {
            let v = parse_integer(text, "integer")?;
            Value::Int4(i32::try_from(v).map_err(|_| out_of_range(text, "integer"))?)
        }
        DataType::Int8 => Value::Int8(parse_integer(text, "bigint")?),
        DataType::Float4 => {
            let v = parse_float(text, "real")?;
            let f = v as f32;
            if f.is_infinite() && v.is_finite() {
                return Err(out_of_range(text, "real"));
            }
            Value::Float4(f)
        }
        DataType::Float8 => Value::Float8(parse_float(text, "double precision")?),
        DataType::Numeric => numeric::parse_value(text)?,
        DataType::Text | DataType::Varchar | DataType::Bpchar | DataType::Unknown => {
            Value::Text(text.to_string())
        }
        DataType::Int2Vector | DataType::OidVector => {
            let elem = data_type.vector_element().unwrap_or(DataType::Int2);
            let items = text
                .split_ascii_whitespace()
                .map(|n| parse(n, elem))
                .collect::<Result<Vec<_>>>()?;
            Value::Array(Box::new(super::array::ArrayValue { elem, items }))
        }
        DataType::Json => {
            if serde_json::from_str::<serde::de::IgnoredAny>(text).is_err() {
                return Err(errinput!(
                    sqlstate::INVALID_TEXT_REPRESENTATION,
                    "invalid input syntax for type json"
                ));
            }
            Value::Text(text.to_string())
        }
        // name truncates to 63 bytes; "char" keeps the first byte.
        DataType::Name => Value::Text(truncate_bytes(text, 63).to_string()),
        DataType::Char => Value::Text(truncate_bytes(text, 1).to_string()),
        DataType::Oid | DataType::Reg(_) => {
            let v = parse_integer(text, "oid")?;
            // oidin accepts -2^31..2^32-1, negatives wrapping as in C.
            if !(i32::MIN as i64..=u32::MAX as i64).contains(&v) {
                return Err(out_of_range(text, "oid"));
            }
            Value::Oid(v as u32)
        }
        DataType::Bytea => Value::Bytea(parse_bytea(text)?),
        DataType::Array(elem) => super::array::parse(text, *elem)?,
        DataType::Date => Value::Date(datetime::parse_date(text)?),
        DataType::Timestamp => Value::Timestamp(datetime::parse_timestamp(text)?),
        DataType::Timestamptz => Value::Timestamptz(datetime::parse_timestamptz(text)?),
        DataType::Interval => {
            Value::Interval(super::interval::parse(text, super::interval::Unit::Second)?)
        }
        DataType::Uuid => Value::Uuid(super::uuid::parse(text)?),
        DataType::Jsonb => Value::Jsonb(Box::new(super::jsonb::parse(text)?)),
        DataType::Enum(t) => t.parse(text)?,
        DataType::Record(_) => return Err(crate::errunsupported!("input of type record")),
    })
}

/// The longest prefix of at most `max` bytes that ends on a character.
fn truncate_bytes(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn out_of_range(text: &str, type_name: &str) -> crate::error::Error {
    errinput!(
        sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
        "value \"{text}\" is out of range for type {type_name}"
    )
}

fn parse_bool(text: &str) -> Result<bool> {
    let t = text.trim().to_ascii_lowercase();
    let matches = |full: &str| !t.is_empty() && full.starts_with(t.as_str());
    if matches("true") || matches("yes") || t == "on" || t == "1" {
        Ok(true)
    } else if matches("false") || matches("no") || t == "off" || t == "0" {
        Ok(false)
    } else {
        Err(errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type boolean: \"{text}\""
        ))
    }
}

fn parse_integer(text: &str, type_name: &str) -> Result<i64> {
    let t = text.trim();
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return Err(errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type {type_name}: \"{text}\""
        ));
    }
    let cleaned: String = t.chars().filter(|c| *c != '_').collect();
    cleaned
        .parse::<i64>()
        .map_err(|_| out_of_range(text, type_name))
}

fn parse_float(text: &str, type_name: &str) -> Result<f64> {
    let t = text.trim();
    let lower = t.to_ascii_lowercase();
    let special = match lower.as_str() {
        "nan" => Some(f64::NAN),
        "infinity" | "+infinity" | "inf" | "+inf" => Some(f64::INFINITY),
        "-infinity" | "-inf" => Some(f64::NEG_INFINITY),
        _ => None,
    };
    if let Some(v) = special {
        return Ok(v);
    }
    let valid = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    match t.parse::<f64>() {
        Ok(v) if valid && v.is_infinite() => Err(errinput!(
            sqlstate::NUMERIC_VALUE_OUT_OF_RANGE,
            "\"{text}\" is out of range for type {type_name}"
        )),
        Ok(v) if valid => Ok(v),
        _ => Err(errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type {type_name}: \"{text}\""
        )),
    }
}

/// Parses bytea input in hex (`\x0102`) or escape (`a\000b`) format.
pub fn parse_bytea(text: &str) -> Result<Vec<u8>> {
    let invalid = || {
        errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type bytea"
        )
    };
    if let Some(hex) = text
        .strip_prefix("\\x")
        .or_else(|| text.strip_prefix("\\X"))
    {
        let digits: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
        if !digits.len().is_multiple_of(2) {
            return Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid hexadecimal data: odd number of digits"
            ));
        }
        return digits
            .chunks(2)
            .map(|pair| {
                let hi = (pair[0] as char).to_digit(16);
                let lo = (pair[1] as char).to_digit(16);
                match (hi, lo) {
                    (Some(h), Some(l)) => Ok((h * 16 + l) as u8),
                    _ => Err(errinput!(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "invalid hexadecimal digit: \"{}\"",
                        if hi.is_none() {
                            pair[0] as char
                        } else {
                            pair[1] as char
                        }
                    )),
                }
            })
            .collect();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            out.push(bytes[i]);
            i += 1;
        } else if bytes.get(i + 1) == Some(&b'\\') {
            out.push(b'\\');
            i += 2;
        } else if i + 3 < bytes.len()
            && bytes[i + 1..i + 4]
                .iter()
                .all(|b| (b'0'..=b'7').contains(b))
        {
            let v = (bytes[i + 1] - b'0') as u32 * 64
                + (bytes[i + 2] - b'0') as u32 * 8
                + (bytes[i + 3] - b'0') as u32;
            if v > 255 {
                return Err(invalid());
            }
            out.push(v as u8);
            i += 4;
        } else {
            return Err(invalid());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers() {
        assert!(matches!(parse(" 42 ", DataType::Int4), Ok(Value::Int4(42))));
        assert_eq!(
            parse("abc", DataType::Int4).unwrap_err().sqlstate(),
            "22P02"
        );
        assert_eq!(
            parse("3000000000", DataType::Int4).unwrap_err().sqlstate(),
            "22003"
        );
    }

    #[test]
    fn bytea() {
        assert_eq!(parse_bytea("\\x00ff").unwrap(), vec![0, 255]);
        assert_eq!(parse_bytea("a\\000b").unwrap(), vec![b'a', 0, b'b']);
        assert_eq!(format_bytea(&[0xde, 0xad]), "\\xdead");
    }

    #[test]
    fn booleans() {
        for t in ["t", "TRUE", "yes", "on", "1", " y "] {
            assert!(
                matches!(parse(t, DataType::Bool), Ok(Value::Bool(true))),
                "{t}"
            );
        }
        for f in ["f", "false", "no", "off", "0"] {
            assert!(
                matches!(parse(f, DataType::Bool), Ok(Value::Bool(false))),
                "{f}"
            );
        }
        assert!(parse("maybe", DataType::Bool).is_err());
    }
}
