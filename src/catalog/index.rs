//! Index definitions and their rows in the system relations.
//!
//! ```text
//! relation 3  flint_index      (indexrelid int8, indrelid int8, indname text,
//!                               isunique bool, isprimary bool, predicate text,
//!                               flags int4: 1 = made by a UNIQUE/PRIMARY KEY constraint)
//! relation 4  flint_index_key  (indexrelid int8, keyno int2, attnum int2,
//!                               expr text, descending bool, nulls_first bool,
//!                               included bool)
//! ```
//! A key is a table column (`attnum`, 1-based) or an expression kept as SQL
//! text (`attnum` 0) and bound again when used, like column defaults; so is
//! the WHERE predicate of a partial index. INCLUDE columns are stored as
//! keys marked `included`: they are not part of the ordered key.

use super::{corrupt, insert_row, scan, RelId};
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the index list.
pub const INDEX_REL: RelId = RelId(3);
/// Relation of the index keys.
pub const INDEX_KEY_REL: RelId = RelId(4);

/// One key (or INCLUDE column) of an index.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexKey {
    /// The table column (0-based), or None for an expression.
    pub column: Option<usize>,
    /// The expression as SQL text, for expression keys.
    pub expr: Option<String>,
    pub descending: bool,
    pub nulls_first: bool,
    /// An INCLUDE column: stored with the index, not part of its order.
    pub included: bool,
}

/// An index of a table.
#[derive(Clone, Debug, PartialEq)]
pub struct IndexDef {
    pub oid: u32,
    pub name: String,
    pub table_oid: u32,
    pub unique: bool,
    /// The index of the table's PRIMARY KEY constraint.
    pub primary: bool,
    /// The index of a UNIQUE constraint (its name is the constraint's).
    pub constraint: bool,
    pub keys: Vec<IndexKey>,
    /// The WHERE predicate of a partial index, as SQL text.
    pub predicate: Option<String>,
}

impl IndexDef {
    /// The index's relation.
    pub fn rel(&self) -> RelId {
        RelId(self.oid)
    }

    /// The keys that order the index (INCLUDE columns left out).
    pub fn ordered_keys(&self) -> impl Iterator<Item = &IndexKey> {
        self.keys.iter().filter(|k| !k.included)
    }
}

/// Writes an index's rows.
pub fn insert_index_rows(heap: &Heap, index: &IndexDef, xid: Xid) -> Result<()> {
    let flags = index.constraint as i32;
    insert_row(
        heap,
        INDEX_REL,
        xid,
        &[
            Value::Int8(index.oid as i64),
            Value::Int8(index.table_oid as i64),
            Value::Text(index.name.clone()),
            Value::Bool(index.unique),
            Value::Bool(index.primary),
            index.predicate.clone().map_or(Value::Null, Value::Text),
            Value::Int4(flags),
        ],
    )?;
    for (i, k) in index.keys.iter().enumerate() {
        insert_row(
            heap,
            INDEX_KEY_REL,
            xid,
            &[
                Value::Int8(index.oid as i64),
                Value::Int2(i as i16 + 1),
                Value::Int2(k.column.map_or(0, |c| c as i16 + 1)),
                k.expr.clone().map_or(Value::Null, Value::Text),
                Value::Bool(k.descending),
                Value::Bool(k.nulls_first),
                Value::Bool(k.included),
            ],
        )?;
    }
    Ok(())
}

/// Reads every index definition, unordered.
pub fn read_indexes(heap: &Heap, clog: &Clog) -> Result<Vec<IndexDef>> {
    let mut indexes = Vec::new();
    for v in scan(heap, clog, INDEX_REL, 7)? {
        let (
            Value::Int8(oid),
            Value::Int8(table),
            Value::Text(name),
            Value::Bool(unique),
            Value::Bool(primary),
            Value::Int4(flags),
        ) = (&v[0], &v[1], &v[2], &v[3], &v[4], &v[6])
        else {
            return Err(corrupt("flint_index"));
        };
        indexes.push(IndexDef {
            oid: *oid as u32,
            name: name.clone(),
            table_oid: *table as u32,
            unique: *unique,
            primary: *primary,
            constraint: flags & 1 != 0,
            keys: Vec::new(),
            predicate: match &v[5] {
                Value::Text(s) => Some(s.clone()),
                _ => None,
            },
        });
    }
    let mut keys: Vec<(u32, i16, IndexKey)> = Vec::new();
    for v in scan(heap, clog, INDEX_KEY_REL, 7)? {
        let (
            Value::Int8(oid),
            Value::Int2(keyno),
            Value::Int2(attnum),
            Value::Bool(desc),
            Value::Bool(nulls_first),
            Value::Bool(included),
        ) = (&v[0], &v[1], &v[2], &v[4], &v[5], &v[6])
        else {
            return Err(corrupt("flint_index_key"));
        };
        keys.push((
            *oid as u32,
            *keyno,
            IndexKey {
                column: (*attnum > 0).then(|| *attnum as usize - 1),
                expr: match &v[3] {
                    Value::Text(s) => Some(s.clone()),
                    _ => None,
                },
                descending: *desc,
                nulls_first: *nulls_first,
                included: *included,
            },
        ));
    }
    keys.sort_by_key(|(oid, n, _)| (*oid, *n));
    for (oid, _, key) in keys {
        indexes
            .iter_mut()
            .find(|i| i.oid == oid)
            .ok_or_else(|| corrupt("flint_index_key"))?
            .keys
            .push(key);
    }
    Ok(indexes)
}
