//! More string functions, as PostgreSQL 15 defines them: split_part,
//! lpad/rpad, starts_with, md5, encode/decode (hex, base64 with 76-column
//! lines, escape), chr/ascii, initcap, reverse, translate and format
//! (`%s`, `%I`, `%L`, `%%`, with `n$` positions).

use base64::Engine;
use md5::{Digest, Md5};

use super::super::expr::Function;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::{text, Value};

/// The functions of this file over non-NULL arguments; None for others.
pub fn call(func: Function, v: &[Value]) -> Result<Option<Value>> {
    let s = |i: usize| match v.get(i) {
        Some(Value::Text(t)) => t.as_str(),
        _ => "",
    };
    let int = |i: usize| v.get(i).and_then(Value::as_i64).unwrap_or(0);
    Ok(Some(match func {
        Function::SplitPart => Value::Text(split_part(s(0), s(1), int(2))?),
        Function::Lpad | Function::Rpad => {
            let fill = if v.len() > 2 { s(2) } else { " " };
            Value::Text(pad(s(0), int(1), fill, func == Function::Lpad))
        }
        Function::StartsWith => Value::Bool(s(0).starts_with(s(1))),
        Function::Md5 => {
            let bytes = match &v[0] {
                Value::Bytea(b) => b.as_slice(),
                _ => s(0).as_bytes(),
            };
            Value::Text(hex(&Md5::digest(bytes)))
        }
        Function::Encode => {
            let Value::Bytea(b) = &v[0] else {
                return Err(crate::errinternal!("encode of non-bytea"));
            };
            Value::Text(encode(b, s(1))?)
        }
        Function::Decode => Value::Bytea(decode(s(0), s(1))?),
        Function::Chr => Value::Text(chr(int(0))?.to_string()),
        Function::Ascii => Value::Int4(s(0).chars().next().map_or(0, |c| c as i32)),
        Function::Initcap => Value::Text(initcap(s(0))),
        Function::Reverse => Value::Text(s(0).chars().rev().collect()),
        Function::Translate => Value::Text(translate(s(0), s(1), s(2))),
        _ => return Ok(None),
    }))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn split_part(s: &str, delimiter: &str, n: i64) -> Result<String> {
    if n == 0 {
        return Err(errinput!(
            sqlstate::INVALID_PARAMETER_VALUE,
            "field position must not be zero"
        ));
    }
    let fields: Vec<&str> = if delimiter.is_empty() {
        vec![s]
    } else {
        s.split(delimiter).collect()
    };
    let at = if n > 0 {
        n - 1
    } else {
        fields.len() as i64 + n
    };
    Ok(usize::try_from(at)
        .ok()
        .and_then(|i| fields.get(i))
        .map_or(String::new(), |f| f.to_string()))
}

/// lpad/rpad: to `len` characters, cutting or filling with `fill`.
fn pad(s: &str, len: i64, fill: &str, left: bool) -> String {
    let len = len.max(0) as usize;
    let chars: Vec<char> = s.chars().collect();
    if chars.len() >= len || fill.is_empty() {
        return chars.into_iter().take(len).collect();
    }
    let padding: String = fill.chars().cycle().take(len - chars.len()).collect();
    if left {
        padding + s
    } else {
        s.to_string() + &padding
    }
}

fn unrecognized_encoding(format: &str) -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_PARAMETER_VALUE,
        "unrecognized encoding: \"{format}\""
    )
}

/// encode(bytea, 'hex' | 'base64' | 'escape').
fn encode(b: &[u8], format: &str) -> Result<String> {
    Ok(match format.to_ascii_lowercase().as_str() {
        "hex" => hex(b),
        "base64" => {
            let full = base64::engine::general_purpose::STANDARD.encode(b);
            let lines: Vec<&str> = full
                .as_bytes()
                .chunks(76)
                .map(|c| std::str::from_utf8(c).unwrap_or_default())
                .collect();
            lines.join("\n")
        }
        "escape" => {
            let mut out = String::new();
            for &byte in b {
                match byte {
                    b'\\' => out.push_str("\\\\"),
                    0 | 0x80..=0xff => out.push_str(&format!("\\{byte:03o}")),
                    _ => out.push(byte as char),
                }
            }
            out
        }
        _ => return Err(unrecognized_encoding(format)),
    })
}

/// decode(text, 'hex' | 'base64' | 'escape').
fn decode(s: &str, format: &str) -> Result<Vec<u8>> {
    Ok(match format.to_ascii_lowercase().as_str() {
        "hex" => {
            let digits: Vec<char> = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            let mut out = Vec::with_capacity(digits.len() / 2);
            for pair in digits.chunks(2) {
                let digit = |c: char| {
                    c.to_digit(16).ok_or_else(|| {
                        errinput!(
                            sqlstate::INVALID_PARAMETER_VALUE,
                            "invalid hexadecimal digit: \"{c}\""
                        )
                    })
                };
                let [hi, lo] = pair else {
                    return Err(errinput!(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "invalid hexadecimal data: odd number of digits"
                    ));
                };
                out.push((digit(*hi)? * 16 + digit(*lo)?) as u8);
            }
            out
        }
        "base64" => {
            let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(compact)
                .map_err(|_| {
                    errinput!(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "invalid base64 end sequence"
                    )
                    .with_hint(
                        "Input data is missing padding, is truncated, or is otherwise corrupted.",
                    )
                })?
        }
        "escape" => text::parse_bytea(s)?,
        _ => return Err(unrecognized_encoding(format)),
    })
}

fn chr(code: i64) -> Result<char> {
    if code == 0 {
        return Err(errinput!(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "null character not permitted"
        ));
    }
    u32::try_from(code)
        .ok()
        .and_then(char::from_u32)
        .ok_or_else(|| {
            errinput!(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                "requested character too large for encoding: {code}"
            )
        })
}

/// The first letter of each run of letters and digits upper case, the
/// rest lower.
fn initcap(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_word = false;
    for c in s.chars() {
        if c.is_alphanumeric() {
            if in_word {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            in_word = true;
        } else {
            out.push(c);
            in_word = false;
        }
    }
    out
}

/// Each character of `from` becomes the one at its place in `to`, or
/// goes if `to` is shorter.
fn translate(s: &str, from: &str, to: &str) -> String {
    let from: Vec<char> = from.chars().collect();
    let to: Vec<char> = to.chars().collect();
    s.chars()
        .filter_map(|c| match from.iter().position(|f| *f == c) {
            Some(i) => to.get(i).copied(),
            None => Some(c),
        })
        .collect()
}

/// format(fmt, args…): `%s` (NULL as empty), `%I` (quote_ident), `%L`
/// (quote_nullable), `%%`, and `%n$…` positions. Not strict: NULL
/// arguments are allowed.
pub fn format(v: &[Value]) -> Result<Value> {
    let Some(Value::Text(fmt)) = v.first() else {
        return Ok(Value::Null);
    };
    let args = &v[1..];
    let mut out = String::new();
    let mut next = 0usize;
    let mut chars = fmt.chars().peekable();
    let bad = |m: &str| errinput!(sqlstate::INVALID_PARAMETER_VALUE, "{m}");
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        let mut digits = String::new();
        while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
            digits.push(*d);
            chars.next();
        }
        let mut position = None;
        if !digits.is_empty() {
            if chars.next() != Some('$') {
                return Err(bad("unterminated format() type specifier")
                    .with_hint("For a single \"%\" use \"%%\"."));
            }
            let n: usize = digits
                .parse()
                .map_err(|_| bad("argument number is out of range"))?;
            if n == 0 {
                return Err(bad(
                    "format specifies argument 0, but arguments are numbered from 1",
                ));
            }
            position = Some(n - 1);
        }
        let kind = chars.next().ok_or_else(|| {
            bad("unterminated format() type specifier").with_hint("For a single \"%\" use \"%%\".")
        })?;
        if kind == '%' && position.is_none() {
            out.push('%');
            continue;
        }
        if !matches!(kind, 's' | 'I' | 'L') {
            return Err(
                bad(&format!("unrecognized format() type specifier \"{kind}\""))
                    .with_hint("For a single \"%\" use \"%%\"."),
            );
        }
        let index = position.unwrap_or(next);
        next = index + 1;
        let arg = args
            .get(index)
            .ok_or_else(|| bad("too few arguments for format()"))?;
        let as_text = text::format(arg);
        match kind {
            's' => out.push_str(as_text.as_deref().unwrap_or("")),
            'I' => match as_text {
                Some(t) => out.push_str(&crate::sql::binder::system_views::quote_ident(&t)),
                None => {
                    return Err(errinput!(
                        sqlstate::NULL_VALUE_NOT_ALLOWED,
                        "null values cannot be formatted as an SQL identifier"
                    ))
                }
            },
            _ => match as_text {
                Some(t) => out.push_str(&super::functions::quote_literal(&t)),
                None => out.push_str("NULL"),
            },
        }
    }
    Ok(Value::Text(out))
}
