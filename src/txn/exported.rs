//! Exported snapshots (`pg_export_snapshot()` / `SET TRANSACTION
//! SNAPSHOT`): a transaction publishes its snapshot under an id, and other
//! sessions' REPEATABLE READ transactions adopt it, so that several
//! connections read one consistent state (`flintdb backup --jobs`,
//! `pg_dump -j`). An export lives until its transaction ends.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

use super::{Snapshot, SnapshotGuard, TxnManager};

/// The snapshots exported by running transactions.
#[derive(Default)]
pub struct Exports {
    by_id: Mutex<HashMap<String, Export>>,
    counter: std::sync::atomic::AtomicU32,
}

struct Export {
    /// The exporting session's pid.
    owner: i32,
    /// Keeps the snapshot's xmin registered while it may be imported.
    guard: SnapshotGuard,
}

impl TxnManager {
    /// Publishes `snapshot` for session `owner`; returns its id, which
    /// reads like PostgreSQL's (`00000003-0000001B-1`).
    pub fn export_snapshot(self: &Arc<Self>, owner: i32, snapshot: Snapshot) -> String {
        let n = self
            .exports
            .counter
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            + 1;
        let id = format!("{:08X}-{:08X}-1", owner as u32, n);
        let guard = self.register(snapshot);
        self.exports
            .by_id
            .lock()
            .insert(id.clone(), Export { owner, guard });
        id
    }

    /// The snapshot exported under `id`, registered for the importer.
    pub fn import_snapshot(self: &Arc<Self>, id: &str) -> Option<SnapshotGuard> {
        let snapshot = self
            .exports
            .by_id
            .lock()
            .get(id)
            .map(|e| e.guard.snapshot.clone())?;
        Some(self.register(snapshot))
    }

    /// Withdraws the exports of session `owner` (its transaction ended).
    pub fn drop_exports(&self, owner: i32) {
        let gone: Vec<Export> = {
            let mut by_id = self.exports.by_id.lock();
            let ids: Vec<String> = by_id
                .iter()
                .filter(|(_, e)| e.owner == owner)
                .map(|(id, _)| id.clone())
                .collect();
            ids.iter().filter_map(|id| by_id.remove(id)).collect()
        };
        drop(gone);
    }

    /// Registers another holder of an existing snapshot.
    fn register(self: &Arc<Self>, snapshot: Snapshot) -> SnapshotGuard {
        *self
            .state
            .lock()
            .snapshots
            .entry(snapshot.xmin)
            .or_default() += 1;
        SnapshotGuard {
            manager: self.clone(),
            snapshot,
        }
    }
}
