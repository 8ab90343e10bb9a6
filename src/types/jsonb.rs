//! jsonb: a parsed JSON document kept as PostgreSQL keeps it: object keys
//! unique (the last duplicate wins) and ordered shorter first, then by
//! bytes; numbers as exact numerics. Text input through `serde_json`
//! (numbers kept as written), output as `jsonb_out` prints it
//! (`{"a": 1, "b": [1, 2]}`), `jsonb_pretty`, PostgreSQL's btree order
//! (object > array > boolean > number > string > null), and containment
//! (`@>`).

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};
use std::str::FromStr;

use bigdecimal::BigDecimal;

use super::numeric;
use crate::errinput;
use crate::error::{sqlstate, Result};

/// A jsonb value.
#[derive(Clone, Debug)]
pub enum Jsonb {
    Null,
    Bool(bool),
    Number(BigDecimal),
    String(String),
    Array(Vec<Jsonb>),
    /// Pairs in PostgreSQL's key order, keys unique.
    Object(Vec<(String, Jsonb)>),
}

/// PostgreSQL's order of object keys: shorter first, then bytewise.
pub fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

impl Jsonb {
    /// An object from pairs in any order; a later duplicate key wins.
    pub fn object(pairs: Vec<(String, Jsonb)>) -> Jsonb {
        let mut sorted: Vec<(String, Jsonb)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match sorted.binary_search_by(|(x, _)| key_order(x, &k)) {
                Ok(i) => sorted[i].1 = v,
                Err(i) => sorted.insert(i, (k, v)),
            }
        }
        Jsonb::Object(sorted)
    }

    /// The value of an object's key.
    pub fn get(&self, key: &str) -> Option<&Jsonb> {
        match self {
            Jsonb::Object(pairs) => pairs
                .binary_search_by(|(k, _)| key_order(k, key))
                .ok()
                .map(|i| &pairs[i].1),
            _ => None,
        }
    }

    /// An array's element; a negative index counts from the end.
    pub fn index(&self, i: i64) -> Option<&Jsonb> {
        match self {
            Jsonb::Array(items) => {
                let at = if i < 0 { items.len() as i64 + i } else { i };
                usize::try_from(at).ok().and_then(|at| items.get(at))
            }
            _ => None,
        }
    }

    /// jsonb_typeof.
    pub fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Number(_) => "number",
            Jsonb::String(_) => "string",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Jsonb::Null => 0,
            Jsonb::String(_) => 1,
            Jsonb::Number(_) => 2,
            Jsonb::Bool(_) => 3,
            Jsonb::Array(_) => 4,
            Jsonb::Object(_) => 5,
        }
    }

    /// PostgreSQL's btree order of jsonb values. At the top a scalar is
    /// kept as a one-element array, so an empty array sorts below every
    /// scalar and any other array above.
    pub fn compare(&self, other: &Jsonb) -> Ordering {
        let scalar = |j: &Jsonb| !matches!(j, Jsonb::Array(_) | Jsonb::Object(_));
        match (self, other) {
            (Jsonb::Array(a), s) if scalar(s) => {
                if a.is_empty() {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (s, Jsonb::Array(_)) if scalar(s) => other.compare(self).reverse(),
            _ => self.compare_nested(other),
        }
    }

    fn compare_nested(&self, other: &Jsonb) -> Ordering {
        match (self, other) {
            (Jsonb::Null, Jsonb::Null) => Ordering::Equal,
            (Jsonb::String(a), Jsonb::String(b)) => a.as_bytes().cmp(b.as_bytes()),
            (Jsonb::Number(a), Jsonb::Number(b)) => a.cmp(b),
            (Jsonb::Bool(a), Jsonb::Bool(b)) => a.cmp(b),
            (Jsonb::Array(a), Jsonb::Array(b)) => a.len().cmp(&b.len()).then_with(|| {
                a.iter()
                    .zip(b)
                    .map(|(x, y)| x.compare_nested(y))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }),
            (Jsonb::Object(a), Jsonb::Object(b)) => a.len().cmp(&b.len()).then_with(|| {
                a.iter()
                    .zip(b)
                    .map(|((ka, va), (kb, vb))| {
                        key_order(ka, kb).then_with(|| va.compare_nested(vb))
                    })
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            }),
            _ => self.rank().cmp(&other.rank()),
        }
    }

    /// `@>`: every key/value and element of `other` is in `self` (an
    /// array contains the elements of another in any order; a scalar is
    /// contained by an array holding it at the top level).
    pub fn contains(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Object(_), Jsonb::Object(want)) => want
                .iter()
                .all(|(k, v)| self.get(k).is_some_and(|have| have.contains_nested(v))),
            (Jsonb::Array(have), Jsonb::Array(want)) => want
                .iter()
                .all(|w| have.iter().any(|h| h.contains_nested(w))),
            (Jsonb::Array(have), scalar) if !matches!(scalar, Jsonb::Object(_)) => {
                have.iter().any(|h| h.compare(scalar).is_eq())
            }
            (a, b) => a.compare(b).is_eq(),
        }
    }

    /// Containment below the top level: an array only contains arrays.
    fn contains_nested(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Array(_), Jsonb::Array(_)) | (Jsonb::Object(_), Jsonb::Object(_)) => {
                self.contains(other)
            }
            (a, b) => a.rank() == b.rank() && a.compare(b).is_eq(),
        }
    }

    /// `?`: a top-level key, array string element or equal string.
    pub fn has_key(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(_) => self.get(key).is_some(),
            Jsonb::Array(items) => items
                .iter()
                .any(|i| matches!(i, Jsonb::String(s) if s == key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }
}

impl PartialEq for Jsonb {
    fn eq(&self, other: &Self) -> bool {
        self.compare(other).is_eq()
    }
}

impl Hash for Jsonb {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.rank().hash(state);
        match self {
            Jsonb::Null => {}
            Jsonb::Bool(b) => b.hash(state),
            Jsonb::Number(n) => n.normalized().to_string().hash(state),
            Jsonb::String(s) => s.hash(state),
            Jsonb::Array(items) => items.iter().for_each(|i| i.hash(state)),
            Jsonb::Object(pairs) => pairs.iter().for_each(|(k, v)| {
                k.hash(state);
                v.hash(state)
            }),
        }
    }
}

/// Parses JSON text with PostgreSQL's error (22P02).
pub fn parse(text: &str) -> Result<Jsonb> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        let detail = if e.is_eof() {
            "The input string ended unexpectedly.".to_string()
        } else {
            format!("{e}.")
        };
        errinput!(
            sqlstate::INVALID_TEXT_REPRESENTATION,
            "invalid input syntax for type json"
        )
        .with_detail(detail)
    })?;
    from_serde(value)
}

fn from_serde(v: serde_json::Value) -> Result<Jsonb> {
    use serde_json::Value as V;
    Ok(match v {
        V::Null => Jsonb::Null,
        V::Bool(b) => Jsonb::Bool(b),
        V::Number(n) => Jsonb::Number(
            BigDecimal::from_str(&n.to_string())
                .map_err(|_| crate::errinternal!("JSON number {n}"))?,
        ),
        V::String(s) => {
            if s.contains('\0') {
                return Err(errinput!(
                    sqlstate::UNTRANSLATABLE_CHARACTER,
                    "unsupported Unicode escape sequence"
                )
                .with_detail("\\u0000 cannot be converted to text."));
            }
            Jsonb::String(s)
        }
        V::Array(items) => Jsonb::Array(items.into_iter().map(from_serde).collect::<Result<_>>()?),
        V::Object(map) => Jsonb::object(
            map.into_iter()
                .map(|(k, v)| Ok((k, from_serde(v)?)))
                .collect::<Result<_>>()?,
        ),
    })
}

/// A JSON string literal, escaped as PostgreSQL's `escape_json`.
pub fn push_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// `jsonb_out`: `{"a": 1, "b": [1, 2]}`.
pub fn format(v: &Jsonb) -> String {
    let mut out = String::new();
    write(v, &mut out, None, 0);
    out
}

/// `jsonb_pretty`: four-space indentation, one item per line.
pub fn pretty(v: &Jsonb) -> String {
    let mut out = String::new();
    write(v, &mut out, Some(4), 0);
    out
}

fn write(v: &Jsonb, out: &mut String, indent: Option<usize>, depth: usize) {
    let newline = |out: &mut String, depth: usize| {
        if let Some(width) = indent {
            out.push('\n');
            out.push_str(&" ".repeat(width * depth));
        }
    };
    match v {
        Jsonb::Null => out.push_str("null"),
        Jsonb::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Jsonb::Number(n) => out.push_str(&numeric::format(n)),
        Jsonb::String(s) => push_string(s, out),
        Jsonb::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                if indent.is_none() && i > 0 {
                    out.push(' ');
                }
                newline(out, depth + 1);
                write(item, out, indent, depth + 1);
            }
            if !items.is_empty() || indent.is_some() {
                newline(out, depth);
            }
            out.push(']');
        }
        Jsonb::Object(pairs) => {
            out.push('{');
            for (i, (k, item)) in pairs.iter().enumerate() {
                out.push_str(if i > 0 { "," } else { "" });
                if indent.is_none() && i > 0 {
                    out.push(' ');
                }
                newline(out, depth + 1);
                push_string(k, out);
                out.push_str(": ");
                write(item, out, indent, depth + 1);
            }
            // PostgreSQL breaks the line even in an empty container.
            if !pairs.is_empty() || indent.is_some() {
                newline(out, depth);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_prints_like_postgres() {
        let v = parse(
            r#"{"b":1,"aa":[1,2.50,1e3,-0,1E-2],"a":{"x":null,"x":true},"c":"q\"\n\u00e9\u0001"}"#,
        )
        .unwrap();
        assert_eq!(
            format(&v),
            r#"{"a": {"x": true}, "b": 1, "c": "q\"\né\u0001", "aa": [1, 2.50, 1000, 0, 0.01]}"#
        );
        assert!(parse(r#"{"a":1"#).is_err());
        assert!(parse(r#""\u0000""#).is_err());
        let p = parse(r#"{"a":[1,{"b":2}],"c":{}}"#).unwrap();
        assert_eq!(
            pretty(&p),
            "{\n    \"a\": [\n        1,\n        {\n            \"b\": 2\n        }\n    ],\n    \"c\": {\n    }\n}"
        );
    }

    #[test]
    fn contains_and_orders() {
        let j = |t| parse(t).unwrap();
        assert!(j(r#"{"a":1,"b":[1,2,3]}"#).contains(&j(r#"{"b":[3,1]}"#)));
        assert!(!j(r#"{"a":1}"#).contains(&j(r#"{"a":"1"}"#)));
        assert!(j(r#"["a","b"]"#).contains(&j(r#""a""#)));
        assert!(!j(r#"{"a":[1,2]}"#).contains(&j(r#"{"a":1}"#)));
        assert!(j("1.0") == j("1.00"));
        let ascending = ["[]", "null", r#""a""#, "1", "true", "[1]", "{}"];
        for pair in ascending.windows(2) {
            assert!(j(pair[0]).compare(&j(pair[1])).is_lt(), "{pair:?}");
        }
    }
}
