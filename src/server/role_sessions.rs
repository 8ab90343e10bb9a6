//! Sessions per role, for each role's CONNECTION LIMIT: a session holds a
//! [`RoleSlot`] from authentication to its end.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;

/// How many sessions each role has open.
#[derive(Default)]
pub struct RoleSessions {
    open: Mutex<HashMap<u32, usize>>,
}

/// One session's place in its role's count; freed when dropped.
pub struct RoleSlot {
    sessions: Arc<RoleSessions>,
    role: u32,
}

impl Drop for RoleSlot {
    fn drop(&mut self) {
        let mut open = self.sessions.open.lock();
        if let Some(n) = open.get_mut(&self.role) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.role);
            }
        }
    }
}

impl RoleSessions {
    /// A place for one more session of `role`, unless it already has
    /// `limit` (negative: no limit).
    pub fn take(self: &Arc<Self>, role: u32, limit: i32) -> Option<RoleSlot> {
        let mut open = self.open.lock();
        let n = open.entry(role).or_insert(0);
        if limit >= 0 && *n >= limit as usize {
            return None;
        }
        *n += 1;
        Some(RoleSlot {
            sessions: self.clone(),
            role,
        })
    }
}
