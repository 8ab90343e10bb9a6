//! The key hierarchy of an encrypted cluster: where the key-encryption key
//! (KEK) comes from, and the key file that keeps the data-encryption keys
//! (DEKs) wrapped under it.
//!
//! The KEK comes from exactly one source (see [`KekSource`]): a file of 32
//! bytes (raw, hex or base64), a passphrase stretched with Argon2id, or a
//! command that prints the key (how a KMS or Vault plugs in). It is never
//! written anywhere, never logged, and lives only in `Zeroizing` buffers.
//!
//! `<data_dir>/flintdb.keys`, text, replaced atomically (temporary file,
//! fsync, rename, fsync of the directory):
//! ```text
//! flintdb-keys 1
//! state on                      on | encrypting | rotating (a conversion or
//!                               DEK rotation was interrupted; rerun it)
//! kdf argon2id m=19456 t=2 p=1 salt=<32 hex>
//!                               how a passphrase becomes the KEK
//! check <32 hex>                HMAC-SHA256(KEK, "FLINTDB-KEK-CHECK"), first
//!                               16 bytes: a wrong KEK is known at once
//! current <id>                  the DEK that seals new pages and records
//! dek <id> <144 hex>            a DEK wrapped by the KEK: nonce (24),
//!                               ciphertext (32), tag (16); XChaCha20-Poly1305
//!                               with associated data "FLINTDB-DEK" ‖ id
//! ```
//! Rotating the KEK rewrites only this file (O(1) in data size); the old
//! KEK's check value is gone with it, so the old KEK is refused afterwards.
//!
//! Invariants: a key file holds its current DEK; every DEK unwraps under
//! the KEK whose check value it carries.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::{constant_time_eq, random_bytes};
use crate::error::{sqlstate, Error, Result};

/// The key file's name in the data directory.
pub const KEY_FILE: &str = "flintdb.keys";
const MAGIC: &str = "flintdb-keys 1";
/// Bytes of a KEK or a DEK.
pub const KEY_BYTES: usize = 32;
const WRAPPED_BYTES: usize = 24 + KEY_BYTES + 16;
/// Most bytes read from a key file or a key command.
const MAX_KEY_SOURCE_BYTES: usize = 64 * 1024;

/// Raw key bytes, cleared when dropped.
pub type Key = Zeroizing<[u8; KEY_BYTES]>;

/// Where the KEK comes from.
#[derive(Clone)]
pub enum KekSource {
    /// A file holding 32 bytes, raw or as hex or base64 text.
    File(PathBuf),
    /// A passphrase, stretched with Argon2id and the key file's salt.
    Passphrase(Zeroizing<String>),
    /// A shell command whose standard output is the key (as a key file).
    Command(String),
    /// A KEK already obtained from one of the others: a tool that needs it
    /// several times runs the command or Argon2id once.
    Key(Key),
}

impl std::fmt::Debug for KekSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            KekSource::File(p) => write!(f, "key file \"{}\"", p.display()),
            KekSource::Passphrase(_) => f.write_str("passphrase"),
            KekSource::Command(_) => f.write_str("key command"),
            KekSource::Key(_) => f.write_str("key"),
        }
    }
}

/// A key error: start-up and key commands report it and stop.
pub fn key_error(message: impl Into<String>) -> Error {
    Error::input(sqlstate::INVALID_AUTHORIZATION_SPECIFICATION, message)
}

/// Argon2id parameters and salt for passphrases.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kdf {
    pub memory_kib: u32,
    pub iterations: u32,
    pub parallelism: u32,
    pub salt: [u8; 16],
}

impl Kdf {
    /// OWASP's recommended Argon2id setting (19 MiB, 2 passes) and a new salt.
    pub fn fresh() -> Kdf {
        Kdf {
            memory_kib: 19 * 1024,
            iterations: 2,
            parallelism: 1,
            salt: random_bytes(),
        }
    }

    fn derive(&self, passphrase: &str) -> Result<Key> {
        let params = argon2::Params::new(
            self.memory_kib,
            self.iterations,
            self.parallelism,
            Some(KEY_BYTES),
        )
        .map_err(|e| key_error(format!("bad Argon2id parameters in the key file: {e}")))?;
        let argon =
            argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
        let mut key = Zeroizing::new([0u8; KEY_BYTES]);
        argon
            .hash_password_into(passphrase.as_bytes(), &self.salt, key.as_mut_slice())
            .map_err(|e| key_error(format!("could not derive the key from the passphrase: {e}")))?;
        Ok(key)
    }
}

/// Reads 32 key bytes from what a key file or key command gave: exactly 32
/// raw bytes, or 64 hex digits, or base64 of 32 bytes (surrounding white
/// space ignored for the text forms).
pub fn parse_key_material(bytes: &[u8], what: &str) -> Result<Key> {
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    if bytes.len() == KEY_BYTES {
        key.copy_from_slice(bytes);
        return Ok(key);
    }
    let text = std::str::from_utf8(bytes).map(str::trim).unwrap_or("");
    if text.len() == 2 * KEY_BYTES && hex::decode_to_slice(text, key.as_mut_slice()).is_ok() {
        return Ok(key);
    }
    use base64::Engine as _;
    if let Ok(decoded) = base64::engine::general_purpose::STANDARD.decode(text) {
        let decoded = Zeroizing::new(decoded);
        if decoded.len() == KEY_BYTES {
            key.copy_from_slice(&decoded);
            return Ok(key);
        }
    }
    Err(key_error(format!(
        "{what} does not hold a key: it must be exactly 32 bytes, 64 hex digits or base64 of 32 bytes"
    )))
}

impl KekSource {
    /// The KEK this source gives, with the key file's Argon2id setting for
    /// passphrases.
    pub fn kek(&self, kdf: &Kdf) -> Result<Key> {
        match self {
            KekSource::Key(key) => Ok(key.clone()),
            KekSource::File(path) => {
                let bytes = Zeroizing::new(read_limited(path).map_err(|e| {
                    key_error(format!(
                        "could not read key file \"{}\": {e}",
                        path.display()
                    ))
                })?);
                parse_key_material(&bytes, &format!("key file \"{}\"", path.display()))
            }
            KekSource::Passphrase(p) => {
                if p.is_empty() {
                    return Err(key_error("the KEK passphrase is empty"));
                }
                kdf.derive(p)
            }
            KekSource::Command(cmd) => {
                let out = std::process::Command::new("sh")
                    .arg("-c")
                    .arg(cmd)
                    .stdin(std::process::Stdio::null())
                    .stderr(std::process::Stdio::inherit())
                    .output()
                    .map_err(|e| key_error(format!("could not run kek_command: {e}")))?;
                let stdout = Zeroizing::new(out.stdout);
                if !out.status.success() {
                    return Err(key_error(format!("kek_command failed ({})", out.status)));
                }
                if stdout.len() > MAX_KEY_SOURCE_BYTES {
                    return Err(key_error("kek_command printed too much"));
                }
                parse_key_material(&stdout, "the output of kek_command")
            }
        }
    }
}

fn read_limited(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut out = Vec::new();
    std::fs::File::open(path)?
        .take(MAX_KEY_SOURCE_BYTES as u64 + 1)
        .read_to_end(&mut out)?;
    if out.len() > MAX_KEY_SOURCE_BYTES {
        return Err(std::io::Error::other("file too large for a key"));
    }
    Ok(out)
}

/// Reads a passphrase file: its first line.
pub fn read_passphrase_file(path: &Path) -> Result<Zeroizing<String>> {
    let bytes = Zeroizing::new(read_limited(path).map_err(|e| {
        key_error(format!(
            "could not read passphrase file \"{}\": {e}",
            path.display()
        ))
    })?);
    let text =
        std::str::from_utf8(&bytes).map_err(|_| key_error("the passphrase file is not UTF-8"))?;
    Ok(Zeroizing::new(
        text.lines().next().unwrap_or("").to_string(),
    ))
}

/// What the key file says about a conversion in progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyState {
    /// The cluster is encrypted and consistent.
    On,
    /// `flintdb encrypt` is converting a plaintext cluster.
    Encrypting,
    /// `flintdb dek rotate` is re-encrypting under a new DEK.
    Rotating,
}

impl KeyState {
    fn name(self) -> &'static str {
        match self {
            KeyState::On => "on",
            KeyState::Encrypting => "encrypting",
            KeyState::Rotating => "rotating",
        }
    }
}

/// The key file's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyFile {
    pub state: KeyState,
    pub kdf: Kdf,
    check: [u8; 16],
    pub current: u32,
    wrapped: Vec<(u32, [u8; WRAPPED_BYTES])>,
}

/// DEKs unwrapped by the right KEK.
pub struct Unlocked {
    pub current: u32,
    pub deks: Vec<(u32, Key)>,
}

fn check_value(kek: &Key) -> [u8; 16] {
    let mac = ring::hmac::sign(
        &ring::hmac::Key::new(ring::hmac::HMAC_SHA256, kek.as_slice()),
        b"FLINTDB-KEK-CHECK",
    );
    let mut out = [0u8; 16];
    out.copy_from_slice(&mac.as_ref()[..16]);
    out
}

fn dek_aad(id: u32) -> Vec<u8> {
    let mut aad = b"FLINTDB-DEK".to_vec();
    aad.extend_from_slice(&id.to_le_bytes());
    aad
}

fn wrap(kek: &Key, id: u32, dek: &Key) -> [u8; WRAPPED_BYTES] {
    let nonce: [u8; 24] = random_bytes();
    let sealed = XChaCha20Poly1305::new(kek.as_slice().into())
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: dek.as_slice(),
                aad: &dek_aad(id),
            },
        )
        .expect("sealing 32 bytes cannot fail");
    let mut out = [0u8; WRAPPED_BYTES];
    out[..24].copy_from_slice(&nonce);
    out[24..].copy_from_slice(&sealed);
    out
}

fn unwrap(kek: &Key, id: u32, wrapped: &[u8; WRAPPED_BYTES]) -> Option<Key> {
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(kek.as_slice().into())
            .decrypt(
                XNonce::from_slice(&wrapped[..24]),
                Payload {
                    msg: &wrapped[24..],
                    aad: &dek_aad(id),
                },
            )
            .ok()?,
    );
    let mut key = Zeroizing::new([0u8; KEY_BYTES]);
    key.copy_from_slice(plain.get(..KEY_BYTES)?);
    Some(key)
}

impl KeyFile {
    /// A key file for a new encrypted cluster: a fresh random DEK (id 1)
    /// wrapped by the KEK `source` gives. Returns the file and the DEKs.
    pub fn create(source: &KekSource, state: KeyState) -> Result<(KeyFile, Unlocked)> {
        let kdf = Kdf::fresh();
        let kek = source.kek(&kdf)?;
        let dek: Key = Zeroizing::new(random_bytes());
        let file = KeyFile {
            state,
            kdf,
            check: check_value(&kek),
            current: 1,
            wrapped: vec![(1, wrap(&kek, 1, &dek))],
        };
        Ok((
            file,
            Unlocked {
                current: 1,
                deks: vec![(1, dek)],
            },
        ))
    }

    /// Unwraps the DEKs with the KEK from `source`; "key check failed" if
    /// it is not the KEK this file was wrapped with.
    pub fn unlock(&self, source: &KekSource) -> Result<Unlocked> {
        let kek = source.kek(&self.kdf)?;
        self.unlock_with(&kek)
    }

    fn unlock_with(&self, kek: &Key) -> Result<Unlocked> {
        if !constant_time_eq(&check_value(kek), &self.check) {
            return Err(key_error(
                "key check failed: the key-encryption key does not match this data directory",
            ));
        }
        let mut deks = Vec::new();
        for (id, wrapped) in &self.wrapped {
            let dek = unwrap(kek, *id, wrapped).ok_or_else(|| {
                Error::Corrupted(format!("the key file's data key {id} does not unwrap"))
            })?;
            deks.push((*id, dek));
        }
        Ok(Unlocked {
            current: self.current,
            deks,
        })
    }

    /// The same DEKs wrapped by the KEK of `new_source` (a new salt for
    /// passphrases). `old_source` must unlock this file.
    pub fn rewrap(&self, old_source: &KekSource, new_source: &KekSource) -> Result<KeyFile> {
        let unlocked = self.unlock(old_source)?;
        let kdf = Kdf::fresh();
        let kek = new_source.kek(&kdf)?;
        Ok(self.with_deks(&kek, kdf, unlocked.current, &unlocked.deks))
    }

    /// This file with a new set of DEKs (and current one) wrapped by `kek`.
    fn with_deks(&self, kek: &Key, kdf: Kdf, current: u32, deks: &[(u32, Key)]) -> KeyFile {
        KeyFile {
            state: self.state,
            kdf,
            check: check_value(kek),
            current,
            wrapped: deks
                .iter()
                .map(|(id, k)| (*id, wrap(kek, *id, k)))
                .collect(),
        }
    }

    /// Adds a fresh DEK and makes it current (a DEK rotation begins);
    /// returns the new file and every DEK it holds.
    pub fn add_dek(&self, source: &KekSource) -> Result<(KeyFile, Unlocked)> {
        let kek = source.kek(&self.kdf)?;
        let mut unlocked = self.unlock_with(&kek)?;
        let id = unlocked.deks.iter().map(|(id, _)| *id).max().unwrap_or(0) + 1;
        unlocked.deks.push((id, Zeroizing::new(random_bytes())));
        unlocked.current = id;
        let file = self.with_deks(&kek, self.kdf.clone(), id, &unlocked.deks);
        Ok((file, unlocked))
    }

    /// Drops every DEK but the current one (a DEK rotation is done).
    pub fn retire_old_deks(&self) -> KeyFile {
        let mut file = self.clone();
        file.wrapped.retain(|(id, _)| *id == self.current);
        file
    }

    /// The ids of the DEKs kept in the file.
    pub fn dek_ids(&self) -> Vec<u32> {
        self.wrapped.iter().map(|(id, _)| *id).collect()
    }

    /// Reads the key file of a data directory; `None` if it has none.
    pub fn read(dir: &Path) -> Result<Option<KeyFile>> {
        let path = dir.join(KEY_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(Error::Io(format!(
                    "could not read the key file \"{}\": {e}",
                    path.display()
                )))
            }
        };
        Self::parse(&text).map(Some).ok_or_else(|| {
            Error::Corrupted(format!("key file \"{}\" is malformed", path.display()))
        })
    }

    /// A key file from its text form (None if malformed).
    pub fn parse(text: &str) -> Option<KeyFile> {
        let mut lines = text.lines();
        if lines.next()? != MAGIC {
            return None;
        }
        let state = match lines.next()?.strip_prefix("state ")? {
            "on" => KeyState::On,
            "encrypting" => KeyState::Encrypting,
            "rotating" => KeyState::Rotating,
            _ => return None,
        };
        let kdf_line = lines.next()?.strip_prefix("kdf argon2id ")?;
        let mut kdf = Kdf {
            memory_kib: 0,
            iterations: 0,
            parallelism: 0,
            salt: [0; 16],
        };
        for part in kdf_line.split(' ') {
            let (k, v) = part.split_once('=')?;
            match k {
                "m" => kdf.memory_kib = v.parse().ok()?,
                "t" => kdf.iterations = v.parse().ok()?,
                "p" => kdf.parallelism = v.parse().ok()?,
                "salt" => hex::decode_to_slice(v, &mut kdf.salt).ok()?,
                _ => return None,
            }
        }
        let mut check = [0u8; 16];
        hex::decode_to_slice(lines.next()?.strip_prefix("check ")?, &mut check).ok()?;
        let current: u32 = lines.next()?.strip_prefix("current ")?.parse().ok()?;
        let mut wrapped = Vec::new();
        for line in lines {
            let (id, hexed) = line.strip_prefix("dek ")?.split_once(' ')?;
            let mut bytes = [0u8; WRAPPED_BYTES];
            hex::decode_to_slice(hexed, &mut bytes).ok()?;
            wrapped.push((id.parse().ok()?, bytes));
        }
        wrapped
            .iter()
            .any(|(id, _)| *id == current)
            .then_some(KeyFile {
                state,
                kdf,
                check,
                current,
                wrapped,
            })
    }

    /// The text form.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let k = &self.kdf;
        let _ = write!(
            out,
            "{MAGIC}\nstate {}\nkdf argon2id m={} t={} p={} salt={}\ncheck {}\ncurrent {}\n",
            self.state.name(),
            k.memory_kib,
            k.iterations,
            k.parallelism,
            hex::encode(k.salt),
            hex::encode(self.check),
            self.current
        );
        for (id, w) in &self.wrapped {
            let _ = writeln!(out, "dek {id} {}", hex::encode(w));
        }
        out
    }

    /// This file in another state.
    pub fn in_state(&self, state: KeyState) -> KeyFile {
        KeyFile {
            state,
            ..self.clone()
        }
    }

    /// Writes the key file atomically and durably: a crash leaves either
    /// the old file or the new one.
    pub fn write(&self, dir: &Path) -> Result<()> {
        let tmp = dir.join(format!("{KEY_FILE}.tmp"));
        {
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(self.render().as_bytes())?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, dir.join(KEY_FILE))?;
        std::fs::File::open(dir)?.sync_all()?;
        Ok(())
    }
}

/// Keeps key material out of core dumps and away from other processes of
/// the same user: no core files, not dumpable (which also bars ptrace and
/// /proc/<pid>/mem by non-root users). Best effort where the OS refuses.
pub fn protect_process_memory() {
    let no_core = rustix::process::Rlimit {
        current: Some(0),
        maximum: Some(0),
    };
    if let Err(e) = rustix::process::setrlimit(rustix::process::Resource::Core, no_core) {
        tracing::warn!(error = %e, "could not turn off core dumps");
    }
    if let Err(e) =
        rustix::process::set_dumpable_behavior(rustix::process::DumpableBehavior::NotDumpable)
    {
        tracing::warn!(error = %e, "could not mark the process not dumpable");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file_source(dir: &Path, name: &str, byte: u8) -> KekSource {
        let path = dir.join(name);
        std::fs::write(&path, hex::encode([byte; 32])).unwrap();
        KekSource::File(path)
    }

    #[test]
    fn key_material_forms() {
        let raw = [7u8; 32];
        assert_eq!(*parse_key_material(&raw, "k").unwrap(), raw);
        let hexed = format!("{}\n", hex::encode(raw));
        assert_eq!(*parse_key_material(hexed.as_bytes(), "k").unwrap(), raw);
        use base64::Engine as _;
        let b64 = base64::engine::general_purpose::STANDARD.encode(raw);
        assert_eq!(*parse_key_material(b64.as_bytes(), "k").unwrap(), raw);
        assert!(parse_key_material(&raw[..31], "k").is_err());
        assert!(parse_key_material(b"short", "k").is_err());
    }

    #[test]
    fn create_unlock_rewrap_and_refuse_the_old_key() {
        let dir = tempfile::tempdir().unwrap();
        let old = file_source(dir.path(), "old", 1);
        let new = file_source(dir.path(), "new", 2);
        let (file, unlocked) = KeyFile::create(&old, KeyState::On).unwrap();
        file.write(dir.path()).unwrap();
        let back = KeyFile::read(dir.path()).unwrap().unwrap();
        assert_eq!(back, file);
        let again = back.unlock(&old).unwrap();
        assert_eq!(*again.deks[0].1, *unlocked.deks[0].1);
        let err = back.unlock(&new).err().unwrap();
        assert!(err.message().contains("key check failed"));
        let rotated = back.rewrap(&old, &new).unwrap();
        assert!(rotated.unlock(&old).is_err());
        assert_eq!(
            *rotated.unlock(&new).unwrap().deks[0].1,
            *unlocked.deks[0].1
        );
    }

    #[test]
    fn passphrases_and_commands() {
        let pass = KekSource::Passphrase(Zeroizing::new("correct horse".into()));
        let (file, unlocked) = KeyFile::create(&pass, KeyState::On).unwrap();
        let same = file.unlock(&pass).unwrap();
        assert_eq!(*same.deks[0].1, *unlocked.deks[0].1);
        let wrong = KekSource::Passphrase(Zeroizing::new("battery staple".into()));
        assert!(file.unlock(&wrong).is_err());
        let cmd = KekSource::Command(format!("echo {}", hex::encode([9u8; 32])));
        let (file, _) = KeyFile::create(&cmd, KeyState::On).unwrap();
        assert!(file.unlock(&cmd).is_ok());
        assert!(KekSource::Command("exit 3".into()).kek(&file.kdf).is_err());
    }

    #[test]
    fn a_dek_rotation_adds_then_retires() {
        let dir = tempfile::tempdir().unwrap();
        let kek = file_source(dir.path(), "k", 3);
        let (file, _) = KeyFile::create(&kek, KeyState::On).unwrap();
        let (rotating, unlocked) = file.add_dek(&kek).unwrap();
        assert_eq!(unlocked.current, 2);
        assert_eq!(rotating.current, 2);
        assert_eq!(rotating.dek_ids(), vec![1, 2]);
        let done = rotating.retire_old_deks();
        assert_eq!(done.dek_ids(), vec![2]);
        assert_eq!(done.unlock(&kek).unwrap().current, 2);
    }
}
