//! Run-time settings (PostgreSQL's GUCs) that a session SETs, SHOWs and
//! RESETs: each with PostgreSQL 15's name, default, accepted values and
//! canonical form (`SET statement_timeout = 5000` shows as `5s`).
//!
//! Settings are transactional as in PostgreSQL: a SET inside a block that
//! rolls back is undone, and SET LOCAL lasts until the block ends. Those
//! FlintDB acts on: statement_timeout, lock_timeout, synchronous_commit,
//! default_transaction_isolation. Those it only reports (client_encoding,
//! DateStyle, TimeZone, IntervalStyle, bytea_output,
//! standard_conforming_strings) accept the values FlintDB's output already
//! follows and reject others with 0A000 rather than answer in another
//! format than asked. Names with a dot are custom settings, as in
//! PostgreSQL; any other unknown name is 42704.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::errinput;
use crate::error::{sqlstate, Result};

/// The PostgreSQL version FlintDB reports (psql picks its catalog queries
/// by it).
pub const SERVER_VERSION: &str = concat!("15.8 (FlintDB ", env!("CARGO_PKG_VERSION"), ")");
/// `server_version_num` for [`SERVER_VERSION`].
pub const SERVER_VERSION_NUM: &str = "150008";

/// What a setting accepts.
#[derive(Clone, Copy)]
enum Kind {
    Bool,
    Int {
        min: i64,
        max: i64,
    },
    /// Milliseconds, with optional units; 0 is off.
    Millis,
    /// Memory in kilobytes, with optional units (B, kB, MB, GB, TB).
    Kilobytes {
        min: i64,
    },
    /// Free text.
    Text,
    /// One of these (compared case-insensitively; shown as listed first
    /// in each alias group, after `=>`).
    Choice(&'static [(&'static str, &'static str)]),
    /// Reported, never set.
    ReadOnly,
}

struct Spec {
    /// As SHOW names its column and SHOW ALL lists it.
    name: &'static str,
    default: &'static str,
    kind: Kind,
    description: &'static str,
}

const UTF8: &[(&str, &str)] = &[("utf8", "UTF8"), ("utf-8", "UTF8"), ("unicode", "UTF8")];
const ISO_MDY: &[(&str, &str)] = &[
    ("iso, mdy", "ISO, MDY"),
    ("iso,mdy", "ISO, MDY"),
    ("iso", "ISO, MDY"),
    ("mdy", "ISO, MDY"),
    ("default", "ISO, MDY"),
];
const UTC: &[(&str, &str)] = &[
    ("utc", "UTC"),
    ("etc/utc", "UTC"),
    ("gmt", "UTC"),
    ("etc/gmt", "UTC"),
    ("uct", "UTC"),
    ("z", "UTC"),
    ("zulu", "UTC"),
    ("0", "UTC"),
    ("+00", "UTC"),
    ("+00:00", "UTC"),
];
const ISOLATIONS: &[(&str, &str)] = &[
    ("read committed", "read committed"),
    ("read uncommitted", "read committed"),
    ("repeatable read", "repeatable read"),
];
const SYNC: &[(&str, &str)] = &[
    ("on", "on"),
    ("true", "on"),
    ("yes", "on"),
    ("1", "on"),
    ("local", "local"),
    ("remote_write", "remote_write"),
    ("remote_apply", "remote_apply"),
    ("off", "off"),
    ("false", "off"),
    ("no", "off"),
    ("0", "off"),
];
const MESSAGES: &[(&str, &str)] = &[
    ("debug5", "debug5"),
    ("debug4", "debug4"),
    ("debug3", "debug3"),
    ("debug2", "debug2"),
    ("debug1", "debug1"),
    ("debug", "debug2"),
    ("log", "log"),
    ("notice", "notice"),
    ("warning", "warning"),
    ("error", "error"),
];

const SPECS: &[Spec] = &[
    spec(
        "application_name",
        "",
        Kind::Text,
        "Sets the application name to be reported in statistics and logs.",
    ),
    spec(
        "bytea_output",
        "hex",
        Kind::Choice(&[("hex", "hex")]),
        "Sets the output format for bytea.",
    ),
    spec(
        "client_encoding",
        "UTF8",
        Kind::Choice(UTF8),
        "Sets the client's character set encoding.",
    ),
    spec(
        "client_min_messages",
        "notice",
        Kind::Choice(MESSAGES),
        "Sets the message levels that are sent to the client.",
    ),
    spec(
        "DateStyle",
        "ISO, MDY",
        Kind::Choice(ISO_MDY),
        "Sets the display format for date and time values.",
    ),
    spec(
        "default_transaction_isolation",
        "read committed",
        Kind::Choice(ISOLATIONS),
        "Sets the transaction isolation level of each new transaction.",
    ),
    spec(
        "default_transaction_read_only",
        "off",
        Kind::Bool,
        "Sets the default read-only status of new transactions.",
    ),
    spec(
        "extra_float_digits",
        "1",
        Kind::Int { min: -15, max: 3 },
        "Sets the number of digits displayed for floating-point values.",
    ),
    spec(
        "idle_in_transaction_session_timeout",
        "0",
        Kind::Millis,
        "Sets the maximum allowed idle time between queries, when in a transaction.",
    ),
    spec(
        "integer_datetimes",
        "on",
        Kind::ReadOnly,
        "Shows whether datetimes are integer based.",
    ),
    spec(
        "IntervalStyle",
        "postgres",
        Kind::Choice(&[("postgres", "postgres")]),
        "Sets the display format for interval values.",
    ),
    spec(
        "is_superuser",
        "on",
        Kind::ReadOnly,
        "Shows whether the current user is a superuser.",
    ),
    spec(
        "enable_hashjoin",
        "on",
        Kind::Bool,
        "Enables the planner's use of hash join plans.",
    ),
    spec(
        "enable_mergejoin",
        "on",
        Kind::Bool,
        "Enables the planner's use of merge join plans.",
    ),
    spec(
        "enable_nestloop",
        "on",
        Kind::Bool,
        "Enables the planner's use of nested-loop join plans.",
    ),
    spec(
        "data_encryption",
        "off",
        Kind::ReadOnly,
        "Shows whether the data directory is encrypted at rest.",
    ),
    spec("jit", "off", Kind::Bool, "Allow JIT compilation."),
    spec(
        "lock_timeout",
        "0",
        Kind::Millis,
        "Sets the maximum allowed duration of any wait for a lock.",
    ),
    spec(
        "max_identifier_length",
        "63",
        Kind::ReadOnly,
        "Shows the maximum identifier length.",
    ),
    spec("role", "none", Kind::Text, "Sets the current role."),
    spec("row_security", "on", Kind::Bool, "Enable row security."),
    spec(
        "search_path",
        "\"$user\", public",
        Kind::Text,
        "Sets the schema search order for names that are not schema-qualified.",
    ),
    spec(
        "server_encoding",
        "UTF8",
        Kind::ReadOnly,
        "Shows the server (database) character set encoding.",
    ),
    spec(
        "server_version",
        SERVER_VERSION,
        Kind::ReadOnly,
        "Shows the server version.",
    ),
    spec(
        "server_version_num",
        SERVER_VERSION_NUM,
        Kind::ReadOnly,
        "Shows the server version as an integer.",
    ),
    spec(
        "session_authorization",
        "",
        Kind::Text,
        "Sets the session user name.",
    ),
    spec(
        "standard_conforming_strings",
        "on",
        Kind::Choice(&[("on", "on"), ("true", "on")]),
        "Causes '...' strings to treat backslashes literally.",
    ),
    spec(
        "statement_timeout",
        "0",
        Kind::Millis,
        "Sets the maximum allowed duration of any statement.",
    ),
    spec(
        "synchronous_commit",
        "on",
        Kind::Choice(SYNC),
        "Sets the current transaction's synchronization level.",
    ),
    spec(
        "TimeZone",
        "UTC",
        Kind::Choice(UTC),
        "Sets the time zone for displaying and interpreting time stamps.",
    ),
    spec(
        "work_mem",
        "4MB",
        Kind::Kilobytes { min: 64 },
        "Sets the maximum memory to be used for query workspaces.",
    ),
];

const fn spec(
    name: &'static str,
    default: &'static str,
    kind: Kind,
    description: &'static str,
) -> Spec {
    Spec {
        name,
        default,
        kind,
        description,
    }
}

/// Whether a name is a setting FlintDB has.
pub fn is_known(name: &str) -> bool {
    find(name).is_some()
}

/// The name SHOW gives a setting's column (`DateStyle` for datestyle).
pub fn display_name(name: &str) -> String {
    find(name).map_or_else(|| name.to_string(), |s| s.name.to_string())
}

fn find(name: &str) -> Option<&'static Spec> {
    SPECS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The session's settings as one statement sees them, and the changes
/// its `set_config` calls ask for (the session applies them once the
/// statement succeeds).
#[derive(Debug)]
pub struct StatementSettings {
    pub current: parking_lot::Mutex<Settings>,
    pub changes: parking_lot::Mutex<Vec<SettingChange>>,
}

/// One `set_config(name, value, is_local)`.
#[derive(Clone, Debug)]
pub struct SettingChange {
    pub name: String,
    pub value: String,
    pub local: bool,
}

impl StatementSettings {
    /// `current_setting(name)`: the value SHOW shows, or 42704.
    pub fn show(&self, name: &str) -> Result<String> {
        self.current.lock().show(name).map(|(_, v)| v)
    }

    /// `set_config(name, value, is_local)`: checks the value now and
    /// returns it as SHOW will show it.
    pub fn set(&self, name: &str, value: &str, local: bool) -> Result<String> {
        let key = name.to_lowercase();
        let value = canonical(&key, value)?;
        // Later calls in the statement see it at once.
        self.current.lock().set(&key, Some(&value), local, false)?;
        self.changes.lock().push(SettingChange {
            name: key,
            value: value.clone(),
            local,
        });
        Ok(value)
    }
}

/// One session's settings.
#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// Values set for the session (by lower-case name).
    session: BTreeMap<String, String>,
    /// SET LOCAL values, until the transaction ends.
    local: BTreeMap<String, String>,
    /// The session values when the current transaction first changed them
    /// (restored if it rolls back).
    saved: Option<BTreeMap<String, String>>,
    /// Server-wide defaults that differ from PostgreSQL's.
    defaults: BTreeMap<String, String>,
}

impl Settings {
    /// Settings whose defaults come from the server's configuration.
    pub fn new(
        statement_timeout: Option<Duration>,
        lock_timeout: Option<Duration>,
        synchronous_commit: bool,
        data_encryption: bool,
    ) -> Self {
        let mut defaults = BTreeMap::new();
        if data_encryption {
            defaults.insert("data_encryption".to_string(), "on".to_string());
        }
        let millis = |d: Option<Duration>| show_millis(d.map_or(0, |d| d.as_millis() as i64));
        defaults.insert("statement_timeout".to_string(), millis(statement_timeout));
        defaults.insert("lock_timeout".to_string(), millis(lock_timeout));
        if !synchronous_commit {
            defaults.insert("synchronous_commit".to_string(), "off".to_string());
        }
        Settings {
            defaults,
            ..Settings::default()
        }
    }

    /// `SET [LOCAL] name = value` (None: DEFAULT). Inside a transaction
    /// block the change is undone if the block rolls back.
    pub fn set(
        &mut self,
        name: &str,
        value: Option<&str>,
        local: bool,
        in_transaction: bool,
    ) -> Result<()> {
        let key = name.to_lowercase();
        let value = match value {
            Some(v) => Some(canonical(&key, v)?),
            None => {
                check_known(&key)?;
                None
            }
        };
        if local {
            let value = value.unwrap_or_else(|| self.default_of(&key));
            self.local.insert(key, value);
            return Ok(());
        }
        if in_transaction && self.saved.is_none() {
            self.saved = Some(self.session.clone());
        }
        self.local.remove(&key);
        match value {
            Some(v) => self.session.insert(key, v),
            None => self.session.remove(&key),
        };
        Ok(())
    }

    /// `RESET ALL`.
    pub fn reset_all(&mut self, in_transaction: bool) {
        if in_transaction && self.saved.is_none() {
            self.saved = Some(self.session.clone());
        }
        self.session.clear();
        self.local.clear();
    }

    /// Ends the transaction: SET LOCAL values go; a rollback also undoes
    /// its session SETs.
    pub fn end_transaction(&mut self, commit: bool) {
        self.local.clear();
        if let Some(saved) = self.saved.take() {
            if !commit {
                self.session = saved;
            }
        }
    }

    /// A setting's canonical name and current value, or 42704.
    pub fn show(&self, name: &str) -> Result<(String, String)> {
        let key = name.to_lowercase();
        check_known(&key)?;
        // A custom (dotted) setting exists once something set it.
        if find(&key).is_none()
            && !self.session.contains_key(&key)
            && !self.local.contains_key(&key)
        {
            return Err(unknown(&key));
        }
        let shown = find(&key).map_or(key.clone(), |s| s.name.to_string());
        Ok((shown, self.get(&key)))
    }

    /// Every known setting: name, value, description (SHOW ALL).
    pub fn all(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<_> = SPECS
            .iter()
            .map(|s| {
                (
                    s.name.to_string(),
                    self.get(&s.name.to_lowercase()),
                    s.description.to_string(),
                )
            })
            .collect();
        out.sort_by_key(|(n, _, _)| n.to_lowercase());
        out
    }

    /// The current value of a setting (by lower-case name).
    pub fn get(&self, key: &str) -> String {
        self.local
            .get(key)
            .or_else(|| self.session.get(key))
            .cloned()
            .unwrap_or_else(|| self.default_of(key))
    }

    fn default_of(&self, key: &str) -> String {
        self.defaults
            .get(key)
            .cloned()
            .or_else(|| find(key).map(|s| s.default.to_string()))
            .unwrap_or_default()
    }

    /// statement_timeout, if set.
    pub fn statement_timeout(&self) -> Option<Duration> {
        self.millis("statement_timeout")
    }

    /// lock_timeout, if set.
    pub fn lock_timeout(&self) -> Option<Duration> {
        self.millis("lock_timeout")
    }

    /// Whether a commit waits for its WAL to be durable.
    pub fn synchronous_commit(&self) -> bool {
        self.get("synchronous_commit") != "off"
    }

    /// What the planner may use (`enable_*join`, `work_mem`).
    pub fn planner(&self) -> crate::sql::binder::planner_settings::PlannerSettings {
        let on = |key: &str| self.get(key) != "off";
        crate::sql::binder::planner_settings::PlannerSettings {
            enable_hashjoin: on("enable_hashjoin"),
            enable_mergejoin: on("enable_mergejoin"),
            enable_nestloop: on("enable_nestloop"),
            work_mem: parse_kilobytes(&self.get("work_mem"))
                .unwrap_or(4096)
                .max(64) as u64
                * 1024,
        }
    }

    fn millis(&self, key: &str) -> Option<Duration> {
        let ms = parse_millis(&self.get(key)).unwrap_or(0);
        (ms > 0).then(|| Duration::from_millis(ms as u64))
    }
}

fn unknown(name: &str) -> crate::error::Error {
    errinput!(
        sqlstate::UNDEFINED_OBJECT,
        "unrecognized configuration parameter \"{name}\""
    )
}

/// Known settings and custom ones (`prefix.name`) pass.
fn check_known(key: &str) -> Result<()> {
    if find(key).is_some() || key.contains('.') {
        Ok(())
    } else {
        Err(unknown(key))
    }
}

fn invalid(name: &str, value: &str) -> crate::error::Error {
    errinput!(
        sqlstate::INVALID_PARAMETER_VALUE,
        "invalid value for parameter \"{name}\": \"{value}\""
    )
}

/// A value as SHOW will give it back, or the error PostgreSQL gives.
fn canonical(key: &str, value: &str) -> Result<String> {
    let Some(spec) = find(key) else {
        check_known(key)?;
        return Ok(value.to_string());
    };
    let lower = value.trim().to_lowercase();
    match spec.kind {
        Kind::ReadOnly => Err(errinput!("55P02", "parameter \"{key}\" cannot be changed")),
        Kind::Text => Ok(value.to_string()),
        Kind::Bool => match lower.as_str() {
            "on" | "true" | "yes" | "1" | "t" | "y" => Ok("on".to_string()),
            "off" | "false" | "no" | "0" | "f" | "n" => Ok("off".to_string()),
            _ => Err(errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "parameter \"{key}\" requires a Boolean value"
            )),
        },
        Kind::Int { min, max } => {
            let n: i64 = lower.parse().map_err(|_| {
                errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "invalid value for parameter \"{key}\": \"{value}\""
                )
            })?;
            if !(min..=max).contains(&n) {
                return Err(errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "{n} is outside the valid range for parameter \"{key}\" ({min} .. {max})"
                ));
            }
            Ok(n.to_string())
        }
        Kind::Kilobytes { min } => {
            let kb = parse_kilobytes(value).ok_or_else(|| {
                invalid(key, value).with_hint(
                    "Valid units for this parameter are \"B\", \"kB\", \"MB\", \"GB\", and \"TB\".",
                )
            })?;
            if !(min..=i32::MAX as i64).contains(&kb) {
                return Err(errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "{kb} kB is outside the valid range for parameter \"{key}\" ({min} .. 2147483647)"
                ));
            }
            Ok(show_kilobytes(kb))
        }
        Kind::Millis => {
            let ms = parse_millis(&lower).ok_or_else(|| invalid(key, value))?;
            if !(0..=i32::MAX as i64).contains(&ms) {
                return Err(errinput!(
                    sqlstate::INVALID_PARAMETER_VALUE,
                    "{ms} ms is outside the valid range for parameter \"{key}\" (0 .. 2147483647)"
                ));
            }
            Ok(show_millis(ms))
        }
        Kind::Choice(choices) => {
            if let Some((_, shown)) = choices.iter().find(|(v, _)| *v == lower) {
                return Ok(shown.to_string());
            }
            Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "{} = {value} is not supported (FlintDB supports {})",
                spec.name,
                choices
                    .iter()
                    .map(|(_, shown)| *shown)
                    .collect::<std::collections::BTreeSet<_>>()
                    .into_iter()
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        }
    }
}

/// Milliseconds from `5000`, `5s`, `10 min`, `1h`, `250ms`, `1d`.
fn parse_millis(text: &str) -> Option<i64> {
    let (n, unit) = number_and_unit(text)?;
    let factor = match unit {
        "" | "ms" => 1,
        "s" => 1_000,
        "min" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        _ => return None,
    };
    n.checked_mul(factor)
}

/// A shown value in its setting's base unit (kB, ms), as pg_settings'
/// `setting` column gives it.
pub fn in_base_unit(name: &str, shown: &str) -> String {
    let number = match find(&name.to_lowercase()).map(|s| s.kind) {
        Some(Kind::Kilobytes { .. }) => parse_kilobytes(shown),
        Some(Kind::Millis) => parse_millis(shown),
        _ => None,
    };
    number.map_or_else(|| shown.to_string(), |n| n.to_string())
}

/// Kilobytes from `4096`, `4MB`, `64kB`, `1GB`, `1TB`, `65536B` (units
/// are case-sensitive, as in PostgreSQL; bytes round to the nearest kB).
fn parse_kilobytes(text: &str) -> Option<i64> {
    let (n, unit) = number_and_unit(text)?;
    match unit {
        "B" => Some((n + 512) / 1024),
        "" | "kB" => Some(n),
        "MB" => n.checked_mul(1 << 10),
        "GB" => n.checked_mul(1 << 20),
        "TB" => n.checked_mul(1 << 30),
        _ => None,
    }
}

/// `5000`, `5 s`: the integer and the unit after it (maybe empty).
fn number_and_unit(text: &str) -> Option<(i64, &str)> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '-'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    Some((number.parse().ok()?, unit.trim()))
}

/// Kilobytes as PostgreSQL shows them: in the largest exact unit.
fn show_kilobytes(kb: i64) -> String {
    for (unit, size) in [("TB", 1 << 30), ("GB", 1 << 20), ("MB", 1 << 10)] {
        if kb != 0 && kb % size == 0 {
            return format!("{}{unit}", kb / size);
        }
    }
    format!("{kb}kB")
}

/// Milliseconds as PostgreSQL shows them: in the largest exact unit.
fn show_millis(ms: i64) -> String {
    if ms == 0 {
        return "0".to_string();
    }
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("min", 60_000),
        ("s", 1_000),
    ] {
        if ms % size == 0 {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

/// The settings PostgreSQL's pg_settings types as enums (the others with
/// a fixed set of values here are strings there).
const ENUMS: &[&str] = &[
    "bytea_output",
    "client_min_messages",
    "default_transaction_isolation",
    "IntervalStyle",
    "synchronous_commit",
    "transaction_isolation",
];

/// What pg_settings shows of a setting besides its current value.
pub struct SettingInfo {
    pub name: &'static str,
    pub description: &'static str,
    /// "bool", "integer", "string" or "enum".
    pub vartype: &'static str,
    /// "user", or "internal" for one that is only reported.
    pub context: &'static str,
    /// "ms" for durations.
    pub unit: Option<&'static str>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// An enum's values.
    pub choices: Vec<&'static str>,
    pub default: &'static str,
}

/// Every known setting, by name (pg_settings).
pub fn catalog() -> Vec<SettingInfo> {
    let mut out: Vec<SettingInfo> = SPECS
        .iter()
        .map(|s| {
            let (vartype, unit, min, max, choices) = match s.kind {
                Kind::Bool => ("bool", None, None, None, vec![]),
                Kind::Int { min, max } => ("integer", None, Some(min), Some(max), vec![]),
                Kind::Millis => (
                    "integer",
                    Some("ms"),
                    Some(0),
                    Some(i32::MAX as i64),
                    vec![],
                ),
                Kind::Kilobytes { min } => (
                    "integer",
                    Some("kB"),
                    Some(min),
                    Some(i32::MAX as i64),
                    vec![],
                ),
                Kind::Text | Kind::ReadOnly => ("string", None, None, None, vec![]),
                Kind::Choice(c) => {
                    let mut shown: Vec<&'static str> = c.iter().map(|(_, v)| *v).collect();
                    shown.dedup();
                    if shown.iter().all(|v| matches!(*v, "on" | "off")) {
                        ("bool", None, None, None, vec![])
                    } else if ENUMS.contains(&s.name) {
                        ("enum", None, None, None, shown)
                    } else {
                        ("string", None, None, None, vec![])
                    }
                }
            };
            SettingInfo {
                name: s.name,
                description: s.description,
                vartype,
                context: if matches!(s.kind, Kind::ReadOnly) {
                    "internal"
                } else {
                    "user"
                },
                unit,
                min,
                max,
                choices,
                default: s.default,
            }
        })
        .collect();
    out.sort_by_key(|s| s.name.to_lowercase());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_canonical_and_transactional() {
        let mut s = Settings::new(None, None, true, false);
        s.set("statement_timeout", Some("5000"), false, false)
            .unwrap();
        assert_eq!(
            s.show("STATEMENT_TIMEOUT").unwrap(),
            ("statement_timeout".into(), "5s".into())
        );
        assert_eq!(s.statement_timeout(), Some(Duration::from_secs(5)));
        s.set("datestyle", Some("iso"), false, true).unwrap();
        s.set("lock_timeout", Some("1min"), true, true).unwrap();
        assert_eq!(s.get("lock_timeout"), "1min");
        s.end_transaction(false);
        assert_eq!(
            s.show("datestyle").unwrap(),
            ("DateStyle".into(), "ISO, MDY".into())
        );
        assert_eq!(s.get("lock_timeout"), "0");
        assert_eq!(s.show("nope").unwrap_err().sqlstate(), "42704");
        assert_eq!(
            s.set("TimeZone", Some("Europe/Paris"), false, false)
                .unwrap_err()
                .sqlstate(),
            "0A000"
        );
        assert_eq!(
            s.set("extra_float_digits", Some("9"), false, false)
                .unwrap_err()
                .sqlstate(),
            "22023"
        );
        assert_eq!(
            s.set("server_version", Some("1"), false, false)
                .unwrap_err()
                .sqlstate(),
            "55P02"
        );
        s.set("myapp.user_id", Some("42"), false, false).unwrap();
        assert_eq!(s.get("myapp.user_id"), "42");
        assert_eq!(show_millis(1500), "1500ms");
    }
}
