//! SQL cursors: `DECLARE name [SCROLL] CURSOR [WITH HOLD] FOR query`,
//! `FETCH`, `MOVE` and `CLOSE`. A cursor's rows are computed when it is
//! declared, with the declaring statement's snapshot (what PostgreSQL's
//! cursor would see), and kept until CLOSE or, without WITH HOLD, the end
//! of the transaction. FETCH moves over them in every direction
//! PostgreSQL has: NEXT, PRIOR, FIRST, LAST, ABSOLUTE n, RELATIVE n,
//! FORWARD/BACKWARD [n | ALL], n, ALL.

use std::collections::HashMap;

use super::super::exec::Row;
use super::super::parser::Direction;
use super::super::plan::OutputColumn;
use super::*;
use crate::errinput;
use crate::error::Result;

/// One open cursor.
pub struct Cursor {
    pub columns: Vec<OutputColumn>,
    rows: Vec<Row>,
    /// 0: before the first row; 1..=n: on row n; n + 1: after the last.
    position: usize,
    /// Kept past the end of its transaction (WITH HOLD).
    pub hold: bool,
}

impl Cursor {
    pub fn new(columns: Vec<OutputColumn>, rows: Vec<Row>, hold: bool) -> Self {
        Cursor {
            columns,
            rows,
            position: 0,
            hold,
        }
    }

    /// Moves as `direction` says; returns the rows it lands on, in the
    /// order it reached them.
    pub fn fetch(&mut self, direction: Direction) -> Vec<Row> {
        let n = self.rows.len() as i64;
        match direction {
            Direction::Next => self.step(true, 1),
            Direction::Prior => self.step(false, 1),
            Direction::First => self.go_to(1),
            Direction::Last => self.go_to(-1),
            Direction::Absolute(at) => self.go_to(at),
            Direction::Relative(0) => match self.position {
                p if p >= 1 && p as i64 <= n => vec![self.rows[p - 1].clone()],
                _ => Vec::new(),
            },
            Direction::Relative(r) => {
                let target = (self.position as i64 + r).clamp(0, n + 1);
                self.go_to(if target == 0 { -(n + 1) } else { target })
            }
            Direction::Forward(c) if c >= 0 => self.step(true, c),
            Direction::Forward(c) => self.step(false, -c),
            Direction::Backward(c) if c >= 0 => self.step(false, c),
            Direction::Backward(c) => self.step(true, -c),
            Direction::ForwardAll => self.step(true, n + 1),
            Direction::BackwardAll => self.step(false, n + 1),
        }
    }

    /// Up to `count` rows one at a time, stopping past either end.
    fn step(&mut self, forward: bool, count: i64) -> Vec<Row> {
        let n = self.rows.len() as i64;
        let mut out = Vec::new();
        for _ in 0..count {
            let next = self.position as i64 + if forward { 1 } else { -1 };
            if next < 1 || next > n {
                self.position = if forward { n as usize + 1 } else { 0 };
                break;
            }
            self.position = next as usize;
            out.push(self.rows[self.position - 1].clone());
        }
        out
    }

    /// Row `at` (negative: from the end), or before/after all rows.
    fn go_to(&mut self, at: i64) -> Vec<Row> {
        let n = self.rows.len() as i64;
        let target = if at < 0 { n + 1 + at } else { at };
        if target < 1 {
            self.position = 0;
            Vec::new()
        } else if target > n {
            self.position = n as usize + 1;
            Vec::new()
        } else {
            self.position = target as usize;
            vec![self.rows[self.position - 1].clone()]
        }
    }
}

/// A session's open cursors, by name.
#[derive(Default)]
pub struct Cursors {
    open: HashMap<String, Cursor>,
}

impl Cursors {
    pub fn declare(&mut self, name: &str, cursor: Cursor) -> Result<()> {
        if self.open.contains_key(name) {
            return Err(errinput!("42P03", "cursor \"{name}\" already exists"));
        }
        self.open.insert(name.to_string(), cursor);
        Ok(())
    }

    pub fn get(&mut self, name: &str) -> Result<&mut Cursor> {
        self.open
            .get_mut(name)
            .ok_or_else(|| errinput!("34000", "cursor \"{name}\" does not exist"))
    }

    pub fn close(&mut self, name: &str) -> Result<()> {
        self.open
            .remove(name)
            .map(|_| ())
            .ok_or_else(|| errinput!("34000", "cursor \"{name}\" does not exist"))
    }

    pub fn close_all(&mut self) {
        self.open.clear();
    }

    /// The end of a transaction: only WITH HOLD cursors stay.
    pub fn end_transaction(&mut self) {
        self.open.retain(|_, c| c.hold);
    }

    /// The columns FETCH from a cursor returns (for Describe).
    pub fn columns(&self, name: &str) -> Option<Vec<OutputColumn>> {
        self.open.get(name).map(|c| c.columns.clone())
    }
}

impl Session {
    /// DECLARE name [SCROLL] CURSOR [WITH HOLD] FOR query: the query runs
    /// now, in this statement's snapshot, and its rows wait for FETCH.
    pub(super) fn declare(
        &mut self,
        stmts: &[sqlparser::ast::Declare],
        declared: &[Option<DataType>],
        params: Vec<Value>,
        sink: &mut dyn RowSink,
    ) -> Result<String> {
        let [declare] = stmts else {
            return Err(crate::errunsupported!("DECLARE of several cursors"));
        };
        let (Some(query), [name]) = (&declare.for_query, declare.names.as_slice()) else {
            return Err(crate::errunsupported!("DECLARE of variables"));
        };
        if declare.binary == Some(true) {
            return Err(crate::errunsupported!("binary cursors"));
        }
        let hold = declare.hold == Some(true);
        if !hold && !self.in_block() {
            return Err(errinput!(
                "25P01",
                "DECLARE CURSOR can only be used in transaction blocks"
            ));
        }
        let name = normalize(name);
        let command = Command::Sql(Statement::Query(query.clone()));
        let mut collected = Collect {
            notices: sink,
            columns: Vec::new(),
            rows: Vec::new(),
        };
        self.run_with(
            schema_mode(&command),
            |catalog| bind_command(&command, catalog, declared),
            params,
            &mut collected,
        )?;
        let cursor = cursors::Cursor::new(collected.columns, collected.rows, hold);
        self.cursors.declare(&name, cursor)?;
        Ok("DECLARE CURSOR".to_string())
    }

    /// The columns FETCH from a cursor returns, if it is open (for the
    /// extended protocol's Describe).
    pub fn cursor_columns(&self, name: &str) -> Option<Vec<OutputColumn>> {
        self.cursors.columns(name)
    }
}

/// A sink that keeps a query's rows (DECLARE) and passes notices on.
struct Collect<'a> {
    notices: &'a mut dyn RowSink,
    columns: Vec<OutputColumn>,
    rows: Vec<Row>,
}

impl RowSink for Collect<'_> {
    fn columns(&mut self, columns: &[OutputColumn], _tag: &str) -> Result<()> {
        self.columns = columns.to_vec();
        Ok(())
    }

    fn row(&mut self, row: Row) -> Result<()> {
        self.rows.push(row);
        Ok(())
    }

    /// A cursor keeps OIDs; FETCH names them for a text client.
    fn binary_column(&self, _column: usize) -> bool {
        true
    }

    fn notice(&mut self, severity: &str, code: &str, message: String) {
        self.notices.notice(severity, code, message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Value;

    pub(super) fn cursor(n: i32) -> Cursor {
        Cursor::new(
            vec![],
            (1..=n).map(|i| vec![Value::Int4(i)]).collect(),
            false,
        )
    }

    pub(super) fn ints(rows: Vec<Row>) -> Vec<i32> {
        rows.into_iter()
            .map(|r| match r[0] {
                Value::Int4(i) => i,
                _ => -1,
            })
            .collect()
    }

    #[test]
    pub(super) fn moves_like_postgres() {
        let mut c = cursor(5);
        assert_eq!(ints(c.fetch(Direction::Forward(2))), [1, 2]);
        assert_eq!(ints(c.fetch(Direction::Next)), [3]);
        assert_eq!(ints(c.fetch(Direction::Prior)), [2]);
        assert_eq!(ints(c.fetch(Direction::ForwardAll)), [3, 4, 5]);
        assert!(c.fetch(Direction::Next).is_empty());
        assert_eq!(ints(c.fetch(Direction::Prior)), [5]);
        assert_eq!(ints(c.fetch(Direction::Absolute(-2))), [4]);
        assert_eq!(ints(c.fetch(Direction::Relative(-3))), [1]);
        assert!(c.fetch(Direction::BackwardAll).is_empty());
        assert_eq!(ints(c.fetch(Direction::Last)), [5]);
        assert_eq!(ints(c.fetch(Direction::Backward(2))), [4, 3]);
    }
}
