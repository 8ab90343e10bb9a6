//! COPY … FROM a server file: the file is read in pieces and its records
//! go through the same path as COPY FROM STDIN's (text, CSV, binary), or,
//! for FORMAT parquet, each row's cells become text fields parsed by the
//! target columns' types. A relative path is taken from the data
//! directory, as PostgreSQL does.

use std::io::Read;
use std::path::PathBuf;

use super::{Command, Outcome, Session};
use crate::error::Result;
use crate::sql::copy::RecordCutter;

/// Bytes read from the file at a time.
const READ_CHUNK: usize = 1 << 20;
/// Records inserted per batch.
const BATCH_RECORDS: usize = 1000;

/// Whether a command is COPY … FROM 'file'.
pub fn is_copy_from_file(command: &Command) -> Option<&str> {
    match command {
        Command::Sql(sqlparser::ast::Statement::Copy {
            to: false,
            target: sqlparser::ast::CopyTarget::File { filename },
            ..
        }) => Some(filename),
        _ => None,
    }
}

impl Session {
    /// Runs COPY … FROM 'file' as one statement.
    pub(super) fn copy_from_file(&mut self, command: &Command, path: &str) -> Result<Outcome> {
        let shown = path;
        let mut copy = self.begin_copy(command)?;
        let role = self.who().current;
        let catalog = self.engine.catalog();
        if !catalog.is_superuser(role) {
            if let Err(e) = super::authorize::server_files_allowed(catalog, role, copy.plan()) {
                self.end_copy(&copy, false)?;
                return Err(e);
            }
        }
        let path = {
            let p = PathBuf::from(path);
            if p.is_absolute() {
                p
            } else {
                self.engine.data_dir().join(p)
            }
        };
        let loaded = crate::copy_files::open_for_reading(&path, shown).and_then(|file| {
            if copy.format().parquet {
                self.copy_parquet_file(&mut copy, file, &path)
            } else {
                self.copy_stream(&mut copy, file)
            }
        });
        let ok = loaded.is_ok();
        let outcome = self.end_copy(&copy, ok);
        loaded?;
        outcome
    }

    fn copy_stream(
        &mut self,
        copy: &mut super::CopyIn,
        mut file: crate::copy_files::ServerFile,
    ) -> Result<()> {
        let mut cutter = RecordCutter::default();
        let mut buf = Vec::new();
        let mut pending = Vec::new();
        let mut chunk = vec![0u8; READ_CHUNK];
        loop {
            let n = file.read(&mut chunk)?;
            buf.extend_from_slice(&chunk[..n]);
            pending.extend(cutter.take(copy.format(), &mut buf, n == 0)?);
            if pending.len() >= BATCH_RECORDS || n == 0 {
                self.copy_records(copy, std::mem::take(&mut pending))?;
            }
            if n == 0 {
                return Ok(());
            }
        }
    }
}
