//! The server's own files that COPY reads and writes (`COPY … FROM
//! 'file'`, `COPY … TO 'file'`): opened with PostgreSQL's wording for what
//! goes wrong, and written beside their final name, then synced and
//! renamed into place, so a COPY that fails never leaves half a file.

use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A server file open for reading.
pub type ServerFile = fs::File;

/// Opens a server file for COPY FROM; errors name it as the user wrote
/// it (`shown`), as PostgreSQL's do.
pub fn open_for_reading(path: &Path, shown: &str) -> Result<ServerFile> {
    fs::File::open(path).map_err(|e| file_error(e, "open", Path::new(shown), "reading"))
}

/// A server file being written: complete only after [`PendingFile::commit`].
pub struct PendingFile {
    temp: PathBuf,
    target: PathBuf,
    out: Option<BufWriter<fs::File>>,
}

impl PendingFile {
    /// Starts writing `target` (written to a temporary name beside it).
    pub fn create(target: &Path) -> Result<PendingFile> {
        let mut name = target.file_name().unwrap_or_default().to_os_string();
        name.push(format!(".flintdb-{}.tmp", std::process::id()));
        let temp = target.with_file_name(name);
        let file = fs::File::create(&temp).map_err(|e| file_error(e, "open", target, "writing"))?;
        Ok(PendingFile {
            temp,
            target: target.to_path_buf(),
            out: Some(BufWriter::with_capacity(1 << 20, file)),
        })
    }

    /// Where the bytes go.
    pub fn writer(&mut self) -> Result<&mut BufWriter<fs::File>> {
        self.out
            .as_mut()
            .ok_or_else(|| Error::Internal("write after commit".into()))
    }

    /// Hands the writer to an encoder that owns it (Parquet's).
    pub fn take_writer(&mut self) -> Result<BufWriter<fs::File>> {
        self.out
            .take()
            .ok_or_else(|| Error::Internal("writer taken twice".into()))
    }

    /// Gives the writer back.
    pub fn put_writer(&mut self, out: BufWriter<fs::File>) {
        self.out = Some(out);
    }

    /// Flushes, syncs and renames the file into place.
    pub fn commit(mut self) -> Result<()> {
        let out = self.take_writer()?;
        let file = out
            .into_inner()
            .map_err(|e| file_error(e.into_error(), "write", &self.target, "writing"))?;
        file.sync_all()?;
        fs::rename(&self.temp, &self.target)
            .map_err(|e| file_error(e, "rename", &self.target, "writing"))?;
        if let Some(dir) = self.target.parent() {
            fs::File::open(dir)?.sync_all()?;
        }
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if !self.temp.as_os_str().is_empty() {
            let _ = fs::remove_file(&self.temp);
        }
    }
}

/// PostgreSQL's wording for a server file it cannot use.
fn file_error(e: std::io::Error, verb: &str, path: &Path, purpose: &str) -> Error {
    let code = match e.kind() {
        std::io::ErrorKind::NotFound => "58P01",
        std::io::ErrorKind::PermissionDenied => "42501",
        _ => crate::error::sqlstate::IO_ERROR,
    };
    let what = if verb == "open" {
        format!(
            "could not open file \"{}\" for {purpose}: {}",
            path.display(),
            os_message(&e)
        )
    } else {
        format!(
            "could not {verb} file \"{}\": {}",
            path.display(),
            os_message(&e)
        )
    };
    Error::input(code, what)
}

/// The OS's message without Rust's " (os error N)", as PostgreSQL's `%m`.
fn os_message(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    }
}
