//! Rows with large values: text and bytea values that would make a row
//! larger than about a quarter page are stored out of line in the table's
//! TOAST relation (`storage::toast`), largest first, until the row fits;
//! reading a row brings them back; deleting a row version deletes them
//! with it. A value is stored LZ4-compressed when that saves at least a
//! tenth (judged on its first 16 KiB, so incompressible data costs little).

use std::borrow::Cow;

use crate::encoding::row::{self, External, COMPRESSED};
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
/// Bytes of a value compressed to judge whether compressing it pays.
const SAMPLE: usize = 16 * 1024;
/// Largest value a compressed chain may claim to expand to (1 GB, as
/// PostgreSQL's varlena limit).
const MAX_VALUE: usize = 1 << 30;

/// The tuple data of a row of `table`, storing large values out of line
/// (written by `xid`).
pub fn encode_row(ctx: &ExecContext, table: RelId, xid: Xid, values: &[Value]) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    row::encode(values, &mut buf);
    if buf.len() <= TOAST_THRESHOLD {
        return Ok(buf);
    }
    // (column, row tag, the bytes stored out of line)
    let mut candidates: Vec<(usize, u8, Cow<[u8]>)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| match v {
            Value::Text(s) if s.len() >= MIN_EXTERNAL => Some((i, 8, Cow::from(s.as_bytes()))),
            Value::Bytea(b) if b.len() >= MIN_EXTERNAL => Some((i, 9, Cow::from(b.as_slice()))),
            Value::Jsonb(j) => {
                let text = crate::types::jsonb::format(j);
                (text.len() >= MIN_EXTERNAL).then(|| (i, 18, Cow::from(text.into_bytes())))
            }
            _ => None,
        })
        .collect();
    candidates.sort_by_key(|(_, _, bytes)| std::cmp::Reverse(bytes.len()));
    let mut externals: Vec<(usize, External)> = Vec::new();
    let mut size = buf.len();
    for (i, tag, bytes) in &candidates {
        let (i, tag, bytes, len) = (*i, *tag, bytes.as_ref(), bytes.len());
        if size <= TOAST_THRESHOLD {
            break;
        }
        if bytes.len() > u32::MAX as usize {
            return Err(errinput!(
                sqlstate::PROGRAM_LIMIT_EXCEEDED,
                "value of {} bytes is too large",
                bytes.len()
            ));
        }
        let compressed = compress(bytes);
        let (tag, stored) = match &compressed {
            Some(c) => (tag | COMPRESSED, c.as_slice()),
            None => (tag, bytes),
        };
        let first = toast::store(ctx.engine.heap(), toast_rel(table), xid, stored)?;
        externals.push((
            i,
            External {
                tag,
                len: stored.len() as u32,
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
/// Enum values take their labels from the catalog's definition (a label
/// renamed since the row was written reads with its new name).
pub fn decode_row(ctx: &ExecContext, table: RelId, data: &[u8], width: usize) -> Result<Row> {
    decode_row_columns(ctx, table, data, width, None)
}

/// A row of `table` with only the columns `keep` marks (when given); the
/// others are NULL, their out-of-line values never read.
pub fn decode_row_columns(
    ctx: &ExecContext,
    table: RelId,
    data: &[u8],
    width: usize,
    keep: Option<&[bool]>,
) -> Result<Row> {
    let heap = ctx.engine.heap();
    let mut row = row::decode_columns(data, width, keep, &mut |e| {
        let stored = toast::fetch(
            heap,
            toast_rel(table),
            Tid {
                block: e.block,
                slot: e.slot,
            },
            e.len as usize,
        )?;
        if e.tag & COMPRESSED == 0 {
            return Ok(stored);
        }
        decompress(&stored, table)
    })?;
    for value in &mut row {
        if matches!(value, Value::Enum(_) | Value::Array(_)) {
            ctx.engine.catalog().relabel(value);
        }
    }
    Ok(row)
}

/// The LZ4 block (raw length prepended) of a value, if compressing it
/// saves at least a tenth.
fn compress(bytes: &[u8]) -> Option<Vec<u8>> {
    if bytes.len() > SAMPLE {
        let sample = lz4_flex::compress(&bytes[..SAMPLE]);
        if sample.len() * 10 > SAMPLE * 9 {
            return None;
        }
    }
    let compressed = lz4_flex::compress_prepend_size(bytes);
    (compressed.len() * 10 <= bytes.len() * 9).then_some(compressed)
}

fn decompress(stored: &[u8], table: RelId) -> Result<Vec<u8>> {
    let corrupt = || {
        crate::error::Error::Corrupted(format!(
            "compressed out-of-line value of relation {} is damaged",
            table.0
        ))
    };
    let raw = stored
        .get(..4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or_else(corrupt)?;
    if raw > MAX_VALUE {
        return Err(corrupt());
    }
    lz4_flex::decompress_size_prepended(stored).map_err(|_| corrupt())
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
