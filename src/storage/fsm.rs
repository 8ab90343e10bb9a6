//! Free-space map: which pages of a relation have room for a new tuple.
//!
//! Kept in memory and rebuilt as pages are visited (inserts, deletes and
//! sequential scans report what they see), so it is a hint, never the
//! truth: callers re-check the page and report back on a miss. Pages never
//! visited since start-up are unknown and not offered; the heap falls back
//! to the relation's last page. On the first insert into a relation after
//! start-up the heap surveys it once (relations up to a size limit), so
//! space freed before a restart is found again. Lookups are O(log n): pages are indexed by
//! their free bytes.

use std::collections::{BTreeSet, HashMap};

use parking_lot::Mutex;

use super::RelId;

/// Pages with less free space than this are not worth remembering.
const MIN_USEFUL_BYTES: usize = 64;

#[derive(Default)]
struct RelationSpace {
    by_block: HashMap<u32, u16>,
    by_space: BTreeSet<(u16, u32)>,
}

/// Free bytes per known page, per relation.
#[derive(Default)]
pub struct FreeSpaceMap {
    rels: Mutex<HashMap<RelId, RelationSpace>>,
    surveyed: Mutex<std::collections::HashSet<RelId>>,
}

impl FreeSpaceMap {
    /// True the first time it is asked about a relation since start-up
    /// (the heap then surveys the relation's pages once).
    pub fn first_use(&self, rel: RelId) -> bool {
        self.surveyed.lock().insert(rel)
    }

    /// Records the free space seen on a page.
    pub fn record(&self, rel: RelId, block: u32, free_bytes: usize) {
        let mut rels = self.rels.lock();
        let space = rels.entry(rel).or_default();
        if let Some(old) = space.by_block.remove(&block) {
            space.by_space.remove(&(old, block));
        }
        if free_bytes >= MIN_USEFUL_BYTES {
            let free = free_bytes.min(u16::MAX as usize) as u16;
            space.by_block.insert(block, free);
            space.by_space.insert((free, block));
        }
    }

    /// A page believed to have at least `needed` free bytes (the one with
    /// the least room that is enough, to keep big gaps for big rows).
    pub fn find(&self, rel: RelId, needed: usize) -> Option<u32> {
        let needed = u16::try_from(needed).ok()?;
        let rels = self.rels.lock();
        rels.get(&rel)?
            .by_space
            .range((needed, 0)..)
            .next()
            .map(|(_, block)| *block)
    }

    /// Forgets a relation.
    pub fn forget(&self, rel: RelId) {
        self.rels.lock().remove(&rel);
        self.surveyed.lock().remove(&rel);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_tightest_fit_and_forgets_full_pages() {
        let fsm = FreeSpaceMap::default();
        let rel = RelId(9);
        fsm.record(rel, 1, 500);
        fsm.record(rel, 2, 2000);
        fsm.record(rel, 3, 1000);
        assert_eq!(fsm.find(rel, 800), Some(3));
        assert_eq!(fsm.find(rel, 1500), Some(2));
        assert_eq!(fsm.find(rel, 3000), None);
        fsm.record(rel, 3, 10);
        assert_eq!(fsm.find(rel, 800), Some(2));
        fsm.forget(rel);
        assert_eq!(fsm.find(rel, 1), None);
    }
}
