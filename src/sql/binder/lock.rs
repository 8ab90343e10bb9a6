//! SELECT … FOR UPDATE / FOR SHARE while binding: reading the clause,
//! checking what it may lock (one table, named by OF if given), and
//! putting each row's address on the scan for LockRows.

use sqlparser::ast::{self, TableFactor};

use super::scope::{normalize, table_name};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::{Node, Waiting};

/// A query's FOR UPDATE / FOR SHARE clause.
pub(super) struct Lock<'q> {
    /// "FOR UPDATE" or "FOR SHARE", for messages.
    pub clause: &'static str,
    pub waiting: Waiting,
    /// OF names, if given.
    pub of: Vec<&'q ast::ObjectName>,
}

/// The FOR UPDATE / FOR SHARE clauses of a query, as one lock (FOR SHARE
/// locks like FOR UPDATE: a stronger lock, never a weaker one).
pub(super) fn lock_of(q: &ast::Query) -> Option<Lock<'_>> {
    let first = q.locks.first()?;
    let clause = match first.lock_type {
        ast::LockType::Update => "FOR UPDATE",
        ast::LockType::Share => "FOR SHARE",
    };
    let waiting = match first.nonblock {
        None => Waiting::Wait,
        Some(ast::NonBlock::Nowait) => Waiting::NoWait,
        Some(ast::NonBlock::SkipLocked) => Waiting::SkipLocked,
    };
    Some(Lock {
        clause,
        waiting,
        of: q.locks.iter().filter_map(|l| l.of.as_ref()).collect(),
    })
}

/// FOR UPDATE/SHARE reads one table (joins, subqueries and functions in
/// FROM are not supported yet); OF must name it.
pub(super) fn check_lock_target(s: &ast::Select, lock: &Lock) -> Result<()> {
    let alone = match s.from.as_slice() {
        [only] if only.joins.is_empty() => match &only.relation {
            TableFactor::Table {
                name, alias, args, ..
            } if args.is_none() => Some((name, alias)),
            _ => None,
        },
        _ => None,
    };
    let Some((name, alias)) = alone else {
        return Err(crate::errunsupported!(
            "{} over anything but one table",
            lock.clause
        ));
    };
    let visible = match alias {
        Some(a) => normalize(&a.name),
        None => table_name(name)?,
    };
    for of in &lock.of {
        let wanted = table_name(of)?;
        if wanted != visible {
            return Err(errinput!(
                sqlstate::UNDEFINED_TABLE,
                "relation \"{wanted}\" in {} clause not found in FROM clause",
                lock.clause
            ));
        }
    }
    Ok(())
}

/// Puts the row address on the rows of the single scan under `node`
/// (through filters); returns the new node and the scanned table.
pub(super) fn with_address(node: Node) -> Result<(Node, std::sync::Arc<crate::catalog::TableDef>)> {
    match node {
        Node::Filter { input, predicate } => {
            let (input, table) = with_address(*input)?;
            Ok((
                Node::Filter {
                    input: Box::new(input),
                    predicate,
                },
                table,
            ))
        }
        Node::SeqScan { table } => Ok((
            Node::WithAddress {
                scan: Box::new(Node::SeqScan {
                    table: table.clone(),
                }),
            },
            table,
        )),
        Node::IndexScan { table, access } => Ok((
            Node::WithAddress {
                scan: Box::new(Node::IndexScan {
                    table: table.clone(),
                    access,
                }),
            },
            table,
        )),
        _ => Err(crate::errunsupported!("FOR UPDATE over this query")),
    }
}
