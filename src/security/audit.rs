//! The audit log: one JSON object per line for each authentication,
//! role or privilege change, DDL statement and (for chosen tables) DML.
//! Every line carries `prev`, the SHA-256 of the line before it, and `seq`,
//! its number, so editing, deleting or reordering any line breaks the chain
//! that [`verify`] follows. The chain continues across restarts (the last
//! line is read back) and across rotation (a rotated file's successor
//! starts from its last line's hash).
//!
//! Passwords never reach this file: callers pass statements already
//! redacted.
//!
//! In an encrypted cluster each line is sealed by a [`LineSealer`] (the
//! engine's data key): `sealed:` and base64 of nonce, ciphertext and tag.
//! The chain hashes the plaintext line, so it survives resealing under a
//! new key; reading a sealed log (`verify_with`, reopening) needs the key.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use parking_lot::Mutex;
use ring::digest;
use serde_json::{Map, Value};

/// The `prev` of the very first line.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Prefix of a sealed line.
pub const SEALED_PREFIX: &str = "sealed:";

/// Seals and opens audit lines (implemented over the cluster's data keys).
pub trait LineSealer: Send + Sync {
    /// The line as stored: `sealed:` and base64.
    fn seal_line(&self, line: &str) -> String;
    /// The plaintext of a sealed line (see [`open_stored`] for lines that
    /// may be plaintext).
    fn open_line(&self, stored: &str) -> Result<String, String>;
}

/// The plaintext of a stored line, opened with `sealer` if it is sealed.
pub fn open_stored(stored: &str, sealer: Option<&dyn LineSealer>) -> Result<String, String> {
    match (stored.starts_with(SEALED_PREFIX), sealer) {
        (false, _) => Ok(stored.to_string()),
        (true, Some(s)) => s.open_line(stored),
        (true, None) => Err("the line is sealed and no key was given".to_string()),
    }
}

/// An open audit log.
pub struct AuditLog {
    path: PathBuf,
    max_bytes: u64,
    keep: usize,
    state: Mutex<State>,
    sealer: Option<std::sync::Arc<dyn LineSealer>>,
}

struct State {
    file: File,
    size: u64,
    seq: u64,
    prev: String,
}

impl AuditLog {
    /// Opens (creating) the log at `path`, continuing its chain; rotates
    /// when a file passes `max_bytes`, keeping `keep` old files
    /// (`path.1` newest).
    pub fn open(path: &Path, max_bytes: u64, keep: usize) -> std::io::Result<AuditLog> {
        Self::open_sealed(path, max_bytes, keep, None)
    }

    /// As [`AuditLog::open`], sealing every line with `sealer` if given.
    pub fn open_sealed(
        path: &Path,
        max_bytes: u64,
        keep: usize,
        sealer: Option<std::sync::Arc<dyn LineSealer>>,
    ) -> std::io::Result<AuditLog> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(path)?;
        let size = file.metadata()?.len();
        let last = match last_line(&mut file)? {
            Some(stored) => Some(open_stored(&stored, sealer.as_deref()).map_err(|e| {
                std::io::Error::other(format!(
                    "the audit log \"{}\" ends with a line that does not open: {e}",
                    path.display()
                ))
            })?),
            None => None,
        };
        let (seq, prev) = match last {
            Some(line) => {
                let seq = serde_json::from_str::<Value>(&line)
                    .ok()
                    .and_then(|v| v.get("seq").and_then(Value::as_u64))
                    .ok_or_else(|| {
                        std::io::Error::other(format!(
                            "the audit log \"{}\" ends with a malformed line; run `flintdb audit verify` on it",
                            path.display()
                        ))
                    })?;
                (seq, hash(&line))
            }
            None => (0, GENESIS.to_string()),
        };
        Ok(AuditLog {
            path: path.to_path_buf(),
            max_bytes,
            keep,
            state: Mutex::new(State {
                file,
                size,
                seq,
                prev,
            }),
            sealer,
        })
    }

    /// Appends one event: `event` names it, `fields` describe it.
    pub fn record(&self, event: &str, fields: &[(&str, Value)]) {
        let mut state = self.state.lock();
        let mut object = Map::new();
        object.insert("seq".into(), Value::from(state.seq + 1));
        object.insert(
            "time".into(),
            Value::from(
                chrono::Utc::now()
                    .format("%Y-%m-%dT%H:%M:%S%.6fZ")
                    .to_string(),
            ),
        );
        object.insert("event".into(), Value::from(event));
        for (k, v) in fields {
            object.insert((*k).to_string(), v.clone());
        }
        object.insert("prev".into(), Value::from(state.prev.clone()));
        let line = Value::Object(object).to_string();
        let stored = match &self.sealer {
            Some(s) => s.seal_line(&line),
            None => line.clone(),
        };
        if let Err(e) = self.append(&mut state, &stored) {
            tracing::error!(error = %e, path = %self.path.display(), "could not write the audit log");
            return;
        }
        state.seq += 1;
        state.prev = hash(&line);
    }

    fn append(&self, state: &mut State, line: &str) -> std::io::Result<()> {
        if state.size > 0 && state.size + line.len() as u64 + 1 > self.max_bytes {
            self.rotate(state)?;
        }
        state.file.write_all(format!("{line}\n").as_bytes())?;
        state.file.flush()?;
        state.size += line.len() as u64 + 1;
        Ok(())
    }

    fn rotate(&self, state: &mut State) -> std::io::Result<()> {
        let numbered = |n: usize| PathBuf::from(format!("{}.{n}", self.path.display()));
        if self.keep == 0 {
            std::fs::remove_file(&self.path)?;
        } else {
            let _ = std::fs::remove_file(numbered(self.keep));
            for n in (1..self.keep).rev() {
                if numbered(n).exists() {
                    std::fs::rename(numbered(n), numbered(n + 1))?;
                }
            }
            std::fs::rename(&self.path, numbered(1))?;
        }
        state.file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&self.path)?;
        state.size = 0;
        Ok(())
    }
}

fn hash(line: &str) -> String {
    digest::digest(&digest::SHA256, line.as_bytes())
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The last complete line of a file, if any.
fn last_line(file: &mut File) -> std::io::Result<Option<String>> {
    let len = file.metadata()?.len();
    let start = len.saturating_sub(64 * 1024);
    file.seek(SeekFrom::Start(start))?;
    let mut tail = String::new();
    file.read_to_string(&mut tail)?;
    Ok(tail
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .map(str::to_string))
}

/// What [`verify`] found.
#[derive(Debug, PartialEq, Eq)]
pub struct Verified {
    pub lines: u64,
}

/// Follows the chain through `files` (oldest first): every line must be a
/// JSON object whose `seq` is one more than the line before and whose
/// `prev` is that line's hash. The first line of the first file is taken
/// as it is unless its `seq` is 1 (then `prev` must be the genesis hash).
/// Returns the number of lines, or where the chain breaks.
pub fn verify(files: &[PathBuf]) -> Result<Verified, String> {
    verify_with(files, None)
}

/// As [`verify`], opening sealed lines with `sealer`.
pub fn verify_with(files: &[PathBuf], sealer: Option<&dyn LineSealer>) -> Result<Verified, String> {
    let mut expected: Option<(u64, String)> = None;
    let mut lines = 0;
    for path in files {
        let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
        for (n, line) in BufReader::new(file).lines().enumerate() {
            let at = format!("{}:{}", path.display(), n + 1);
            let line = line.map_err(|e| format!("{at}: {e}"))?;
            let line = open_stored(&line, sealer).map_err(|e| format!("{at}: {e}"))?;
            let value: Value =
                serde_json::from_str(&line).map_err(|_| format!("{at}: not a JSON object"))?;
            let seq = value
                .get("seq")
                .and_then(Value::as_u64)
                .ok_or_else(|| format!("{at}: no seq"))?;
            let prev = value
                .get("prev")
                .and_then(Value::as_str)
                .ok_or_else(|| format!("{at}: no prev"))?;
            match &expected {
                Some((want_seq, want_prev)) => {
                    if seq != *want_seq {
                        return Err(format!(
                            "{at}: seq {seq} where {want_seq} was expected (a line was removed, added or moved)"
                        ));
                    }
                    if prev != want_prev {
                        return Err(format!(
                            "{at}: prev does not match the hash of the line before (a line was changed)"
                        ));
                    }
                }
                None if seq == 1 && prev != GENESIS => {
                    return Err(format!(
                        "{at}: the first line's prev is not the genesis hash"
                    ));
                }
                None => {}
            }
            expected = Some((seq + 1, hash(&line)));
            lines += 1;
        }
    }
    Ok(Verified { lines })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write_some(path: &Path, n: usize) {
        let log = AuditLog::open(path, 1 << 20, 2).unwrap();
        for i in 0..n {
            log.record("test", &[("i", Value::from(i))]);
        }
    }

    #[test]
    fn chain_survives_reopen_and_detects_tampering() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        write_some(&path, 3);
        write_some(&path, 2);
        assert_eq!(verify(std::slice::from_ref(&path)).unwrap().lines, 5);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();

        let edited = text.replace("\"i\":1", "\"i\":7");
        std::fs::write(&path, edited).unwrap();
        assert!(verify(std::slice::from_ref(&path))
            .unwrap_err()
            .contains(":3:"));

        let mut removed = lines.clone();
        removed.remove(2);
        std::fs::write(&path, removed.join("\n") + "\n").unwrap();
        assert!(verify(std::slice::from_ref(&path))
            .unwrap_err()
            .contains("seq"));

        let mut swapped = lines.clone();
        swapped.swap(1, 2);
        std::fs::write(&path, swapped.join("\n") + "\n").unwrap();
        assert!(verify(std::slice::from_ref(&path)).is_err());

        let mut first_gone = lines.clone();
        first_gone.remove(0);
        std::fs::write(&path, first_gone.join("\n") + "\n").unwrap();
        assert!(
            verify(std::slice::from_ref(&path)).is_ok(),
            "a rotated file starts anywhere"
        );
        let forged_start = lines[1].replace("\"seq\":2", "\"seq\":1");
        std::fs::write(&path, forged_start + "\n").unwrap();
        assert!(verify(&[path]).is_err());
    }

    #[test]
    fn rotation_keeps_the_chain() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let log = AuditLog::open(&path, 300, 3).unwrap();
        for i in 0..10 {
            log.record("test", &[("i", Value::from(i))]);
        }
        let mut files: Vec<PathBuf> = (1..=3)
            .rev()
            .map(|n| PathBuf::from(format!("{}.{n}", path.display())))
            .filter(|p| p.exists())
            .collect();
        assert!(files.len() >= 2);
        files.push(path);
        verify(&files).unwrap();
    }
}
