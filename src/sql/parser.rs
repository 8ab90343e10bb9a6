//! SQL text to AST with sqlparser's PostgreSQL dialect. FlintDB never
//! writes its own grammar; this file only maps parser errors to
//! PostgreSQL's `syntax error at or near "…"` (42601).

use sqlparser::ast::{Expr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};

use crate::errinput;
use crate::error::{sqlstate, Error, Result};

/// Nesting depth the parser accepts before failing cleanly.
const MAX_RECURSION_DEPTH: usize = 200;

/// Parses a string of zero or more `;`-separated statements.
pub fn parse(sql: &str) -> Result<Vec<Statement>> {
    Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(MAX_RECURSION_DEPTH)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_statements())
        .map_err(syntax_error)
}

/// Parses a single expression (stored column defaults).
pub fn parse_expr(sql: &str) -> Result<Expr> {
    Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(MAX_RECURSION_DEPTH)
        .try_with_sql(sql)
        .and_then(|mut p| p.parse_expr())
        .map_err(syntax_error)
}

fn syntax_error(err: ParserError) -> Error {
    let text = match &err {
        ParserError::RecursionLimitExceeded => {
            return errinput!("54001", "stack depth limit exceeded");
        }
        ParserError::TokenizerError(m) | ParserError::ParserError(m) => m.as_str(),
    };
    if let Some(after) = text.split("found: ").nth(1) {
        let token = after.split(" at Line:").next().unwrap_or(after).trim();
        if token == "EOF" {
            return errinput!(sqlstate::SYNTAX_ERROR, "syntax error at end of input");
        }
        return errinput!(
            sqlstate::SYNTAX_ERROR,
            "syntax error at or near \"{token}\""
        );
    }
    if text.starts_with("Unterminated string literal") {
        return errinput!(sqlstate::SYNTAX_ERROR, "unterminated quoted string");
    }
    let message = text.split(" at Line:").next().unwrap_or(text);
    errinput!(sqlstate::SYNTAX_ERROR, "syntax error: {message}")
}
