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
//! ```

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};
use crate::storage::heap::Xid;
use crate::storage::wal::{Lsn, FIRST_LSN};

const FILE: &str = "flintdb.control";
const MAGIC: &str = "flintdb-control 2";

/// The control file's contents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Control {
    pub next_xid: Xid,
    pub redo_lsn: Lsn,
    pub aborted: Vec<Xid>,
}

impl Control {
    /// A new database's control data.
    pub fn initial() -> Control {
        Control {
            next_xid: crate::txn::FIRST_NORMAL_XID,
            redo_lsn: FIRST_LSN,
            aborted: Vec::new(),
        }
    }

    /// Reads the control file; `None` if the directory has none (new).
    pub fn read(dir: &Path) -> Result<Option<Control>> {
        let path = dir.join(FILE);
        let text = match fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let bad =
            |why: &str| Error::Corrupted(format!("control file \"{}\" {why}", path.display()));
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(bad("is not a FlintDB control file of this version"));
        }
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
        let aborted = field("aborted")?
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().map_err(|_| bad("has a bad aborted list")))
            .collect::<Result<Vec<Xid>>>()?;
        Ok(Some(Control {
            next_xid,
            redo_lsn,
            aborted,
        }))
    }

    /// Writes the control file atomically (and durably, with `sync`).
    pub fn write(&self, dir: &Path, sync: bool) -> Result<()> {
        let tmp = dir.join(format!("{FILE}.tmp"));
        let mut f = fs::File::create(&tmp)?;
        let aborted: Vec<String> = self.aborted.iter().map(|x| x.to_string()).collect();
        write!(
            f,
            "{MAGIC}\nnext_xid {}\nredo_lsn {}\naborted {}\n",
            self.next_xid,
            self.redo_lsn,
            aborted.join(",")
        )?;
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
        assert_eq!(Control::read(dir.path()).unwrap(), None);
        let c = Control {
            next_xid: 42,
            redo_lsn: 123456,
            aborted: vec![5, 9],
        };
        c.write(dir.path(), true).unwrap();
        assert_eq!(Control::read(dir.path()).unwrap(), Some(c));
        std::fs::write(dir.path().join(FILE), "garbage").unwrap();
        assert_eq!(Control::read(dir.path()).unwrap_err().sqlstate(), "XX001");
    }
}
