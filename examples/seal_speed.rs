//! Page sealing and opening throughput of `storage::crypto` on this
//! machine, beside the `chacha20poly1305` crate's own XChaCha20-Poly1305
//! (the reason `crypto.rs` runs the RFC 8439 step on `ring`):
//! `cargo run --release --example seal_speed`.

use std::time::Instant;

use chacha20poly1305::aead::{AeadInPlace, KeyInit};
use flintdb::storage::crypto::Keyring;
use flintdb::storage::page::PAGE_SIZE;
use flintdb::storage::RelId;

const PAGES: u32 = 100_000;

fn mb_s(started: Instant) -> f64 {
    PAGES as f64 * PAGE_SIZE as f64 / started.elapsed().as_secs_f64() / 1e6
}

fn main() {
    let ring = Keyring::ephemeral();
    let page = Box::new([7u8; PAGE_SIZE]);
    let mut sealed = Box::new([0u8; PAGE_SIZE]);
    let t = Instant::now();
    for block in 0..PAGES {
        ring.seal_page(&page, RelId(1), block, &mut sealed);
    }
    println!("flintdb seal_page: {:.0} MB/s", mb_s(t));
    let t = Instant::now();
    for _ in 0..PAGES {
        let mut p = sealed.clone();
        ring.open_page(&mut p, RelId(1), PAGES - 1).expect("opens");
    }
    println!("flintdb open_page: {:.0} MB/s", mb_s(t));
    let reference = chacha20poly1305::XChaCha20Poly1305::new(&[3u8; 32].into());
    let mut buf = vec![7u8; PAGE_SIZE - 40];
    let t = Instant::now();
    for i in 0..PAGES {
        let mut nonce = [0u8; 24];
        nonce[..4].copy_from_slice(&i.to_le_bytes());
        reference
            .encrypt_in_place_detached(&nonce.into(), b"aad", &mut buf)
            .expect("seals");
    }
    println!("chacha20poly1305 crate, same pages: {:.0} MB/s", mb_s(t));
}
