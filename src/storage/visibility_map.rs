//! The visibility map: one bit per heap page, set when every tuple on the
//! page is visible to every transaction, present and future. Index-only
//! scans trust an entry on such a page without reading the heap.
//!
//! VACUUM sets a page's bit (holding the page's write latch); every change
//! to the page clears it (under the same latch), before the change can be
//! seen. A clear bit only costs a heap read, so the map may lose bits but
//! never gain one: it is saved by each checkpoint (after the redo point is
//! fixed) to `visibility_map`, and recovery clears the bit of every heap
//! page a replayed record touches. A map file that fails its checksum is
//! ignored (all pages read the heap until the next VACUUM). Creating or
//! dropping a relation forgets its bits, so a relation number used again
//! never inherits them.
//!
//! File format: `FVM1`, then per relation `rel u32, words u32, words × u64`
//! (little-endian), then the CRC32C of everything before it. In an
//! encrypted cluster the whole of that is sealed (`crypto::Keyring::seal`,
//! associated data `FLINTDB-VM`); one that does not open is ignored too.

use std::collections::HashMap;
use std::path::Path;

use parking_lot::RwLock;

use super::crypto::Keyring;
use super::RelId;
use crate::error::Result;

const MAGIC: &[u8; 4] = b"FVM1";
const SEALED_AAD: &[u8] = b"FLINTDB-VM";
/// The file's name in the data directory.
pub const FILE: &str = "visibility_map";

/// All-visible bits of every heap relation's pages.
#[derive(Default)]
pub struct VisibilityMap {
    bits: RwLock<HashMap<RelId, Vec<u64>>>,
}

impl VisibilityMap {
    /// Whether every tuple on the page is visible to everyone.
    pub fn is_all_visible(&self, rel: RelId, block: u32) -> bool {
        let (word, bit) = position(block);
        self.bits
            .read()
            .get(&rel)
            .and_then(|w| w.get(word))
            .is_some_and(|w| w & bit != 0)
    }

    /// Marks a page all-visible (VACUUM, under the page's write latch).
    pub fn set(&self, rel: RelId, block: u32) {
        let (word, bit) = position(block);
        let mut bits = self.bits.write();
        let words = bits.entry(rel).or_default();
        if words.len() <= word {
            words.resize(word + 1, 0);
        }
        words[word] |= bit;
    }

    /// Clears a page's bit (any change to the page). Most pages have no
    /// bit set: they cost a shared lock only.
    pub fn clear(&self, rel: RelId, block: u32) {
        if !self.is_all_visible(rel, block) {
            return;
        }
        let (word, bit) = position(block);
        if let Some(w) = self
            .bits
            .write()
            .get_mut(&rel)
            .and_then(|w| w.get_mut(word))
        {
            *w &= !bit;
        }
    }

    /// Forgets a relation's bits (created or dropped).
    pub fn forget(&self, rel: RelId) {
        self.bits.write().remove(&rel);
    }

    /// Pages of a relation marked all-visible.
    pub fn count(&self, rel: RelId) -> u64 {
        self.bits
            .read()
            .get(&rel)
            .map_or(0, |w| w.iter().map(|x| x.count_ones() as u64).sum())
    }

    /// Replaces the bits with the map saved in `dir`; none if there is no
    /// file or it is damaged.
    pub fn load(&self, dir: &Path, keyring: Option<&Keyring>) {
        let bits = match std::fs::read(dir.join(FILE)) {
            Ok(bytes) => match keyring {
                None => Some(bytes),
                Some(k) => k.open(SEALED_AAD, &bytes).ok(),
            }
            .and_then(|b| decode(&b))
            .unwrap_or_else(|| {
                tracing::warn!("visibility map file is damaged; ignoring it");
                HashMap::new()
            }),
            Err(_) => HashMap::new(),
        };
        *self.bits.write() = bits;
    }

    /// Writes the map to `dir` atomically (and durably, with `sync`).
    pub fn save(&self, dir: &Path, sync: bool, keyring: Option<&Keyring>) -> Result<()> {
        let mut out = MAGIC.to_vec();
        for (rel, words) in self.bits.read().iter() {
            out.extend_from_slice(&rel.0.to_le_bytes());
            out.extend_from_slice(&(words.len() as u32).to_le_bytes());
            for w in words {
                out.extend_from_slice(&w.to_le_bytes());
            }
        }
        out.extend_from_slice(&crc32c::crc32c(&out).to_le_bytes());
        if let Some(k) = keyring {
            out = k.seal(SEALED_AAD, &out);
        }
        let tmp = dir.join(format!("{FILE}.tmp"));
        {
            use std::io::Write;
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&out)?;
            if sync {
                f.sync_all()?;
            }
        }
        std::fs::rename(&tmp, dir.join(FILE))?;
        if sync {
            std::fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

fn position(block: u32) -> (usize, u64) {
    ((block / 64) as usize, 1u64 << (block % 64))
}

fn decode(bytes: &[u8]) -> Option<HashMap<RelId, Vec<u64>>> {
    let (body, crc) = bytes.split_at_checked(bytes.len().checked_sub(4)?)?;
    if crc32c::crc32c(body).to_le_bytes() != crc || !body.starts_with(MAGIC) {
        return None;
    }
    let mut rest = &body[MAGIC.len()..];
    let mut take = |n: usize| -> Option<&[u8]> {
        let (head, tail) = rest.split_at_checked(n)?;
        rest = tail;
        Some(head)
    };
    let mut bits = HashMap::new();
    while let Some(rel) = take(4) {
        let rel = RelId(u32::from_le_bytes(rel.try_into().ok()?));
        let n = u32::from_le_bytes(take(4)?.try_into().ok()?) as usize;
        let words = take(n.checked_mul(8)?)?
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        bits.insert(rel, words);
    }
    Some(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bits_round_trip_through_the_file_and_damage_empties_it() {
        let dir = tempfile::tempdir().unwrap();
        let map = VisibilityMap::default();
        map.set(RelId(7), 3);
        map.set(RelId(7), 200);
        map.set(RelId(9), 0);
        map.clear(RelId(9), 0);
        map.save(dir.path(), true, None).unwrap();
        let loaded = VisibilityMap::default();
        loaded.load(dir.path(), None);
        assert!(loaded.is_all_visible(RelId(7), 3));
        assert!(loaded.is_all_visible(RelId(7), 200));
        assert!(!loaded.is_all_visible(RelId(7), 4));
        assert!(!loaded.is_all_visible(RelId(9), 0));
        assert_eq!(loaded.count(RelId(7)), 2);

        let path = dir.path().join(FILE);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[6] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        loaded.load(dir.path(), None);
        assert_eq!(loaded.count(RelId(7)), 0);
    }
}
