//! Distinct: drops rows equal to one already returned (NULLs compare
//! equal); DISTINCT ON compares only some columns.

use std::collections::HashSet;

use super::{Row, Rows};

/// The first occurrence of each distinct row.
pub fn distinct<'a>(input: Rows<'a>) -> Rows<'a> {
    let mut seen: HashSet<Row> = HashSet::new();
    Box::new(input.filter(move |r| match r {
        Ok(row) => seen.insert(row.clone()),
        Err(_) => true,
    }))
}

/// The first row for each distinct value of `columns`.
pub fn distinct_on<'a>(input: Rows<'a>, columns: &'a [usize]) -> Rows<'a> {
    let mut seen: HashSet<Row> = HashSet::new();
    Box::new(input.filter(move |r| match r {
        Ok(row) => seen.insert(columns.iter().map(|c| row[*c].clone()).collect()),
        Err(_) => true,
    }))
}
