//! Sequence options as written: an identity column's (from sqlparser's
//! AST), CREATE and ALTER SEQUENCE's (parsed here with sqlparser's token
//! API: its grammar has no ALTER SEQUENCE and takes CREATE SEQUENCE's
//! options in one fixed order, where PostgreSQL takes any order, as
//! pg_dump writes them).

use sqlparser::ast::{self, ObjectName};
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, TokenWithSpan};

use crate::errinput;
use crate::error::{sqlstate, Result};

/// The options a statement gives; None where it says nothing.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SequenceOptions {
    pub data_type: Option<ast::DataType>,
    pub increment: Option<i64>,
    /// `MINVALUE n` (Some(Some)) or `NO MINVALUE` (Some(None)).
    pub min: Option<Option<i64>>,
    pub max: Option<Option<i64>>,
    pub start: Option<i64>,
    /// `RESTART` (Some(None): from START) or `RESTART WITH n`.
    pub restart: Option<Option<i64>>,
    pub cache: Option<i64>,
    pub cycle: Option<bool>,
    /// `OWNED BY table.column` (Some(Some)) or `OWNED BY NONE`.
    pub owned_by: Option<Option<ObjectName>>,
}

/// `CREATE [TEMP] SEQUENCE [IF NOT EXISTS] name …` or
/// `ALTER SEQUENCE [IF EXISTS] name …`.
#[derive(Clone, Debug, PartialEq)]
pub struct SequenceStatement {
    pub create: bool,
    pub temporary: bool,
    pub name: ObjectName,
    /// IF NOT EXISTS (CREATE) or IF EXISTS (ALTER).
    pub if_exists: bool,
    pub options: SequenceOptions,
    /// `RENAME TO new`.
    pub rename: Option<String>,
}

impl std::fmt::Display for SequenceStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = if self.create { "CREATE" } else { "ALTER" };
        write!(f, "{verb} SEQUENCE {}", self.name)
    }
}

impl SequenceOptions {
    /// The options of CREATE SEQUENCE or of an identity column.
    pub fn from_ast(
        data_type: Option<&ast::DataType>,
        options: &[ast::SequenceOptions],
        owned_by: Option<&ObjectName>,
    ) -> Result<SequenceOptions> {
        let mut o = SequenceOptions {
            data_type: data_type.cloned(),
            ..Default::default()
        };
        for option in options {
            match option {
                ast::SequenceOptions::IncrementBy(e, _) => o.increment = Some(number(e)?),
                ast::SequenceOptions::MinValue(e) => {
                    o.min = Some(e.as_ref().map(number).transpose()?)
                }
                ast::SequenceOptions::MaxValue(e) => {
                    o.max = Some(e.as_ref().map(number).transpose()?)
                }
                ast::SequenceOptions::StartWith(e, _) => o.start = Some(number(e)?),
                ast::SequenceOptions::Cache(e) => o.cache = Some(number(e)?),
                ast::SequenceOptions::Cycle(no) => o.cycle = Some(!no),
            }
        }
        if let Some(owner) = owned_by {
            let none = owner.0.len() == 1 && owner.to_string().eq_ignore_ascii_case("none");
            o.owned_by = Some((!none).then(|| owner.clone()));
        }
        Ok(o)
    }
}

/// An option's value: an integer literal, perhaps signed.
fn number(e: &ast::Expr) -> Result<i64> {
    let (negative, inner) = match e {
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Minus,
            expr,
        } => (true, expr.as_ref()),
        ast::Expr::UnaryOp {
            op: ast::UnaryOperator::Plus,
            expr,
        } => (false, expr.as_ref()),
        other => (false, other),
    };
    let text = match inner {
        ast::Expr::Value(v) => match &v.value {
            ast::Value::Number(n, _) => n.clone(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let text = if negative { format!("-{text}") } else { text };
    text.parse::<i64>()
        .map_err(|_| errinput!(sqlstate::SYNTAX_ERROR, "syntax error at or near \"{e}\""))
}

/// Parses what follows `CREATE [TEMP] SEQUENCE` (`create`) or `ALTER
/// SEQUENCE`.
pub fn parse_sequence_statement(
    p: &mut Parser,
    create: bool,
    temporary: bool,
) -> std::result::Result<SequenceStatement, ParserError> {
    let if_exists = if create {
        p.parse_keywords(&[Keyword::IF, Keyword::NOT, Keyword::EXISTS])
    } else {
        p.parse_keywords(&[Keyword::IF, Keyword::EXISTS])
    };
    let name = p.parse_object_name(false)?;
    let mut statement = SequenceStatement {
        create,
        temporary,
        name,
        if_exists,
        options: SequenceOptions::default(),
        rename: None,
    };
    if !create && p.parse_keywords(&[Keyword::RENAME, Keyword::TO]) {
        statement.rename = Some(p.parse_identifier()?.value);
        return Ok(statement);
    }
    let o = &mut statement.options;
    let mut any = create;
    loop {
        let at_end = matches!(p.peek_token().token, Token::SemiColon | Token::EOF);
        if p.parse_keyword(Keyword::AS) {
            o.data_type = Some(p.parse_data_type()?);
        } else if p.parse_keyword(Keyword::INCREMENT) {
            let _ = p.parse_keyword(Keyword::BY);
            o.increment = Some(signed(p)?);
        } else if p.parse_keyword(Keyword::MINVALUE) {
            o.min = Some(Some(signed(p)?));
        } else if p.parse_keyword(Keyword::MAXVALUE) {
            o.max = Some(Some(signed(p)?));
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MINVALUE]) {
            o.min = Some(None);
        } else if p.parse_keywords(&[Keyword::NO, Keyword::MAXVALUE]) {
            o.max = Some(None);
        } else if p.parse_keywords(&[Keyword::NO, Keyword::CYCLE]) {
            o.cycle = Some(false);
        } else if p.parse_keyword(Keyword::CYCLE) {
            o.cycle = Some(true);
        } else if p.parse_keyword(Keyword::START) {
            let _ = p.parse_keyword(Keyword::WITH);
            o.start = Some(signed(p)?);
        } else if !create && p.parse_keyword(Keyword::RESTART) {
            let with = p.parse_keyword(Keyword::WITH);
            let value = match p.peek_token().token {
                Token::Number(..) | Token::Minus | Token::Plus => Some(signed(p)?),
                _ if with => return p.expected("a number", p.peek_token()),
                _ => None,
            };
            o.restart = Some(value);
        } else if p.parse_keyword(Keyword::CACHE) {
            o.cache = Some(signed(p)?);
        } else if p.parse_keywords(&[Keyword::OWNED, Keyword::BY]) {
            let owner = p.parse_object_name(false)?;
            let none = owner.0.len() == 1 && owner.to_string().eq_ignore_ascii_case("none");
            o.owned_by = Some((!none).then_some(owner));
        } else if any && at_end {
            return Ok(statement);
        } else {
            return p.expected("a sequence option", p.peek_token());
        }
        any = true;
    }
}

fn signed(p: &mut Parser) -> std::result::Result<i64, ParserError> {
    let negative = p.consume_token(&Token::Minus);
    if !negative {
        let _ = p.consume_token(&Token::Plus);
    }
    let token = p.next_token();
    let Token::Number(n, _) = &token.token else {
        return p.expected("a number", token);
    };
    let text = if negative { format!("-{n}") } else { n.clone() };
    text.parse()
        .map_err(|_| ParserError::ParserError(format!("invalid number {text}")))
}

/// Puts the options of each `IDENTITY (…)` in the one order sqlparser
/// reads them (INCREMENT, MINVALUE, MAXVALUE, START, CACHE, CYCLE);
/// PostgreSQL takes them in any order.
pub fn order_identity_options(tokens: &mut Vec<TokenWithSpan>) {
    let mut i = 0;
    while i < tokens.len() {
        let is_identity =
            matches!(&tokens[i].token, Token::Word(w) if w.keyword == Keyword::IDENTITY);
        let open =
            (i + 1..tokens.len()).find(|&j| !matches!(tokens[j].token, Token::Whitespace(_)));
        let (true, Some(open)) = (is_identity, open) else {
            i += 1;
            continue;
        };
        if tokens[open].token != Token::LParen {
            i += 1;
            continue;
        }
        let mut depth = 0;
        let Some(close) = (open..tokens.len()).find(|&j| {
            match tokens[j].token {
                Token::LParen => depth += 1,
                Token::RParen => depth -= 1,
                _ => {}
            }
            depth == 0
        }) else {
            return;
        };
        let inner: Vec<TokenWithSpan> = tokens[open + 1..close]
            .iter()
            .filter(|t| !matches!(t.token, Token::Whitespace(_)))
            .cloned()
            .collect();
        let mut groups: Vec<(usize, Vec<TokenWithSpan>)> = Vec::new();
        for (k, t) in inner.iter().enumerate() {
            let next = inner.get(k + 1).map(|n| &n.token);
            let rank = match &t.token {
                Token::Word(w) => match w.keyword {
                    Keyword::INCREMENT => Some(0),
                    Keyword::MINVALUE if !after_no(&inner, k) => Some(1),
                    Keyword::MAXVALUE if !after_no(&inner, k) => Some(2),
                    Keyword::START => Some(3),
                    Keyword::CACHE => Some(4),
                    Keyword::CYCLE if !after_no(&inner, k) => Some(5),
                    Keyword::NO => match next {
                        Some(Token::Word(n)) if n.keyword == Keyword::MINVALUE => Some(1),
                        Some(Token::Word(n)) if n.keyword == Keyword::MAXVALUE => Some(2),
                        Some(Token::Word(n)) if n.keyword == Keyword::CYCLE => Some(5),
                        _ => None,
                    },
                    _ => None,
                },
                _ => None,
            };
            match (rank, groups.last_mut()) {
                (Some(r), _) => groups.push((r, vec![t.clone()])),
                (None, Some(g)) => g.1.push(t.clone()),
                // Not options this function knows: leave them alone.
                (None, None) => return,
            }
        }
        groups.sort_by_key(|g| g.0);
        let mut rebuilt = Vec::new();
        for t in groups.into_iter().flat_map(|g| g.1) {
            rebuilt.push(TokenWithSpan::wrap(Token::Whitespace(
                sqlparser::tokenizer::Whitespace::Space,
            )));
            rebuilt.push(t);
        }
        let end = open + 1 + rebuilt.len();
        tokens.splice(open + 1..close, rebuilt);
        i = end;
    }
}

fn after_no(tokens: &[TokenWithSpan], k: usize) -> bool {
    k > 0 && matches!(&tokens[k - 1].token, Token::Word(w) if w.keyword == Keyword::NO)
}
