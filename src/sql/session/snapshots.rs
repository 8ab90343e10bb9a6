//! `SELECT pg_export_snapshot()` and `SET TRANSACTION SNAPSHOT 'id'`,
//! answered by the session: the first publishes the transaction's
//! snapshot, the second makes a new REPEATABLE READ transaction read
//! through a published one (see `txn/exported.rs`).

use sqlparser::ast::{Expr as Ast, Query, SelectItem, SetExpr, Statement};

use super::{Outcome, RowSink, Session};
use crate::errinput;
use crate::error::{sqlstate, Result};
use crate::sql::plan::OutputColumn;
use crate::txn::Isolation;
use crate::types::{ColumnType, DataType, Value};

/// Whether a statement is `SELECT [pg_catalog.]pg_export_snapshot()`.
pub(super) fn is_export_snapshot(statement: &Statement) -> bool {
    let Statement::Query(q) = statement else {
        return false;
    };
    let Query { body, .. } = q.as_ref();
    let SetExpr::Select(select) = body.as_ref() else {
        return false;
    };
    if !select.from.is_empty() || select.projection.len() != 1 {
        return false;
    }
    let (SelectItem::UnnamedExpr(Ast::Function(f))
    | SelectItem::ExprWithAlias {
        expr: Ast::Function(f),
        ..
    }) = &select.projection[0]
    else {
        return false;
    };
    let name = f.name.to_string().to_lowercase();
    (name == "pg_export_snapshot" || name == "pg_catalog.pg_export_snapshot")
        && f.args
            .to_string()
            .trim_matches(|c| c == '(' || c == ')')
            .is_empty()
}

impl Session {
    fn pid(&self) -> i32 {
        self.backend.as_ref().map_or(0, |(pid, _)| *pid)
    }

    /// pg_export_snapshot(): the id of this transaction's snapshot.
    pub(super) fn export_snapshot(&mut self, sink: &mut dyn RowSink) -> Result<Outcome> {
        let pid = self.pid();
        let engine = self.engine.clone();
        let implicit = self.txn.is_none();
        if implicit {
            self.txn = Some(super::Transaction::new(self.default_isolation(), false));
        }
        let Some(txn) = self.txn.as_mut() else {
            return Err(crate::errinternal!("no transaction"));
        };
        if txn.failed {
            return Err(super::aborted());
        }
        let snapshot = txn.visibility(&engine).snapshot;
        txn.started = true;
        let id = engine.txns().export_snapshot(pid, snapshot);
        self.exported_snapshot = true;
        let column = OutputColumn {
            name: "pg_export_snapshot".to_string(),
            ty: ColumnType::plain(DataType::Text),
            table_oid: 0,
            column_number: 0,
        };
        sink.columns(&[column], "SELECT")?;
        sink.row(vec![Value::Text(id)])?;
        if implicit {
            self.end_transaction(true)?;
        }
        Ok(Outcome::tag("SELECT 1"))
    }

    /// SET TRANSACTION SNAPSHOT 'id': before the transaction's first
    /// query, in REPEATABLE READ or SERIALIZABLE.
    pub(super) fn import_snapshot(&mut self, id: &str) -> Result<Outcome> {
        let engine = self.engine.clone();
        let Some(txn) = self.txn.as_mut().filter(|t| t.explicit) else {
            return Err(errinput!(
                "25P01",
                "SET TRANSACTION can only be used in transaction blocks"
            ));
        };
        if txn.started {
            return Err(errinput!(
                "25001",
                "SET TRANSACTION SNAPSHOT must be called before any query"
            ));
        }
        if txn.isolation == Isolation::ReadCommitted {
            return Err(errinput!(
                sqlstate::FEATURE_NOT_SUPPORTED,
                "a snapshot-importing transaction must have isolation level SERIALIZABLE or REPEATABLE READ"
            ));
        }
        let guard = engine.txns().import_snapshot(id).ok_or_else(|| {
            errinput!(
                sqlstate::INVALID_PARAMETER_VALUE,
                "invalid snapshot identifier: \"{id}\""
            )
        })?;
        txn.adopt_snapshot(guard);
        Ok(Outcome::tag("SET"))
    }

    /// The session's exports end with its transaction.
    /// Costs nothing for the transactions that exported none (every
    /// commit passes here).
    pub(super) fn withdraw_exports(&mut self) {
        if std::mem::take(&mut self.exported_snapshot) {
            self.engine.txns().drop_exports(self.pid());
        }
    }
}
