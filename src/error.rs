//! The one error type of FlintDB.
//!
//! Errors are grouped by category (what went wrong), each variant carrying a
//! PostgreSQL SQLSTATE code chosen at the point of failure. The server edge
//! (`server::errors`) is the only place that turns an [`Error`] into a wire
//! `ErrorResponse`; nothing below `server/` knows about pgwire.
//!
//! Build errors with the macros: `errinput!(code, "fmt", args)` for a bad
//! statement or value, `errunsupported!("feature")` for 0A000, `errinternal!`
//! for bugs and broken invariants.

use std::fmt;

/// SQLSTATE codes used across the engine, named like PostgreSQL's errcodes.h.
pub mod sqlstate {
    pub const SYNTAX_ERROR: &str = "42601";
    pub const UNDEFINED_TABLE: &str = "42P01";
    pub const UNDEFINED_COLUMN: &str = "42703";
    pub const INVALID_TABLE_DEFINITION: &str = "42P16";
    pub const UNIQUE_VIOLATION: &str = "23505";
    pub const UNDEFINED_OBJECT: &str = "42704";
    pub const UNDEFINED_FUNCTION: &str = "42883";
    pub const DUPLICATE_TABLE: &str = "42P07";
    pub const DUPLICATE_COLUMN: &str = "42701";
    pub const AMBIGUOUS_COLUMN: &str = "42702";
    pub const DATATYPE_MISMATCH: &str = "42804";
    pub const GROUPING_ERROR: &str = "42803";
    pub const INVALID_COLUMN_REFERENCE: &str = "42P10";
    pub const INVALID_PARAMETER_REFERENCE: &str = "42P02";
    pub const INDETERMINATE_DATATYPE: &str = "42P18";
    pub const TOO_MANY_COLUMNS: &str = "54011";
    pub const PROGRAM_LIMIT_EXCEEDED: &str = "54000";
    pub const NOT_NULL_VIOLATION: &str = "23502";
    pub const INVALID_TEXT_REPRESENTATION: &str = "22P02";
    pub const INVALID_BINARY_REPRESENTATION: &str = "22P03";
    pub const NUMERIC_VALUE_OUT_OF_RANGE: &str = "22003";
    pub const DIVISION_BY_ZERO: &str = "22012";
    pub const STRING_DATA_RIGHT_TRUNCATION: &str = "22001";
    pub const DATETIME_FIELD_OVERFLOW: &str = "22008";
    pub const INVALID_DATETIME_FORMAT: &str = "22007";
    pub const INTERVAL_FIELD_OVERFLOW: &str = "22015";
    pub const UNTRANSLATABLE_CHARACTER: &str = "22P05";
    pub const NULL_VALUE_NOT_ALLOWED: &str = "22004";
    pub const TOO_MANY_ARGUMENTS: &str = "54023";
    pub const INVALID_PARAMETER_VALUE: &str = "22023";
    pub const INVALID_ARGUMENT_FOR_POWER: &str = "2201F";
    pub const INVALID_ARGUMENT_FOR_LOG: &str = "2201E";
    pub const INVALID_ROW_COUNT_IN_LIMIT: &str = "2201W";
    pub const INVALID_ROW_COUNT_IN_OFFSET: &str = "2201X";
    pub const INVALID_ESCAPE_SEQUENCE: &str = "22025";
    pub const CHARACTER_NOT_IN_REPERTOIRE: &str = "22021";
    pub const FEATURE_NOT_SUPPORTED: &str = "0A000";
    pub const INVALID_CATALOG_NAME: &str = "3D000";
    pub const PROTOCOL_VIOLATION: &str = "08P01";
    pub const DATA_CORRUPTED: &str = "XX001";
    pub const INTERNAL_ERROR: &str = "XX000";
    pub const IO_ERROR: &str = "58030";
    pub const CARDINALITY_VIOLATION: &str = "21000";
    pub const SUBSTRING_ERROR: &str = "22011";
    pub const WRONG_OBJECT_TYPE: &str = "42809";
    pub const INVALID_FOREIGN_KEY: &str = "42830";
    pub const FOREIGN_KEY_VIOLATION: &str = "23503";
    pub const CHECK_VIOLATION: &str = "23514";
    pub const GENERATED_ALWAYS: &str = "428C9";
    pub const OBJECT_NOT_IN_PREREQUISITE_STATE: &str = "55000";
    pub const WINDOWING_ERROR: &str = "42P20";
    pub const DUPLICATE_OBJECT: &str = "42710";
    pub const DUPLICATE_SCHEMA: &str = "42P06";
    pub const INVALID_SCHEMA_NAME: &str = "3F000";
    pub const INSUFFICIENT_PRIVILEGE: &str = "42501";
    pub const INVALID_AUTHORIZATION_SPECIFICATION: &str = "28000";
    pub const INVALID_PASSWORD: &str = "28P01";
    pub const DEPENDENT_OBJECTS_STILL_EXIST: &str = "2BP01";
    pub const OBJECT_IN_USE: &str = "55006";
    pub const TOO_MANY_CONNECTIONS: &str = "53300";
    pub const RESERVED_NAME: &str = "42939";
    pub const INVALID_GRANT_OPERATION: &str = "0LP01";
    pub const INVALID_NAME: &str = "42602";
}

/// A FlintDB error: a category, the SQLSTATE it maps to, and a message that
/// reads like PostgreSQL's.
#[derive(Clone, Debug, PartialEq)]
pub enum Error {
    /// The client sent something invalid: bad SQL, a bad value, a missing
    /// object, a constraint violation. The session goes on.
    Input {
        code: &'static str,
        message: String,
        detail: Option<String>,
        hint: Option<String>,
    },
    /// Parsed, valid SQL that FlintDB does not implement (0A000).
    Unsupported(String),
    /// On-disk data failed a check (checksum, format). Confined to the query.
    Corrupted(String),
    /// The operating system refused a read, write or sync.
    Io(String),
    /// A broken invariant: a bug in FlintDB, never the client's fault.
    Internal(String),
    /// A READ COMMITTED statement found a row that a transaction which
    /// committed after its snapshot changed: the session runs the
    /// statement again with a new snapshot. Never meant to reach a client
    /// (it would read as a serialization failure).
    Restart,
}

/// The FlintDB result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The SQLSTATE code sent to the client for this error.
    pub fn sqlstate(&self) -> &'static str {
        match self {
            Error::Input { code, .. } => code,
            Error::Unsupported(_) => sqlstate::FEATURE_NOT_SUPPORTED,
            Error::Corrupted(_) => sqlstate::DATA_CORRUPTED,
            Error::Io(_) => sqlstate::IO_ERROR,
            Error::Internal(_) => sqlstate::INTERNAL_ERROR,
            Error::Restart => "40001",
        }
    }

    /// The primary human-readable message.
    pub fn message(&self) -> &str {
        match self {
            Error::Input { message, .. } => message,
            Error::Unsupported(m) | Error::Corrupted(m) | Error::Io(m) | Error::Internal(m) => m,
            Error::Restart => "could not serialize access due to concurrent update",
        }
    }

    /// PostgreSQL's optional DETAIL line.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Error::Input { detail, .. } => detail.as_deref(),
            _ => None,
        }
    }

    /// PostgreSQL's optional HINT line.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Input { hint, .. } => hint.as_deref(),
            _ => None,
        }
    }

    /// Adds a DETAIL line to an input error.
    pub fn with_detail(mut self, text: impl Into<String>) -> Self {
        if let Error::Input { detail, .. } = &mut self {
            *detail = Some(text.into());
        }
        self
    }

    /// Adds a HINT line to an input error.
    pub fn with_hint(mut self, text: impl Into<String>) -> Self {
        if let Error::Input { hint, .. } = &mut self {
            *hint = Some(text.into());
        }
        self
    }

    /// Builds an input error with a SQLSTATE code.
    pub fn input(code: &'static str, message: impl Into<String>) -> Self {
        Error::Input {
            code,
            message: message.into(),
            detail: None,
            hint: None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (SQLSTATE {})", self.message(), self.sqlstate())
    }
}

impl std::error::Error for Error {}

impl From<std::io::Error> for Error {
    fn from(err: std::io::Error) -> Self {
        Error::Io(format!("I/O error: {err}"))
    }
}

/// An input error with a SQLSTATE code: `errinput!(sqlstate::X, "fmt", args)`.
#[macro_export]
macro_rules! errinput {
    ($code:expr, $($args:tt)*) => {
        $crate::error::Error::input($code, format!($($args)*))
    };
}

/// A 0A000 feature_not_supported error naming the feature.
#[macro_export]
macro_rules! errunsupported {
    ($($args:tt)*) => {
        $crate::error::Error::Unsupported(format!("{} is not supported", format!($($args)*)))
    };
}

/// An internal error (a bug): `errinternal!("fmt", args)`.
#[macro_export]
macro_rules! errinternal {
    ($($args:tt)*) => {
        $crate::error::Error::Internal(format!($($args)*))
    };
}
