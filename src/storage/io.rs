//! The file trait under all storage I/O.
//!
//! Every byte FlintDB reads or writes goes through [`File`], so tests can
//! wrap it to inject torn writes, failed syncs and flipped bits. [`OsFile`]
//! is the real implementation over `std::fs::File` with positioned I/O.

use std::fs;
use std::os::unix::fs::FileExt;
use std::path::Path;

use crate::error::Result;

/// A file of bytes addressed by offset.
pub trait File: Send + Sync {
    /// Reads exactly `buf.len()` bytes at `offset`; bytes past the end read
    /// as zeros.
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<()>;
    /// Writes all of `buf` at `offset`, extending the file if needed.
    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()>;
    /// Makes every completed write durable (fdatasync).
    fn sync(&self) -> Result<()>;
    /// The file's length in bytes.
    fn len(&self) -> Result<u64>;
    /// True if the file is empty.
    fn is_empty(&self) -> Result<bool> {
        Ok(self.len()? == 0)
    }
    /// Truncates or extends the file.
    fn set_len(&self, len: u64) -> Result<()>;
}

/// Opens files; the seam where tests substitute a fault-injecting opener.
pub trait FileSystem: Send + Sync {
    /// Opens a file for reading and writing, creating it if missing.
    fn open(&self, path: &Path) -> Result<Box<dyn File>>;
    /// Removes a file; a missing file is not an error.
    fn remove(&self, path: &Path) -> Result<()>;
    /// Makes the directory's entries (created, renamed, removed files) durable.
    fn sync_dir(&self, path: &Path) -> Result<()>;
}

/// The operating system's file system.
#[derive(Debug, Default)]
pub struct OsFileSystem;

impl FileSystem for OsFileSystem {
    fn open(&self, path: &Path) -> Result<Box<dyn File>> {
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)?;
        Ok(Box::new(OsFile { file }))
    }

    fn remove(&self, path: &Path) -> Result<()> {
        match fs::remove_file(path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
            _ => Ok(()),
        }
    }

    fn sync_dir(&self, path: &Path) -> Result<()> {
        fs::File::open(path)?.sync_all()?;
        Ok(())
    }
}

/// A real file.
#[derive(Debug)]
pub struct OsFile {
    file: fs::File,
}

impl File for OsFile {
    fn read_at(&self, buf: &mut [u8], offset: u64) -> Result<()> {
        let mut done = 0;
        while done < buf.len() {
            let n = self.file.read_at(&mut buf[done..], offset + done as u64)?;
            if n == 0 {
                buf[done..].fill(0);
                break;
            }
            done += n;
        }
        Ok(())
    }

    fn write_at(&self, buf: &[u8], offset: u64) -> Result<()> {
        self.file.write_all_at(buf, offset)?;
        Ok(())
    }

    fn sync(&self) -> Result<()> {
        self.file.sync_data()?;
        Ok(())
    }

    fn len(&self) -> Result<u64> {
        Ok(self.file.metadata()?.len())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        self.file.set_len(len)?;
        Ok(())
    }
}
