//! POSIX regular expression matching (`~`, `~*`, and `!~`/`!~*` as their
//! negations) with the `regex` crate. PostgreSQL's advanced regular
//! expressions are a superset; patterns the crate cannot take
//! (backreferences, lookaround) are 2201B, as an invalid pattern is in
//! PostgreSQL. Compiled patterns are cached per thread, since a pattern is
//! usually the same for every row.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::{Regex, RegexBuilder};

use crate::errinput;
use crate::error::Result;
use crate::sql::expr::Function;
use crate::types::Value;

/// Most patterns kept compiled per thread.
const CACHE_SIZE: usize = 64;
/// Largest compiled program, so a hostile pattern cannot take the memory.
const SIZE_LIMIT: usize = 1 << 20;

thread_local! {
    static CACHE: RefCell<HashMap<(String, bool), Regex>> = RefCell::new(HashMap::new());
}

/// Evaluates a regex function over non-NULL values; None for others.
pub fn call(func: Function, values: &[Value]) -> Result<Option<Value>> {
    let insensitive = match func {
        Function::RegexMatch => false,
        Function::RegexIMatch => true,
        _ => return Ok(None),
    };
    let (Value::Text(subject), Value::Text(pattern)) = (&values[0], &values[1]) else {
        return Err(crate::errinternal!("regex operands are not text"));
    };
    Ok(Some(Value::Bool(is_match(subject, pattern, insensitive)?)))
}

fn is_match(subject: &str, pattern: &str, insensitive: bool) -> Result<bool> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        let key = (pattern.to_string(), insensitive);
        if let Some(re) = cache.get(&key) {
            return Ok(re.is_match(subject));
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
        let matched = re.is_match(subject);
        if cache.len() >= CACHE_SIZE {
            cache.clear();
        }
        cache.insert(key, re);
        Ok(matched)
    })
}
