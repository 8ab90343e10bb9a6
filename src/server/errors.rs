//! The one place an engine [`Error`] becomes a wire ErrorResponse.

use pgwire::error::{ErrorInfo, PgWireError};

use crate::error::Error;

/// An engine error as a pgwire error (severity ERROR, SQLSTATE, DETAIL).
pub fn to_pgwire(err: Error) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&err, "ERROR")))
}

/// An engine error as an ErrorInfo of a given severity.
pub fn error_info(err: &Error, severity: &str) -> ErrorInfo {
    let mut info = ErrorInfo::new(
        severity.to_string(),
        err.sqlstate().to_string(),
        err.message().to_string(),
    );
    info.detail = err.detail().map(str::to_string);
    info.hint = err.hint().map(str::to_string);
    info
}

/// A FATAL error that closes the connection (startup failures).
pub fn fatal(err: Error) -> PgWireError {
    PgWireError::UserError(Box::new(error_info(&err, "FATAL")))
}
