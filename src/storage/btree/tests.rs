//! B+tree tests: inserts with splits, bounded scans both ways, bulk build,
//! bulk delete, and replay of the logged records.

use std::collections::HashSet;
use std::sync::Arc;

use super::*;
use crate::storage::buffer::MIN_FRAMES;
use crate::storage::files::RelationFiles;
use crate::storage::io::OsFileSystem;

fn tree(dir: &std::path::Path) -> BTree {
    let files = Arc::new(RelationFiles::new(
        dir.to_path_buf(),
        Arc::new(OsFileSystem),
    ));
    BTree::new(
        Arc::new(BufferPool::new(MIN_FRAMES * 4, files)),
        Arc::new(PageLog::default()),
    )
}

fn key(n: u64) -> Vec<u8> {
    // Variable-length, prefix-free: a length byte then the digits.
    let s = format!("{n:0w$}", w = 4 + (n % 7) as usize * 40);
    let mut k = vec![0x01];
    k.extend_from_slice(s.as_bytes());
    k.extend_from_slice(&[0, 1]);
    k
}

fn tid(n: u64) -> Tid {
    Tid {
        block: (n / 100) as u32,
        slot: (n % 100) as u16,
    }
}

fn collect(scan: RangeScan<'_>) -> Vec<(Vec<u8>, Tid)> {
    scan.map(|r| r.unwrap()).collect()
}

#[test]
fn random_inserts_scan_in_order_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let t = tree(dir.path());
    let rel = RelId(20000);
    t.create(rel, 1).unwrap();
    // A permutation of 0..n by a multiplicative step.
    let n = 20_000u64;
    let mut expected: Vec<(Vec<u8>, Tid)> = Vec::new();
    for i in 0..n {
        let v = (i * 7919) % n;
        t.insert(rel, &key(v), tid(v), 1).unwrap();
        expected.push((key(v), tid(v)));
    }
    // Duplicate keys with other heap addresses.
    for v in [5u64, 5, 5] {
        let other = Tid {
            block: 999_999,
            slot: expected.len() as u16,
        };
        t.insert(rel, &key(v), other, 1).unwrap();
        expected.push((key(v), other));
    }
    expected.sort_by_key(|a| node::leaf_item(&a.0, a.1));
    assert!(t.pool.files().nblocks(rel).unwrap() > 100, "the tree split");

    let all = collect(t.scan(rel, Bound::Unbounded, Bound::Unbounded, true));
    assert_eq!(all, expected);
    let mut back = collect(t.scan(rel, Bound::Unbounded, Bound::Unbounded, false));
    back.reverse();
    assert_eq!(back, expected);

    // Equality finds every duplicate.
    let fives = collect(t.scan(rel, Bound::Included(key(5)), Bound::Included(key(5)), true));
    assert_eq!(fives.len(), 4);
    // Ranges with each kind of bound, both directions.
    let lo = key(100);
    let hi = key(200);
    for (lower, upper) in [
        (Bound::Included(lo.clone()), Bound::Included(hi.clone())),
        (Bound::Excluded(lo.clone()), Bound::Excluded(hi.clone())),
        (Bound::Unbounded, Bound::Excluded(hi.clone())),
        (Bound::Excluded(lo.clone()), Bound::Unbounded),
    ] {
        let want: Vec<_> = expected
            .iter()
            .filter(|(k, _)| lower.admits_as_lower(k) && upper.admits_as_upper(k))
            .cloned()
            .collect();
        assert_eq!(
            collect(t.scan(rel, lower.clone(), upper.clone(), true)),
            want
        );
        let mut back = collect(t.scan(rel, lower, upper, false));
        back.reverse();
        assert_eq!(back, want);
    }

    // Bulk delete of every other entry.
    let dead: HashSet<Tid> = (0..n).filter(|v| v % 2 == 0).map(tid).collect();
    assert_eq!(t.remove_tids(rel, &dead).unwrap(), n / 2);
    let left = collect(t.scan(rel, Bound::Unbounded, Bound::Unbounded, true));
    assert_eq!(left.len(), expected.len() - (n / 2) as usize);
    assert!(left.iter().all(|(_, t)| !dead.contains(t)));
}

#[test]
fn bulk_build_matches_inserts() {
    let dir = tempfile::tempdir().unwrap();
    let t = tree(dir.path());
    for (rel, n) in [
        (RelId(20001), 0u64),
        (RelId(20002), 10),
        (RelId(20003), 50_000),
    ] {
        t.create(rel, 1).unwrap();
        let mut entries: Vec<Vec<u8>> = (0..n).map(|v| node::leaf_item(&key(v), tid(v))).collect();
        entries.sort();
        t.build(rel, entries.clone(), 1).unwrap();
        let got: Vec<Vec<u8>> = collect(t.scan(rel, Bound::Unbounded, Bound::Unbounded, true))
            .into_iter()
            .map(|(k, t)| node::leaf_item(&k, t))
            .collect();
        assert_eq!(got, entries);
        // Inserts after a build land in order.
        t.insert(rel, &key(3), Tid { block: 1, slot: 1 }, 2)
            .unwrap();
        let threes = collect(t.scan(rel, Bound::Included(key(3)), Bound::Included(key(3)), true));
        assert_eq!(threes.len(), if n > 3 { 2 } else { 1 });
    }
}
