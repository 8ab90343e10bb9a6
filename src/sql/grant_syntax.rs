//! PostgreSQL's GRANT and REVOKE, read with sqlparser's token API
//! (sqlparser's own AST lacks role membership grants, column lists and
//! GRANTED BY for PostgreSQL):
//!
//! ```text
//! GRANT privileges ON [TABLE] t, … | ALL TABLES IN SCHEMA s, … | SCHEMA s, … | DATABASE d, …
//!     TO role_spec, … [WITH GRANT OPTION] [GRANTED BY role_spec]
//! GRANT role, … TO role_spec, … [WITH ADMIN OPTION] [GRANTED BY role_spec]
//! REVOKE [GRANT OPTION FOR | ADMIN OPTION FOR] … FROM role_spec, … [GRANTED BY …] [CASCADE | RESTRICT]
//! ```
//! where privileges are `ALL [PRIVILEGES] [(cols)]` or `priv [(cols)], …`.

use sqlparser::ast::ObjectName;
use sqlparser::keywords::Keyword;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::Token;

/// A GRANT or REVOKE statement.
#[derive(Clone, Debug, PartialEq)]
pub struct GrantStatement {
    /// GRANT (true) or REVOKE.
    pub grant: bool,
    /// REVOKE GRANT OPTION FOR / ADMIN OPTION FOR: only the option goes.
    pub option_only: bool,
    pub what: Granted,
    pub grantees: Vec<RoleSpec>,
    /// WITH GRANT OPTION / WITH ADMIN OPTION.
    pub with_option: bool,
    pub granted_by: Option<RoleSpec>,
    pub cascade: bool,
}

/// What is granted.
#[derive(Clone, Debug, PartialEq)]
pub enum Granted {
    Privileges {
        /// Each privilege by name (lower-case) with its columns; `None`
        /// for ALL.
        privileges: Option<Vec<(String, Vec<String>)>>,
        /// Columns after ALL (`ALL (a, b)`).
        all_columns: Vec<String>,
        objects: GrantObjects,
    },
    /// Membership in these roles.
    Roles(Vec<String>),
}

/// The objects of a privilege grant.
#[derive(Clone, Debug, PartialEq)]
pub enum GrantObjects {
    Tables(Vec<ObjectName>),
    AllTablesInSchema(Vec<String>),
    Schemas(Vec<String>),
    Sequences(Vec<ObjectName>),
    AllSequencesInSchema(Vec<String>),
    Databases(Vec<String>),
    /// A kind FlintDB has no objects of (sequences, functions, …).
    Other(String),
}

/// A role as GRANT names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RoleSpec {
    Name(String),
    Public,
    CurrentRole,
    CurrentUser,
    SessionUser,
}

impl std::fmt::Display for GrantStatement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |items: &[String]| items.join(", ");
        let with_columns = |name: &str, cols: &[String]| {
            if cols.is_empty() {
                name.to_string()
            } else {
                format!("{name} ({})", list(cols))
            }
        };
        f.write_str(if self.grant { "GRANT " } else { "REVOKE " })?;
        if self.option_only {
            f.write_str(match self.what {
                Granted::Roles(_) => "ADMIN OPTION FOR ",
                Granted::Privileges { .. } => "GRANT OPTION FOR ",
            })?;
        }
        match &self.what {
            Granted::Roles(roles) => f.write_str(&list(roles))?,
            Granted::Privileges {
                privileges,
                all_columns,
                objects,
            } => {
                match privileges {
                    None => f.write_str(&with_columns("ALL", all_columns))?,
                    Some(p) => {
                        let items: Vec<String> = p
                            .iter()
                            .map(|(n, c)| with_columns(&n.to_uppercase(), c))
                            .collect();
                        f.write_str(&list(&items))?
                    }
                }
                f.write_str(" ON ")?;
                match objects {
                    GrantObjects::Tables(t) => {
                        let names: Vec<String> = t.iter().map(|n| n.to_string()).collect();
                        write!(f, "TABLE {}", list(&names))?
                    }
                    GrantObjects::AllTablesInSchema(s) => {
                        write!(f, "ALL TABLES IN SCHEMA {}", list(s))?
                    }
                    GrantObjects::Schemas(s) => write!(f, "SCHEMA {}", list(s))?,
                    GrantObjects::Sequences(t) => {
                        let names: Vec<String> = t.iter().map(|n| n.to_string()).collect();
                        write!(f, "SEQUENCE {}", list(&names))?
                    }
                    GrantObjects::AllSequencesInSchema(s) => {
                        write!(f, "ALL SEQUENCES IN SCHEMA {}", list(s))?
                    }
                    GrantObjects::Databases(d) => write!(f, "DATABASE {}", list(d))?,
                    GrantObjects::Other(kind) => f.write_str(kind)?,
                }
            }
        }
        let grantees: Vec<String> = self.grantees.iter().map(|r| r.to_string()).collect();
        write!(
            f,
            " {} {}",
            if self.grant { "TO" } else { "FROM" },
            list(&grantees)
        )?;
        if self.with_option {
            f.write_str(match self.what {
                Granted::Roles(_) => " WITH ADMIN OPTION",
                Granted::Privileges { .. } => " WITH GRANT OPTION",
            })?;
        }
        if let Some(by) = &self.granted_by {
            write!(f, " GRANTED BY {by}")?;
        }
        if self.cascade {
            f.write_str(" CASCADE")?;
        }
        Ok(())
    }
}

impl std::fmt::Display for RoleSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RoleSpec::Name(n) => write!(f, "{n}"),
            RoleSpec::Public => f.write_str("PUBLIC"),
            RoleSpec::CurrentRole => f.write_str("CURRENT_ROLE"),
            RoleSpec::CurrentUser => f.write_str("CURRENT_USER"),
            RoleSpec::SessionUser => f.write_str("SESSION_USER"),
        }
    }
}

/// Reads the rest of a GRANT (`grant`) or REVOKE statement, after its
/// first keyword.
pub fn parse_grant(p: &mut Parser, grant: bool) -> Result<GrantStatement, ParserError> {
    let mut option_only = false;
    if !grant {
        option_only = p.parse_keywords(&[Keyword::GRANT, Keyword::OPTION, Keyword::FOR])
            || p.parse_keywords(&[Keyword::ADMIN, Keyword::OPTION, Keyword::FOR]);
    }
    // Privileges and role names are both comma lists of words; ON tells.
    let mut items: Vec<(String, Vec<String>)> = Vec::new();
    loop {
        let word = match p.next_token().token {
            Token::Word(w) => match w.quote_style {
                Some(_) => w.value,
                None => w.value.to_lowercase(),
            },
            other => return parser_error(format!("found: {other}")),
        };
        if word == "all" && items.is_empty() {
            let _ = p.parse_keyword(Keyword::PRIVILEGES);
        }
        let columns = if p.consume_token(&Token::LParen) {
            let cols = p.parse_comma_separated(|p| p.parse_identifier())?;
            p.expect_token(&Token::RParen)?;
            cols.iter().map(crate::sql::binder::normalize).collect()
        } else {
            Vec::new()
        };
        items.push((word, columns));
        if !p.consume_token(&Token::Comma) {
            break;
        }
    }
    let what = if p.parse_keyword(Keyword::ON) {
        let objects = parse_objects(p)?;
        let all = items.len() == 1 && items[0].0 == "all";
        if all {
            Granted::Privileges {
                privileges: None,
                all_columns: items.remove(0).1,
                objects,
            }
        } else {
            Granted::Privileges {
                privileges: Some(items),
                all_columns: Vec::new(),
                objects,
            }
        }
    } else {
        if items.iter().any(|(_, cols)| !cols.is_empty()) {
            return p.expected("ON", p.peek_token());
        }
        Granted::Roles(items.into_iter().map(|(w, _)| w).collect())
    };
    if grant {
        p.expect_keyword_is(Keyword::TO)?;
    } else {
        p.expect_keyword_is(Keyword::FROM)?;
    }
    let grantees = p.parse_comma_separated(parse_role_spec)?;
    let mut with_option = false;
    if grant && p.parse_keyword(Keyword::WITH) {
        if p.parse_keywords(&[Keyword::GRANT, Keyword::OPTION])
            || p.parse_keywords(&[Keyword::ADMIN, Keyword::OPTION])
        {
            with_option = true;
        } else {
            return p.expected("GRANT OPTION or ADMIN OPTION", p.peek_token());
        }
    }
    let granted_by = if p.parse_keywords(&[Keyword::GRANTED, Keyword::BY]) {
        Some(parse_role_spec(p)?)
    } else {
        None
    };
    let mut cascade = false;
    if !grant {
        if p.parse_keyword(Keyword::CASCADE) {
            cascade = true;
        } else {
            let _ = p.parse_keyword(Keyword::RESTRICT);
        }
    }
    Ok(GrantStatement {
        grant,
        option_only,
        what,
        grantees,
        with_option,
        granted_by,
        cascade,
    })
}

fn parse_objects(p: &mut Parser) -> Result<GrantObjects, ParserError> {
    let names = |p: &mut Parser| -> Result<Vec<String>, ParserError> {
        Ok(p.parse_comma_separated(|p| p.parse_identifier())?
            .iter()
            .map(crate::sql::binder::normalize)
            .collect())
    };
    if p.parse_keywords(&[Keyword::ALL, Keyword::TABLES, Keyword::IN, Keyword::SCHEMA]) {
        return Ok(GrantObjects::AllTablesInSchema(names(p)?));
    }
    if p.parse_keywords(&[
        Keyword::ALL,
        Keyword::SEQUENCES,
        Keyword::IN,
        Keyword::SCHEMA,
    ]) {
        return Ok(GrantObjects::AllSequencesInSchema(names(p)?));
    }
    if p.parse_keyword(Keyword::SEQUENCE) {
        return Ok(GrantObjects::Sequences(
            p.parse_comma_separated(|p| p.parse_object_name(false))?,
        ));
    }
    if p.parse_keyword(Keyword::ALL) {
        let kind = p.next_token().token.to_string();
        return Ok(GrantObjects::Other(format!("ALL {kind}")));
    }
    if p.parse_keyword(Keyword::SCHEMA) {
        return Ok(GrantObjects::Schemas(names(p)?));
    }
    if p.parse_keyword(Keyword::DATABASE) {
        return Ok(GrantObjects::Databases(names(p)?));
    }
    for (keyword, kind) in [
        (Keyword::FUNCTION, "FUNCTION"),
        (Keyword::PROCEDURE, "PROCEDURE"),
        (Keyword::DOMAIN, "DOMAIN"),
        (Keyword::TYPE, "TYPE"),
        (Keyword::LANGUAGE, "LANGUAGE"),
        (Keyword::TABLESPACE, "TABLESPACE"),
        (Keyword::FOREIGN, "FOREIGN"),
        (Keyword::LARGE, "LARGE OBJECT"),
    ] {
        if p.parse_keyword(keyword) {
            while !matches!(p.peek_token().token, Token::EOF | Token::SemiColon)
                && !p.peek_keyword(Keyword::TO)
                && !p.peek_keyword(Keyword::FROM)
            {
                p.next_token();
            }
            return Ok(GrantObjects::Other(kind.to_string()));
        }
    }
    let _ = p.parse_keyword(Keyword::TABLE);
    Ok(GrantObjects::Tables(
        p.parse_comma_separated(|p| p.parse_object_name(false))?,
    ))
}

fn parse_role_spec(p: &mut Parser) -> Result<RoleSpec, ParserError> {
    let _ = p.parse_keyword(Keyword::GROUP);
    let token = p.next_token();
    let Token::Word(w) = token.token else {
        return p.expected("a role name", token);
    };
    if w.quote_style.is_some() {
        return Ok(RoleSpec::Name(w.value));
    }
    Ok(match w.keyword {
        Keyword::PUBLIC => RoleSpec::Public,
        Keyword::CURRENT_ROLE => RoleSpec::CurrentRole,
        Keyword::CURRENT_USER => RoleSpec::CurrentUser,
        Keyword::SESSION_USER => RoleSpec::SessionUser,
        _ => RoleSpec::Name(w.value.to_lowercase()),
    })
}

fn parser_error<T>(message: String) -> Result<T, ParserError> {
    Err(ParserError::ParserError(message))
}
