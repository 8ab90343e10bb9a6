//! The control file: where recovery starts and what it cannot read from
//! the WAL.
//!
//! `<data_dir>/flintdb.control`, text, replaced atomically (write a
//! temporary file, fsync it, rename, fsync the directory):
//! ```text
//! flintdb-control 2
//! next_xid <n>          transaction ids below this were handed out
//! redo_lsn <lsn>        recovery replays the WAL from here
//! aborted <x>,<y>,...   aborted transaction ids (the commit log)
//! in_progress <x>,...   transactions running at the checkpoint (version 3)
//! ```
//! An encrypted cluster seals those lines, transaction status included:
//! ```text
//! flintdb-control sealed
//! <hex>                 nonce ‖ XChaCha20-Poly1305 ciphertext ‖ tag of
//!                       the plaintext form above, associated data
//!                       "FLINTDB-CONTROL" and the key id
//! ```
//! The first line alone says whether the cluster is encrypted, so a missing
//! key file or key is noticed before anything is read or written.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::storage::crypto::Keyring;
use crate::storage::heap::Xid;
use crate::storage::wal::{Lsn, FIRST_LSN};

const FILE: &str = "flintdb.control";
const MAGIC: &str = "flintdb-control 3";
/// The previous version, without `in_progress` (read as none running).
const MAGIC_2: &str = "flintdb-control 2";
/// The first line of an encrypted cluster's control file.
const MAGIC_SEALED: &str = "flintdb-control sealed";
const SEALED_AAD: &[u8] = b"FLINTDB-CONTROL";

/// The control file's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub next_xid: Xid,
    pub redo_lsn: Lsn,
    pub aborted: Vec<Xid>,
    /// Xids running at the checkpoint: recovery aborts those the WAL after
    /// the redo point shows no commit for (they may have written before it).
    pub in_progress: Vec<Xid>,
}

impl Control {
    /// A new database's control data.
    pub fn initial() -> Control {
        Control {
            next_xid: crate::txn::FIRST_NORMAL_XID,
            redo_lsn: FIRST_LSN,
            aborted: Vec::new(),
            in_progress: Vec::new(),
        }
    }

    /// Whether the directory's control file is sealed (an encrypted
    /// cluster); `None` if it has no control file (a new directory).
    pub fn is_sealed(dir: &Path) -> Result<Option<bool>> {
        match fs::read_to_string(dir.join(FILE)) {
            Ok(t) => Ok(Some(t.lines().next() == Some(MAGIC_SEALED))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Reads the control file, opening it with `keyring` if sealed; `None`
    /// if the directory has none (new).
    pub fn read(dir: &Path, keyring: Option<&Keyring>) -> Result<Option<Control>> {
        let path = dir.join(FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let bad =
            |why: &str| Error::Corrupted(format!("control file \"{}\" {why}", path.display()));
        let mut lines = text.lines();
        if lines.clone().next() == Some(MAGIC_SEALED) {
            let keyring = keyring.ok_or_else(|| bad("is sealed and no key was given"))?;
            let sealed = lines
                .nth(1)
                .and_then(|h| hex::decode(h.trim()).ok())
                .ok_or_else(|| bad("is sealed but malformed"))?;
            let plain = keyring
                .open(SEALED_AAD, &sealed)
                .map_err(|e| bad(&format!("does not open: {e}")))?;
            let plain = String::from_utf8(plain).map_err(|_| bad("is not text"))?;
            return Self::parse(&plain, &bad).map(Some);
        }
        Self::parse(&text, &bad).map(Some)
    }

    fn parse(text: &str, bad: &dyn Fn(&str) -> Error) -> Result<Control> {
        let mut lines = text.lines();
        let version_3 = match lines.next() {
            Some(MAGIC) => true,
            Some(MAGIC_2) => false,
            _ => return Err(bad("is not a FlintDB control file of this version")),
        };
        let mut field = |name: &str| -> Result<String> {
            lines
                .next()
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix(' ').or(Some(l)))
                .map(str::to_string)
                .ok_or_else(|| bad(&format!("lacks {name}")))
        };
        let next_xid = field("next_xid")?
            .parse()
            .map_err(|_| bad("has a bad next_xid"))?;
        let redo_lsn = field("redo_lsn")?
            .parse()
            .map_err(|_| bad("has a bad redo_lsn"))?;
        let list = |text: String, name: &str| {
            text.split(',')
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse()
                        .map_err(|_| bad(&format!("has a bad {name} list")))
                })
                .collect::<Result<Vec<Xid>>>()
        };
        let aborted = list(field("aborted")?, "aborted")?;
        let in_progress = if version_3 {
            list(field("in_progress")?, "in_progress")?
        } else {
            Vec::new()
        };
        Ok(Control {
            next_xid,
            redo_lsn,
            aborted,
            in_progress,
        })
    }

    /// Writes the control file atomically (and durably, with `sync`),
    /// sealed with `keyring` when the cluster is encrypted.
    pub fn write(&self, dir: &Path, sync: bool, keyring: Option<&Keyring>) -> Result<()> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        let list = |xids: &[Xid]| {
            xids.iter()
                .map(|x| x.to_string())
                .collect::<Vec<_>>()
                .join(",")
        };
        let text = format!(
            "{MAGIC}\nnext_xid {}\nredo_lsn {}\naborted {}\nin_progress {}\n",
            self.next_xid,
            self.redo_lsn,
            list(&self.aborted),
            list(&self.in_progress)
        );
        match keyring {
            None => f.write_all(text.as_bytes())?,
            Some(k) => write!(
                f,
                "{MAGIC_SEALED}\n{}\n",
                hex::encode(k.seal(SEALED_AAD, text.as_bytes()))
            )?,
        }
        if sync {
            f.sync_all()?;
        }
        fs::rename(&tmp, dir.join(FILE))?;
        if sync {
            fs::File::open(dir)?.sync_all()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Control::read(dir.path(), None).unwrap(), None);
        let c = Control {
            next_xid: 42,
            redo_lsn: 123456,
            aborted: vec![5, 9],
            in_progress: vec![12, 13],
        };
        c.write(dir.path(), true, None).unwrap();
        assert_eq!(Control::is_sealed(dir.path()).unwrap(), Some(false));
        assert_eq!(Control::read(dir.path(), None).unwrap(), Some(c.clone()));
        let ring = Keyring::ephemeral();
        c.write(dir.path(), true, Some(&ring)).unwrap();
        assert_eq!(Control::is_sealed(dir.path()).unwrap(), Some(true));
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        assert!(!text.contains("next_xid"));
        assert_eq!(Control::read(dir.path(), Some(&ring)).unwrap(), Some(c));
        assert!(Control::read(dir.path(), None).is_err());
        assert!(Control::read(dir.path(), Some(&Keyring::ephemeral())).is_err());
        std::fs::write(dir.path().join(FILE), "garbage").unwrap();
        assert_eq!(
            Control::read(dir.path(), None).unwrap_err().sqlstate(),
            "XX001"
        );
    }
}
