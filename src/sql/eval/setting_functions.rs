//! current_setting and set_config: a statement reads the session's
//! settings as they were when it started; set_config's change is checked
//! at once and applied by the session when the statement succeeds (so a
//! failed statement changes nothing, as a rolled-back one would not).

use super::Env;
use crate::errinput;
use crate::error::Result;
use crate::sql::session::settings::StatementSettings;
use crate::types::Value;

/// `current_setting(name [, missing_ok])`.
pub fn current_setting(values: &[Value], ctx: &dyn Env) -> Result<Value> {
    let name = text(&values[0]);
    let missing_ok = matches!(values.get(1), Some(Value::Bool(true)));
    match settings(ctx)?.show(name) {
        Ok(v) => Ok(Value::Text(v)),
        Err(_) if missing_ok => Ok(Value::Null),
        Err(e) => Err(e),
    }
}

/// pg_settings.setting: the value in the setting's base unit (`4096` for
/// work_mem's `4MB`, `5000` for statement_timeout's `5s`).
pub fn setting_value(values: &[Value], ctx: &dyn Env) -> Result<Value> {
    let name = text(&values[0]);
    let shown = settings(ctx)?.show(name)?;
    Ok(Value::Text(crate::sql::session::settings::in_base_unit(
        name, &shown,
    )))
}

/// `set_config(name, value, is_local)`: the value as SHOW will show it.
pub fn set_config(values: &[Value], ctx: &dyn Env) -> Result<Value> {
    let local = matches!(values[2], Value::Bool(true));
    Ok(Value::Text(settings(ctx)?.set(
        text(&values[0]),
        text(&values[1]),
        local,
    )?))
}

fn settings(ctx: &dyn Env) -> Result<&StatementSettings> {
    ctx.context()
        .settings
        .as_deref()
        .ok_or_else(|| errinput!("0A000", "settings cannot be read here"))
}

fn text(v: &Value) -> &str {
    match v {
        Value::Text(s) => s,
        _ => "",
    }
}
