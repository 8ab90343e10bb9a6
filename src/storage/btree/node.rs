//! The layout of one B+tree node on a slotted page.
//!
//! A node is a page of kind `Btree` whose slot array is kept in key order
//! (no unused slots). Header bytes 16..18 hold the node's level (0 for a
//! leaf). Items:
//! ```text
//! leaf      key bytes ‖ heap block (u32 BE) ‖ heap slot (u16 BE)
//! internal  separator bytes ‖ child block (u32 BE)
//! ```
//! A leaf item's bytes are its sort key: the heap address breaks ties
//! between equal keys, so every entry is distinct and one can be found and
//! removed exactly. In an internal node, child `i` holds the entries at or
//! above separator `i` and below separator `i + 1`; the first item has an
//! empty separator (minus infinity).

use crate::storage::page::{self, PageBuf, PageKind};
use crate::storage::Tid;

/// Bytes of heap address at the end of a leaf item.
pub const TID_LEN: usize = 6;
/// Bytes of child pointer at the end of an internal item.
pub const CHILD_LEN: usize = 4;

/// Formats an empty node at `level`.
pub fn init(buf: &mut PageBuf, level: u16) {
    page::init(buf, PageKind::Btree);
    buf[16..18].copy_from_slice(&level.to_le_bytes());
}

/// The node's level: 0 for a leaf.
pub fn level(buf: &PageBuf) -> u16 {
    u16::from_le_bytes([buf[16], buf[17]])
}

/// Items on the node.
pub fn count(buf: &PageBuf) -> usize {
    page::slot_count(buf)
}

/// The item at a position.
pub fn item(buf: &PageBuf, i: usize) -> &[u8] {
    page::item(buf, i).unwrap_or(&[])
}

/// Every item, copied.
pub fn items(buf: &PageBuf) -> Vec<Vec<u8>> {
    (0..count(buf)).map(|i| item(buf, i).to_vec()).collect()
}

/// A leaf item for a key and heap address.
pub fn leaf_item(key: &[u8], tid: Tid) -> Vec<u8> {
    let mut item = Vec::with_capacity(key.len() + TID_LEN);
    item.extend_from_slice(key);
    item.extend_from_slice(&tid.block.to_be_bytes());
    item.extend_from_slice(&tid.slot.to_be_bytes());
    item
}

/// The key part of a leaf item.
pub fn leaf_key(item: &[u8]) -> &[u8] {
    &item[..item.len().saturating_sub(TID_LEN)]
}

/// The heap address of a leaf item.
pub fn leaf_tid(item: &[u8]) -> Tid {
    let t = &item[item.len().saturating_sub(TID_LEN)..];
    if t.len() < TID_LEN {
        return Tid { block: 0, slot: 0 };
    }
    Tid {
        block: u32::from_be_bytes([t[0], t[1], t[2], t[3]]),
        slot: u16::from_be_bytes([t[4], t[5]]),
    }
}

/// An internal item.
pub fn internal_item(separator: &[u8], child: u32) -> Vec<u8> {
    let mut item = Vec::with_capacity(separator.len() + CHILD_LEN);
    item.extend_from_slice(separator);
    item.extend_from_slice(&child.to_be_bytes());
    item
}

/// The separator of an internal item.
pub fn separator(item: &[u8]) -> &[u8] {
    &item[..item.len().saturating_sub(CHILD_LEN)]
}

/// The child block of an internal item.
pub fn child(item: &[u8]) -> u32 {
    let c = &item[item.len().saturating_sub(CHILD_LEN)..];
    if c.len() < CHILD_LEN {
        return 0;
    }
    u32::from_be_bytes([c[0], c[1], c[2], c[3]])
}

/// First position in a leaf whose item is at or above `probe`.
pub fn lower_bound(buf: &PageBuf, probe: &[u8]) -> usize {
    let (mut lo, mut hi) = (0, count(buf));
    while lo < hi {
        let mid = (lo + hi) / 2;
        if item(buf, mid) < probe {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// In an internal node, the last child whose separator is at or below
/// `probe` (`strict`: below it).
pub fn child_position(buf: &PageBuf, probe: &[u8], strict: bool) -> usize {
    let (mut lo, mut hi) = (1, count(buf));
    while lo < hi {
        let mid = (lo + hi) / 2;
        let sep = separator(item(buf, mid));
        let below = if strict { sep < probe } else { sep <= probe };
        if below {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo - 1
}
