//! `flintdb check`: an offline consistency check of a data directory.
//!
//! With the server stopped, it opens the directory (recovering from the WAL
//! if the last stop was a crash), then verifies: every page of every
//! relation file against its checksum (or, encrypted, its authentication
//! tag); every B+tree's structure (order,
//! levels, separators); and that heap and indexes agree — each row version
//! some transaction may still see has exactly one entry with the right key
//! in each index (partial indexes: where their predicate holds), and every
//! other entry points at a version or dead line pointer VACUUM has yet to
//! clean, never at an empty slot.

use std::collections::HashMap;

use crate::catalog::TableDef;
use crate::engine::Engine;
use crate::error::Result;
use crate::sql::eval::EvalContext;
use crate::sql::exec::{decode_row, entry_key, ExecContext};
use crate::storage::heap::TupleStatus;
use crate::storage::page;
use crate::storage::Tid;
use crate::txn::{Snapshot, Visibility};

/// What the check found.
#[derive(Debug, Default)]
pub struct Report {
    pub pages: u64,
    pub tables: usize,
    pub indexes: usize,
    pub rows: u64,
    pub entries: u64,
    /// Problems, each a readable sentence; empty when all is well.
    pub problems: Vec<String>,
}

/// Checks an open (idle) database.
pub fn check(engine: &Engine) -> Result<Report> {
    let mut report = Report::default();
    check_pages(engine, &mut report)?;
    let visibility = Visibility {
        snapshot: Snapshot::everything(),
        own: Vec::new(),
    };
    let ctx = ExecContext::new(engine, visibility, EvalContext::default(), None);
    for table in engine.catalog().tables() {
        report.tables += 1;
        check_table(&ctx, &table, &mut report)?;
    }
    Ok(report)
}

fn check_pages(engine: &Engine, report: &mut Report) -> Result<()> {
    let files = engine.heap().pool().files();
    let mut buf = Box::new([0u8; page::PAGE_SIZE]);
    for rel in files.relations()? {
        for block in 0..files.nblocks(rel)? {
            report.pages += 1;
            if let Err(e) = files.read_page(rel, block, &mut buf) {
                report.problems.push(e.to_string());
            }
        }
    }
    Ok(())
}

fn check_table(ctx: &ExecContext, table: &TableDef, report: &mut Report) -> Result<()> {
    let engine = ctx.engine;
    let heap = engine.heap();
    // Every version someone may still see, decoded once.
    let mut versions = Vec::new();
    for block in 0..heap.nblocks(table.rel())? {
        for tuple in heap.read_page(table.rel(), block)? {
            if engine.txns().is_dead(&tuple.header) {
                continue;
            }
            match decode_row(ctx, table.rel(), &tuple.data, table.columns.len()) {
                Ok(row) => versions.push((tuple.tid, row)),
                Err(e) => report.problems.push(format!(
                    "table {} row ({},{}): {e}",
                    table.name, tuple.tid.block, tuple.tid.slot
                )),
            }
        }
    }
    report.rows += versions.len() as u64;
    for def in &table.indexes {
        report.indexes += 1;
        let index = crate::sql::binder::bind_index(engine.catalog(), table, def)?;
        let tree = engine.btree().verify(def.rel())?;
        if !tree.problems.is_empty() {
            // A damaged tree: its entries say nothing reliable about the heap.
            report.problems.extend(tree.problems);
            continue;
        }
        report.entries += tree.entries.len() as u64;
        let mut entries: HashMap<Tid, Vec<Vec<u8>>> = HashMap::new();
        for (key, tid) in tree.entries {
            entries.entry(tid).or_default().push(key);
        }
        let name = &def.name;
        for (tid, row) in &versions {
            let expected = entry_key(ctx, &index, row)?;
            let found = entries.remove(tid).unwrap_or_default();
            let at = format!("row ({},{}) of {}", tid.block, tid.slot, table.name);
            match (expected, found.as_slice()) {
                (None, []) => {}
                (None, _) => report.problems.push(format!(
                    "{at} has an entry in partial index {name} it should not have"
                )),
                (Some(_), []) => report
                    .problems
                    .push(format!("{at} is missing from index {name}")),
                (Some(key), [one]) if *one == key => {}
                (Some(_), [_]) => report.problems.push(format!(
                    "{at} has an entry with the wrong key in index {name}"
                )),
                (Some(_), many) => report
                    .problems
                    .push(format!("{at} has {} entries in index {name}", many.len())),
            }
        }
        // What is left points at versions no one can see, or nowhere.
        for tid in entries.keys() {
            let points_somewhere =
                heap.fetch(table.rel(), *tid)?.is_some() || heap.is_dead_slot(table.rel(), *tid)?;
            if !points_somewhere {
                report.problems.push(format!(
                    "index {name} has an entry for ({},{}) of {}, which holds no row",
                    tid.block, tid.slot, table.name
                ));
            }
        }
    }
    Ok(())
}
