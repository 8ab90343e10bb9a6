//! Keeping indexes in step with the heap: an entry for every new row
//! version (with the uniqueness check of unique indexes), and building a
//! new index over a table's existing rows.
//!
//! Uniqueness is checked against the latest state, not the statement's
//! snapshot, as PostgreSQL does: a version conflicts if its inserter
//! committed (or is this transaction) and no committed delete of it stands
//! (the writer's own earlier rows included). A version another running
//! transaction inserted or deleted makes the writer wait for it and check
//! again. The check and the insert it allows happen under the index's
//! unique latch. Keys with a NULL never conflict (NULLS DISTINCT).

use crate::catalog::TableDef;
use crate::encoding::key;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::eval::{eval, eval_predicate};
use crate::sql::plan::BoundIndex;
use crate::storage::btree::{node, Bound, MAX_KEY_SIZE};
use crate::storage::heap::TupleStatus;
use crate::storage::heap::Xid;
use crate::storage::Tid;
use crate::txn;
use crate::types::{text, Value};

use super::ExecContext;

/// Adds the entries of one new row version to every index.
pub fn add_entries(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    indexes: &[std::sync::Arc<BoundIndex>],
    tid: Tid,
    row: &[Value],
) -> Result<()> {
    for index in indexes {
        let Some(entry) = index_key(ctx, index, row)? else {
            continue;
        };
        let btree = ctx.engine.btree();
        if !index.def.unique || entry.values.iter().any(Value::is_null) {
            btree.insert(index.def.rel(), &entry.key, tid, xid)?;
            continue;
        }
        loop {
            let latch = btree.unique_latch(index.def.rel());
            let guard = latch.lock();
            match live_version(ctx, table, index, entry.ordered())? {
                Existing::None => {
                    btree.insert(index.def.rel(), &entry.key, tid, xid)?;
                    break;
                }
                Existing::Row(_) => {
                    return Err(errinput!(
                        sqlstate::UNIQUE_VIOLATION,
                        "duplicate key value violates unique constraint \"{}\"",
                        index.def.name
                    )
                    .with_detail(format!(
                        "Key {} already exists.",
                        show_key(index, &entry.values)
                    )));
                }
                Existing::Running(other) => {
                    drop(guard);
                    ctx.engine
                        .txns()
                        .wait_for_xid(ctx.writer.top, other, ctx.writer.limits)?;
                    ctx.check_deadline()?;
                }
            }
        }
    }
    Ok(())
}

/// The encoded key of a row's entry in an index; None if a partial
/// index's predicate leaves the row out.
pub fn entry_key(ctx: &ExecContext, index: &BoundIndex, row: &[Value]) -> Result<Option<Vec<u8>>> {
    Ok(index_key(ctx, index, row)?.map(|e| e.key))
}

/// A row's entry key: the ordered keys' encoding, then the INCLUDE
/// columns' (which order nothing: the ordered part alone is unique).
struct EntryKey {
    key: Vec<u8>,
    ordered_len: usize,
    /// The ordered keys' values (for messages).
    values: Vec<Value>,
}

impl EntryKey {
    fn ordered(&self) -> &[u8] {
        &self.key[..self.ordered_len]
    }
}

/// The entry key of a row; None if a partial index's predicate leaves
/// the row out.
fn index_key(ctx: &ExecContext, index: &BoundIndex, row: &[Value]) -> Result<Option<EntryKey>> {
    if let Some(p) = &index.predicate {
        if !eval_predicate(p, row, ctx)? {
            return Ok(None);
        }
    }
    let values = index
        .keys
        .iter()
        .map(|k| eval(k, row, ctx))
        .collect::<Result<Vec<_>>>()?;
    let mut key = key::encode(&values, &index.orders);
    let ordered_len = key.len();
    for ((column, _), order) in index.included.iter().zip(index.included_orders()) {
        let value = row.get(*column).unwrap_or(&Value::Null);
        key::encode_value(value, &order, &mut key);
    }
    if key.len() > MAX_KEY_SIZE {
        return Err(errinput!(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "index row size {} exceeds btree version 4 maximum {} for index \"{}\"",
            key.len() + node::TID_LEN + 8,
            MAX_KEY_SIZE + node::TID_LEN + 8,
            index.def.name
        )
        .with_detail("Index row references tuple in relation.".to_string())
        .with_hint(
            "Values larger than 1/3 of a buffer page cannot be indexed.\nConsider a function index of an MD5 hash of the value, or use full text indexing."
                .to_string(),
        ));
    }
    Ok(Some(EntryKey {
        key,
        ordered_len,
        values,
    }))
}

/// The live version a unique index holds for a row's key (ON CONFLICT's
/// arbiter check).
pub enum Existing {
    None,
    Row(Tid),
    /// A running transaction's insert or delete decides it: wait for it.
    Running(Xid),
}

/// Finds the version of `table` that `row`'s key conflicts with in the
/// unique `index` (NULLs and rows a partial index leaves out conflict
/// with nothing).
pub fn existing_version(
    ctx: &ExecContext,
    table: &TableDef,
    index: &BoundIndex,
    row: &[Value],
) -> Result<Existing> {
    let Some(entry) = index_key(ctx, index, row)? else {
        return Ok(Existing::None);
    };
    if entry.values.iter().any(Value::is_null) {
        return Ok(Existing::None);
    }
    live_version(ctx, table, index, entry.ordered())
}

/// The live version a unique index holds for an encoded key: one whose
/// inserter committed (or is this transaction) and that no committed or
/// own delete removed; a version a running transaction inserted or
/// deletes makes the answer wait for it.
fn live_version(
    ctx: &ExecContext,
    table: &TableDef,
    index: &BoundIndex,
    key: &[u8],
) -> Result<Existing> {
    let heap = ctx.engine.heap();
    let clog = ctx.engine.clog();
    let txns = ctx.engine.txns();
    let own = &ctx.visibility.own;
    let entries = ctx.engine.btree().scan(
        index.def.rel(),
        Bound::Included(key.to_vec()),
        Bound::Included(key.to_vec()),
        true,
    );
    for entry in entries {
        let (found, tid) = entry?;
        if !found.starts_with(key) {
            continue;
        }
        let Some(t) = heap.fetch(table.rel(), tid)? else {
            continue;
        };
        // Running before aborted: an abort is in the clog before its
        // transaction stops running, so once not running the answer stays.
        let h = t.header;
        if !own.contains(&h.xmin) && txns.is_running(h.xmin) {
            return Ok(Existing::Running(h.xmin));
        }
        if clog.is_aborted(h.xmin) {
            continue;
        }
        if !h.deletes() || clog.is_aborted(h.xmax) {
            return Ok(Existing::Row(tid));
        }
        if !own.contains(&h.xmax) && txns.is_running(h.xmax) {
            return Ok(Existing::Running(h.xmax));
        }
    }
    Ok(Existing::None)
}

/// `(a, b)=(1, x)` as PostgreSQL's messages show a key.
fn show_key(index: &BoundIndex, values: &[Value]) -> String {
    let shown: Vec<String> = values
        .iter()
        .map(|v| text::format(v).unwrap_or_else(|| "null".to_string()))
        .collect();
    format!("({})=({})", index.key_names.join(", "), shown.join(", "))
}

/// Fills a new, empty index from every tuple version of its table that
/// some transaction may still see, sorting the entries and building the tree bottom-up.
/// Fails if a unique index would hold two live rows with one key, or if
/// `not_null` columns hold a NULL in a live row.
pub fn build_index(
    ctx: &ExecContext,
    xid: Xid,
    table: &TableDef,
    index: &BoundIndex,
    not_null: &[usize],
) -> Result<()> {
    let heap = ctx.engine.heap();
    let clog = ctx.engine.clog();
    let width = table.columns.len();
    // (leaf item, live, ordered key length, key values for messages)
    let mut entries: Vec<(Vec<u8>, bool, usize, Vec<Value>)> = Vec::new();
    for block in 0..heap.nblocks(table.rel())? {
        ctx.check_deadline()?;
        for tuple in heap.read_page(table.rel(), block)? {
            let live = txn::is_visible_latest(&tuple.header, clog);
            // A version no one can see any more gets no entry (and its
            // out-of-line values may already be gone).
            if ctx.engine.txns().is_dead(&tuple.header) {
                continue;
            }
            let values = super::toast::decode_row(ctx, table.rel(), &tuple.data, width)?;
            if live {
                for c in not_null {
                    if values[*c].is_null() {
                        return Err(errinput!(
                            sqlstate::NOT_NULL_VIOLATION,
                            "column \"{}\" of relation \"{}\" contains null values",
                            table.columns[*c].name,
                            table.name
                        ));
                    }
                }
            }
            let Some(entry) = index_key(ctx, index, &values)? else {
                continue;
            };
            let keep = if index.def.unique {
                entry.values
            } else {
                Vec::new()
            };
            let item = node::leaf_item(&entry.key, tuple.tid);
            entries.push((item, live, entry.ordered_len, keep));
        }
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    if index.def.unique {
        check_duplicates(index, &entries)?;
    }
    ctx.engine.btree().build(
        index.def.rel(),
        entries.into_iter().map(|(item, ..)| item),
        xid,
    )
}

fn check_duplicates(
    index: &BoundIndex,
    entries: &[(Vec<u8>, bool, usize, Vec<Value>)],
) -> Result<()> {
    let mut previous: Option<&(Vec<u8>, bool, usize, Vec<Value>)> = None;
    for e in entries
        .iter()
        .filter(|e| e.1 && !e.3.iter().any(Value::is_null))
    {
        if let Some(p) = previous {
            if p.0[..p.2] == e.0[..e.2] {
                return Err(errinput!(
                    sqlstate::UNIQUE_VIOLATION,
                    "could not create unique index \"{}\"",
                    index.def.name
                )
                .with_detail(format!("Key {} is duplicated.", show_key(index, &e.3))));
            }
        }
        previous = Some(e);
    }
    Ok(())
}
