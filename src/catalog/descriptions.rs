//! Comments (COMMENT ON): one text per object, or per column of a table
//! (`objsubid`, the column's number), shown by pg_description,
//! obj_description and col_description.
//!
//! ```text
//! relation 11  flint_description  (objoid int8, objsubid int2, description text)
//! ```

use std::collections::HashMap;

use super::{corrupt, delete_rows, insert_row, scan, Catalog, RelId};
use crate::error::Result;
use crate::storage::heap::{Heap, Xid};
use crate::txn::Clog;
use crate::types::Value;

/// Relation of the comments.
pub(super) const DESCRIPTION_REL: RelId = RelId(11);
const DESCRIPTION_WIDTH: usize = 3;

/// Comments by (object OID, column number or 0).
pub(super) type Descriptions = HashMap<(u32, i16), String>;

impl Catalog {
    /// Sets (Some) or removes (None) an object's or column's comment.
    pub fn set_description(
        &self,
        oid: u32,
        sub: i16,
        text: Option<String>,
        xid: Xid,
    ) -> Result<()> {
        let mut all = self.descriptions.write();
        let (o, s) = (Value::Int8(oid as i64), Value::Int2(sub));
        delete_rows(
            &self.heap,
            &self.clog,
            DESCRIPTION_REL,
            DESCRIPTION_WIDTH,
            xid,
            |v| v[0] == o && v[1] == s,
        )?;
        match text {
            Some(t) if !t.is_empty() => {
                insert_row(
                    &self.heap,
                    DESCRIPTION_REL,
                    xid,
                    &[
                        Value::Int8(oid as i64),
                        Value::Int2(sub),
                        Value::Text(t.clone()),
                    ],
                )?;
                all.insert((oid, sub), t);
            }
            _ => {
                all.remove(&(oid, sub));
            }
        }
        Ok(())
    }

    /// An object's (column 0) or a column's comment.
    pub fn description(&self, oid: u32, sub: i16) -> Option<String> {
        self.descriptions.read().get(&(oid, sub)).cloned()
    }

    /// Every comment, by object and column.
    pub fn descriptions(&self) -> Vec<((u32, i16), String)> {
        let mut all: Vec<_> = self
            .descriptions
            .read()
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        all.sort();
        all
    }

    /// Forgets an object's comments and its columns' (when it is dropped).
    pub(super) fn forget_descriptions(&self, oid: u32, xid: Xid) -> Result<()> {
        let mut all = self.descriptions.write();
        if !all.keys().any(|(o, _)| *o == oid) {
            return Ok(());
        }
        let o = Value::Int8(oid as i64);
        delete_rows(
            &self.heap,
            &self.clog,
            DESCRIPTION_REL,
            DESCRIPTION_WIDTH,
            xid,
            |v| v[0] == o,
        )?;
        all.retain(|(k, _), _| *k != oid);
        Ok(())
    }
}

/// Every stored comment.
pub(super) fn read(heap: &Heap, clog: &Clog) -> Result<Descriptions> {
    let mut out = HashMap::new();
    for v in scan(heap, clog, DESCRIPTION_REL, DESCRIPTION_WIDTH)? {
        let (Value::Int8(oid), Value::Int2(sub), Value::Text(text)) = (&v[0], &v[1], &v[2]) else {
            return Err(corrupt("flint_description"));
        };
        out.insert((*oid as u32, *sub), text.clone());
    }
    Ok(out)
}
