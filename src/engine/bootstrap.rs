//! What a new data directory needs besides empty relations: the secret
//! behind mock SCRAM salts, and the bootstrap superuser (OID 10), created
//! in its own committed transaction the first time a server starts with no
//! roles — like `initdb`, with the name and password from the config.

use std::io::Write;
use std::path::Path;

use super::Engine;
use crate::catalog::roles::BOOTSTRAP_SUPERUSER_OID;
use crate::catalog::RoleDef;
use crate::error::{Error, Result};

const AUTH_SECRET_FILE: &str = "auth_secret";

/// Reads the data directory's auth secret, creating it (mode 0600) at first.
pub(super) fn auth_secret(dir: &Path) -> Result<[u8; 32]> {
    let path = dir.join(AUTH_SECRET_FILE);
    let io = |e: std::io::Error| Error::Io(format!("\"{}\": {e}", path.display()));
    match std::fs::read(&path) {
        Ok(bytes) => bytes
            .try_into()
            .map_err(|_| Error::Corrupted(format!("\"{}\" is not 32 bytes", path.display()))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = crate::security::random_bytes::<32>();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options.open(&path).map_err(io)?;
            file.write_all(&secret).map_err(io)?;
            file.sync_all().map_err(io)?;
            Ok(secret)
        }
        Err(e) => Err(io(e)),
    }
}

/// PostgreSQL 15's predefined roles FlintDB checks, with their OIDs.
pub const PREDEFINED_ROLES: [(u32, &str); 3] = [
    (PG_SIGNAL_BACKEND, "pg_signal_backend"),
    (PG_READ_SERVER_FILES, "pg_read_server_files"),
    (PG_WRITE_SERVER_FILES, "pg_write_server_files"),
];
/// May signal any non-superuser backend.
pub const PG_SIGNAL_BACKEND: u32 = 4200;
/// May COPY from server files.
pub const PG_READ_SERVER_FILES: u32 = 4569;
/// May COPY to server files.
pub const PG_WRITE_SERVER_FILES: u32 = 4570;

impl Engine {
    /// Creates the bootstrap superuser if there are no roles yet: `name`,
    /// with a SCRAM verifier of `password` (or the verifier itself, if
    /// given in stored form). Returns true if it was created.
    /// The predefined roles are created too, where missing.
    pub fn bootstrap_superuser(&self, name: &str, password: Option<&str>) -> Result<bool> {
        let created = self.create_superuser(name, password)?;
        self.ensure_predefined_roles()?;
        Ok(created)
    }

    fn create_superuser(&self, name: &str, password: Option<&str>) -> Result<bool> {
        if self
            .catalog()
            .roles()
            .by_oid(BOOTSTRAP_SUPERUSER_OID)
            .is_some()
        {
            return Ok(false);
        }
        let role = RoleDef {
            oid: BOOTSTRAP_SUPERUSER_OID,
            superuser: true,
            create_role: true,
            create_db: true,
            login: true,
            password: password.map(crate::security::scram::stored_form),
            ..RoleDef::new(name)
        };
        let xid = self.txns().allocate_xid(None);
        let created = self.catalog().create_role(role, xid);
        let lsn = match created {
            Ok(_) => self.log_commit(xid, Vec::new()),
            Err(e) => Err(e),
        };
        match lsn {
            Ok(lsn) => {
                self.txns().finish(xid, &[xid]);
                self.wait_durable(lsn, true)?;
                Ok(true)
            }
            Err(e) => {
                self.log_abort(&[xid]);
                self.txns().finish(xid, &[xid]);
                self.catalog().reload()?;
                Err(e)
            }
        }
    }

    /// Creates PostgreSQL's predefined roles that FlintDB gives meaning
    /// to, where missing (a data directory made before one was added gets
    /// it at its next start): NOLOGIN roles whose members may signal
    /// backends, read server files and write server files.
    pub fn ensure_predefined_roles(&self) -> Result<()> {
        let missing: Vec<RoleDef> = PREDEFINED_ROLES
            .iter()
            .filter(|(oid, _)| self.catalog().roles().by_oid(*oid).is_none())
            .map(|(oid, name)| RoleDef {
                oid: *oid,
                ..RoleDef::new(name)
            })
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let xid = self.txns().allocate_xid(None);
        let created = missing
            .into_iter()
            .try_for_each(|r| self.catalog().create_role(r, xid).map(|_| ()));
        let lsn = match created {
            Ok(()) => self.log_commit(xid, Vec::new()),
            Err(e) => Err(e),
        };
        match lsn {
            Ok(lsn) => {
                self.txns().finish(xid, &[xid]);
                self.wait_durable(lsn, true)
            }
            Err(e) => {
                self.log_abort(&[xid]);
                self.txns().finish(xid, &[xid]);
                self.catalog().reload()?;
                Err(e)
            }
        }
    }

    /// True if the bootstrap superuser exists and has a password.
    pub fn superuser_has_password(&self) -> bool {
        self.catalog()
            .roles()
            .by_oid(BOOTSTRAP_SUPERUSER_OID)
            .is_some_and(|r| r.password.is_some())
    }
}
