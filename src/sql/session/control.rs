//! Statements the session answers itself, outside the planner:
//! BEGIN/COMMIT/ROLLBACK, savepoints, SET/SHOW/RESET (also SET ROLE and
//! SET SESSION AUTHORIZATION), SET TRANSACTION and DISCARD.

use super::*;

impl Session {
    /// BEGIN, COMMIT, ROLLBACK, SAVEPOINT, RELEASE, SET TRANSACTION, SHOW
    /// transaction_isolation; None for any other statement.
    pub(super) fn transaction_control(
        &mut self,
        statement: &Statement,
        sink: &mut dyn RowSink,
    ) -> Result<Option<Outcome>> {
        let in_block = self.in_block();
        let failed = self.txn.as_ref().is_some_and(|t| t.failed);
        let outcome = match statement {
            Statement::StartTransaction {
                modes,
                statements,
                exception: None,
                ..
            } if statements.is_empty() => {
                let (isolation, read_only) = transaction_modes(modes)?;
                let isolation = isolation.unwrap_or(self.default_isolation());
                let read_only = read_only.unwrap_or(self.default_read_only());
                if in_block {
                    sink.notice(
                        "WARNING",
                        "25001",
                        "there is already a transaction in progress".to_string(),
                    );
                    return Ok(Some(Outcome::tag("BEGIN")));
                }
                match self.txn.as_mut() {
                    // BEGIN inside an implicit block turns it into a real one.
                    Some(t) => {
                        t.explicit = true;
                        if !t.started {
                            t.isolation = isolation;
                            t.read_only = read_only;
                        }
                    }
                    None => {
                        let mut t = Transaction::new(isolation, true);
                        t.read_only = read_only;
                        self.txn = Some(t);
                    }
                }
                Outcome {
                    tag: "BEGIN".to_string(),
                    effect: TxnEffect::Started,
                }
            }
            Statement::Commit { chain: false, .. } => {
                if !in_block {
                    sink.notice(
                        "WARNING",
                        "25P01",
                        "there is no transaction in progress".to_string(),
                    );
                    // Inside an implicit block, COMMIT commits what came before.
                    self.end_transaction(!failed)?;
                    return Ok(Some(Outcome::tag("COMMIT")));
                }
                self.end_transaction(!failed)?;
                Outcome {
                    tag: if failed { "ROLLBACK" } else { "COMMIT" }.to_string(),
                    effect: TxnEffect::Ended,
                }
            }
            Statement::Rollback {
                chain: false,
                savepoint: None,
            } => {
                if !in_block {
                    sink.notice(
                        "WARNING",
                        "25P01",
                        "there is no transaction in progress".to_string(),
                    );
                    self.end_transaction(false)?;
                    return Ok(Some(Outcome::tag("ROLLBACK")));
                }
                self.end_transaction(false)?;
                Outcome {
                    tag: "ROLLBACK".to_string(),
                    effect: TxnEffect::Ended,
                }
            }
            Statement::Rollback {
                chain: false,
                savepoint: Some(name),
            } => {
                let engine = self.engine.clone();
                let txn = self.block("ROLLBACK TO SAVEPOINT")?;
                let (undone, settings) = txn.rollback_to(&normalize(name))?;
                txn.abort_xids(&engine, &undone)?;
                if let Some(settings) = settings {
                    self.settings = settings;
                }
                Outcome::tag("ROLLBACK")
            }
            Statement::Savepoint { name } => {
                let settings = self.settings.clone();
                let txn = self.block("SAVEPOINT")?;
                if txn.failed {
                    return Err(aborted());
                }
                txn.savepoint(normalize(name), settings);
                Outcome::tag("SAVEPOINT")
            }
            Statement::ReleaseSavepoint { name } => {
                let txn = self.block("RELEASE SAVEPOINT")?;
                if txn.failed {
                    return Err(aborted());
                }
                txn.release(&normalize(name))?;
                Outcome::tag("RELEASE")
            }
            Statement::Set(Set::SetTransaction {
                snapshot: Some(id),
                session: false,
                ..
            }) => {
                if failed {
                    return Err(aborted());
                }
                let id = match &id.value {
                    sqlparser::ast::Value::SingleQuotedString(s) => s.clone(),
                    other => other.to_string(),
                };
                self.import_snapshot(&id)?
            }
            statement if snapshots::is_export_snapshot(statement) => self.export_snapshot(sink)?,
            Statement::Set(Set::SetTransaction {
                modes,
                snapshot: None,
                session,
            }) => {
                if failed {
                    return Err(aborted());
                }
                let (isolation, read_only) = transaction_modes(modes)?;
                if *session {
                    let in_txn = self.txn.is_some();
                    if let Some(isolation) = isolation {
                        self.settings.set(
                            "default_transaction_isolation",
                            Some(isolation.name()),
                            false,
                            in_txn,
                        )?;
                    }
                    if let Some(read_only) = read_only {
                        let value = if read_only { "on" } else { "off" };
                        self.settings.set(
                            "default_transaction_read_only",
                            Some(value),
                            false,
                            in_txn,
                        )?;
                    }
                } else {
                    match self.txn.as_mut().filter(|t| t.explicit) {
                        Some(t) if t.started && isolation.is_some() => {
                            return Err(errinput!(
                                "25001",
                                "SET TRANSACTION ISOLATION LEVEL must be called before any query"
                            ))
                        }
                        Some(t) if t.started && t.read_only && read_only == Some(false) => {
                            return Err(errinput!(
                                "25001",
                                "transaction read-write mode must be set before any query"
                            ))
                        }
                        Some(t) => {
                            t.isolation = isolation.unwrap_or(t.isolation);
                            t.read_only = read_only.unwrap_or(t.read_only);
                        }
                        None => sink.notice(
                            "WARNING",
                            "25P01",
                            "SET TRANSACTION can only be used in transaction blocks".to_string(),
                        ),
                    }
                }
                Outcome::tag("SET")
            }
            Statement::ShowVariable { variable } => {
                if failed {
                    return Err(aborted());
                }
                let name = setting_name(variable);
                let columns = utility_columns(statement).unwrap_or_default();
                let rows: Vec<Vec<String>> = match name.as_str() {
                    "transaction_read_only" => {
                        let read_only = self
                            .txn
                            .as_ref()
                            .filter(|t| t.explicit)
                            .map_or(self.default_read_only(), |t| t.read_only);
                        vec![vec![if read_only { "on" } else { "off" }.to_string()]]
                    }
                    "transaction_isolation" => {
                        let isolation = self
                            .txn
                            .as_ref()
                            .filter(|t| t.explicit)
                            .map_or(self.default_isolation(), |t| t.isolation);
                        vec![vec![isolation.name().to_string()]]
                    }
                    "all" => self
                        .settings
                        .all()
                        .into_iter()
                        .map(|(n, v, d)| vec![n, v, d])
                        .collect(),
                    "session_authorization" => {
                        let who = self.who();
                        vec![vec![self.engine.catalog().role_name(who.session)]]
                    }
                    "is_superuser" => {
                        let on = self.engine.catalog().is_superuser(self.who().session);
                        vec![vec![if on { "on" } else { "off" }.to_string()]]
                    }
                    _ => vec![vec![self.settings.show(&name)?.1]],
                };
                sink.columns(&columns, "SHOW")?;
                for row in rows {
                    sink.row(row.into_iter().map(Value::Text).collect())?;
                }
                Outcome::tag("SHOW")
            }
            Statement::Set(Set::SingleAssignment {
                scope,
                hivevar: false,
                variable,
                values,
            }) => {
                if failed {
                    return Err(aborted());
                }
                let local = matches!(scope, Some(ContextModifier::Local));
                let name = setting_name(&variable.0);
                let value = setting_value(values, name == "search_path");
                self.set_setting(&name, value.as_deref(), local, sink)?;
                Outcome::tag("SET")
            }
            Statement::Set(Set::SetRole {
                context_modifier,
                role_name,
            }) => {
                if failed {
                    return Err(aborted());
                }
                let local = matches!(context_modifier, Some(ContextModifier::Local));
                let name = role_name.as_ref().map(normalize);
                self.set_setting("role", Some(name.as_deref().unwrap_or("none")), local, sink)?;
                Outcome::tag("SET")
            }
            Statement::Set(Set::SetSessionAuthorization(param)) => {
                if failed {
                    return Err(aborted());
                }
                let local = matches!(param.scope, ContextModifier::Local);
                let name = match &param.kind {
                    sqlparser::ast::SetSessionAuthorizationParamKind::Default => None,
                    sqlparser::ast::SetSessionAuthorizationParamKind::User(u) => Some(normalize(u)),
                };
                self.set_session_authorization(name.as_deref(), local, sink)?;
                Outcome::tag("SET")
            }
            Statement::Set(Set::SetTimeZone { local, value }) => {
                if failed {
                    return Err(aborted());
                }
                let value = setting_value(std::slice::from_ref(value), false);
                self.set_setting("timezone", value.as_deref(), *local, sink)?;
                Outcome::tag("SET")
            }
            Statement::Reset(r) => {
                if failed {
                    return Err(aborted());
                }
                let in_txn = self.txn.is_some();
                match &r.reset {
                    Reset::ALL => self.settings.reset_all(in_txn),
                    Reset::ConfigurationParameter(name) => {
                        self.settings
                            .set(&setting_name(&name.0), None, false, in_txn)?
                    }
                    Reset::SessionAuthorization => {
                        self.set_session_authorization(None, false, sink)?
                    }
                }
                Outcome::tag("RESET")
            }
            Statement::Discard { object_type } => {
                let what = object_type.to_string();
                if what.eq_ignore_ascii_case("ALL") {
                    if self.in_block() {
                        return Err(errinput!(
                            "25001",
                            "DISCARD ALL cannot run inside a transaction block"
                        ));
                    }
                    self.settings.reset_all(false);
                }
                if what.eq_ignore_ascii_case("ALL") || what.eq_ignore_ascii_case("SEQUENCES") {
                    *self.sequences.lock() = Default::default();
                }
                if what.eq_ignore_ascii_case("ALL")
                    || what.eq_ignore_ascii_case("TEMP")
                    || what.eq_ignore_ascii_case("TEMPORARY")
                {
                    self.discard_temp()?;
                }
                Outcome::tag(format!("DISCARD {}", what.to_uppercase()))
            }
            Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Rollback { .. } => {
                return Err(crate::errunsupported!(
                    "this form of {}",
                    crate::sql::binder::statement_kind(statement)
                ))
            }
            _ => return Ok(None),
        };
        Ok(Some(outcome))
    }

    /// SET [LOCAL] of one setting (None: DEFAULT); SET LOCAL outside a
    /// transaction block only warns, as in PostgreSQL.
    pub(super) fn set_setting(
        &mut self,
        name: &str,
        value: Option<&str>,
        local: bool,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        if local && !self.in_block() {
            sink.notice(
                "WARNING",
                "25P01",
                "SET LOCAL can only be used in transaction blocks".to_string(),
            );
            return Ok(());
        }
        if name.eq_ignore_ascii_case("role") {
            if let Some(role) = value.filter(|v| !v.eq_ignore_ascii_case("none")) {
                let catalog = self.engine.catalog();
                let oid = catalog.must_get_role(role)?;
                if !catalog.is_member_of_role(self.who().session, oid) {
                    return Err(errinput!(
                        crate::error::sqlstate::INSUFFICIENT_PRIVILEGE,
                        "permission denied to set role \"{role}\""
                    ));
                }
            }
        }
        let in_txn = self.txn.is_some();
        self.settings.set(name, value, local, in_txn)
    }

    /// SET SESSION AUTHORIZATION (None: DEFAULT): only a superuser who
    /// logged in may become another role; the current role resets too.
    pub(super) fn set_session_authorization(
        &mut self,
        name: Option<&str>,
        local: bool,
        sink: &mut dyn RowSink,
    ) -> Result<()> {
        let catalog = self.engine.catalog();
        if let Some(name) = name {
            let oid = catalog.must_get_role(name)?;
            if oid != self.user && !catalog.is_superuser(self.user) {
                return Err(errinput!(
                    crate::error::sqlstate::INSUFFICIENT_PRIVILEGE,
                    "permission denied to set session authorization"
                ));
            }
        }
        self.set_setting("session_authorization", name, local, sink)?;
        self.set_setting("role", None, local, sink)
    }

    pub(super) fn block(&mut self, what: &str) -> Result<&mut Transaction> {
        self.txn
            .as_mut()
            .filter(|t| t.explicit)
            .ok_or_else(|| errinput!("25P01", "{what} can only be used in transaction blocks"))
    }
}

pub(super) fn aborted() -> crate::error::Error {
    errinput!(
        "25P02",
        "current transaction is aborted, commands ignored until end of transaction block"
    )
}

pub(super) fn is_transaction_control(statement: &Statement) -> bool {
    matches!(
        statement,
        Statement::StartTransaction { .. }
            | Statement::Commit { .. }
            | Statement::Rollback { .. }
            | Statement::Savepoint { .. }
            | Statement::ReleaseSavepoint { .. }
            | Statement::Set(
                Set::SetTransaction { .. }
                    | Set::SingleAssignment { .. }
                    | Set::SetTimeZone { .. }
                    | Set::SetRole { .. }
                    | Set::SetSessionAuthorization(_)
            )
            | Statement::Reset(_)
            | Statement::Discard { .. }
    )
}

/// A setting's name as written (`a.b` for custom settings), lower-cased
/// unless quoted; `SHOW TRANSACTION ISOLATION LEVEL` is transaction_isolation.
pub(super) fn setting_name(parts: &[impl std::fmt::Display]) -> String {
    let words: Vec<String> = parts.iter().map(|p| p.to_string().to_lowercase()).collect();
    if words == ["transaction", "isolation", "level"] {
        return "transaction_isolation".to_string();
    }
    parts
        .iter()
        .map(|p| {
            let text = p.to_string();
            match text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
                Some(quoted) => quoted.to_string(),
                None => text.to_lowercase(),
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// The value of `SET name = v1, v2` as PostgreSQL flattens it (None for
/// DEFAULT); a list of names (`quote_names`: search_path) has each name
/// folded and quoted as an identifier.
pub(super) fn setting_value(values: &[sqlparser::ast::Expr], quote_names: bool) -> Option<String> {
    use sqlparser::ast::{Expr as E, Value as V};
    if let [E::Identifier(i)] = values {
        if i.quote_style.is_none() && i.value.eq_ignore_ascii_case("default") {
            return None;
        }
    }
    let parts: Vec<String> = values
        .iter()
        .map(|e| match e {
            E::Value(v) if quote_names => match &v.value {
                V::SingleQuotedString(s) | V::DoubleQuotedString(s) => {
                    crate::sql::binder::system_views::quote_ident(s)
                }
                other => other.to_string(),
            },
            E::Identifier(i) if quote_names => {
                crate::sql::binder::system_views::quote_ident(&normalize(i))
            }
            E::Value(v) => match &v.value {
                V::SingleQuotedString(s) | V::DoubleQuotedString(s) => s.clone(),
                V::Boolean(b) => if *b { "on" } else { "off" }.to_string(),
                other => other.to_string(),
            },
            E::Identifier(i) => i.value.clone(),
            other => other.to_string(),
        })
        .collect();
    Some(parts.join(", "))
}

/// What BEGIN or SET TRANSACTION asks for: an isolation level and READ
/// ONLY (true) or READ WRITE (false), each if given.
pub(super) fn transaction_modes(
    modes: &[TransactionMode],
) -> Result<(Option<Isolation>, Option<bool>)> {
    let mut isolation = None;
    let mut read_only = None;
    for mode in modes {
        match mode {
            TransactionMode::IsolationLevel(level) => {
                isolation = Some(match level {
                    TransactionIsolationLevel::ReadUncommitted
                    | TransactionIsolationLevel::ReadCommitted => Isolation::ReadCommitted,
                    TransactionIsolationLevel::RepeatableRead => Isolation::RepeatableRead,
                    TransactionIsolationLevel::Serializable => {
                        return Err(crate::errunsupported!(
                            "SERIALIZABLE isolation (use REPEATABLE READ)"
                        ))
                    }
                    other => return Err(crate::errunsupported!("isolation level {other}")),
                });
            }
            TransactionMode::AccessMode(mode) => {
                read_only = Some(matches!(
                    mode,
                    sqlparser::ast::TransactionAccessMode::ReadOnly
                ));
            }
        }
    }
    Ok((isolation, read_only))
}
