//! WAL records: what each one says and its bytes.
//!
//! A record on disk (little-endian):
//! ```text
//! offset size field
//!      0    4 total length of the record in bytes, header included (>= 25)
//!      4    4 CRC32C of bytes 8..total (lsn, xid, kind, payload)
//!      8    8 LSN: the record's own position in the log
//!     16    8 xid of the transaction that wrote it (0 for none)
//!     24    1 kind
//!     25    … payload, by kind:
//!   1 PageImage   u32 rel, u32 block, 8192 bytes: the whole page after the change
//!   2 PageInit    u32 rel, u32 block: a new, empty heap page
//!   3 HeapInsert  u32 rel, u32 block, u16 slot, tuple bytes
//!   4 HeapDelete  u32 rel, u32 block, u16 slot, u64 xmax
//!   5 Commit      u32 count, count × u64: the transaction's other (sub)xids
//!   6 Abort       (nothing)
//!   7 CreateRel   u32 rel
//!   8 DropRel     u32 rel
//!   9 Checkpoint  u64 redo LSN, u64 next xid
//!  10 BtreeInsert u32 rel, u32 block, u16 position, item bytes (a B+tree
//!                 entry placed at that sorted position of a node)
//!  11 PageImages  u32 rel, u16 count, count × (u32 block, 8192 bytes): pages
//!                 of one relation changed together (a B+tree split), so
//!                 replay applies all of them or none
//!  12 HeapMark    u32 rel, u32 block, u16 slot, u64 xmax, u16 flags: sets a
//!                 tuple's xmax and flags outright (a row lock, a delete
//!                 over a lock, or one undone by a restarted statement)
//! ```
//! The LSN inside the record lets a reader reject stale bytes left at a
//! position by an earlier, torn write; the CRC rejects torn or flipped ones.
//!
//! In an encrypted cluster every record is sealed (`crypto.rs`): the length,
//! CRC and LSN stay in clear so the log can still be walked and a torn tail
//! found, and a nonce follows them; everything else is ciphertext, with the
//! Poly1305 tag at the end:
//! ```text
//! offset size field
//!      0    4 total length (>= 65)
//!      4    4 CRC32C of bytes 8..total (over the ciphertext)
//!      8    8 LSN
//!     16   24 nonce: key id (u32 LE), 20 random bytes
//!     40    … ciphertext of xid (8), kind (1), payload
//! total-16 16 tag; associated data "FLINTDB-WAL", LSN, total length, key id
//! ```
//! A record whose tag fails is invalid exactly as one whose CRC fails: at
//! the tail it ends replay, before valid records it refuses the start.

use std::borrow::Cow;

use crate::error::{Error, Result};
use crate::storage::crypto::{Keyring, NONCE_BYTES, OVERHEAD_BYTES, TAG_BYTES};
use crate::storage::page::{PageBuf, PAGE_SIZE};
use crate::storage::RelId;

/// A position in the write-ahead log (byte offset in the log stream).
pub type Lsn = u64;

/// Bytes of record header.
pub const HEADER_SIZE: usize = 25;

/// What a record says.
#[derive(Clone, Debug, PartialEq)]
pub enum Record {
    PageImage {
        rel: RelId,
        block: u32,
        page: Box<PageBuf>,
    },
    PageInit {
        rel: RelId,
        block: u32,
    },
    HeapInsert {
        rel: RelId,
        block: u32,
        slot: u16,
        tuple: Vec<u8>,
    },
    HeapMark {
        rel: RelId,
        block: u32,
        slot: u16,
        xmax: u64,
        flags: u16,
    },
    HeapDelete {
        rel: RelId,
        block: u32,
        slot: u16,
        xmax: u64,
    },
    Commit {
        subxids: Vec<u64>,
    },
    Abort,
    CreateRel {
        rel: RelId,
    },
    DropRel {
        rel: RelId,
    },
    Checkpoint {
        redo: Lsn,
        next_xid: u64,
    },
    BtreeInsert {
        rel: RelId,
        block: u32,
        pos: u16,
        item: Vec<u8>,
    },
    PageImages {
        rel: RelId,
        pages: Vec<(u32, Box<PageBuf>)>,
    },
}

/// Most pages one `PageImages` record may carry.
pub const MAX_IMAGES: usize = 64;

impl Record {
    fn kind(&self) -> u8 {
        match self {
            Record::PageImage { .. } => 1,
            Record::PageInit { .. } => 2,
            Record::HeapInsert { .. } => 3,
            Record::HeapDelete { .. } => 4,
            Record::Commit { .. } => 5,
            Record::Abort => 6,
            Record::CreateRel { .. } => 7,
            Record::DropRel { .. } => 8,
            Record::Checkpoint { .. } => 9,
            Record::BtreeInsert { .. } => 10,
            Record::PageImages { .. } => 11,
            Record::HeapMark { .. } => 12,
        }
    }

    /// The page this record changes, if any.
    pub fn page(&self) -> Option<(RelId, u32)> {
        match self {
            Record::PageImage { rel, block, .. }
            | Record::PageInit { rel, block }
            | Record::HeapInsert { rel, block, .. }
            | Record::HeapDelete { rel, block, .. }
            | Record::HeapMark { rel, block, .. }
            | Record::BtreeInsert { rel, block, .. } => Some((*rel, *block)),
            _ => None,
        }
    }

    /// Appends the full record (header and payload) at `lsn` to `out`,
    /// sealed with `keyring` when the cluster is encrypted.
    pub fn encode(&self, lsn: Lsn, xid: u64, out: &mut Vec<u8>, keyring: Option<&Keyring>) {
        let start = out.len();
        out.extend_from_slice(&[0u8; 8]);
        out.extend_from_slice(&lsn.to_le_bytes());
        if keyring.is_some() {
            out.extend_from_slice(&[0u8; NONCE_BYTES]);
        }
        out.extend_from_slice(&xid.to_le_bytes());
        out.push(self.kind());
        let page_ref = |out: &mut Vec<u8>, rel: &RelId, block: &u32| {
            out.extend_from_slice(&rel.0.to_le_bytes());
            out.extend_from_slice(&block.to_le_bytes());
        };
        match self {
            Record::PageImage { rel, block, page } => {
                page_ref(out, rel, block);
                out.extend_from_slice(&page[..]);
            }
            Record::PageInit { rel, block } => page_ref(out, rel, block),
            Record::HeapInsert {
                rel,
                block,
                slot: pos,
                tuple: item,
            }
            | Record::BtreeInsert {
                rel,
                block,
                pos,
                item,
            } => {
                page_ref(out, rel, block);
                out.extend_from_slice(&pos.to_le_bytes());
                out.extend_from_slice(item);
            }
            Record::HeapDelete {
                rel,
                block,
                slot,
                xmax,
            } => {
                page_ref(out, rel, block);
                out.extend_from_slice(&slot.to_le_bytes());
                out.extend_from_slice(&xmax.to_le_bytes());
            }
            Record::HeapMark {
                rel,
                block,
                slot,
                xmax,
                flags,
            } => {
                page_ref(out, rel, block);
                out.extend_from_slice(&slot.to_le_bytes());
                out.extend_from_slice(&xmax.to_le_bytes());
                out.extend_from_slice(&flags.to_le_bytes());
            }
            Record::Commit { subxids } => {
                out.extend_from_slice(&(subxids.len() as u32).to_le_bytes());
                for x in subxids {
                    out.extend_from_slice(&x.to_le_bytes());
                }
            }
            Record::Abort => {}
            Record::CreateRel { rel } | Record::DropRel { rel } => {
                out.extend_from_slice(&rel.0.to_le_bytes())
            }
            Record::Checkpoint { redo, next_xid } => {
                out.extend_from_slice(&redo.to_le_bytes());
                out.extend_from_slice(&next_xid.to_le_bytes());
            }
            Record::PageImages { rel, pages } => {
                out.extend_from_slice(&rel.0.to_le_bytes());
                out.extend_from_slice(&(pages.len() as u16).to_le_bytes());
                for (block, page) in pages {
                    out.extend_from_slice(&block.to_le_bytes());
                    out.extend_from_slice(&page[..]);
                }
            }
        }
        if let Some(keyring) = keyring {
            let total = (out.len() - start + TAG_BYTES) as u32;
            let body = start + 16 + NONCE_BYTES;
            let (nonce, tag) = keyring.seal_in_place(&wal_aad(lsn, total), &mut out[body..]);
            out[start + 16..body].copy_from_slice(&nonce);
            out.extend_from_slice(&tag);
        }
        let total = (out.len() - start) as u32;
        out[start..start + 4].copy_from_slice(&total.to_le_bytes());
        let crc = crc32c::crc32c(&out[start + 8..]);
        out[start + 4..start + 8].copy_from_slice(&crc.to_le_bytes());
    }

    /// The encoded size of this record, sealed or not.
    pub fn encoded_len(&self, sealed: bool) -> usize {
        self.plain_len() + if sealed { OVERHEAD_BYTES } else { 0 }
    }

    fn plain_len(&self) -> usize {
        HEADER_SIZE
            + match self {
                Record::PageImage { .. } => 8 + PAGE_SIZE,
                Record::PageInit { .. } => 8,
                Record::HeapInsert { tuple: item, .. } | Record::BtreeInsert { item, .. } => {
                    10 + item.len()
                }
                Record::HeapDelete { .. } => 18,
                Record::HeapMark { .. } => 20,
                Record::Commit { subxids } => 4 + 8 * subxids.len(),
                Record::Abort => 0,
                Record::CreateRel { .. } | Record::DropRel { .. } => 4,
                Record::Checkpoint { .. } => 16,
                Record::PageImages { pages, .. } => 6 + pages.len() * (4 + PAGE_SIZE),
            }
    }
}

/// Why bytes at a position are not a record.
#[derive(Debug, PartialEq)]
pub enum DecodeFailure {
    /// Zeros or no bytes: nothing was ever written here.
    Empty,
    /// Something is here but it is not a valid record for this position.
    Invalid(String),
}

fn wal_aad(lsn: Lsn, total: u32) -> [u8; 23] {
    let mut aad = [0u8; 23];
    aad[..11].copy_from_slice(b"FLINTDB-WAL");
    aad[11..19].copy_from_slice(&lsn.to_le_bytes());
    aad[19..23].copy_from_slice(&total.to_le_bytes());
    aad
}

/// Decodes the record at the start of `buf`, expected at `lsn`; returns
/// it with its xid and total length. `keyring` opens sealed records (an
/// encrypted cluster's log holds nothing else).
pub fn decode(
    buf: &[u8],
    lsn: Lsn,
    keyring: Option<&Keyring>,
) -> std::result::Result<(Record, u64, usize), DecodeFailure> {
    if buf.len() < 4 || buf[..4] == [0, 0, 0, 0] {
        return Err(DecodeFailure::Empty);
    }
    let total = u32::from_le_bytes(buf[0..4].try_into().unwrap_or_default()) as usize;
    let overhead = if keyring.is_some() { OVERHEAD_BYTES } else { 0 };
    let max = HEADER_SIZE + overhead + 6 + MAX_IMAGES * (4 + PAGE_SIZE);
    if !(HEADER_SIZE + overhead..=max).contains(&total) || total > buf.len() {
        return Err(DecodeFailure::Invalid(format!("bad record length {total}")));
    }
    let crc = u32::from_le_bytes(buf[4..8].try_into().unwrap_or_default());
    if crc32c::crc32c(&buf[8..total]) != crc {
        return Err(DecodeFailure::Invalid("checksum mismatch".to_string()));
    }
    let at = u64::from_le_bytes(buf[8..16].try_into().unwrap_or_default());
    if at != lsn {
        return Err(DecodeFailure::Invalid(format!("record claims LSN {at}")));
    }
    // The bytes from the xid on: in place, or decrypted into a copy.
    let body: Cow<[u8]> = match keyring {
        None => Cow::Borrowed(&buf[16..total]),
        Some(keyring) => {
            let nonce: &[u8; NONCE_BYTES] = buf[16..16 + NONCE_BYTES]
                .try_into()
                .map_err(|_| DecodeFailure::Invalid("truncated nonce".to_string()))?;
            let tag: &[u8; TAG_BYTES] = buf[total - TAG_BYTES..total]
                .try_into()
                .map_err(|_| DecodeFailure::Invalid("truncated tag".to_string()))?;
            let mut body = buf[16 + NONCE_BYTES..total - TAG_BYTES].to_vec();
            keyring
                .open_in_place(&wal_aad(lsn, total as u32), nonce, tag, &mut body)
                .map_err(|e| DecodeFailure::Invalid(e.to_string()))?;
            Cow::Owned(body)
        }
    };
    let record = decode_body(&body)?;
    let xid = u64::from_le_bytes(body[0..8].try_into().unwrap_or_default());
    Ok((record, xid, total))
}

/// Decodes `xid (8), kind (1), payload` into the record (the xid is the
/// caller's).
fn decode_body(body: &[u8]) -> std::result::Result<Record, DecodeFailure> {
    let kind = body[8];
    let p = &body[9..];
    let bad = || DecodeFailure::Invalid("malformed payload".to_string());
    let u32_at = |i: usize| {
        p.get(i..i + 4)
            .map(|b| u32::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    let u64_at = |i: usize| {
        p.get(i..i + 8)
            .map(|b| u64::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    let u16_at = |i: usize| {
        p.get(i..i + 2)
            .map(|b| u16::from_le_bytes(b.try_into().unwrap_or_default()))
    };
    let page_ref = || Some((RelId(u32_at(0)?), u32_at(4)?));
    let record = match kind {
        1 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            let bytes = p.get(8..8 + PAGE_SIZE).ok_or_else(bad)?;
            let mut page = Box::new([0u8; PAGE_SIZE]);
            page.copy_from_slice(bytes);
            Record::PageImage { rel, block, page }
        }
        2 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            Record::PageInit { rel, block }
        }
        3 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            let slot = u16_at(8).ok_or_else(bad)?;
            Record::HeapInsert {
                rel,
                block,
                slot,
                tuple: p[10..].to_vec(),
            }
        }
        4 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            Record::HeapDelete {
                rel,
                block,
                slot: u16_at(8).ok_or_else(bad)?,
                xmax: u64_at(10).ok_or_else(bad)?,
            }
        }
        12 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            Record::HeapMark {
                rel,
                block,
                slot: u16_at(8).ok_or_else(bad)?,
                xmax: u64_at(10).ok_or_else(bad)?,
                flags: u16_at(18).ok_or_else(bad)?,
            }
        }
        5 => {
            let n = u32_at(0).ok_or_else(bad)? as usize;
            let subxids = (0..n)
                .map(|i| u64_at(4 + 8 * i).ok_or_else(bad))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            Record::Commit { subxids }
        }
        6 => Record::Abort,
        7 => Record::CreateRel {
            rel: RelId(u32_at(0).ok_or_else(bad)?),
        },
        8 => Record::DropRel {
            rel: RelId(u32_at(0).ok_or_else(bad)?),
        },
        9 => Record::Checkpoint {
            redo: u64_at(0).ok_or_else(bad)?,
            next_xid: u64_at(8).ok_or_else(bad)?,
        },
        10 => {
            let (rel, block) = page_ref().ok_or_else(bad)?;
            let pos = u16_at(8).ok_or_else(bad)?;
            Record::BtreeInsert {
                rel,
                block,
                pos,
                item: p[10..].to_vec(),
            }
        }
        11 => {
            let rel = RelId(u32_at(0).ok_or_else(bad)?);
            let n = u16_at(4).ok_or_else(bad)? as usize;
            let mut pages = Vec::with_capacity(n);
            for i in 0..n {
                let at = 6 + i * (4 + PAGE_SIZE);
                let block = u32_at(at).ok_or_else(bad)?;
                let bytes = p.get(at + 4..at + 4 + PAGE_SIZE).ok_or_else(bad)?;
                let mut page = Box::new([0u8; PAGE_SIZE]);
                page.copy_from_slice(bytes);
                pages.push((block, page));
            }
            Record::PageImages { rel, pages }
        }
        k => return Err(DecodeFailure::Invalid(format!("unknown record kind {k}"))),
    };
    Ok(record)
}

/// A corrupt-WAL error naming the position.
pub fn corrupt(lsn: Lsn, why: &str) -> Error {
    Error::Corrupted(format!("invalid WAL record at LSN {lsn}: {why}"))
}

/// Result alias kept short for the WAL modules.
pub type WalResult<T> = Result<T>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_round_trips_and_damage_is_detected() {
        let mut page = Box::new([0u8; PAGE_SIZE]);
        page[100] = 7;
        let records = vec![
            Record::PageImage {
                rel: RelId(5),
                block: 9,
                page,
            },
            Record::PageInit {
                rel: RelId(5),
                block: 10,
            },
            Record::HeapInsert {
                rel: RelId(5),
                block: 10,
                slot: 3,
                tuple: vec![1, 2, 3],
            },
            Record::HeapDelete {
                rel: RelId(5),
                block: 10,
                slot: 3,
                xmax: 77,
            },
            Record::HeapMark {
                rel: RelId(5),
                block: 10,
                slot: 3,
                xmax: 78,
                flags: 1,
            },
            Record::Commit { subxids: vec![] },
            Record::Commit {
                subxids: vec![7, 8, 9],
            },
            Record::Abort,
            Record::CreateRel { rel: RelId(16384) },
            Record::DropRel { rel: RelId(16384) },
            Record::Checkpoint {
                redo: 1234,
                next_xid: 99,
            },
            Record::BtreeInsert {
                rel: RelId(16385),
                block: 2,
                pos: 17,
                item: vec![1, 2, 3, 4, 5, 6, 7],
            },
            Record::PageImages {
                rel: RelId(16385),
                pages: vec![
                    (0, Box::new([3u8; PAGE_SIZE])),
                    (7, Box::new([4u8; PAGE_SIZE])),
                ],
            },
        ];
        let ring = Keyring::ephemeral();
        for keyring in [None, Some(&*ring)] {
            for (i, r) in records.iter().enumerate() {
                let mut buf = Vec::new();
                let lsn = 4096 + i as u64;
                r.encode(lsn, 42, &mut buf, keyring);
                assert_eq!(buf.len(), r.encoded_len(keyring.is_some()));
                let (back, xid, len) = decode(&buf, lsn, keyring).unwrap();
                assert_eq!((&back, xid, len), (r, 42, buf.len()));
                assert!(
                    matches!(decode(&buf, 1, keyring), Err(DecodeFailure::Invalid(_))),
                    "wrong position"
                );
                let mut flipped = buf.clone();
                *flipped.last_mut().unwrap() ^= 1;
                assert!(matches!(
                    decode(&flipped, lsn, keyring),
                    Err(DecodeFailure::Invalid(_))
                ));
                assert!(decode(&buf[..buf.len() - 1], lsn, keyring).is_err());
            }
            assert_eq!(decode(&[0u8; 64], 0, keyring), Err(DecodeFailure::Empty));
        }
    }

    #[test]
    fn sealed_records_hide_their_payload_and_reject_tampering() {
        let ring = Keyring::ephemeral();
        let r = Record::HeapInsert {
            rel: RelId(5),
            block: 1,
            slot: 0,
            tuple: b"marker-in-the-wal".to_vec(),
        };
        let mut buf = Vec::new();
        r.encode(4096, 7, &mut buf, Some(&ring));
        assert!(!buf.windows(17).any(|w| w == b"marker-in-the-wal"));
        // A flip in the ciphertext with a recomputed CRC: only the tag sees it.
        buf[50] ^= 1;
        let crc = crc32c::crc32c(&buf[8..]);
        buf[4..8].copy_from_slice(&crc.to_le_bytes());
        assert!(matches!(
            decode(&buf, 4096, Some(&ring)),
            Err(DecodeFailure::Invalid(_))
        ));
        assert!(decode(&buf, 4096, Some(&Keyring::ephemeral())).is_err());
    }
}
