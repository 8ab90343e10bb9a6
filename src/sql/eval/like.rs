//! LIKE and ILIKE: `%` matches any run, `_` any one character, the escape
//! character (default backslash) makes the next one literal.

use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::types::Value;

/// Evaluates `value [NOT] [I]LIKE pattern [ESCAPE e]`.
pub fn like(
    value: Value,
    pattern: Value,
    escape: Option<Value>,
    case_insensitive: bool,
    negated: bool,
) -> Result<Value> {
    let (Value::Text(v), Value::Text(p)) = (&value, &pattern) else {
        return Ok(Value::Null);
    };
    let escape = match escape {
        None => Some('\\'),
        Some(Value::Null) => return Ok(Value::Null),
        Some(Value::Text(e)) => {
            let mut chars = e.chars();
            match (chars.next(), chars.next()) {
                (None, _) => None,
                (Some(c), None) => Some(c),
                _ => {
                    return Err(errinput!(
                        sqlstate::INVALID_ESCAPE_SEQUENCE,
                        "invalid escape string"
                    )
                    .with_detail("Escape string must be empty or one character."))
                }
            }
        }
        Some(_) => None,
    };
    let fold = |s: &str| {
        if case_insensitive {
            s.to_lowercase()
        } else {
            s.to_string()
        }
    };
    let text: Vec<char> = fold(v).chars().collect();
    let pat = compile(&fold(p), escape)?;
    Ok(Value::Bool(matches(&text, &pat) != negated))
}

#[derive(Debug, PartialEq)]
enum Token {
    Literal(char),
    AnyOne,
    AnyRun,
}

fn compile(pattern: &str, escape: Option<char>) -> Result<Vec<Token>> {
    let mut out = Vec::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if Some(c) == escape {
            match chars.next() {
                Some(n) => out.push(Token::Literal(n)),
                None => {
                    return Err(errinput!(
                        sqlstate::INVALID_ESCAPE_SEQUENCE,
                        "LIKE pattern must not end with escape character"
                    ))
                }
            }
        } else if c == '%' {
            if out.last() != Some(&Token::AnyRun) {
                out.push(Token::AnyRun);
            }
        } else if c == '_' {
            out.push(Token::AnyOne);
        } else {
            out.push(Token::Literal(c));
        }
    }
    Ok(out)
}

/// Iterative matcher with single-star backtracking (linear in practice).
fn matches(text: &[char], pat: &[Token]) -> bool {
    let (mut t, mut p) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pat.get(p) {
            Some(Token::AnyRun) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Token::AnyOne) => {
                t += 1;
                p += 1;
            }
            Some(Token::Literal(c)) if *c == text[t] => {
                t += 1;
                p += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pat[p..].iter().all(|tok| *tok == Token::AnyRun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: &str, p: &str) -> bool {
        matches!(
            like(
                Value::Text(v.into()),
                Value::Text(p.into()),
                None,
                false,
                false
            ),
            Ok(Value::Bool(true))
        )
    }

    #[test]
    fn patterns() {
        assert!(m("hello", "h%o"));
        assert!(m("hello", "_ello"));
        assert!(m("hello", "%"));
        assert!(!m("hello", "h_o"));
        assert!(m("a%b", "a\\%b"));
        assert!(!m("axb", "a\\%b"));
        assert!(m("abcabc", "%bc"));
        assert!(m("", "%"));
        assert!(!m("", "_"));
    }
}
