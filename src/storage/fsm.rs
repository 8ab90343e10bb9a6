//! Free-space map: which pages of a relation have room for a new tuple.
//!
//! Kept in memory and rebuilt as pages are visited (inserts, deletes and
//! sequential scans report what they see), so it is a hint, never the
//! truth: callers re-check the page and report back on a miss. Pages never
//! visited since start-up are unknown and not offered, except the last
//! page of the relation.

use std::collections::{BTreeMap, HashMap};

use parking_lot::Mutex;

use super::RelId;

/// Free bytes per known page, per relation.
#[derive(Default)]
pub struct FreeSpaceMap {
    rels: Mutex<HashMap<RelId, BTreeMap<u32, u16>>>,
}

/// Pages with less free space than this are not worth remembering.
const MIN_USEFUL_BYTES: usize = 64;

impl FreeSpaceMap {
    /// Records the free space seen on a page.
    pub fn record(&self, rel: RelId, block: u32, free_bytes: usize) {
        let mut rels = self.rels.lock();
        let pages = rels.entry(rel).or_default();
        if free_bytes >= MIN_USEFUL_BYTES {
            pages.insert(block, free_bytes.min(u16::MAX as usize) as u16);
        } else {
            pages.remove(&block);
        }
    }

    /// A page believed to have at least `needed` free bytes.
    pub fn find(&self, rel: RelId, needed: usize) -> Option<u32> {
        let rels = self.rels.lock();
        rels.get(&rel)?
            .iter()
            .find(|(_, free)| **free as usize >= needed)
            .map(|(b, _)| *b)
    }

    /// Forgets a relation.
    pub fn forget(&self, rel: RelId) {
        self.rels.lock().remove(&rel);
    }
}
