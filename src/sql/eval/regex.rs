//! POSIX regular expression matching (`~`, `~*`, and `!~`/`!~*` as their
//! negations), regexp_replace and regexp_match, with the `regex` crate. PostgreSQL's advanced regular
//! expressions are a superset; patterns the crate cannot take
//! (backreferences, lookaround) are 2201B, as an invalid pattern is in
//! PostgreSQL. Compiled patterns are cached per thread, since a pattern is
//! usually the same for every row.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Function;
use crate::types::array::ArrayValue;
use crate::types::{DataType, Value};

/// Most patterns kept compiled per thread.
const CACHE_SIZE: usize = 64;
/// Largest compiled program, so a hostile pattern cannot take the memory.
const SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Regex>> = RefCell::new(HashMap::new());
}

/// Evaluates a regex function over non-NULL values; None for others.
pub fn call(func: Function, values: &[Value]) -> Result<Option<Value>> {
    let text = |i: usize| match values.get(i) {
        Some(Value::Text(s)) => s.as_str(),
        _ => "",
    };
    Ok(Some(match func {
        Function::RegexMatch | Function::RegexIMatch => {
            let re = compiled(text(1), func == Function::RegexIMatch)?;
            Value::Bool(re.is_match(text(0)))
        }
        Function::RegexpReplace => {
            let (global, insensitive) = flags(text(3))?;
            let re = compiled(text(1), insensitive)?;
            let replacement = replacement(text(2));
            let limit = if global { 0 } else { 1 };
            Value::Text(
                re.replacen(text(0), limit, replacement.as_str())
                    .into_owned(),
            )
        }
        Function::RegexpMatch => {
            let (global, insensitive) = flags(text(2))?;
            if global {
                return Err(errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "regexp_match() does not support the \"global\" option"
                )
                .with_hint("Use the regexp_matches function instead."));
            }
            let re = compiled(text(1), insensitive)?;
            match re.captures(text(0)) {
                None => Value::Null,
                Some(caps) => {
                    let items: Vec<Value> = if caps.len() == 1 {
                        vec![Value::Text(caps[0].to_string())]
                    } else {
                        caps.iter()
                            .skip(1)
                            .map(|m| m.map_or(Value::Null, |m| Value::Text(m.as_str().to_string())))
                            .collect()
                    };
                    Value::Array(Box::new(ArrayValue {
                        elem: DataType::Text,
                        items,
                    }))
                }
            }
        }
        _ => return Ok(None),
    }))
}

/// The `g` and `i` flags of regexp_replace and regexp_match (`c` and
/// `n`-free PostgreSQL flags only).
fn flags(flags: &str) -> Result<(bool, bool)> {
    let mut global = false;
    let mut insensitive = false;
    for f in flags.chars() {
        match f {
            'g' => global = true,
            'i' => insensitive = true,
            'c' => insensitive = false,
            _ => {
                return Err(errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "invalid regular expression option: \"{f}\""
                ))
            }
        }
    }
    Ok((global, insensitive))
}

/// A PostgreSQL replacement (`\1`…`\9`, `\&` the whole match, `\\` a
/// backslash) in the regex crate's syntax (`${1}`, `$$`).
fn replacement(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().copied()) {
            ('\\', Some(d @ '1'..='9')) => {
                chars.next();
                out.push_str(&format!("${{{d}}}"));
            }
            ('\\', Some('&')) => {
                chars.next();
                out.push_str("${0}");
            }
            ('\\', Some('\\')) => {
                chars.next();
                out.push('\\');
            }
            ('$', _) => out.push_str("$$"),
            (c, _) => out.push(c),
        }
    }
    out
}

/// A pattern compiled (or taken from the per-thread cache).
fn compiled(pattern: &str, insensitive: bool) -> Result<Regex> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (pattern.to_string(), insensitive);
        if let Some(re) = cache.get(&key) {
            return Ok(re.clone());
        }
        let re = RegexBuilder::new(pattern)
            .case_insensitive(insensitive)
            .size_limit(SIZE_LIMIT)
            .build()
            .map_err(|e| {
                errinput!(
                    "2201B",
                    "invalid regular expression: {}",
                    e.to_string().lines().last().unwrap_or("invalid pattern")
                )
            })?;
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(key, re.clone());
        Ok(re)
    })
}
