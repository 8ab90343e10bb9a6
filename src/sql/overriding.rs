//! INSERT's `OVERRIDING {SYSTEM | USER} VALUE`, which sqlparser's grammar
//! lacks: the parser takes the three words out of the token stream and
//! marks the INSERT with an optimizer hint of FlintDB's own
//! (`/*flintdb+OVERRIDING SYSTEM VALUE*/`), which the binder reads back.

use sqlparser::ast::{Insert, OptimizerHint, OptimizerHintStyle, Statement};
use sqlparser::tokenizer::{Location, Token, TokenWithSpan, Whitespace};

use super::parser::Command;

/// Which values OVERRIDING lets through.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Overriding {
    /// Values given for GENERATED ALWAYS identity columns are stored.
    System,
    /// Values given for identity columns are ignored (the sequence
    /// numbers the rows).
    User,
}

const HINT_PREFIX: &str = "flintdb";

impl Overriding {
    fn text(self) -> &'static str {
        match self {
            Overriding::System => "OVERRIDING SYSTEM VALUE",
            Overriding::User => "OVERRIDING USER VALUE",
        }
    }

    /// The OVERRIDING clause an INSERT was written with.
    pub fn of(insert: &Insert) -> Option<Overriding> {
        insert
            .optimizer_hints
            .iter()
            .filter(|h| h.prefix == HINT_PREFIX)
            .find_map(|h| {
                [Overriding::System, Overriding::User]
                    .into_iter()
                    .find(|o| h.text == o.text())
            })
    }

    /// Whether an INSERT has optimizer hints other than this marker.
    pub fn other_hints(insert: &Insert) -> bool {
        insert
            .optimizer_hints
            .iter()
            .any(|h| h.prefix != HINT_PREFIX)
    }
}

/// Takes `OVERRIDING SYSTEM VALUE` / `OVERRIDING USER VALUE` out of
/// INSERT statements (at parenthesis depth 0); returns where each such
/// INSERT starts and what it asked for.
pub fn take_clauses(tokens: &mut [TokenWithSpan]) -> Vec<(Location, Overriding)> {
    let mut found = Vec::new();
    let mut insert: Option<Location> = None;
    let mut at_start = true;
    let mut depth = 0i32;
    let words: Vec<usize> = (0..tokens.len())
        .filter(|i| !matches!(tokens[*i].token, Token::Whitespace(_)))
        .collect();
    for (n, &i) in words.iter().enumerate() {
        match &tokens[i].token {
            Token::SemiColon => {
                insert = None;
                at_start = true;
                depth = 0;
                continue;
            }
            Token::LParen => depth += 1,
            Token::RParen => depth -= 1,
            Token::Word(w) if at_start => {
                insert = w
                    .value
                    .eq_ignore_ascii_case("insert")
                    .then_some(tokens[i].span.start);
            }
            Token::Word(w) if depth == 0 && w.value.eq_ignore_ascii_case("overriding") => {
                let word = |k: usize| match words.get(n + k).map(|j| &tokens[*j].token) {
                    Some(Token::Word(w)) => w.value.to_ascii_uppercase(),
                    _ => String::new(),
                };
                let kind = match (word(1).as_str(), word(2).as_str()) {
                    ("SYSTEM", "VALUE") => Some(Overriding::System),
                    ("USER", "VALUE") => Some(Overriding::User),
                    _ => None,
                };
                if let (Some(start), Some(kind)) = (insert, kind) {
                    for k in 0..3 {
                        tokens[words[n + k]].token = Token::Whitespace(Whitespace::Space);
                    }
                    found.push((start, kind));
                }
            }
            _ => {}
        }
        at_start = false;
    }
    found
}

/// Marks the INSERTs [`take_clauses`] found.
pub fn mark(commands: &mut [Command], found: &[(Location, Overriding)]) {
    for command in commands {
        let Command::Sql(Statement::Insert(insert)) = command else {
            continue;
        };
        let start = insert.insert_token.0.span.start;
        if let Some((_, kind)) = found.iter().find(|(at, _)| *at == start) {
            insert.optimizer_hints.push(OptimizerHint {
                prefix: HINT_PREFIX.to_string(),
                text: kind.text().to_string(),
                style: OptimizerHintStyle::MultiLine,
            });
        }
    }
}
