//! The writer lock: at most one writing transaction at a time.
//!
//! It is held across statements (a transaction block keeps it from its
//! first write to COMMIT or ROLLBACK), so it is a token, not a guard: the
//! holder releases it explicitly, and a session that ends releases it on
//! drop. Waiting respects `lock_timeout` (55P03).

use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use crate::errinput;
use crate::error::Result;

/// The lock.
#[derive(Default)]
pub struct WriterLock {
    held: Mutex<bool>,
    released: Condvar,
}

/// Proof of holding the writer lock; give it back with [`WriterLock::release`].
#[derive(Debug)]
pub struct WriterToken(());

impl WriterLock {
    /// Waits for the lock; `timeout` of None waits forever.
    pub fn acquire(&self, timeout: Option<Duration>) -> Result<WriterToken> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut held = self.held.lock();
        while *held {
            match deadline {
                None => self.released.wait(&mut held),
                Some(d) => {
                    if self.released.wait_until(&mut held, d).timed_out() && *held {
                        return Err(errinput!(
                            "55P03",
                            "canceling statement due to lock timeout"
                        ));
                    }
                }
            }
        }
        *held = true;
        Ok(WriterToken(()))
    }

    /// Gives the lock back.
    pub fn release(&self, _token: WriterToken) {
        *self.held.lock() = false;
        self.released.notify_one();
    }
}
