//! CREATE DATABASE and DROP DATABASE in PostgreSQL's grammar, read with
//! sqlparser's token API (its CREATE DATABASE is other systems').

use sqlparser::ast::Ident;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// A database statement as written.
#[derive(Clone, Debug, PartialEq)]
pub enum DatabaseStatement {
    /// `CREATE DATABASE name [WITH] [option [=] value] …`: options by
    /// lower-case name (`connection limit`), values as written (bare
    /// words folded to lower case).
    Create {
        name: String,
        options: Vec<(String, String)>,
    },
    /// `DROP DATABASE [IF EXISTS] name [[WITH] (FORCE)]`.
    Drop {
        name: String,
        if_exists: bool,
        force: bool,
    },
}

impl std::fmt::Display for DatabaseStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DatabaseStatement::Create { name, .. } => write!(f, "CREATE DATABASE {name}"),
            DatabaseStatement::Drop { name, .. } => write!(f, "DROP DATABASE {name}"),
        }
    }
}

fn name(ident: Ident) -> String {
    match ident.quote_style {
        Some(_) => ident.value,
        None => ident.value.to_lowercase(),
    }
}

fn at_end(p: &Parser) -> bool {
    matches!(p.peek_token().token, Token::EOF | Token::SemiColon)
}

/// After CREATE DATABASE.
pub fn parse_create(p: &mut Parser) -> Result<DatabaseStatement, ParserError> {
    let db = name(p.parse_identifier()?);
    let _ = p.parse_keyword(Keyword::WITH);
    let mut options = Vec::new();
    while !at_end(p) {
        let token = p.next_token();
        let Token::Word(w) = &token.token else {
            return p.expected("a CREATE DATABASE option", token);
        };
        let mut option = w.value.to_lowercase();
        if option == "connection" {
            p.expect_keyword(Keyword::LIMIT)?;
            option = "connection limit".to_string();
        }
        let _ = p.consume_token(&Token::Eq);
        let value = p.next_token();
        let value = match &value.token {
            Token::Word(w) if w.quote_style.is_some() => w.value.clone(),
            Token::Word(w) => w.value.to_lowercase(),
            Token::SingleQuotedString(s) => s.clone(),
            Token::Number(n, _) => n.clone(),
            Token::Minus => match p.next_token().token {
                Token::Number(n, _) => format!("-{n}"),
                _ => return p.expected("a number", value),
            },
            _ => return p.expected("an option value", value),
        };
        options.push((option, value));
    }
    Ok(DatabaseStatement::Create { name: db, options })
}

/// After DROP DATABASE.
pub fn parse_drop(p: &mut Parser) -> Result<DatabaseStatement, ParserError> {
    let if_exists = p.parse_keywords(&[Keyword::IF, Keyword::EXISTS]);
    let db = name(p.parse_identifier()?);
    let mut force = false;
    if !at_end(p) {
        let _ = p.parse_keyword(Keyword::WITH);
        p.expect_token(&Token::LParen)?;
        loop {
            let token = p.next_token();
            match &token.token {
                Token::Word(w) if w.value.eq_ignore_ascii_case("force") => force = true,
                _ => return p.expected("FORCE", token),
            }
            if !p.consume_token(&Token::Comma) {
                break;
            }
        }
        p.expect_token(&Token::RParen)?;
    }
    Ok(DatabaseStatement::Drop {
        name: db,
        if_exists,
        force,
    })
}
