//! WITH RECURSIVE: the base term's rows, then the recursive term run over
//! the rows the previous round added (the work table) until a round adds
//! none. UNION (without ALL) drops rows already returned, which is what
//! makes a cyclic walk finish. Rows stream out as they are found, so
//! `LIMIT` stops an unbounded recursion as in PostgreSQL.

use std::collections::HashSet;
use std::sync::Arc;

use super::{execute, ExecContext, Row, Rows};
use crate::error::Result;
use crate::sql::plan::Node;

/// The rows of a recursive union.
pub fn recursive_union<'a>(
    base: &'a Node,
    recursive: &'a Node,
    work_table: usize,
    all: bool,
    ctx: &'a ExecContext<'a>,
) -> Result<Rows<'a>> {
    let mut current = Some(execute(base, ctx)?);
    let mut added: Vec<Row> = Vec::new();
    let mut seen: HashSet<Row> = HashSet::new();
    Ok(Box::new(std::iter::from_fn(move || loop {
        let rows = current.as_mut()?;
        match rows.next() {
            Some(Ok(row)) => {
                if !all && !seen.insert(row.clone()) {
                    continue;
                }
                added.push(row.clone());
                return Some(Ok(row));
            }
            Some(Err(e)) => {
                current = None;
                return Some(Err(e));
            }
            None => {
                current = None;
                if added.is_empty() {
                    return None;
                }
                if let Err(e) = ctx.check_deadline() {
                    return Some(Err(e));
                }
                let round = Arc::new(std::mem::take(&mut added));
                ctx.work_tables.lock().insert(work_table, round);
                match execute(recursive, ctx) {
                    Ok(next) => current = Some(next),
                    Err(e) => return Some(Err(e)),
                }
            }
        }
    })))
}

/// The rows the enclosing recursive union's previous round added.
pub fn work_table<'a>(id: usize, ctx: &'a ExecContext<'a>) -> Rows<'a> {
    let rows = ctx.work_tables.lock().get(&id).cloned().unwrap_or_default();
    let mut next = 0;
    Box::new(std::iter::from_fn(move || {
        let row = rows.get(next)?.clone();
        next += 1;
        Some(Ok(row))
    }))
}
