//! SQL text to AST with sqlparser's PostgreSQL dialect, and PostgreSQL's
//! syntax error messages (`syntax error at or near "…"`, 42601).
//!
//! sqlparser's grammar lacks a few PostgreSQL commands; for those alone
//! ([`Command::Reindex`], PostgreSQL's forms of [`Command::Vacuum`],
//! [`Command::Grant`] in `grant_syntax.rs`) this
//! file reads the tokens itself, with sqlparser's token API, at the
//! start of a statement. Everything else is sqlparser's.

use sqlparser::ast::{Expr, ObjectName, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use super::grant_syntax::parse_grant;
pub use super::grant_syntax::{GrantObjects, GrantStatement, Granted, RoleSpec};
use super::sequence_syntax::parse_sequence_statement;
use crate::errinput;
use crate::error::{sqlstate, Error, Result};

/// Nesting depth the parser accepts before failing cleanly.
const MAX_RECURSION_DEPTH: usize = 200;

/// One parsed statement.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)] // almost every command is the large one
pub enum Command {
    Sql(Statement),
    /// `REINDEX [(VERBOSE)] {INDEX | TABLE} name`.
    Reindex {
        kind: ReindexKind,
        name: ObjectName,
    },
    /// `VACUUM [FULL] [FREEZE] [VERBOSE] [ANALYZE] [table, …]` or
    /// `VACUUM (option [value], …) [table, …]`.
    Vacuum(Vacuum),
    /// GRANT or REVOKE of privileges or role membership.
    Grant(GrantStatement),
    /// `FETCH [direction] [FROM | IN] cursor`, or MOVE (the same without
    /// rows).
    Fetch {
        cursor: String,
        direction: Direction,
        move_only: bool,
    },
    /// `CREATE SEQUENCE` or `ALTER SEQUENCE` (see `sequence_syntax`).
    Sequence(crate::sql::sequence_syntax::SequenceStatement),
    /// `CREATE DATABASE` or `DROP DATABASE` (see `database_syntax`).
    Database(crate::sql::database_syntax::DatabaseStatement),
}

/// Where FETCH and MOVE go, as PostgreSQL's grammar has it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Next,
    Prior,
    First,
    Last,
    Absolute(i64),
    Relative(i64),
    /// `n`, `FORWARD n` (negative: backward).
    Forward(i64),
    Backward(i64),
    ForwardAll,
    BackwardAll,
}

/// What REINDEX rebuilds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReindexKind {
    Index,
    Table,
}

/// A VACUUM command's options and tables (none: every table).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Vacuum {
    pub full: bool,
    pub analyze: bool,
    pub tables: Vec<ObjectName>,
}

impl std::fmt::Display for Command {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Command::Sql(s) => write!(f, "{s}"),
            Command::Reindex { kind, name } => write!(f, "REINDEX {kind:?} {name}"),
            Command::Vacuum(v) => write!(f, "VACUUM {v:?}"),
            Command::Grant(g) => write!(f, "{g}"),
            Command::Sequence(a) => write!(f, "{a}"),
            Command::Database(d) => write!(f, "{d}"),
            Command::Fetch {
                cursor,
                direction,
                move_only,
            } => write!(
                f,
                "{} {direction:?} FROM {cursor}",
                if *move_only { "MOVE" } else { "FETCH" }
            ),
        }
    }
}

/// Parses a string of zero or more `;`-separated statements.
pub fn parse(sql: &str) -> Result<Vec<Command>> {
    let mut tokens = Tokenizer::new(&PostgreSqlDialect {}, sql)
        .tokenize_with_location()
        .map_err(|e| syntax_error(ParserError::TokenizerError(e.to_string())))?;
    copy_booleans(&mut tokens);
    super::sequence_syntax::order_identity_options(&mut tokens);
    let overriding = super::overriding::take_clauses(&mut tokens);
    let mut parser = Parser::new(&PostgreSqlDialect {})
        .with_recursion_limit(MAX_RECURSION_DEPTH)
        .with_tokens_with_locations(tokens);
    let mut commands = parse_commands(&mut parser).map_err(syntax_error)?;
    super::overriding::mark(&mut commands, &overriding);
    Ok(commands)
}

/// In COPY options, PostgreSQL takes `on`/`off` for boolean options
/// (`FREEZE on`, `HEADER off`, as pgbench sends); sqlparser takes only
/// TRUE/FALSE, so within a COPY statement such a word after FREEZE or
/// HEADER becomes TRUE or FALSE.
fn copy_booleans(tokens: &mut [TokenWithSpan]) {
    let mut in_copy = false;
    let mut at_start = true;
    let mut after_option = false;
    for t in tokens.iter_mut() {
        match &t.token {
            Token::Whitespace(_) => continue,
            Token::SemiColon => {
                in_copy = false;
                at_start = true;
                after_option = false;
                continue;
            }
            Token::Word(w) if at_start => in_copy = w.keyword == Keyword::COPY,
            Token::Word(w) if in_copy && after_option => {
                let value = match w.value.to_lowercase().as_str() {
                    "on" => Some(Keyword::TRUE),
                    "off" => Some(Keyword::FALSE),
                    _ => None,
                };
                if let Some(keyword) = value {
                    let word = if keyword == Keyword::TRUE {
                        "TRUE"
                    } else {
                        "FALSE"
                    };
                    t.token = Token::make_keyword(word);
                }
            }
            _ => {}
        }
        at_start = false;
        after_option = in_copy
            && matches!(&t.token, Token::Word(w) if matches!(w.keyword, Keyword::FREEZE | Keyword::HEADER));
    }
}

fn parse_commands(p: &mut Parser) -> std::result::Result<Vec<Command>, ParserError> {
    let mut commands = Vec::new();
    let mut expecting_delimiter = false;
    loop {
        while p.consume_token(&Token::SemiColon) {
            expecting_delimiter = false;
        }
        let next = p.peek_token();
        if next.token == Token::EOF {
            return Ok(commands);
        }
        if expecting_delimiter {
            return p.expected("end of statement", next);
        }
        let command = if p.parse_keyword(Keyword::REINDEX) {
            parse_reindex(p)?
        } else if p.parse_keyword(Keyword::VACUUM) {
            Command::Vacuum(parse_vacuum(p)?)
        } else if p.parse_keyword(Keyword::FETCH) {
            parse_fetch(p, false)?
        } else if matches!(&p.peek_token().token, Token::Word(w) if w.value.eq_ignore_ascii_case("move"))
        {
            p.next_token();
            parse_fetch(p, true)?
        } else if p.parse_keywords(&[Keyword::ALTER, Keyword::SEQUENCE]) {
            Command::Sequence(parse_sequence_statement(p, false, false)?)
        } else if p.parse_keywords(&[Keyword::CREATE, Keyword::SEQUENCE]) {
            Command::Sequence(parse_sequence_statement(p, true, false)?)
        } else if p.parse_keywords(&[Keyword::CREATE, Keyword::TEMP, Keyword::SEQUENCE])
            || p.parse_keywords(&[Keyword::CREATE, Keyword::TEMPORARY, Keyword::SEQUENCE])
        {
            Command::Sequence(parse_sequence_statement(p, true, true)?)
        } else if p.parse_keywords(&[Keyword::CREATE, Keyword::DATABASE]) {
            Command::Database(super::database_syntax::parse_create(p)?)
        } else if p.parse_keywords(&[Keyword::DROP, Keyword::DATABASE]) {
            Command::Database(super::database_syntax::parse_drop(p)?)
        } else if p.parse_keyword(Keyword::GRANT) {
            Command::Grant(parse_grant(p, true)?)
        } else if p.parse_keyword(Keyword::REVOKE) {
            Command::Grant(parse_grant(p, false)?)
        } else if p.parse_keywords(&[Keyword::CREATE, Keyword::USER]) {
            // PostgreSQL's CREATE USER is CREATE ROLE with LOGIN by default
            // (sqlparser reads CREATE USER in Snowflake's form).
            let mut role = p.parse_create_role()?;
            role.login = role.login.or(Some(true));
            Command::Sql(Statement::CreateRole(role))
        } else {
            Command::Sql(p.parse_statement()?)
        };
        commands.push(command);
        expecting_delimiter = true;
    }
}

fn parse_fetch(p: &mut Parser, move_only: bool) -> std::result::Result<Command, ParserError> {
    let count = |p: &mut Parser| -> std::result::Result<i64, ParserError> {
        let negative = p.consume_token(&Token::Minus);
        if !negative {
            let _ = p.consume_token(&Token::Plus);
        }
        let token = p.next_token();
        match &token.token {
            Token::Number(n, _) => n
                .parse::<i64>()
                .map(|v| if negative { -v } else { v })
                .map_err(|_| ParserError::ParserError(format!("found: {n}"))),
            _ => p.expected("a count", token),
        }
    };
    let is_count = |p: &Parser| {
        matches!(
            p.peek_token().token,
            Token::Number(..) | Token::Minus | Token::Plus
        )
    };
    let direction = if p.parse_keyword(Keyword::NEXT) {
        Direction::Next
    } else if p.parse_keyword(Keyword::PRIOR) {
        Direction::Prior
    } else if p.parse_keyword(Keyword::FIRST) {
        Direction::First
    } else if p.parse_keyword(Keyword::LAST) {
        Direction::Last
    } else if p.parse_keyword(Keyword::ABSOLUTE) {
        Direction::Absolute(count(p)?)
    } else if p.parse_keyword(Keyword::RELATIVE) {
        Direction::Relative(count(p)?)
    } else if p.parse_keyword(Keyword::ALL) {
        Direction::ForwardAll
    } else if p.parse_keyword(Keyword::FORWARD) {
        if p.parse_keyword(Keyword::ALL) {
            Direction::ForwardAll
        } else if is_count(p) {
            Direction::Forward(count(p)?)
        } else {
            Direction::Forward(1)
        }
    } else if p.parse_keyword(Keyword::BACKWARD) {
        if p.parse_keyword(Keyword::ALL) {
            Direction::BackwardAll
        } else if is_count(p) {
            Direction::Backward(count(p)?)
        } else {
            Direction::Backward(1)
        }
    } else if is_count(p) {
        Direction::Forward(count(p)?)
    } else {
        Direction::Next
    };
    if !p.parse_keyword(Keyword::FROM) {
        let _ = p.parse_keyword(Keyword::IN);
    }
    let cursor = crate::sql::binder::normalize(&p.parse_identifier()?);
    Ok(Command::Fetch {
        cursor,
        direction,
        move_only,
    })
}

fn parse_reindex(p: &mut Parser) -> std::result::Result<Command, ParserError> {
    if p.consume_token(&Token::LParen) {
        p.parse_comma_separated(|p| p.parse_identifier())?;
        p.expect_token(&Token::RParen)?;
    }
    let kind = if p.parse_keyword(Keyword::INDEX) {
        ReindexKind::Index
    } else if p.parse_keyword(Keyword::TABLE) {
        ReindexKind::Table
    } else {
        return p.expected("INDEX or TABLE", p.peek_token());
    };
    let name = p.parse_object_name(false)?;
    Ok(Command::Reindex { kind, name })
}

fn parse_vacuum(p: &mut Parser) -> std::result::Result<Vacuum, ParserError> {
    let mut v = Vacuum::default();
    if p.consume_token(&Token::LParen) {
        let options = p.parse_comma_separated(|p| {
            let name = p.parse_identifier()?.value.to_lowercase();
            // An optional value: a boolean word or a number.
            let on = match &p.peek_token().token {
                Token::Comma | Token::RParen => true,
                _ => {
                    let value = p.next_token().token.to_string().to_lowercase();
                    !matches!(value.as_str(), "false" | "off" | "0")
                }
            };
            Ok((name, on))
        })?;
        p.expect_token(&Token::RParen)?;
        for (name, on) in options {
            match name.as_str() {
                "full" => v.full = on,
                "analyze" => v.analyze = on,
                // Options that change how, not what: accepted.
                "verbose"
                | "freeze"
                | "skip_locked"
                | "index_cleanup"
                | "process_toast"
                | "truncate"
                | "parallel"
                | "disable_page_skipping" => {}
                other => {
                    return Err(ParserError::ParserError(format!(
                        "unrecognized VACUUM option \"{other}\""
                    )))
                }
            }
        }
    } else {
        v.full = p.parse_keyword(Keyword::FULL);
        let _freeze = p.parse_keyword(Keyword::FREEZE);
        let _verbose = p.parse_keyword(Keyword::VERBOSE);
        v.analyze = p.parse_keyword(Keyword::ANALYZE);
    }
    let at_end = |p: &Parser| matches!(p.peek_token().token, Token::SemiColon | Token::EOF);
    if !at_end(p) {
        v.tables = p.parse_comma_separated(|p| p.parse_object_name(false))?;
    }
    Ok(v)
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
    if text.starts_with("unrecognized ") {
        return errinput!(sqlstate::SYNTAX_ERROR, "{text}");
    }
    if text.starts_with("Unterminated string literal") {
        return errinput!(sqlstate::SYNTAX_ERROR, "unterminated quoted string");
    }
    let message = text.split(" at Line:").next().unwrap_or(text);
    errinput!(sqlstate::SYNTAX_ERROR, "syntax error: {message}")
}
