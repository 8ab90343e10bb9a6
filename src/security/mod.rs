//! Security primitives shared by the layers: SCRAM-SHA-256 password
//! verifiers (`scram`), host rules deciding how a connection must
//! authenticate (`hba`), the tamper-evident audit log (`audit`), and the key hierarchy
//! of an encrypted cluster (`keys`).
//!
//! A leaf: it names no other FlintDB layer, and no network or runtime.

pub mod audit;
pub mod hba;
pub mod keys;
pub mod scram;

use ring::rand::{SecureRandom, SystemRandom};

/// `n` bytes from the operating system's secure random source.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    // SystemRandom fails only if the OS source is unavailable, which
    // leaves nothing safe to do.
    SystemRandom::new()
        .fill(&mut out)
        .expect("the operating system's random source failed");
    out
}

/// Equality that takes the same time wherever the inputs differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
