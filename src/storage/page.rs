//! The 8 KiB slotted page, the unit of every relation file.
//!
//! ```text
//! offset  size  field
//!      0     8  page LSN (u64 LE): WAL position of the last change (0 until the WAL exists)
//!      8     2  page kind (u16 LE): 0 = unused, 1 = heap, 2 = B+tree node
//!     10     2  flags (u16 LE), reserved, 0
//!     12     2  lower (u16 LE): end of the slot array
//!     14     2  upper (u16 LE): start of tuple data
//!     16     8  reserved for the page kind (B+tree nodes keep their level here)
//!     24   4*n  slot array: per slot u16 offset, u16 length (0,0 = unused slot,
//!               1,0 = dead: its item is gone but the slot may not be reused
//!               until no index points at it any more)
//!  lower..upper free space
//!  upper..8152  tuple data, growing down from the trailer
//!   8152    40  trailer, reserved for integrity: unencrypted pages keep a
//!               CRC32C at 8188..8192 (the rest zero); encrypted pages will
//!               hold the AEAD nonce (24) and tag (16) in the same 40 bytes.
//! ```
//! The checksum covers bytes 0..8188 and then the block number, so a page
//! written to the wrong place fails verification. An all-zero page is a
//! never-written page and is valid. Invariants: `24 <= lower <= upper <= 8152`;
//! every used slot points inside `upper..8152`.

use crate::error::{Error, Result};

/// Bytes in a page.
pub const PAGE_SIZE: usize = 8192;
/// Bytes of page header.
pub const HEADER_SIZE: usize = 24;
/// Bytes reserved at the end of the page for checksum or AEAD nonce + tag.
pub const TRAILER_SIZE: usize = 40;
/// End of the tuple data area.
pub const DATA_END: usize = PAGE_SIZE - TRAILER_SIZE;
/// Bytes of one slot-array entry.
pub const SLOT_SIZE: usize = 4;
/// The largest item that fits on an empty page.
pub const MAX_ITEM_SIZE: usize = DATA_END - HEADER_SIZE - SLOT_SIZE;

const CHECKSUM_OFFSET: usize = PAGE_SIZE - 4;

/// What a page holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u16)]
pub enum PageKind {
    Unused = 0,
    Heap = 1,
    Btree = 2,
}

/// An owned, page-aligned buffer of one page.
pub type PageBuf = [u8; PAGE_SIZE];

fn get_u16(buf: &PageBuf, at: usize) -> u16 {
    u16::from_le_bytes([buf[at], buf[at + 1]])
}

fn put_u16(buf: &mut PageBuf, at: usize, v: u16) {
    buf[at..at + 2].copy_from_slice(&v.to_le_bytes());
}

/// Formats an empty page of a kind.
pub fn init(buf: &mut PageBuf, kind: PageKind) {
    buf.fill(0);
    put_u16(buf, 8, kind as u16);
    put_u16(buf, 12, HEADER_SIZE as u16);
    put_u16(buf, 14, DATA_END as u16);
}

/// The page kind; an all-zero page is `Unused`.
pub fn kind(buf: &PageBuf) -> PageKind {
    match get_u16(buf, 8) {
        1 => PageKind::Heap,
        2 => PageKind::Btree,
        _ => PageKind::Unused,
    }
}

/// The page LSN.
pub fn lsn(buf: &PageBuf) -> u64 {
    u64::from_le_bytes(buf[0..8].try_into().unwrap_or_default())
}

/// Sets the page LSN.
pub fn set_lsn(buf: &mut PageBuf, lsn: u64) {
    buf[0..8].copy_from_slice(&lsn.to_le_bytes());
}

fn lower(buf: &PageBuf) -> usize {
    get_u16(buf, 12) as usize
}

fn upper(buf: &PageBuf) -> usize {
    get_u16(buf, 14) as usize
}

/// Number of slots (used or not).
pub fn slot_count(buf: &PageBuf) -> usize {
    lower(buf).saturating_sub(HEADER_SIZE) / SLOT_SIZE
}

fn slot(buf: &PageBuf, n: usize) -> (usize, usize) {
    let at = HEADER_SIZE + n * SLOT_SIZE;
    (get_u16(buf, at) as usize, get_u16(buf, at + 2) as usize)
}

fn set_slot(buf: &mut PageBuf, n: usize, offset: usize, len: usize) {
    let at = HEADER_SIZE + n * SLOT_SIZE;
    put_u16(buf, at, offset as u16);
    put_u16(buf, at + 2, len as u16);
}

/// The item in a slot, or None for an unused or out-of-range slot.
pub fn item(buf: &PageBuf, n: usize) -> Option<&[u8]> {
    if n >= slot_count(buf) {
        return None;
    }
    let (offset, len) = slot(buf, n);
    (len > 0).then(|| &buf[offset..offset + len])
}

/// The item in a slot, mutable.
pub fn item_mut(buf: &mut PageBuf, n: usize) -> Option<&mut [u8]> {
    if n >= slot_count(buf) {
        return None;
    }
    let (offset, len) = slot(buf, n);
    (len > 0).then(move || &mut buf[offset..offset + len])
}

fn free_slot(buf: &PageBuf) -> Option<usize> {
    (0..slot_count(buf)).find(|&n| slot(buf, n) == (0, 0))
}

/// Bytes available for a new item, counting space that compaction would
/// recover and the slot entry a new item may need.
pub fn free_space(buf: &PageBuf) -> usize {
    let slots = slot_count(buf);
    let live: usize = (0..slots).map(|n| slot(buf, n).1).sum();
    let used = HEADER_SIZE + slots * SLOT_SIZE + live;
    let slot_cost = if free_slot(buf).is_some() {
        0
    } else {
        SLOT_SIZE
    };
    (DATA_END - used).saturating_sub(slot_cost)
}

/// Adds an item; returns its slot, or None if it does not fit.
pub fn insert(buf: &mut PageBuf, data: &[u8]) -> Option<usize> {
    if data.is_empty() || data.len() > free_space(buf) {
        return None;
    }
    let reuse = free_slot(buf);
    let slot_cost = if reuse.is_some() { 0 } else { SLOT_SIZE };
    if upper(buf) - lower(buf) < data.len() + slot_cost {
        compact(buf);
    }
    let n = match reuse {
        Some(n) => n,
        None => {
            let n = slot_count(buf);
            put_u16(buf, 12, (lower(buf) + SLOT_SIZE) as u16);
            n
        }
    };
    let offset = upper(buf) - data.len();
    buf[offset..offset + data.len()].copy_from_slice(data);
    put_u16(buf, 14, offset as u16);
    set_slot(buf, n, offset, data.len());
    Some(n)
}

/// Frees a slot; its bytes are reclaimed by the next compaction.
pub fn remove(buf: &mut PageBuf, n: usize) {
    if n < slot_count(buf) {
        set_slot(buf, n, 0, 0);
    }
}

/// Frees a slot's item but keeps the slot from reuse (a dead line
/// pointer): index entries may still point at it.
pub fn mark_dead(buf: &mut PageBuf, n: usize) {
    if n < slot_count(buf) {
        set_slot(buf, n, 1, 0);
    }
}

/// Whether a slot is a dead line pointer (see [`mark_dead`]).
pub fn is_dead(buf: &PageBuf, n: usize) -> bool {
    n < slot_count(buf) && slot(buf, n) == (1, 0)
}

/// Makes room for an item at sorted position `n` by shifting the slot
/// entries from `n` on one place up (pages that keep their slots in key
/// order: B+tree nodes). Returns false, changing nothing, if `data` does
/// not fit.
pub fn insert_at(buf: &mut PageBuf, n: usize, data: &[u8]) -> bool {
    let count = slot_count(buf);
    if data.is_empty() || n > count || data.len() + SLOT_SIZE > free_space_sorted(buf) {
        return false;
    }
    if upper(buf) - lower(buf) < data.len() + SLOT_SIZE {
        compact(buf);
    }
    let from = HEADER_SIZE + n * SLOT_SIZE;
    let end = HEADER_SIZE + count * SLOT_SIZE;
    buf.copy_within(from..end, from + SLOT_SIZE);
    put_u16(buf, 12, (end + SLOT_SIZE) as u16);
    let offset = upper(buf) - data.len();
    buf[offset..offset + data.len()].copy_from_slice(data);
    put_u16(buf, 14, offset as u16);
    set_slot(buf, n, offset, data.len());
    true
}

/// Removes the item at sorted position `n`, shifting later slots down.
pub fn remove_at(buf: &mut PageBuf, n: usize) {
    let count = slot_count(buf);
    if n >= count {
        return;
    }
    let from = HEADER_SIZE + (n + 1) * SLOT_SIZE;
    let end = HEADER_SIZE + count * SLOT_SIZE;
    buf.copy_within(from..end, from - SLOT_SIZE);
    put_u16(buf, 12, (end - SLOT_SIZE) as u16);
}

/// Bytes free for items and their slots on a page with no unused slots
/// (compaction included).
pub fn free_space_sorted(buf: &PageBuf) -> usize {
    let slots = slot_count(buf);
    let live: usize = (0..slots).map(|n| slot(buf, n).1).sum();
    DATA_END.saturating_sub(HEADER_SIZE + slots * SLOT_SIZE + live)
}

/// Moves live items together at the end of the page, keeping slot numbers.
pub fn compact(buf: &mut PageBuf) {
    let slots = slot_count(buf);
    let mut items: Vec<(usize, Vec<u8>)> = (0..slots)
        .filter_map(|n| item(buf, n).map(|d| (n, d.to_vec())))
        .collect();
    items.sort_by_key(|(n, _)| *n);
    let mut top = DATA_END;
    for (n, data) in &items {
        top -= data.len();
        buf[top..top + data.len()].copy_from_slice(data);
        set_slot(buf, *n, top, data.len());
    }
    put_u16(buf, 14, top as u16);
}

/// Checks the header invariants of a page read from disk.
pub fn validate(buf: &PageBuf) -> bool {
    if kind(buf) == PageKind::Unused {
        return true;
    }
    let (lo, up) = (lower(buf), upper(buf));
    if lo < HEADER_SIZE || lo > up || up > DATA_END || !(lo - HEADER_SIZE).is_multiple_of(SLOT_SIZE)
    {
        return false;
    }
    (0..slot_count(buf)).all(|n| {
        let (offset, len) = slot(buf, n);
        len == 0 || (offset >= up && offset + len <= DATA_END)
    })
}

fn checksum(buf: &PageBuf, block: u32) -> u32 {
    let crc = crc32c::crc32c(&buf[..CHECKSUM_OFFSET]);
    crc32c::crc32c_append(crc, &block.to_le_bytes())
}

/// Stamps the checksum before a page is written to block `block`.
pub fn seal(buf: &mut PageBuf, block: u32) {
    let crc = checksum(buf, block);
    buf[CHECKSUM_OFFSET..].copy_from_slice(&crc.to_le_bytes());
}

/// Verifies a page read from block `block`; `what` names it in the error.
pub fn verify(buf: &PageBuf, block: u32, what: &dyn Fn() -> String) -> Result<()> {
    if buf.iter().all(|b| *b == 0) {
        return Ok(());
    }
    let stored = u32::from_le_bytes(buf[CHECKSUM_OFFSET..].try_into().unwrap_or_default());
    if stored != checksum(buf, block) {
        return Err(Error::Corrupted(format!(
            "invalid page in block {block} of {}: checksum mismatch",
            what()
        )));
    }
    if !validate(buf) {
        return Err(Error::Corrupted(format!(
            "invalid page in block {block} of {}: bad header",
            what()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Box<PageBuf> {
        let mut p = Box::new([0u8; PAGE_SIZE]);
        init(&mut p, PageKind::Heap);
        p
    }

    #[test]
    fn insert_get_remove_reuse() {
        let mut p = page();
        let a = insert(&mut p, b"hello").unwrap();
        let b = insert(&mut p, b"world!").unwrap();
        assert_eq!(item(&p, a), Some(&b"hello"[..]));
        assert_eq!(item(&p, b), Some(&b"world!"[..]));
        remove(&mut p, a);
        assert_eq!(item(&p, a), None);
        let c = insert(&mut p, b"again").unwrap();
        assert_eq!(c, a, "freed slot is reused");
        assert!(validate(&p));
    }

    #[test]
    fn fills_then_compacts() {
        let mut p = page();
        let mut slots = Vec::new();
        while let Some(s) = insert(&mut p, &[7u8; 100]) {
            slots.push(s);
        }
        assert_eq!(slots.len(), (DATA_END - HEADER_SIZE) / (100 + SLOT_SIZE));
        for s in slots.iter().step_by(2) {
            remove(&mut p, *s);
        }
        // Fragmented space is found again through compaction.
        let big = vec![9u8; 1000];
        assert!(insert(&mut p, &big).is_some());
        for s in slots.iter().skip(1).step_by(2) {
            assert_eq!(item(&p, *s), Some(&[7u8; 100][..]));
        }
        assert!(validate(&p));
    }

    #[test]
    fn max_item_fits_exactly() {
        let mut p = page();
        assert!(insert(&mut p, &vec![1u8; MAX_ITEM_SIZE + 1]).is_none());
        assert!(insert(&mut p, &vec![1u8; MAX_ITEM_SIZE]).is_some());
    }

    #[test]
    fn checksum_detects_flips_and_misplacement() {
        let mut p = page();
        insert(&mut p, b"data").unwrap();
        seal(&mut p, 3);
        let name = || "relation t".to_string();
        assert!(verify(&p, 3, &name).is_ok());
        assert!(verify(&p, 4, &name).is_err());
        p[5000] ^= 1;
        let err = verify(&p, 3, &name).unwrap_err();
        assert_eq!(err.sqlstate(), "XX001");
    }
}
