//! Out-of-line storage of large values (PostgreSQL's TOAST): a value too
//! large for its row is cut into chunks kept as tuples of the table's TOAST
//! relation, each chunk pointing at the next, and the row keeps only the
//! first chunk's address and the length.
//!
//! A table's TOAST relation is numbered like the table with the top bit set
//! (so `base/<2^31 + oid>`). Chunks are ordinary heap tuples: they carry the
//! xmin of the row that stored them and get the row's xmax when it is
//! deleted, so they live and die with their row, and VACUUM removes them
//! like any dead tuple. Chunks are written last to first, so each knows its
//! successor's address when it is written.
//!
//! Chunk tuple data: `u32 next block, u16 next slot, u8 has next, bytes`.

use super::heap::{Heap, Xid};
use super::{RelId, Tid};
use crate::error::{Error, Result};

/// The bit that turns a table's number into its TOAST relation's.
pub const TOAST_BIT: u32 = 1 << 31;
/// Bytes of value per chunk (one chunk fills most of a page).
pub const CHUNK_SIZE: usize = 8000;
/// Bytes of chunk header.
const CHUNK_HEADER: usize = 7;

/// The TOAST relation of a table.
pub fn toast_rel(table: RelId) -> RelId {
    RelId(table.0 | TOAST_BIT)
}

/// Whether a relation is a TOAST relation.
pub fn is_toast(rel: RelId) -> bool {
    rel.0 & TOAST_BIT != 0
}

/// Stores a value as a chain of chunks; returns the first chunk's address.
pub fn store(heap: &Heap, rel: RelId, xid: Xid, bytes: &[u8]) -> Result<Tid> {
    let mut next: Option<Tid> = None;
    let chunks: Vec<&[u8]> = if bytes.is_empty() {
        vec![bytes]
    } else {
        bytes.chunks(CHUNK_SIZE).collect()
    };
    let mut data = Vec::with_capacity(CHUNK_HEADER + CHUNK_SIZE);
    for chunk in chunks.iter().rev() {
        data.clear();
        let (block, slot, more) = next.map_or((0, 0, 0u8), |t| (t.block, t.slot, 1));
        data.extend_from_slice(&block.to_le_bytes());
        data.extend_from_slice(&slot.to_le_bytes());
        data.push(more);
        data.extend_from_slice(chunk);
        next = Some(heap.insert(rel, xid, &data)?);
    }
    next.ok_or_else(|| crate::errinternal!("a value with no chunks"))
}

/// Reads a value of `len` bytes whose first chunk is at `first`.
pub fn fetch(heap: &Heap, rel: RelId, first: Tid, len: usize) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(len);
    let mut at = Some(first);
    while let Some(tid) = at {
        let tuple = heap.fetch(rel, tid)?.ok_or_else(|| missing(rel, tid))?;
        let d = &tuple.data;
        if d.len() < CHUNK_HEADER || out.len() + d.len() - CHUNK_HEADER > len {
            return Err(missing(rel, tid));
        }
        out.extend_from_slice(&d[CHUNK_HEADER..]);
        at = (d[6] == 1).then(|| Tid {
            block: u32::from_le_bytes([d[0], d[1], d[2], d[3]]),
            slot: u16::from_le_bytes([d[4], d[5]]),
        });
    }
    if out.len() != len {
        return Err(missing(rel, first));
    }
    Ok(out)
}

/// Marks every chunk of a value deleted by `xmax`.
pub fn delete(heap: &Heap, rel: RelId, first: Tid, xmax: Xid) -> Result<()> {
    let mut at = Some(first);
    while let Some(tid) = at {
        let Some(tuple) = heap.fetch(rel, tid)? else {
            return Err(missing(rel, tid));
        };
        heap.delete(rel, tid, xmax)?;
        let d = &tuple.data;
        at = (d.len() >= CHUNK_HEADER && d[6] == 1).then(|| Tid {
            block: u32::from_le_bytes([d[0], d[1], d[2], d[3]]),
            slot: u16::from_le_bytes([d[4], d[5]]),
        });
    }
    Ok(())
}

fn missing(rel: RelId, tid: Tid) -> Error {
    Error::Corrupted(format!(
        "missing chunk of an out-of-line value at ({},{}) in TOAST relation {}",
        tid.block,
        tid.slot,
        rel.0 & !TOAST_BIT
    ))
}
