//! Storage: files, pages, the buffer pool, heap relations and B+trees.
//!
//! Knows nothing of SQL, tables or types: a relation is a numbered file of
//! 8 KiB pages, a tuple is bytes with an MVCC header.

pub mod btree;
pub mod buffer;
pub mod crypto;
pub mod files;
pub mod fsm;
pub mod heap;
pub mod io;
pub mod page;
pub mod page_log;
pub mod toast;
pub mod visibility_map;
pub mod wal;

/// A relation's number; its file is `base/<RelId>` in the data directory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelId(pub u32);

/// A page's address: relation and block number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageId {
    pub rel: RelId,
    pub block: u32,
}

/// A tuple's address: page and slot (PostgreSQL's ctid).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tid {
    pub block: u32,
    pub slot: u16,
}
