//! The live sessions ("backends"), by process id, as the server registers
//! them and pg_stat_activity shows them: each one's cancel key
//! and interrupt flag, who it runs as, when it started and what it is
//! doing. A CancelRequest naming a pid and its key, compared in constant
//! time, interrupts that session's running statement (57014) and nothing
//! else; a wrong key does nothing and says nothing, as in PostgreSQL.
//! pg_cancel_backend and pg_terminate_backend signal by pid alone, after
//! their privilege checks; pg_stat_activity lists the entries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::Mutex;

use crate::security::{constant_time_eq, random_bytes};

/// What wakes a session's connection (the server's, set once it serves).
type Waker = Box<dyn Fn() + Send + Sync>;

/// One live session.
pub struct Backend {
    key: Vec<u8>,
    /// Set to stop the running statement (57014).
    pub interrupt: Arc<AtomicBool>,
    /// Set (and the waker called) to end the session (57P01).
    pub terminate: AtomicBool,
    waker: Mutex<Option<Waker>>,
    /// The role it authenticated as.
    pub role: u32,
    /// When it started, µs since 2000-01-01 UTC.
    pub started: i64,
    /// The database it connected to.
    pub database: std::sync::atomic::AtomicU32,
    /// Its client's application_name, state and current (or last) query.
    pub activity: Mutex<Activity>,
}

/// What a backend is doing, for pg_stat_activity.
#[derive(Clone, Default)]
pub struct Activity {
    pub application_name: String,
    /// "active" while a statement runs, "idle" (or "idle in transaction") between.
    pub state: &'static str,
    pub query: Option<Arc<dyn std::fmt::Display + Send + Sync>>,
    /// When the current (or last) statement started.
    pub query_start: Option<i64>,
}

/// The registry of live sessions.
#[derive(Default)]
pub struct Backends {
    sessions: Mutex<HashMap<i32, Arc<Backend>>>,
}

/// A session's entry; removed when dropped.
pub struct Registration {
    backends: Arc<Backends>,
    pub pid: i32,
    pub key: Vec<u8>,
    pub backend: Arc<Backend>,
}

impl Drop for Registration {
    fn drop(&mut self) {
        self.backends.sessions.lock().remove(&self.pid);
    }
}

/// What pg_cancel_backend / pg_terminate_backend ask.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    Cancel,
    Terminate,
}

impl Backends {
    /// Registers a session of `role` whose statements watch `interrupt`;
    /// the key is `key_len` random bytes (4 for protocol 3.0, 32 for 3.2).
    pub fn register(
        self: &Arc<Self>,
        interrupt: Arc<AtomicBool>,
        key_len: usize,
        role: u32,
    ) -> Registration {
        let key = random_bytes::<32>()[..key_len].to_vec();
        let mut sessions = self.sessions.lock();
        let pid = loop {
            let pid = i32::from_be_bytes(random_bytes::<4>()) & 0x3fff_ffff;
            if pid != 0 && !sessions.contains_key(&pid) {
                break pid;
            }
        };
        let backend = Arc::new(Backend {
            key: key.clone(),
            interrupt,
            terminate: AtomicBool::new(false),
            waker: Mutex::new(None),
            role,
            started: crate::types::datetime::now_micros(),
            database: std::sync::atomic::AtomicU32::new(super::acl::DATABASE_OID),
            activity: Mutex::new(Activity {
                state: "idle",
                ..Activity::default()
            }),
        });
        sessions.insert(pid, backend.clone());
        Registration {
            backends: self.clone(),
            pid,
            key,
            backend,
        }
    }

    /// Interrupts the session if `key` is its key; true if it was.
    pub fn cancel(&self, pid: i32, key: &[u8]) -> bool {
        let sessions = self.sessions.lock();
        match sessions.get(&pid) {
            Some(b) if constant_time_eq(&b.key, key) => {
                b.interrupt.store(true, Ordering::Release);
                true
            }
            _ => false,
        }
    }

    /// The session with this pid, if it is live.
    pub fn get(&self, pid: i32) -> Option<Arc<Backend>> {
        self.sessions.lock().get(&pid).cloned()
    }

    /// Every live session, by pid.
    pub fn all(&self) -> Vec<(i32, Arc<Backend>)> {
        let mut all: Vec<_> = self
            .sessions
            .lock()
            .iter()
            .map(|(p, b)| (*p, b.clone()))
            .collect();
        all.sort_by_key(|(p, _)| *p);
        all
    }
}

impl Backend {
    /// Cancels the running statement, or also ends the session.
    pub fn signal(&self, signal: Signal) {
        self.interrupt.store(true, Ordering::Release);
        if signal == Signal::Terminate {
            self.terminate.store(true, Ordering::Release);
            if let Some(wake) = self.waker.lock().as_ref() {
                wake();
            }
        }
    }

    /// Sets what wakes the session's connection when it is terminated.
    pub fn set_waker(&self, waker: Waker) {
        *self.waker.lock() = Some(waker);
    }

    /// Whether the session was told to end.
    pub fn terminating(&self) -> bool {
        self.terminate.load(Ordering::Acquire)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_right_key_interrupts() {
        let backends = Arc::new(Backends::default());
        let flag = Arc::new(AtomicBool::new(false));
        let reg = backends.register(flag.clone(), 4, 10);
        let mut wrong = reg.key.clone();
        wrong[0] ^= 1;
        assert!(!backends.cancel(reg.pid, &wrong));
        assert!(!backends.cancel(reg.pid.wrapping_add(1), &reg.key));
        assert!(!flag.load(Ordering::Acquire));
        assert!(backends.cancel(reg.pid, &reg.key));
        assert!(flag.load(Ordering::Acquire));
        let pid = reg.pid;
        drop(reg);
        assert!(!backends.cancel(pid, &[0; 4]));
        assert!(backends.get(pid).is_none());
    }

    #[test]
    fn terminate_interrupts_and_marks() {
        let backends = Arc::new(Backends::default());
        let flag = Arc::new(AtomicBool::new(false));
        let reg = backends.register(flag.clone(), 4, 10);
        let b = backends.get(reg.pid).unwrap();
        b.signal(Signal::Cancel);
        assert!(flag.load(Ordering::Acquire) && !b.terminating());
        b.signal(Signal::Terminate);
        assert!(b.terminating());
        assert_eq!(backends.all().len(), 1);
    }
}
