//! Server settings: defaults, then `config/flintdb.toml` (or `--config`),
//! then `FLINTDB_*` environment variables, then command-line flags.
//! Every setting is documented in `config/flintdb.toml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::security::hba::{self, Rule, RuleText};
use crate::security::keys::{self, KekSource};

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5432";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "flintdb-data";
/// Default buffer pool size.
pub const DEFAULT_BUFFER_POOL_MB: usize = 128;
/// Default audit log, relative to the data directory.
pub const DEFAULT_AUDIT_FILE: &str = "audit/audit.log";
/// Default cap on concurrent client connections.
pub const DEFAULT_MAX_CONNECTIONS: usize = 100;

/// The resolved settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    pub listen: String,
    pub data_dir: PathBuf,
    pub buffer_pool_mb: usize,
    pub max_connections: usize,
    pub log_level: String,
    pub log_format: LogFormat,
    pub fsync: bool,
    pub synchronous_commit: bool,
    pub checkpoint_wal_mb: u64,
    pub checkpoint_timeout_s: u64,
    pub lock_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub autovacuum_naptime_s: u64,
    pub autovacuum_threshold: u64,
    /// TLS certificate chain and private key (PEM); both or neither.
    pub tls_cert_file: Option<PathBuf>,
    pub tls_key_file: Option<PathBuf>,
    /// The bootstrap superuser, created when the data directory has no roles.
    pub superuser: String,
    /// Its password (or SCRAM verifier), used only when it is created.
    pub superuser_password: Option<String>,
    /// The only database name clients may ask for (POSTGRES_DB must match).
    pub database: String,
    /// Most seconds from connect to authenticated.
    pub authentication_timeout_s: u64,
    /// Pause before answering a failed authentication.
    pub auth_failure_delay_ms: u64,
    /// Most connections still authenticating, in all and from one address.
    pub max_authenticating: usize,
    pub max_authenticating_per_host: usize,
    /// Largest message an authenticated client may send, in MiB.
    pub max_message_mb: usize,
    /// Host rules, first match wins.
    pub hba: Vec<Rule>,
    /// The audit log (None: off), its rotation size and how many old files stay.
    pub audit_file: Option<PathBuf>,
    pub audit_max_file_mb: u64,
    pub audit_keep_files: usize,
    /// Tables whose INSERT/UPDATE/DELETE/COPY statements are audited.
    pub audit_dml_tables: Vec<String>,
    /// Key-encryption key sources (at most one may be set; see
    /// [`Config::kek_source`]). The passphrase itself is never kept here.
    pub kek_file: Option<PathBuf>,
    pub kek_passphrase_file: Option<PathBuf>,
    pub kek_command: Option<String>,
}

/// How log lines look.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: DEFAULT_LISTEN.to_string(),
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            buffer_pool_mb: DEFAULT_BUFFER_POOL_MB,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            log_level: "info".to_string(),
            log_format: LogFormat::Text,
            fsync: true,
            synchronous_commit: true,
            checkpoint_wal_mb: 64,
            checkpoint_timeout_s: 300,
            lock_timeout_ms: 0,
            statement_timeout_ms: 0,
            autovacuum_naptime_s: 1,
            autovacuum_threshold: 50,
            tls_cert_file: None,
            tls_key_file: None,
            superuser: "postgres".to_string(),
            superuser_password: None,
            database: "postgres".to_string(),
            authentication_timeout_s: 60,
            auth_failure_delay_ms: 500,
            max_authenticating: 64,
            max_authenticating_per_host: 8,
            max_message_mb: 1024,
            hba: hba::default_rules(),
            audit_file: Some(PathBuf::from(DEFAULT_AUDIT_FILE)),
            audit_max_file_mb: 64,
            audit_keep_files: 8,
            audit_dml_tables: Vec::new(),
            kek_file: None,
            kek_passphrase_file: None,
            kek_command: None,
        }
    }
}

/// The TOML file's shape; every field optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    listen: Option<String>,
    data_dir: Option<PathBuf>,
    buffer_pool_mb: Option<usize>,
    max_connections: Option<usize>,
    log_level: Option<String>,
    log_format: Option<LogFormat>,
    fsync: Option<bool>,
    synchronous_commit: Option<bool>,
    checkpoint_wal_mb: Option<u64>,
    checkpoint_timeout_s: Option<u64>,
    lock_timeout_ms: Option<u64>,
    statement_timeout_ms: Option<u64>,
    autovacuum_naptime_s: Option<u64>,
    autovacuum_threshold: Option<u64>,
    tls_cert_file: Option<PathBuf>,
    tls_key_file: Option<PathBuf>,
    superuser: Option<String>,
    superuser_password: Option<String>,
    authentication_timeout_s: Option<u64>,
    auth_failure_delay_ms: Option<u64>,
    max_authenticating: Option<usize>,
    max_authenticating_per_host: Option<usize>,
    max_message_mb: Option<usize>,
    hba: Option<Vec<RuleText>>,
    audit_file: Option<String>,
    audit_max_file_mb: Option<u64>,
    audit_keep_files: Option<usize>,
    audit_dml_tables: Option<Vec<String>>,
    kek_file: Option<PathBuf>,
    kek_passphrase_file: Option<PathBuf>,
    kek_command: Option<String>,
}

impl Config {
    /// Defaults overlaid with a TOML file, if given (or if the default
    /// `config/flintdb.toml` exists).
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut config = Config::default();
        let default_path = Path::new("config/flintdb.toml");
        let path = match file {
            Some(p) => Some(p),
            None if default_path.exists() => Some(default_path),
            None => None,
        };
        if let Some(path) = path {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::Io(format!(
                    "could not read config file \"{}\": {e}",
                    path.display()
                ))
            })?;
            config.apply_toml(&text).map_err(|e| {
                Error::Io(format!("invalid config file \"{}\": {e}", path.display()))
            })?;
        }
        Ok(config)
    }

    fn apply_toml(&mut self, text: &str) -> std::result::Result<(), String> {
        let f: FileConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        if let Some(v) = f.listen {
            self.listen = v;
        }
        if let Some(v) = f.data_dir {
            self.data_dir = v;
        }
        if let Some(v) = f.buffer_pool_mb {
            self.buffer_pool_mb = v;
        }
        if let Some(v) = f.max_connections {
            self.max_connections = v;
        }
        if let Some(v) = f.log_level {
            self.log_level = v;
        }
        if let Some(v) = f.log_format {
            self.log_format = v;
        }
        if let Some(v) = f.fsync {
            self.fsync = v;
        }
        if let Some(v) = f.synchronous_commit {
            self.synchronous_commit = v;
        }
        if let Some(v) = f.checkpoint_wal_mb {
            self.checkpoint_wal_mb = v;
        }
        if let Some(v) = f.checkpoint_timeout_s {
            self.checkpoint_timeout_s = v;
        }
        if let Some(v) = f.lock_timeout_ms {
            self.lock_timeout_ms = v;
        }
        if let Some(v) = f.statement_timeout_ms {
            self.statement_timeout_ms = v;
        }
        if let Some(v) = f.autovacuum_naptime_s {
            self.autovacuum_naptime_s = v;
        }
        if let Some(v) = f.autovacuum_threshold {
            self.autovacuum_threshold = v;
        }
        self.tls_cert_file = f.tls_cert_file.or(self.tls_cert_file.take());
        self.tls_key_file = f.tls_key_file.or(self.tls_key_file.take());
        if let Some(v) = f.superuser {
            self.superuser = v;
        }
        self.superuser_password = f.superuser_password.or(self.superuser_password.take());
        if let Some(v) = f.authentication_timeout_s {
            self.authentication_timeout_s = v;
        }
        if let Some(v) = f.auth_failure_delay_ms {
            self.auth_failure_delay_ms = v;
        }
        if let Some(v) = f.max_authenticating {
            self.max_authenticating = v;
        }
        if let Some(v) = f.max_authenticating_per_host {
            self.max_authenticating_per_host = v;
        }
        if let Some(v) = f.max_message_mb {
            self.max_message_mb = v;
        }
        if let Some(rules) = f.hba {
            self.hba = rules
                .iter()
                .map(RuleText::parse)
                .collect::<std::result::Result<_, _>>()?;
        }
        if let Some(v) = f.audit_file {
            self.audit_file = (!v.is_empty()).then(|| PathBuf::from(v));
        }
        if let Some(v) = f.audit_max_file_mb {
            self.audit_max_file_mb = v;
        }
        if let Some(v) = f.audit_keep_files {
            self.audit_keep_files = v;
        }
        if let Some(v) = f.audit_dml_tables {
            self.audit_dml_tables = v;
        }
        self.kek_file = f.kek_file.or(self.kek_file.take());
        self.kek_passphrase_file = f.kek_passphrase_file.or(self.kek_passphrase_file.take());
        self.kek_command = f.kek_command.or(self.kek_command.take());
        Ok(())
    }

    /// Applies the bootstrap-superuser variables: `FLINTDB_SUPERUSER`,
    /// `FLINTDB_SUPERUSER_PASSWORD`, and the official postgres image's
    /// `POSTGRES_USER`, `POSTGRES_PASSWORD`, `POSTGRES_DB` (FLINTDB_* win).
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        let pick = |a: &str, b: &str| var(a).or_else(|| var(b)).filter(|v| !v.is_empty());
        if let Some(user) = pick("FLINTDB_SUPERUSER", "POSTGRES_USER") {
            self.superuser = user;
        }
        if let Some(password) = pick("FLINTDB_SUPERUSER_PASSWORD", "POSTGRES_PASSWORD") {
            self.superuser_password = Some(password);
        }
        if let Some(file) = var("FLINTDB_KEK_FILE").filter(|v| !v.is_empty()) {
            self.kek_file = Some(PathBuf::from(file));
        }
        if let Some(db) = var("POSTGRES_DB").filter(|v| !v.is_empty()) {
            if db != self.database {
                return Err(Error::Io(format!(
                    "POSTGRES_DB=\"{db}\": FlintDB has one database, \"{}\"; CREATE DATABASE is not supported yet",
                    self.database
                )));
            }
        }
        Ok(())
    }

    /// The key-encryption key's source: `kek_file` (also `--kek-file`,
    /// `FLINTDB_KEK_FILE`), the passphrase given (`FLINTDB_KEK_PASSPHRASE`),
    /// `kek_passphrase_file` or `kek_command`. More than one is an error:
    /// guessing which key was meant could encrypt with the wrong one.
    pub fn kek_source(
        &self,
        passphrase: Option<zeroize::Zeroizing<String>>,
    ) -> Result<Option<KekSource>> {
        let mut sources = Vec::new();
        if let Some(f) = &self.kek_file {
            sources.push(KekSource::File(f.clone()));
        }
        if let Some(p) = passphrase.filter(|p| !p.is_empty()) {
            sources.push(KekSource::Passphrase(p));
        }
        if let Some(f) = &self.kek_passphrase_file {
            sources.push(KekSource::Passphrase(keys::read_passphrase_file(f)?));
        }
        if let Some(c) = &self.kek_command {
            sources.push(KekSource::Command(c.clone()));
        }
        if sources.len() > 1 {
            return Err(Error::Io(format!(
                "more than one key-encryption key source is set ({sources:?}); set exactly one"
            )));
        }
        Ok(sources.pop())
    }

    /// The audit log's path: relative paths are inside the data directory.
    pub fn audit_path(&self) -> Option<PathBuf> {
        self.audit_file.as_ref().map(|f| self.data_dir.join(f))
    }

    /// Checks values that parse but make no sense.
    pub fn validate(&self) -> Result<()> {
        if self.buffer_pool_mb == 0 {
            return Err(Error::Io("buffer_pool_mb must be at least 1".to_string()));
        }
        if self.checkpoint_wal_mb == 0 || self.checkpoint_timeout_s == 0 {
            return Err(Error::Io(
                "checkpoint_wal_mb and checkpoint_timeout_s must be at least 1".to_string(),
            ));
        }
        if self.tls_cert_file.is_some() != self.tls_key_file.is_some() {
            return Err(Error::Io(
                "tls_cert_file and tls_key_file must be set together".to_string(),
            ));
        }
        if self.superuser.is_empty() || self.superuser.len() > 63 {
            return Err(Error::Io(
                "superuser must be 1 to 63 bytes long".to_string(),
            ));
        }
        if self.max_authenticating == 0 || self.max_authenticating_per_host == 0 {
            return Err(Error::Io(
                "max_authenticating and max_authenticating_per_host must be at least 1".to_string(),
            ));
        }
        if self.max_message_mb == 0 || self.max_message_mb > 1024 {
            return Err(Error::Io("max_message_mb must be 1 to 1024".to_string()));
        }
        if self.max_connections == 0 {
            return Err(Error::Io("max_connections must be at least 1".to_string()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toml_overrides_defaults_and_rejects_unknown_keys() {
        let mut c = Config::default();
        c.apply_toml("listen = \"127.0.0.1:6000\"\nbuffer_pool_mb = 64\nlog_format = \"json\"")
            .unwrap();
        assert_eq!(c.listen, "127.0.0.1:6000");
        assert_eq!(c.buffer_pool_mb, 64);
        assert_eq!(c.log_format, LogFormat::Json);
        assert!(c.apply_toml("no_such_setting = 1").is_err());
    }
}
