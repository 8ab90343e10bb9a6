//! Cancel keys: each session gets a random process id and secret key
//! (BackendKeyData); a CancelRequest naming both, compared in constant
//! time, interrupts that session's running statement (57014) and nothing
//! else. A wrong key does nothing and says nothing, as in PostgreSQL.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::security::{constant_time_eq, random_bytes};

/// A live session's secret key and interrupt flag.
type Entry = (Vec<u8>, Arc<AtomicBool>);

/// The registry of live sessions' keys.
#[derive(Default)]
pub struct Cancels {
    sessions: Mutex<HashMap<i32, Entry>>,
}

/// A session's entry; removed when dropped.
pub struct Registration {
    cancels: Arc<Cancels>,
    pub pid: i32,
    pub key: Vec<u8>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.cancels.sessions.lock().remove(&self.pid);
    }
}

impl Cancels {
    /// Registers a session whose statements watch `interrupt`; the key is
    /// `key_len` random bytes (4 for protocol 3.0, 32 for 3.2).
    pub fn register(self: &Arc<Self>, interrupt: Arc<AtomicBool>, key_len: usize) -> Registration {
        let key = random_bytes::<32>()[..key_len].to_vec();
        let mut sessions = self.sessions.lock();
        let pid = loop {
            let pid = i32::from_be_bytes(random_bytes::<4>()) & 0x3fff_ffff;
            if pid != 0 && !sessions.contains_key(&pid) {
                break pid;
            }
        };
        sessions.insert(pid, (key.clone(), interrupt));
        Registration {
            cancels: self.clone(),
            pid,
            key,
        }
    }

    /// Interrupts the session if `key` is its key; true if it was.
    pub fn cancel(&self, pid: i32, key: &[u8]) -> bool {
        let sessions = self.sessions.lock();
        match sessions.get(&pid) {
            Some((secret, interrupt)) if constant_time_eq(secret, key) => {
                interrupt.store(true, Ordering::Release);
                true
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_key_interrupts() {
        let cancels = Arc::new(Cancels::default());
        let flag = Arc::new(AtomicBool::new(false));
        let reg = cancels.register(flag.clone(), 4);
        let mut wrong = reg.key.clone();
        wrong[0] ^= 1;
        assert!(!cancels.cancel(reg.pid, &wrong));
        assert!(!cancels.cancel(reg.pid.wrapping_add(1), &reg.key));
        assert!(!flag.load(Ordering::Acquire));
        assert!(cancels.cancel(reg.pid, &reg.key));
        assert!(flag.load(Ordering::Acquire));
        let pid = reg.pid;
        drop(reg);
        assert!(!cancels.cancel(pid, &[0; 4]));
    }
}
