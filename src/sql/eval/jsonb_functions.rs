//! The JSON operators and functions over json and jsonb: field and path
//! access (on json the raw text of the member, as PostgreSQL returns it;
//! on jsonb the parsed value), containment and key tests, `||`, `-`,
//! jsonb_set, jsonb_strip_nulls, jsonb_pretty, typeof and array length,
//! to_json[b] and the build functions, and the rows of
//! json[b]_array_elements[_text] and json[b]_object_keys.

use bigdecimal::BigDecimal;
use std::borrow::Cow;

use serde_json::value::RawValue;

use super::super::expr::Function;
use super::super::plan::SetFunction;
use super::json_functions::push_value;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::jsonb::{self, Jsonb};
use crate::types::{datetime, text, DataType, Value};

/// A step of a path: an object key or an array index (`#>` paths try a
/// text element as either).
enum Step<'a> {
    Key(&'a str),
    Index(i64),
    Either(&'a str),
}

/// The JSON functions; None for any other function. `types` are the
/// arguments' types, `ty` the result's.
pub fn call(
    func: Function,
    v: &[Value],
    types: &[DataType],
    ty: DataType,
) -> Result<Option<Value>> {
    Ok(Some(match func {
        Function::JsonField | Function::JsonIndex | Function::JsonPath => {
            let steps: Vec<Step> = match (func, &v[1]) {
                (Function::JsonField, Value::Text(k)) => vec![Step::Key(k)],
                (Function::JsonIndex, i) => vec![Step::Index(i.as_i64().unwrap_or(0))],
                (_, Value::Array(path)) => {
                    let mut steps = Vec::new();
                    for item in &path.items {
                        match item {
                            Value::Text(s) => steps.push(Step::Either(s)),
                            _ => return Ok(Some(Value::Null)),
                        }
                    }
                    steps
                }
                _ => return Ok(Some(Value::Null)),
            };
            extract(&v[0], &steps, ty)?
        }
        Function::JsonContains => Value::Bool(doc(&v[0])?.contains(&*doc(&v[1])?)),
        Function::JsonHasKey => Value::Bool(doc(&v[0])?.has_key(text_of(&v[1]))),
        Function::JsonHasAnyKey | Function::JsonHasAllKeys => {
            let d = doc(&v[0])?;
            let keys = texts(&v[1]);
            Value::Bool(if func == Function::JsonHasAnyKey {
                keys.iter().any(|k| d.has_key(k))
            } else {
                keys.iter().all(|k| d.has_key(k))
            })
        }
        Function::JsonConcat => jsonb_value(concat(owned_doc(&v[0])?, owned_doc(&v[1])?)),
        Function::JsonDeleteKey | Function::JsonDeleteIndex | Function::JsonDeleteKeys => {
            jsonb_value(delete(owned_doc(&v[0])?, &v[1])?)
        }
        Function::JsonTypeof => Value::Text(doc(&v[0])?.type_name().to_string()),
        Function::JsonArrayLength => match doc(&v[0])?.as_ref() {
            Jsonb::Array(items) => Value::Int4(items.len() as i32),
            Jsonb::Object(_) => return Err(bad("cannot get array length of a non-array")),
            _ => return Err(bad("cannot get array length of a scalar")),
        },
        Function::JsonbPretty => Value::Text(jsonb::pretty(&*doc(&v[0])?)),
        Function::JsonbStripNulls => jsonb_value(strip_nulls(owned_doc(&v[0])?)),
        Function::JsonbSet => {
            let create = !matches!(v.get(3), Some(Value::Bool(false)));
            let path: Vec<String> = match &v[1] {
                Value::Array(a) => a.items.iter().map(|i| text_of(i).to_string()).collect(),
                _ => Vec::new(),
            };
            jsonb_value(set(owned_doc(&v[0])?, &path, owned_doc(&v[2])?, create)?)
        }
        Function::ToJson if ty == DataType::Jsonb => jsonb_value(to_jsonb(&v[0], types[0])?),
        Function::ToJson => {
            let mut out = String::new();
            push_value(&v[0], types[0], &mut out);
            Value::Text(out)
        }
        Function::JsonbBuildObject => {
            let mut pairs = Vec::with_capacity(v.len() / 2);
            for (i, pair) in v.chunks(2).enumerate() {
                if pair[0].is_null() {
                    return Err(errinput!(
                        sqlstate::INVALID_PARAMETER_VALUE,
                        "argument {}: key must not be null",
                        2 * i + 1
                    ));
                }
                let key = text::format(&pair[0]).unwrap_or_default();
                pairs.push((key, to_jsonb(&pair[1], types[2 * i + 1])?));
            }
            jsonb_value(Jsonb::object(pairs))
        }
        Function::JsonBuildArray if ty == DataType::Jsonb => jsonb_value(Jsonb::Array(
            v.iter()
                .zip(types)
                .map(|(x, t)| to_jsonb(x, *t))
                .collect::<Result<_>>()?,
        )),
        Function::JsonBuildArray => {
            let mut out = String::from("[");
            for (i, (x, t)) in v.iter().zip(types).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_value(x, *t, &mut out);
            }
            out.push(']');
            Value::Text(out)
        }
        Function::JsonExtractPath => {
            if v[1..].iter().any(Value::is_null) {
                return Ok(Some(Value::Null));
            }
            let steps: Vec<Step> = v[1..].iter().map(|s| Step::Either(text_of(s))).collect();
            extract(&v[0], &steps, ty)?
        }
        _ => return Ok(None),
    }))
}

fn bad(message: &str) -> crate::error::Error {
    errinput!(sqlstate::INVALID_PARAMETER_VALUE, "{message}")
}

fn text_of(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        _ => "",
    }
}

/// The strings of a text or a text[] (its NULLs left out).
fn texts(v: &Value) -> Vec<&str> {
    match v {
        Value::Text(k) => vec![k.as_str()],
        Value::Array(a) => a
            .items
            .iter()
            .filter_map(|i| match i {
                Value::Text(s) => Some(s.as_str()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn jsonb_value(j: Jsonb) -> Value {
    Value::Jsonb(Box::new(j))
}

/// A json or jsonb argument as a parsed document.
fn doc(v: &Value) -> Result<Cow<'_, Jsonb>> {
    match v {
        Value::Jsonb(j) => Ok(Cow::Borrowed(j)),
        Value::Text(s) => Ok(Cow::Owned(jsonb::parse(s)?)),
        other => Err(crate::errinternal!(
            "{} is not JSON",
            other.data_type().sql_name()
        )),
    }
}

/// A json or jsonb argument as a document of its own (to change).
fn owned_doc(v: &Value) -> Result<Jsonb> {
    doc(v).map(Cow::into_owned)
}

/// Follows `steps` into a json (raw text) or jsonb value; the result as
/// `ty`: the same JSON type, or text (a string unquoted, JSON null NULL).
fn extract(v: &Value, steps: &[Step], ty: DataType) -> Result<Value> {
    match v {
        Value::Jsonb(j) => {
            let mut at: &Jsonb = j;
            for step in steps {
                let next = match (step, at) {
                    (Step::Key(k) | Step::Either(k), Jsonb::Object(_)) => at.get(k),
                    (Step::Index(i), Jsonb::Array(_)) => at.index(*i),
                    (Step::Either(s), Jsonb::Array(_)) => {
                        s.parse::<i64>().ok().and_then(|i| at.index(i))
                    }
                    _ => None,
                };
                match next {
                    Some(n) => at = n,
                    None => return Ok(Value::Null),
                }
            }
            Ok(match (ty, at) {
                (DataType::Text, Jsonb::Null) => Value::Null,
                (DataType::Text, Jsonb::String(s)) => Value::Text(s.clone()),
                (DataType::Text, other) => Value::Text(jsonb::format(other)),
                (_, other) => jsonb_value(other.clone()),
            })
        }
        Value::Text(s) => {
            let mut raw: Box<RawValue> =
                RawValue::from_string(s.clone()).map_err(|_| bad_json())?;
            for step in steps {
                let next = match step {
                    Step::Key(k) => member(&raw, k)?,
                    Step::Index(i) => element(&raw, *i)?,
                    Step::Either(s) => match member(&raw, s)? {
                        Some(m) => Some(m),
                        None => match s.parse::<i64>() {
                            Ok(i) => element(&raw, i)?,
                            Err(_) => None,
                        },
                    },
                };
                match next {
                    Some(n) => raw = n,
                    None => return Ok(Value::Null),
                }
            }
            let text = raw.get();
            if ty != DataType::Text {
                return Ok(Value::Text(text.to_string()));
            }
            Ok(
                match serde_json::from_str::<serde_json::Value>(text).map_err(|_| bad_json())? {
                    serde_json::Value::Null => Value::Null,
                    serde_json::Value::String(s) => Value::Text(s),
                    _ => Value::Text(text.to_string()),
                },
            )
        }
        _ => Ok(Value::Null),
    }
}

fn bad_json() -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_TEXT_REPRESENTATION,
        "invalid input syntax for type json"
    )
}

/// A json object's members as written: in order, duplicates kept, each
/// value's raw text.
struct RawPairs(Vec<RawMember>);

/// A json object member: its key and its value's raw text.
type RawMember = (String, Box<RawValue>);

impl<'de> serde::Deserialize<'de> for RawPairs {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = RawPairs;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<RawPairs, A::Error> {
                let mut out = Vec::new();
                while let Some(pair) = map.next_entry::<String, Box<RawValue>>()? {
                    out.push(pair);
                }
                Ok(RawPairs(out))
            }
        }
        d.deserialize_map(Pairs)
    }
}

fn raw_pairs(raw: &str) -> Result<Option<Vec<RawMember>>> {
    if !raw.trim_start().starts_with('{') {
        return Ok(None);
    }
    let pairs: RawPairs = serde_json::from_str(raw).map_err(|_| bad_json())?;
    Ok(Some(pairs.0))
}

fn raw_items(raw: &str) -> Result<Option<Vec<Box<RawValue>>>> {
    if !raw.trim_start().starts_with('[') {
        return Ok(None);
    }
    Ok(Some(serde_json::from_str(raw).map_err(|_| bad_json())?))
}

/// A raw json value as text: a string unquoted, null as NULL, anything
/// else as written.
fn raw_text(raw: &RawValue) -> Result<Value> {
    Ok(
        match serde_json::from_str::<serde_json::Value>(raw.get()).map_err(|_| bad_json())? {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::String(s) => Value::Text(s),
            _ => Value::Text(raw.get().to_string()),
        },
    )
}

/// set_values over json text, keeping each member's text as written.
fn raw_set_values(raw: &str, func: SetFunction) -> Result<Vec<Value>> {
    let kind = || match raw.trim_start().as_bytes().first() {
        Some(b'{') => "an object",
        Some(b'[') => "an array",
        _ => "a scalar",
    };
    match func {
        SetFunction::JsonObjectKeys => match raw_pairs(raw)? {
            Some(pairs) => Ok(pairs.into_iter().map(|(k, _)| Value::Text(k)).collect()),
            None => Err(bad(&format!("cannot call json_object_keys on {}", kind()))),
        },
        SetFunction::JsonEachKey | SetFunction::JsonEachValue | SetFunction::JsonEachValueText => {
            let Some(pairs) = raw_pairs(raw)? else {
                return Err(bad("cannot call json_each on a non-object"));
            };
            pairs
                .into_iter()
                .map(|(k, v)| match func {
                    SetFunction::JsonEachKey => Ok(Value::Text(k)),
                    SetFunction::JsonEachValueText => raw_text(&v),
                    _ => Ok(Value::Text(v.get().to_string())),
                })
                .collect()
        }
        _ => {
            let Some(items) = raw_items(raw)? else {
                return Err(bad(&format!("cannot extract elements from {}", kind())));
            };
            items
                .into_iter()
                .map(|i| match func {
                    SetFunction::JsonElementsText => raw_text(&i),
                    _ => Ok(Value::Text(i.get().to_string())),
                })
                .collect()
        }
    }
}

/// The raw text of an object member of raw json (the last of duplicates).
fn member(raw: &RawValue, key: &str) -> Result<Option<Box<RawValue>>> {
    Ok(raw_pairs(raw.get())?.and_then(|pairs| {
        pairs
            .into_iter()
            .rev()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }))
}

/// The raw text of an element of a raw json array.
fn element(raw: &RawValue, i: i64) -> Result<Option<Box<RawValue>>> {
    let Some(mut items) = raw_items(raw.get())? else {
        return Ok(None);
    };
    let at = if i < 0 { items.len() as i64 + i } else { i };
    Ok(usize::try_from(at)
        .ok()
        .filter(|at| *at < items.len())
        .map(|at| items.swap_remove(at)))
}

/// `jsonb || jsonb`.
fn concat(a: Jsonb, b: Jsonb) -> Jsonb {
    match (a, b) {
        (Jsonb::Object(mut x), Jsonb::Object(y)) => {
            x.extend(y);
            Jsonb::object(x)
        }
        (Jsonb::Array(mut x), Jsonb::Array(y)) => {
            x.extend(y);
            Jsonb::Array(x)
        }
        (Jsonb::Array(mut x), other) => {
            x.push(other);
            Jsonb::Array(x)
        }
        (other, Jsonb::Array(mut y)) => {
            y.insert(0, other);
            Jsonb::Array(y)
        }
        (x, y) => Jsonb::Array(vec![x, y]),
    }
}

/// `jsonb - key`, `jsonb - index`, `jsonb - text[]`.
fn delete(j: Jsonb, what: &Value) -> Result<Jsonb> {
    let keys = texts(what);
    Ok(match (j, what) {
        (Jsonb::Array(mut items), Value::Int4(i)) => {
            let at = if *i < 0 {
                items.len() as i64 + *i as i64
            } else {
                *i as i64
            };
            if let Some(at) = usize::try_from(at).ok().filter(|at| *at < items.len()) {
                items.remove(at);
            }
            Jsonb::Array(items)
        }
        (Jsonb::Object(_), Value::Int4(_)) => {
            return Err(bad("cannot delete from object using integer index"))
        }
        (Jsonb::Object(pairs), _) => Jsonb::Object(
            pairs
                .into_iter()
                .filter(|(k, _)| !keys.contains(&k.as_str()))
                .collect(),
        ),
        (Jsonb::Array(items), _) => Jsonb::Array(
            items
                .into_iter()
                .filter(|i| !matches!(i, Jsonb::String(s) if keys.contains(&s.as_str())))
                .collect(),
        ),
        _ => return Err(bad("cannot delete from scalar")),
    })
}

fn strip_nulls(j: Jsonb) -> Jsonb {
    match j {
        Jsonb::Object(pairs) => Jsonb::Object(
            pairs
                .into_iter()
                .filter(|(_, v)| !matches!(v, Jsonb::Null))
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Jsonb::Array(items) => Jsonb::Array(items.into_iter().map(strip_nulls).collect()),
        other => other,
    }
}

/// jsonb_set: replaces (or, with `create`, adds) the value at `path`;
/// a path through something missing leaves the document as it was.
fn set(j: Jsonb, path: &[String], new: Jsonb, create: bool) -> Result<Jsonb> {
    if !matches!(j, Jsonb::Object(_) | Jsonb::Array(_)) {
        return Err(bad("cannot set path in scalar"));
    }
    Ok(set_in(j, path, new, create))
}

fn set_in(j: Jsonb, path: &[String], new: Jsonb, create: bool) -> Jsonb {
    let Some((step, rest)) = path.split_first() else {
        return new;
    };
    match j {
        Jsonb::Object(mut pairs) => match pairs.iter().position(|(k, _)| k == step) {
            Some(i) => {
                let old = std::mem::replace(&mut pairs[i].1, Jsonb::Null);
                pairs[i].1 = set_in(old, rest, new, create);
                Jsonb::Object(pairs)
            }
            None if create && rest.is_empty() => {
                pairs.push((step.clone(), new));
                Jsonb::object(pairs)
            }
            None => Jsonb::Object(pairs),
        },
        Jsonb::Array(mut items) => {
            let Ok(i) = step.parse::<i64>() else {
                return Jsonb::Array(items);
            };
            let len = items.len() as i64;
            let at = if i < 0 { len + i } else { i };
            if (0..len).contains(&at) {
                let old = std::mem::replace(&mut items[at as usize], Jsonb::Null);
                items[at as usize] = set_in(old, rest, new, create);
            } else if create && rest.is_empty() {
                if at < 0 {
                    items.insert(0, new);
                } else {
                    items.push(new);
                }
            }
            Jsonb::Array(items)
        }
        other => other,
    }
}

/// to_jsonb: a SQL value as jsonb (numbers as numbers, booleans, text as
/// strings, json parsed, arrays element by element, dates and times in
/// ISO 8601, anything else as its text).
pub fn to_jsonb(v: &Value, ty: DataType) -> Result<Jsonb> {
    Ok(match v {
        Value::Null => Jsonb::Null,
        Value::Bool(b) => Jsonb::Bool(*b),
        Value::Jsonb(j) => (**j).clone(),
        Value::Text(s) if ty == DataType::Json => jsonb::parse(s)?,
        Value::Int2(_) | Value::Int4(_) | Value::Int8(_) | Value::Numeric(_) => {
            Jsonb::Number(v.as_decimal().unwrap_or_default())
        }
        Value::Float4(_) | Value::Float8(_) => {
            let t = text::format(v).unwrap_or_default();
            match t.parse::<BigDecimal>() {
                Ok(d) if v.as_f64().is_some_and(f64::is_finite) => Jsonb::Number(d),
                _ => Jsonb::String(t),
            }
        }
        Value::Array(a) => Jsonb::Array(
            a.items
                .iter()
                .map(|i| to_jsonb(i, a.elem))
                .collect::<Result<_>>()?,
        ),
        other => Jsonb::String(iso_text(other)),
    })
}

/// A value's text as JSON shows it: timestamps with a `T` (and `+00:00`).
pub fn iso_text(v: &Value) -> String {
    match v {
        Value::Timestamp(t) => datetime::format_timestamp(*t, false).replacen(' ', "T", 1),
        Value::Timestamptz(t) => {
            let mut s = datetime::format_timestamp(*t, true).replacen(' ', "T", 1);
            s.push_str(":00");
            s
        }
        other => text::format(other).unwrap_or_default(),
    }
}

/// The rows of json[b]_array_elements[_text], json[b]_object_keys and
/// the key and value columns of json[b]_each[_text]; `json` when the
/// values are json (text) rather than jsonb.
pub fn set_values(v: &Value, func: SetFunction, json: bool) -> Result<Vec<Value>> {
    if let Value::Text(raw) = v {
        return raw_set_values(raw, func);
    }
    let d = owned_doc(v)?;
    let name = |f: &str| format!("{}{f}", if json { "json" } else { "jsonb" });
    let as_value = |j: Jsonb, text: bool| match (text, j) {
        (true, Jsonb::Null) => Value::Null,
        (true, Jsonb::String(s)) => Value::Text(s),
        (true, other) => Value::Text(jsonb::format(&other)),
        (false, other) if json => Value::Text(jsonb::format(&other)),
        (false, other) => jsonb_value(other),
    };
    match func {
        SetFunction::JsonObjectKeys => match d {
            Jsonb::Object(pairs) => Ok(pairs.into_iter().map(|(k, _)| Value::Text(k)).collect()),
            Jsonb::Array(_) => Err(bad(&format!(
                "cannot call {} on an array",
                name("_object_keys")
            ))),
            _ => Err(bad(&format!(
                "cannot call {} on a scalar",
                name("_object_keys")
            ))),
        },
        SetFunction::JsonEachKey | SetFunction::JsonEachValue | SetFunction::JsonEachValueText => {
            let Jsonb::Object(pairs) = d else {
                return Err(bad(&format!(
                    "cannot call {} on a non-object",
                    name("_each")
                )));
            };
            Ok(pairs
                .into_iter()
                .map(|(k, v)| match func {
                    SetFunction::JsonEachKey => Value::Text(k),
                    _ => as_value(v, func == SetFunction::JsonEachValueText),
                })
                .collect())
        }
        _ => {
            let Jsonb::Array(items) = d else {
                return Err(bad(if matches!(d, Jsonb::Object(_)) {
                    "cannot extract elements from an object"
                } else {
                    "cannot extract elements from a scalar"
                }));
            };
            let text = func == SetFunction::JsonElementsText;
            Ok(items.into_iter().map(|i| as_value(i, text)).collect())
        }
    }
}

/// A value as json (text, as to_json writes it) or jsonb.
pub fn to_json(v: Value, ty: DataType) -> Result<Value> {
    let from = v.data_type();
    if ty == DataType::Jsonb {
        return Ok(jsonb_value(to_jsonb(&v, from)?));
    }
    let mut out = String::new();
    match &v {
        // json_agg separates its items with ", ".
        Value::Array(a) => {
            out.push('[');
            for (i, item) in a.items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_value(item, a.elem, &mut out);
            }
            out.push(']');
        }
        other => push_value(other, from, &mut out),
    }
    Ok(Value::Text(out))
}
