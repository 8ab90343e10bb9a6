//! pg_backend_pid, pg_cancel_backend and pg_terminate_backend, with
//! PostgreSQL's rules: superusers signal anyone; others only backends of
//! roles whose privileges they have (or as members of pg_signal_backend),
//! and never a superuser's.

use super::Env;
use crate::catalog::backends::Signal;
use crate::catalog::Catalog;
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::expr::Function;
use crate::types::Value;

use crate::engine::bootstrap::PG_SIGNAL_BACKEND;

/// Evaluates one of this file's functions; None for any other.
pub fn call(func: Function, values: &[Value], ctx: &dyn Env) -> Result<Option<Value>> {
    let signal = match func {
        Function::PgBackendPid => return Ok(Some(Value::Int4(ctx.context().backend_pid))),
        Function::PgCancelBackend => Signal::Cancel,
        Function::PgTerminateBackend => Signal::Terminate,
        _ => return Ok(None),
    };
    let Some(catalog) = ctx.catalog() else {
        return Ok(Some(Value::Bool(false)));
    };
    let pid = match values.first() {
        Some(Value::Int4(p)) => *p,
        _ => 0,
    };
    // An unknown pid is a WARNING in PostgreSQL, and false.
    let Some(backend) = catalog.backends().get(pid) else {
        return Ok(Some(Value::Bool(false)));
    };
    check_may_signal(catalog, ctx.context().role, backend.role, signal)?;
    backend.signal(signal);
    Ok(Some(Value::Bool(true)))
}

fn check_may_signal(catalog: &Catalog, caller: u32, target: u32, signal: Signal) -> Result<()> {
    if catalog.is_superuser(caller) {
        return Ok(());
    }
    let (object, doing) = match signal {
        Signal::Cancel => ("query", "whose query is being canceled"),
        Signal::Terminate => ("process", "whose process is being terminated"),
    };
    if catalog.is_superuser(target) {
        let verb = if signal == Signal::Cancel {
            "cancel"
        } else {
            "terminate"
        };
        return Err(errinput!(
            sqlstate::INSUFFICIENT_PRIVILEGE,
            "must be a superuser to {verb} superuser {object}"
        ));
    }
    if catalog.has_privs_of_role(caller, target)
        || catalog.has_privs_of_role(caller, PG_SIGNAL_BACKEND)
    {
        return Ok(());
    }
    Err(errinput!(
        sqlstate::INSUFFICIENT_PRIVILEGE,
        "must be a member of the role {doing} or member of pg_signal_backend"
    ))
}
