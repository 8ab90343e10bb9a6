//! Server settings: defaults, then `config/flintdb.toml` (or `--config`),
//! then `FLINTDB_*` environment variables, then command-line flags.
//! Every setting is documented in `config/flintdb.toml`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// Default listen address.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5432";
/// Default data directory, relative to the working directory.
pub const DEFAULT_DATA_DIR: &str = "flintdb-data";
/// Default buffer pool size.
pub const DEFAULT_BUFFER_POOL_MB: usize = 128;
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
        Ok(())
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
