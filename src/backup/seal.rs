//! Encrypted backup files: the stored bytes are a header and a sequence
//! of sealed chunks (XChaCha20-Poly1305 through the cluster's `Keyring`
//! construction, a fresh random nonce each). Each chunk's associated data
//! names the file, the chunk's position and whether it is the last, so a
//! chunk moved, dropped, swapped with another file's or cut off the end
//! fails to open. The key is a random backup key wrapped by the KEK (see
//! `manifest.rs`).

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::storage::crypto::Keyring;

/// The first bytes of a sealed file.
pub const MAGIC: &[u8; 16] = b"FLINTDB-SEALED\x01\n";
/// Plaintext bytes per chunk.
const CHUNK: usize = 64 << 10;

fn aad(name: &str, index: u64, last: bool) -> Vec<u8> {
    let mut a = b"FLINTDB-BACKUP".to_vec();
    a.extend_from_slice(&(name.len() as u32).to_le_bytes());
    a.extend_from_slice(name.as_bytes());
    a.extend_from_slice(&index.to_le_bytes());
    a.push(last as u8);
    a
}

/// Seals a file's bytes as they are produced.
pub struct Sealer {
    keyring: Arc<Keyring>,
    name: String,
    pending: Vec<u8>,
    index: u64,
    started: bool,
}

impl Sealer {
    pub fn new(keyring: Arc<Keyring>, name: &str) -> Self {
        Sealer {
            keyring,
            name: name.to_string(),
            pending: Vec::new(),
            index: 0,
            started: false,
        }
    }

    fn chunk(&mut self, plain: &[u8], last: bool, out: &mut Vec<u8>) {
        let sealed = self.keyring.seal(&aad(&self.name, self.index, last), plain);
        out.extend_from_slice(&(sealed.len() as u32).to_le_bytes());
        out.extend_from_slice(&sealed);
        self.index += 1;
    }

    /// Takes plaintext; returns the stored bytes ready so far.
    pub fn push(&mut self, data: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.started {
            out.extend_from_slice(MAGIC);
            self.started = true;
        }
        self.pending.extend_from_slice(data);
        // Keep at least one byte back: the last chunk must carry the flag.
        while self.pending.len() > CHUNK {
            let rest = self.pending.split_off(CHUNK);
            let plain = std::mem::replace(&mut self.pending, rest);
            self.chunk(&plain, false, &mut out);
        }
        out
    }

    /// The stored bytes that end the file.
    pub fn finish(mut self) -> Vec<u8> {
        let mut out = Vec::new();
        if !self.started {
            out.extend_from_slice(MAGIC);
        }
        let plain = std::mem::take(&mut self.pending);
        self.chunk(&plain, true, &mut out);
        out
    }
}

fn broken(name: &str, what: &str) -> Error {
    Error::Corrupted(format!("backup file \"{name}\" {what}"))
}

/// Opens a sealed file's bytes as they arrive.
pub struct Opener {
    keyring: Arc<Keyring>,
    name: String,
    buf: Vec<u8>,
    index: u64,
    header: bool,
    ended: bool,
}

impl Opener {
    pub fn new(keyring: Arc<Keyring>, name: &str) -> Self {
        Opener {
            keyring,
            name: name.to_string(),
            buf: Vec::new(),
            index: 0,
            header: false,
            ended: false,
        }
    }

    /// Takes stored bytes; returns the plaintext they complete.
    pub fn push(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        self.buf.extend_from_slice(data);
        let mut out = Vec::new();
        if !self.header {
            if self.buf.len() < MAGIC.len() {
                return Ok(out);
            }
            if &self.buf[..MAGIC.len()] != MAGIC {
                return Err(broken(&self.name, "is not an encrypted backup file"));
            }
            self.buf.drain(..MAGIC.len());
            self.header = true;
        }
        let mut at = 0;
        while self.buf.len() - at >= 4 {
            let len =
                u32::from_le_bytes(self.buf[at..at + 4].try_into().unwrap_or_default()) as usize;
            if len > CHUNK + 64 {
                return Err(broken(&self.name, "has a damaged chunk length"));
            }
            if self.buf.len() - at - 4 < len {
                break;
            }
            if self.ended {
                return Err(broken(&self.name, "has data after its last chunk"));
            }
            let sealed = &self.buf[at + 4..at + 4 + len];
            let plain = match self
                .keyring
                .open(&aad(&self.name, self.index, false), sealed)
            {
                Ok(p) => p,
                Err(_) => {
                    let p = self
                        .keyring
                        .open(&aad(&self.name, self.index, true), sealed)
                        .map_err(|_| {
                            broken(
                                &self.name,
                                &format!("fails authentication at chunk {}", self.index),
                            )
                        })?;
                    self.ended = true;
                    p
                }
            };
            out.extend_from_slice(&plain);
            self.index += 1;
            at += 4 + len;
        }
        self.buf.drain(..at);
        Ok(out)
    }

    /// Checks that the file ended where its writer ended it.
    pub fn finish(self) -> Result<()> {
        if !self.ended || !self.buf.is_empty() {
            return Err(broken(&self.name, "is truncated"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sealed(keyring: &Arc<Keyring>, name: &str, plain: &[u8]) -> Vec<u8> {
        let mut s = Sealer::new(keyring.clone(), name);
        let mut out = Vec::new();
        for piece in plain.chunks(10_000) {
            out.extend(s.push(piece));
        }
        out.extend(s.finish());
        out
    }

    fn open(keyring: &Arc<Keyring>, name: &str, stored: &[u8]) -> Result<Vec<u8>> {
        let mut o = Opener::new(keyring.clone(), name);
        let mut out = Vec::new();
        for piece in stored.chunks(7_777) {
            out.extend(o.push(piece)?);
        }
        o.finish()?;
        Ok(out)
    }

    /// The (offset, length) of each stored chunk, header skipped.
    fn chunks(stored: &[u8]) -> Vec<(usize, usize)> {
        let mut at = MAGIC.len();
        let mut out = Vec::new();
        while at < stored.len() {
            let len = u32::from_le_bytes(stored[at..at + 4].try_into().unwrap()) as usize;
            out.push((at, 4 + len));
            at += 4 + len;
        }
        out
    }

    #[test]
    fn round_trips_and_refuses_every_rearrangement() {
        let keyring = Keyring::ephemeral();
        let plain: Vec<u8> = (0..300_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let stored = sealed(&keyring, "a.parquet", &plain);
        assert_eq!(open(&keyring, "a.parquet", &stored).unwrap(), plain);
        assert!(!stored
            .windows(64)
            .any(|w| plain.windows(64).next() == Some(w)));
        let parts = chunks(&stored);
        assert!(parts.len() >= 4);
        // Truncated: the last chunk gone, or cut inside.
        let (last_at, _) = parts[parts.len() - 1];
        assert!(open(&keyring, "a.parquet", &stored[..last_at]).is_err());
        assert!(open(&keyring, "a.parquet", &stored[..stored.len() - 3]).is_err());
        // Reordered: chunks 0 and 1 swapped.
        let (a, alen) = parts[0];
        let (b, blen) = parts[1];
        let mut swapped = stored[..a].to_vec();
        swapped.extend_from_slice(&stored[b..b + blen]);
        swapped.extend_from_slice(&stored[a..a + alen]);
        swapped.extend_from_slice(&stored[b + blen..]);
        assert!(open(&keyring, "a.parquet", &swapped).is_err());
        // A chunk dropped from the middle.
        let mut dropped = stored[..b].to_vec();
        dropped.extend_from_slice(&stored[b + blen..]);
        assert!(open(&keyring, "a.parquet", &dropped).is_err());
        // Another file's name, another key, a flipped bit.
        assert!(open(&keyring, "b.parquet", &stored).is_err());
        assert!(open(&Keyring::ephemeral(), "a.parquet", &stored).is_err());
        let mut flipped = stored.clone();
        flipped[stored.len() / 2] ^= 1;
        assert!(open(&keyring, "a.parquet", &flipped).is_err());
        // Data after the last chunk.
        let mut extra = stored.clone();
        extra.extend_from_slice(&stored[a..a + alen]);
        assert!(open(&keyring, "a.parquet", &extra).is_err());
        // An empty file seals and opens.
        let empty = sealed(&keyring, "e", &[]);
        assert_eq!(open(&keyring, "e", &empty).unwrap(), Vec::<u8>::new());
    }
}
