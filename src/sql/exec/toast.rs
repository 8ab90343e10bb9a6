//! Rows with large values: text and bytea values that would make a row
//! larger than about a quarter page are stored out of line in the table's
//! TOAST relation (`storage::toast`), largest first, until the row fits;
//! reading a row brings them back; deleting a row version deletes them
//! with it.

use crate::encoding::row::{self, External};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::storage::heap::{Xid, MAX_TUPLE_DATA, TUPLE_HEADER_SIZE};
use crate::storage::toast::{self, toast_rel};
use crate::storage::{RelId, Tid};
use crate::types::Value;

use super::{ExecContext, Row};

/// Rows larger than this move values out of line (PostgreSQL's
/// TOAST_TUPLE_THRESHOLD for 8 KiB pages).
const TOAST_THRESHOLD: usize = 2032;
/// Values smaller than this always stay in the row.
const MIN_EXTERNAL: usize = 128;

/// The tuple data of a row of `table`, storing large values out of line
/// (written by `xid`).
pub fn encode_row(ctx: &ExecContext, table: RelId, xid: Xid, values: &[Value]) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    row::encode(values, &mut buf);
    if buf.len() <= TOAST_THRESHOLD {
        return Ok(buf);
    }
    let mut candidates: Vec<(usize, usize)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Value::Text(s) if s.len() >= MIN_EXTERNAL => Some((i, s.len())),
            Value::Bytea(b) if b.len() >= MIN_EXTERNAL => Some((i, b.len())),
            _ => None,
        })
        .collect();
    candidates.sort_by_key(|(_, len)| std::cmp::Reverse(*len));
    let mut externals: Vec<(usize, External)> = Vec::new();
    let mut size = buf.len();
    for (i, len) in candidates {
        if size <= TOAST_THRESHOLD {
            break;
        }
        let (tag, bytes): (u8, &[u8]) = match &values[i] {
            Value::Text(s) => (8, s.as_bytes()),
            Value::Bytea(b) => (9, b),
            _ => continue,
        };
        if bytes.len() > u32::MAX as usize {
            return Err(errinput!(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                "value of {} bytes is too large",
                bytes.len()
            ));
        }
        let first = toast::store(ctx.engine.heap(), toast_rel(table), xid, bytes)?;
        externals.push((
            i,
            External {
                tag,
                len: len as u32,
                block: first.block,
                slot: first.slot,
            },
        ));
        // A value's 5-byte header and its bytes become a 12-byte reference.
        size = size - (5 + len) + 12;
    }
    buf.clear();
    row::encode_with(values, &externals, &mut buf);
    if buf.len() > MAX_TUPLE_DATA {
        return Err(errinput!(
            sqlstate::PROGRAM_LIMIT_EXCEEDED,
            "row is too big: size {}, maximum size {}",
            buf.len() + TUPLE_HEADER_SIZE,
            crate::storage::page::MAX_ITEM_SIZE
        ));
    }
    Ok(buf)
}

/// A row of `table` from tuple data, out-of-line values read back.
pub fn decode_row(ctx: &ExecContext, table: RelId, data: &[u8], width: usize) -> Result<Row> {
    let heap = ctx.engine.heap();
    row::decode_with(data, width, &mut |e| {
        toast::fetch(
            heap,
            toast_rel(table),
            Tid {
                block: e.block,
                slot: e.slot,
            },
            e.len as usize,
        )
    })
}

/// Marks the out-of-line values of the row version at `tid` deleted by
/// `xmax` (with the version itself).
pub fn delete_externals(ctx: &ExecContext, table: RelId, tid: Tid, xmax: Xid) -> Result<()> {
    let heap = ctx.engine.heap();
    let Some(tuple) = heap.fetch(table, tid)? else {
        return Ok(());
    };
    for e in row::externals(&tuple.data)? {
        let first = Tid {
            block: e.block,
            slot: e.slot,
        };
        toast::delete(heap, toast_rel(table), first, xmax)?;
    }
    Ok(())
}
